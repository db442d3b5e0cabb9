import { expect } from 'chai';
import { ConfirmationView, ErrorCode } from '@econfirm/common';
import { ConfirmationWorld, fakeJwe, fakeRecipient, HASH_A, widenedJwe } from '../testing/confirmation-world';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { p256PublicJwk, Who } from '../testing/fixtures';
import { getConfirmation, saveConfirmation } from '../state/confirmation-store';

const parse = (json: string) => JSON.parse(json) as ConfirmationView;

interface Jwe {
  protected?: string;
  iv: string;
  ciphertext: string;
  tag: string;
  aad?: string;
  recipients: object[];
}

/** `ciphertext` changed by `edit` (on a parsed copy). */
function edited(ciphertext: string, edit: (jwe: Jwe) => void): string {
  const jwe = JSON.parse(ciphertext) as Jwe;
  edit(jwe);
  return JSON.stringify(jwe);
}

/**
 * Sealed when the right arises (issue 10 §2–3, chaincode/README.md Privacy design): the letter
 * reaches the responder at the client's authorization, the reply reaches the client at the
 * auditor's acceptance, each by appending recipients to the very JWE the ledger holds.
 */
describe('ConfirmationContract: sealed when the right arises', () => {
  let world: ConfirmationWorld;
  beforeEach(async () => {
    world = await new ConfirmationWorld().setUp();
    await world.issue('CF-1');
  });

  describe('ClientAuthorize widens the letter to the responder', () => {
    it('stores the widened letter, sealed to the bank and the addressed branch, with the same content hash', async () => {
      const issued = await world.get('CF-1');
      const widened = widenedJwe(issued.letter.ciphertext, 'BANK1', 'BANK1-SH');
      const view = parse(await world.authorize('CF-1', Who.client1, true, widened));
      expect(view.letter).to.deep.equal({ ciphertext: widened, contentHash: HASH_A });
      expect((await world.get('CF-1', Who.officer1)).letter.ciphertext).to.equal(widened);
    });

    it('accepts the branch before the bank, and a letter to the bank itself widened to the bank alone', async () => {
      const issued = await world.get('CF-1');
      expect(parse(await world.authorize('CF-1', Who.client1, true, widenedJwe(issued.letter.ciphertext, 'BANK1-SH', 'BANK1'))).state).to.equal('authorized');
      await world.issue('CF-2', { addresseeId: 'BANK1' });
      const direct = await world.get('CF-2');
      expect(parse(await world.authorize('CF-2', Who.client1, true, widenedJwe(direct.letter.ciphertext, 'BANK1'))).state).to.equal('authorized');
    });

    it('appends the responder\'s current key after a rotation, not the one it had at issue', async () => {
      const rotation = JSON.stringify({ encryptionKey: { kid: 'BANK1-enc-2', jwk: p256PublicJwk() } });
      await world.registry.ApproveKeyRecovery(world.ledger.as(Who.regulator1), 'BANK1', rotation);
      await world.registry.RotateInstitutionKeys(world.ledger.as(Who.admin), 'BANK1', rotation, '');
      const letter = (await world.get('CF-1')).letter.ciphertext;
      await expectLedgerError(world.authorize('CF-1', Who.client1, true, widenedJwe(letter, 'BANK1', 'BANK1-SH')), ErrorCode.RecipientsRefused, 'appends key BANK1-enc-1, which is none of BANK1 (BANK1-enc-2), BANK1-SH (BANK1-SH-enc-1)');
      const current = edited(letter, (jwe) => jwe.recipients.push(fakeRecipient('BANK1', 'BANK1-enc-2'), fakeRecipient('BANK1-SH')));
      expect(parse(await world.authorize('CF-1', Who.client1, true, current)).state).to.equal('authorized');
    });

    it('widens a letter issued before the rule (already naming its bank) by what it lacks only', async () => {
      // A ledger written before this rule holds letters sealed to the responder at issue.
      const legacy = fakeJwe('FIRM1', 'CLIENT1', 'BANK1');
      const ctx = world.ledger.as(Who.admin);
      const request = await getConfirmation(ctx, 'CF-1');
      await saveConfirmation(ctx, { ...request, letter: { ciphertext: legacy, contentHash: HASH_A } }, request);
      await expectLedgerError(world.authorize('CF-1', Who.client1, true, widenedJwe(legacy, 'BANK1', 'BANK1-SH')), ErrorCode.RecipientsRefused, 'appends key BANK1-enc-1, which is none of BANK1-SH (BANK1-SH-enc-1)');
      expect(parse(await world.authorize('CF-1', Who.client1, true, widenedJwe(legacy, 'BANK1-SH'))).state).to.equal('authorized');
    });

    const refusals: [string, (letter: string) => string, string][] = [
      ['the letter unwidened', (letter) => letter, 'appends no key of BANK1'],
      ['the bank without its addressed branch', (letter) => widenedJwe(letter, 'BANK1'), 'appends no key of BANK1-SH'],
      ['the branch without its bank', (letter) => widenedJwe(letter, 'BANK1-SH'), 'appends no key of BANK1 '],
      ['a wrong kid appended', (letter) => widenedJwe(letter, 'BANK2', 'BANK1-SH'), 'appends key BANK2-enc-1, which is none of'],
      ['a third kid appended', (letter) => widenedJwe(letter, 'BANK1', 'BANK1-SH', 'FIRM2'), 'appends key FIRM2-enc-1'],
      ['the bank appended twice', (letter) => widenedJwe(letter, 'BANK1', 'BANK1-SH', 'BANK1'), 'appends key BANK1-enc-1 twice'],
      ['a kid already sealed appended again', (letter) => widenedJwe(letter, 'BANK1', 'BANK1-SH', 'CLIENT1'), 'appends key CLIENT1-enc-1, which is none of'],
      ['an appended entry naming no kid', (letter) => edited(widenedJwe(letter, 'BANK1', 'BANK1-SH'), (jwe) => jwe.recipients.push({ encrypted_key: 'a2V5' })), 'recipients[4]: names no kid'],
      ['a changed ciphertext', (letter) => edited(widenedJwe(letter, 'BANK1', 'BANK1-SH'), (jwe) => { jwe.ciphertext = 'b3RoZXI'; }), "changes the JWE's ciphertext"],
      ['a changed tag', (letter) => edited(widenedJwe(letter, 'BANK1', 'BANK1-SH'), (jwe) => { jwe.tag = 'dGFnMg'; }), "changes the JWE's tag"],
      ['a changed iv', (letter) => edited(widenedJwe(letter, 'BANK1', 'BANK1-SH'), (jwe) => { jwe.iv = 'aXYy'; }), "changes the JWE's iv"],
      ['a changed protected header', (letter) => edited(widenedJwe(letter, 'BANK1', 'BANK1-SH'), (jwe) => { jwe.protected = Buffer.from('{"enc":"A128GCM"}').toString('base64url'); }), "changes the JWE's protected"],
      ['an aad added', (letter) => edited(widenedJwe(letter, 'BANK1', 'BANK1-SH'), (jwe) => { jwe.aad = 'eHh4'; }), "changes the JWE's aad"],
      ['an existing recipient removed', (letter) => edited(widenedJwe(letter, 'BANK1', 'BANK1-SH'), (jwe) => { jwe.recipients.splice(1, 1); }), 'recipients[1]: differs'],
      ['the existing recipients reordered', (letter) => edited(widenedJwe(letter, 'BANK1', 'BANK1-SH'), (jwe) => { jwe.recipients.unshift(...jwe.recipients.splice(1, 1)); }), 'recipients[0]: differs'],
      ["an existing recipient's wrapped key replaced", (letter) => edited(widenedJwe(letter, 'BANK1', 'BANK1-SH'), (jwe) => { (jwe.recipients[0] as { encrypted_key: string }).encrypted_key = 'b3RoZXI'; }), 'recipients[0]: differs'],
      ['the recipients cut down to the new ones', (letter) => edited(widenedJwe(letter, 'BANK1', 'BANK1-SH'), (jwe) => { jwe.recipients = jwe.recipients.slice(2, 3); }), 'drops recipients'],
    ];
    for (const [name, widen, problem] of refusals) {
      it(`refuses ${name} (RECIPIENTS_REFUSED), writing nothing`, async () => {
        const letter = (await world.get('CF-1')).letter.ciphertext;
        const before = world.ledger.snapshot();
        const text = await expectLedgerError(world.authorize('CF-1', Who.client1, true, widen(letter)), ErrorCode.RecipientsRefused, problem);
        expect(text.startsWith('letterCiphertext'), text).to.equal(true);
        expect(world.ledger.snapshot()).to.equal(before);
      });
    }

    it('refuses an authorization without the widened letter, or with one that is no JWE', async () => {
      await expectLedgerError(world.contract.ClientAuthorize(world.ledger.as(Who.client1), 'CF-1', JSON.stringify({ feeConsent: true })), ErrorCode.InvalidArgument, 'letterCiphertext');
      await expectLedgerError(world.authorize('CF-1', Who.client1, true, '{"account":"6222020200001234567"}'), ErrorCode.InvalidArgument, 'letterCiphertext.iv');
      const letter = (await world.get('CF-1')).letter.ciphertext;
      const unwrapped = edited(widenedJwe(letter, 'BANK1'), (jwe) => jwe.recipients.push({ header: { alg: 'ECDH-ES+A256KW', kid: 'BANK1-SH-enc-1' } }));
      await expectLedgerError(world.authorize('CF-1', Who.client1, true, unwrapped), ErrorCode.InvalidArgument, 'letterCiphertext.recipients[3].encrypted_key');
      expect((await world.get('CF-1')).state).to.equal('issued');
    });

    it('a counterparty enterprise is added alone: it has no branch', async () => {
      await world.issue('CF-R', { kind: 'receivable', formId: 'balance-confirmation-2020', addresseeId: 'ENT1' });
      const letter = (await world.get('CF-R')).letter.ciphertext;
      await expectLedgerError(world.authorize('CF-R', Who.client1, true, widenedJwe(letter, 'ENT1', 'BANK1')), ErrorCode.RecipientsRefused, 'key BANK1-enc-1');
      expect(parse(await world.authorize('CF-R', Who.client1, true, widenedJwe(letter, 'ENT1'))).state).to.equal('authorized');
    });
  });

  it('Resend seals the follow-up to firm and client only, like Issue', async () => {
    await world.authorize('CF-1');
    await world.contract.BankReturn(world.ledger.as(Who.officer1), 'CF-1', 'SEAL_MISMATCH', '');
    const resend = (ciphertext: string) => JSON.stringify({ id: 'CF-1-R1', originalId: 'CF-1', letter: { ciphertext, contentHash: HASH_A } });
    await expectLedgerError(world.contract.Resend(world.ledger.as(Who.auditor1), resend(fakeJwe('FIRM1', 'CLIENT1', 'BANK1'))), ErrorCode.RecipientsRefused, 'letter.ciphertext: is sealed to key BANK1-enc-1');
    expect(parse(await world.contract.Resend(world.ledger.as(Who.auditor1), resend(fakeJwe('FIRM1', 'CLIENT1')))).state).to.equal('issued');
  });

  describe('AuditorAccept widens the reply to the client', () => {
    beforeEach(async () => {
      await world.authorize('CF-1');
      await world.prepare('CF-1');
      await world.approve('CF-1');
    });

    it('stores the widened reply, with the same hash and signature record; the client sees it', async () => {
      const sealed = (await world.get('CF-1')).reply;
      const widened = widenedJwe(sealed?.ciphertext ?? '', 'CLIENT1');
      const view = parse(await world.auditorAccept('CF-1', Who.auditor1, widened));
      expect(view.reply).to.deep.equal({ ...sealed, ciphertext: widened });
      expect((await world.get('CF-1', Who.client1)).reply?.ciphertext).to.equal(widened);
    });

    const refusals: [string, (reply: string) => string, string][] = [
      ['the reply unwidened', (reply) => reply, 'appends no key of CLIENT1'],
      ['another client appended', (reply) => widenedJwe(reply, 'CLIENT2'), 'appends key CLIENT2-enc-1'],
      ['the client and a stranger appended', (reply) => widenedJwe(reply, 'CLIENT1', 'BANK2'), 'appends key BANK2-enc-1'],
      ['the client appended twice', (reply) => widenedJwe(reply, 'CLIENT1', 'CLIENT1'), 'appends key CLIENT1-enc-1 twice'],
      ['a changed ciphertext', (reply) => edited(widenedJwe(reply, 'CLIENT1'), (jwe) => { jwe.ciphertext = 'b3RoZXI'; }), "changes the JWE's ciphertext"],
      ['the bank removed', (reply) => edited(widenedJwe(reply, 'CLIENT1'), (jwe) => { jwe.recipients.splice(1, 1); }), 'recipients[1]: differs'],
      ['a reply sealed afresh to all three', () => edited(fakeJwe('FIRM1', 'BANK1', 'CLIENT1'), (jwe) => { jwe.iv = 'bmV3aXY'; jwe.ciphertext = 'bmV3'; jwe.tag = 'bmV3dGFn'; }), "changes the JWE's ciphertext"],
    ];
    for (const [name, widen, problem] of refusals) {
      it(`refuses ${name} (RECIPIENTS_REFUSED), writing nothing`, async () => {
        const reply = (await world.get('CF-1')).reply?.ciphertext ?? '';
        const before = world.ledger.snapshot();
        const text = await expectLedgerError(world.auditorAccept('CF-1', Who.auditor1, widen(reply)), ErrorCode.RecipientsRefused, problem);
        expect(text.startsWith('replyCiphertext'), text).to.equal(true);
        expect(world.ledger.snapshot()).to.equal(before);
      });
    }

    it('refuses an acceptance without the widened reply', async () => {
      await expectLedgerError(world.contract.AuditorAccept(world.ledger.as(Who.auditor1), 'CF-1', '{}'), ErrorCode.InvalidArgument, 'replyCiphertext');
      await expectLedgerError(world.contract.AuditorAccept(world.ledger.as(Who.auditor1), 'CF-1', 'not json'), ErrorCode.InvalidArgument, 'acceptance');
      expect((await world.get('CF-1')).state).to.equal('replied');
    });
  });
});
