import { expect } from 'chai';
import { ErrorCode, IssueInput } from '@econfirm/common';
import { ConfirmationWorld, ENGAGEMENT, fakeJwe, HASH_A, issueInput } from '../testing/confirmation-world';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { TestIdentity } from '../testing/fake-ledger';
import { Who } from '../testing/fixtures';

describe('ConfirmationContract: issuing', () => {
  let world: ConfirmationWorld;
  beforeEach(async () => {
    world = await new ConfirmationWorld().setUp();
  });

  describe('Issue', () => {
    it('issues a bank letter to a branch: the firm is the caller, the bank answers, the client has 10 working days', async () => {
      const view = await world.issue('CF-1');
      expect(view).to.include({
        id: 'CF-1', state: 'issued', firmId: 'FIRM1', clientId: 'CLIENT1', addresseeId: 'BANK1-SH', responderId: 'BANK1',
        engagementId: 'ENG-2025-CLIENT1', asOfDate: '2025-12-31', attempt: 1, overdue: false,
        authorizationDueAt: '2026-03-16T15:59:59.999Z',
      });
      expect(view.issued).to.deep.equal({ by: Who.auditor1.id, at: '2026-03-02T09:00:00.000Z' });
      expect(view.letter.contentHash).to.equal(HASH_A);
      expect(world.ledger.lastEvent()).to.deep.equal({ name: 'ConfirmationChanged', payload: { id: 'CF-1', state: 'issued', action: 'Issue' } });
    });

    it('issues receivable confirmations to the counterparty enterprise', async () => {
      const view = await world.issue('CF-R', { kind: 'receivable', formId: 'balance-confirmation-2020', addresseeId: 'ENT1', letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: HASH_A } });
      expect(view).to.include({ responderId: 'ENT1', kind: 'receivable' });
    });

    it('refuses callers who are not an auditor of a registered active firm', async () => {
      const wrongFirmMsp: TestIdentity = { ...Who.operatorAuditor };
      for (const who of [Who.client1, Who.officer1, Who.regulator1, Who.admin, wrongFirmMsp, { mspId: 'Firm9MSP', role: 'auditor' }]) {
        await expectLedgerError(world.issue('CF-1', {}, who), ErrorCode.Forbidden);
      }
      await world.registry.SetInstitutionStatus(world.ledger.as(Who.admin), 'FIRM1', 'suspended', 'licence revoked');
      await expectLedgerError(world.issue('CF-1'), ErrorCode.Forbidden, 'suspended');
    });

    it('refuses a duplicate id', async () => {
      await world.issue('CF-1');
      await expectLedgerError(world.issue('CF-1'), ErrorCode.AlreadyExists, 'CF-1');
    });

    const refusals: [string, Partial<IssueInput> | ((input: IssueInput) => unknown), string][] = [
      ['a malformed id', { id: 'x' }, 'id'],
      ['an unknown kind', { kind: 'gift-card' as IssueInput['kind'] }, 'kind'],
      ['a form that does not fit the kind', { kind: 'receivable' }, 'formId'],
      ['an unknown form edition', { formId: 'bank-letter-2031' }, 'formId'],
      ['an enterprise as a bank letter addressee', { addresseeId: 'ENT1' }, 'addresseeId'],
      ['an unregistered addressee', { addresseeId: 'BANK9' }, 'addresseeId'],
      ['a bank as a receivable addressee', { kind: 'receivable', formId: 'balance-confirmation-2020', addresseeId: 'BANK2' }, 'addresseeId'],
      ['the client confirming itself', { kind: 'receivable', formId: 'balance-confirmation-2020', addresseeId: 'CLIENT1' }, 'addresseeId'],
      ['an engagement client that is not a client', { engagement: { ...ENGAGEMENT, clientId: 'ENT1' } }, 'engagement.clientId'],
      ['an as-of date before the period', { engagement: { ...ENGAGEMENT, asOfDate: '2024-12-31' } }, 'engagement.asOfDate'],
      ['an unknown fee payer', { feePayer: 'bank' as IssueInput['feePayer'] }, 'feePayer'],
      ['a content hash that is not SHA-256 hex', { letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: 'abc' } }, 'letter.contentHash'],
      ['a plaintext letter', { letter: { ciphertext: '{"account":"6222020200001234567"}', contentHash: HASH_A } }, 'letter.ciphertext'],
      ['a firm id smuggled in', (input) => ({ ...input, firmId: 'FIRM2' }), 'firmId'],
    ];
    for (const [name, change, field] of refusals) {
      it(`refuses ${name}, writing nothing`, async () => {
        const before = world.ledger.snapshot();
        const input = typeof change === 'function' ? change(issueInput('CF-1')) : issueInput('CF-1', change);
        const text = await expectLedgerError(world.contract.Issue(world.ledger.as(Who.auditor1), JSON.stringify(input)), ErrorCode.InvalidArgument, field);
        if (!field.startsWith('not ')) expect(text.startsWith(field), text).to.equal(true);
        expect(world.ledger.snapshot()).to.equal(before);
      });
    }

    // Sealed when the right arises (issue 10 §3): at issue only firm and client may read the letter.
    const letterOf = (ciphertext: string) => ({ letter: { ciphertext, contentHash: HASH_A } });
    const sealingRefusals: [string, Partial<IssueInput>, string][] = [
      ['a letter sealed to the responder bank at once', letterOf(fakeJwe('FIRM1', 'CLIENT1', 'BANK1')), 'key BANK1-enc-1, which is none of FIRM1 (FIRM1-enc-1), CLIENT1 (CLIENT1-enc-1)'],
      ['a letter sealed to the addressed branch at once', letterOf(fakeJwe('FIRM1', 'CLIENT1', 'BANK1-SH')), 'key BANK1-SH-enc-1'],
      ['a letter sealed to a stranger', letterOf(fakeJwe('FIRM1', 'CLIENT1', 'FIRM2')), 'key FIRM2-enc-1'],
      ['a letter the client could not decrypt', letterOf(fakeJwe('FIRM1')), 'no key of CLIENT1 (its current key is CLIENT1-enc-1)'],
      ['a letter the firm could not decrypt', letterOf(fakeJwe('CLIENT1')), 'no key of FIRM1'],
      ['a letter naming the client twice', letterOf(fakeJwe('FIRM1', 'CLIENT1', 'CLIENT1')), 'key CLIENT1-enc-1 twice'],
      ['a recipient entry that names no kid', letterOf(JSON.stringify({ ...JSON.parse(fakeJwe('FIRM1', 'CLIENT1')), recipients: [...(JSON.parse(fakeJwe('FIRM1', 'CLIENT1')) as { recipients: object[] }).recipients, { encrypted_key: 'a2V5' }] })), 'recipients[2]: names no kid'],
      ['a kid hidden in the protected header', letterOf(JSON.stringify({ ...JSON.parse(fakeJwe('FIRM1', 'CLIENT1')), protected: Buffer.from('{"enc":"A256GCM","kid":"BANK1-enc-1"}').toString('base64url') })), 'protected header'],
    ];
    for (const [name, change, problem] of sealingRefusals) {
      it(`refuses ${name} (RECIPIENTS_REFUSED), writing nothing`, async () => {
        const before = world.ledger.snapshot();
        const text = await expectLedgerError(world.contract.Issue(world.ledger.as(Who.auditor1), JSON.stringify(issueInput('CF-1', change))), ErrorCode.RecipientsRefused, problem);
        expect(text.startsWith('letter.ciphertext'), text).to.equal(true);
        expect(world.ledger.snapshot()).to.equal(before);
      });
    }

    it('refuses a batch in which one letter is sealed to its bank at once, writing nothing', async () => {
      const before = world.ledger.snapshot();
      const requests = ['B-1', 'B-2'].map((id, i) => {
        const { engagement: _e, ...letter } = issueInput(id, i === 1 ? letterOf(fakeJwe('FIRM1', 'CLIENT1', 'BANK1')) : {});
        return letter;
      });
      await expectLedgerError(world.contract.IssueBatch(world.ledger.as(Who.auditor1), JSON.stringify({ engagement: ENGAGEMENT, requests })), ErrorCode.RecipientsRefused, 'requests[1].letter.ciphertext');
      expect(world.ledger.snapshot()).to.equal(before);
    });

    it('refuses a suspended addressee bank, directly or through its branch', async () => {
      await world.registry.SetInstitutionStatus(world.ledger.as(Who.admin), 'BANK1', 'suspended', 'merger');
      await expectLedgerError(world.issue('CF-1', { addresseeId: 'BANK1' }), ErrorCode.InvalidArgument, 'suspended');
      await expectLedgerError(world.issue('CF-2'), ErrorCode.InvalidArgument, 'suspended');
    });

    it('refuses a later letter that changes the engagement first issued', async () => {
      await world.issue('CF-1');
      await expectLedgerError(world.issue('CF-2', { engagement: { ...ENGAGEMENT, periodEnd: '2025-06-30', asOfDate: '2025-06-30' } }), ErrorCode.InvalidArgument, 'engagement');
    });
  });

  describe('IssueBatch', () => {
    const batch = (ids: string[], engagement = ENGAGEMENT) => JSON.stringify({
      engagement,
      requests: ids.map((id) => {
        const { engagement: _e, ...letter } = issueInput(id, { addresseeId: id.endsWith('2') ? 'BANK2' : 'BANK1-SH' });
        return letter;
      }),
    });

    it("issues an engagement's letters in one transaction with one event", async () => {
      const ids = ['B-01', 'B-02', 'B-11', 'B-12'];
      expect(JSON.parse(await world.contract.IssueBatch(world.ledger.as(Who.auditor1), batch(ids)))).to.deep.equal({ ids });
      for (const id of ids) expect((await world.get(id)).state).to.equal('issued');
      expect((await world.get('B-02')).responderId).to.equal('BANK2');
      expect(world.ledger.lastEvent()).to.deep.equal({ name: 'ConfirmationsIssued', payload: { ids, state: 'issued', engagementId: ENGAGEMENT.id } });
    });

    it('writes every key at most once, so the batch cannot conflict with itself', async () => {
      await world.contract.IssueBatch(world.ledger.as(Who.auditor1), batch(['B-01', 'B-02', 'B-11']));
      const lastTx = [...world.ledger.history.values()].flat().map((write) => write.txId).sort().pop();
      const keysWritten = [...world.ledger.history.entries()].flatMap(([key, writes]) => writes.filter((w) => w.txId === lastTx).map(() => key));
      expect(new Set(keysWritten).size).to.equal(keysWritten.length);
    });

    it('is all or nothing: a duplicate id, an existing id or one bad letter writes nothing', async () => {
      await world.issue('CF-1');
      const before = world.ledger.snapshot();
      await expectLedgerError(world.contract.IssueBatch(world.ledger.as(Who.auditor1), batch(['B-01', 'B-01'])), ErrorCode.InvalidArgument, 'requests[1].id');
      await expectLedgerError(world.contract.IssueBatch(world.ledger.as(Who.auditor1), batch(['B-01', 'CF-1'])), ErrorCode.AlreadyExists, 'CF-1');
      const bad = JSON.parse(batch(['B-01', 'B-11']));
      bad.requests[1].addresseeId = 'ENT1';
      await expectLedgerError(world.contract.IssueBatch(world.ledger.as(Who.auditor1), JSON.stringify(bad)), ErrorCode.InvalidArgument, 'requests[1].addresseeId');
      expect(world.ledger.snapshot()).to.equal(before);
    });

    it('refuses an empty batch, a non-auditor and more than 500 letters', async () => {
      await expectLedgerError(world.contract.IssueBatch(world.ledger.as(Who.auditor1), batch([])), ErrorCode.InvalidArgument, 'requests');
      await expectLedgerError(world.contract.IssueBatch(world.ledger.as(Who.client1), batch(['B-01'])), ErrorCode.Forbidden);
      const many = Array.from({ length: 501 }, (_, i) => `M-${String(i).padStart(3, '0')}1`);
      await expectLedgerError(world.contract.IssueBatch(world.ledger.as(Who.auditor1), batch(many)), ErrorCode.InvalidArgument, 'requests');
    });
  });
});
