import { expect } from 'chai';
import { ConfirmationEvidence, ConfirmationRequest, ConfirmationView, DEFAULT_WORK_CALENDAR, ErrorCode, HistoryEntry } from '@econfirm/common';
import { ConfirmationWorld, fakeJwe, HASH_A, replyInput } from '../testing/confirmation-world';
import { expectHidden, expectLedgerError } from '../testing/expect-ledger-error';
import { p256PublicJwk, Who } from '../testing/fixtures';

const parse = (json: string) => JSON.parse(json) as ConfirmationView;

describe('ConfirmationContract: lifecycle', () => {
  let world: ConfirmationWorld;
  beforeEach(async () => {
    world = await new ConfirmationWorld().setUp();
    await world.issue('CF-1');
  });

  describe('the full bank-letter path', () => {
    it('issue → authorize → accept → prepare → approve → auditor accepts, each step recorded with who and when', async () => {
      world.ledger.setNow('2026-03-03T01:00:00Z');
      expect(parse(await world.authorize('CF-1'))).to.include({ state: 'authorized', sentAt: '2026-03-03T01:00:00.000Z', replyDueAt: '2026-03-17T15:59:59.999Z' });
      expect(parse(await world.accept('CF-1'))).to.include({ state: 'accepted' });
      expect(parse(await world.prepare('CF-1'))).to.include({ state: 'reply-prepared' });
      const replied = parse(await world.approve('CF-1'));
      expect(replied.state).to.equal('replied');
      expect(replied.reply).to.include({ conclusion: 'agrees', preparedBy: Who.officer1.id, approvedBy: Who.reviewer1.id, signingKid: 'BANK1-sig-1' });
      const done = parse(await world.auditorAccept('CF-1'));
      expect(done.state).to.equal('auditor-accepted');
      expect(done.auditorAcceptance).to.deep.equal({ by: Who.auditor1.id, at: '2026-03-03T01:00:00.000Z' });
      expect(world.ledger.events.filter((e) => e.name === 'ConfirmationChanged').map((e) => (e.payload as { state: string }).state))
        .to.deep.equal(['issued', 'authorized', 'accepted', 'reply-prepared', 'replied', 'auditor-accepted']);
    });

    it('gives the firm the evidence: trail of committed steps and the key that verifies the reply', async () => {
      await world.authorize('CF-1');
      await world.accept('CF-1');
      await world.prepare('CF-1');
      await world.approve('CF-1');
      // BANK1 rotates (here by the regulator-approved recovery path: the fixture keeps no private key to consent with).
      const rotation = JSON.stringify({ signingKey: { kid: 'BANK1-sig-2', jwk: p256PublicJwk() } });
      await world.registry.ApproveKeyRecovery(world.ledger.as(Who.regulator1), 'BANK1', rotation);
      await world.registry.RotateInstitutionKeys(world.ledger.as(Who.admin), 'BANK1', rotation, '');
      await world.auditorAccept('CF-1');
      const evidence = JSON.parse(await world.contract.GetConfirmationEvidence(world.ledger.as(Who.auditor2), 'CF-1')) as ConfirmationEvidence;
      expect(evidence.trail.map((step) => step.state)).to.deep.equal(['issued', 'authorized', 'accepted', 'reply-prepared', 'replied', 'auditor-accepted']);
      expect(new Set(evidence.trail.map((step) => step.txId)).size).to.equal(6);
      expect(evidence.responderSigningKey?.kid).to.equal('BANK1-sig-1');
      expect(evidence.confirmation.reply?.approvedBy).to.equal(Who.reviewer1.id);
      for (const who of [Who.client1, Who.officer1]) {
        await expectLedgerError(world.contract.GetConfirmationEvidence(world.ledger.as(who), 'CF-1'), ErrorCode.Forbidden);
      }
      await expectHidden(world.contract.GetConfirmationEvidence(world.ledger.as(Who.firm2auditor), 'CF-1'), 'CF-1');
    });

    it('lets a bank answer a compliant letter without the accept step', async () => {
      await world.authorize('CF-1');
      expect(parse(await world.prepare('CF-1')).state).to.equal('reply-prepared');
    });

    it('emits events with ids, states and actions only', async () => {
      await world.replied('CF-2');
      for (const event of world.ledger.events.filter((e) => e.name.startsWith('Confirmation'))) {
        expect(Object.keys(event.payload as object)).to.satisfy((keys: string[]) => keys.every((k) => ['id', 'ids', 'state', 'action', 'originalId', 'engagementId'].includes(k)));
      }
    });
  });

  describe('the client', () => {
    it('records the fee consent and an optional signature hash', async () => {
      const letterCiphertext = await world.widenedLetter('CF-1');
      const view = parse(await world.contract.ClientAuthorize(world.ledger.as(Who.client1), 'CF-1', JSON.stringify({ feeConsent: false, signatureHash: HASH_A, letterCiphertext })));
      expect(view.authorization).to.include({ feeConsent: false, signatureHash: HASH_A, by: Who.client1.id });
    });

    it('refuses authorization by another client, the firm, the bank, or twice', async () => {
      for (const who of [Who.auditor1, Who.officer1]) {
        await expectLedgerError(world.authorize('CF-1', who), ErrorCode.Forbidden);
      }
      for (const who of [{ ...Who.client1, institution: 'CLIENT2' }, Who.customer1]) {
        await expectHidden(world.authorize('CF-1', who), 'CF-1');
      }
      await world.authorize('CF-1');
      await expectLedgerError(world.authorize('CF-1'), ErrorCode.InvalidStateTransition, 'authorized');
    });

    it('refuses a malformed authorization', async () => {
      await expectLedgerError(world.contract.ClientAuthorize(world.ledger.as(Who.client1), 'CF-1', '{"feeConsent":"yes"}'), ErrorCode.InvalidArgument, 'feeConsent');
      await expectLedgerError(world.contract.ClientAuthorize(world.ledger.as(Who.client1), 'CF-1', '{"feeConsent":true,"signatureHash":"x"}'), ErrorCode.InvalidArgument, 'signatureHash');
    });

    it('refuses with a reason, which leads to an alternative procedure', async () => {
      await expectLedgerError(world.contract.ClientRefuse(world.ledger.as(Who.client1), 'CF-1', ' '), ErrorCode.InvalidArgument, 'reason');
      await expectLedgerError(world.contract.ClientRefuse(world.ledger.as(Who.auditor1), 'CF-1', 'no'), ErrorCode.Forbidden);
      const refused = parse(await world.contract.ClientRefuse(world.ledger.as(Who.client1), 'CF-1', 'account under dispute'));
      expect(refused.refusal).to.include({ reason: 'account under dispute', by: Who.client1.id });
      await expectLedgerError(world.authorize('CF-1'), ErrorCode.InvalidStateTransition);
      const closed = parse(await world.alternative('CF-1'));
      expect(closed.alternativeProcedure).to.include({ trigger: 'client-refused', procedure: 'BANK_STATEMENTS', workpaperHash: HASH_A });
    });

    it('never sees the reply before the auditor accepted it, nor in the history', async () => {
      await world.replied('CF-2');
      const before = await world.get('CF-2', Who.client1);
      expect(before.state).to.equal('replied');
      expect(before).to.not.have.property('reply');
      const history = JSON.parse(await world.contract.GetConfirmationHistory(world.ledger.as(Who.client1), 'CF-2')) as HistoryEntry<ConfirmationRequest>[];
      expect(history.map((entry) => entry.value?.state)).to.deep.equal(['replied', 'reply-prepared', 'accepted', 'authorized', 'issued']);
      expect(history.some((entry) => entry.value?.reply)).to.equal(false);
      const auditorHistory = JSON.parse(await world.contract.GetConfirmationHistory(world.ledger.as(Who.auditor1), 'CF-2')) as HistoryEntry<ConfirmationRequest>[];
      expect(auditorHistory[0].value?.reply?.conclusion).to.equal('agrees');
      await expectHidden(world.contract.GetConfirmationHistory(world.ledger.as(Who.bank2officer), 'CF-2'), 'CF-2');
      // The regulator reads the versions as written (to verify evidence against private records); content stays sealed.
      const regulatorHistory = JSON.parse(await world.contract.GetConfirmationHistory(world.ledger.as(Who.regulator1), 'CF-2')) as HistoryEntry<ConfirmationRequest>[];
      expect(regulatorHistory).to.deep.equal(auditorHistory);
      await world.auditorAccept('CF-2');
      expect((await world.get('CF-2', Who.client1)).reply?.conclusion).to.equal('agrees');
    });
  });

  describe('the bank', () => {
    it('does not see a letter before the client authorized it', async () => {
      await expectHidden(world.get('CF-1', Who.officer1), 'CF-1');
      await expectHidden(world.accept('CF-1'), 'CF-1');
      await world.authorize('CF-1');
      expect((await world.get('CF-1', Who.officer1)).letter.contentHash).to.equal(HASH_A);
    });

    it('cannot tell a request addressed to another bank from one that does not exist', async () => {
      await world.authorize('CF-1');
      const existing = await expectLedgerError(world.get('CF-1', Who.bank2officer), ErrorCode.NotFound);
      const missing = await expectLedgerError(world.get('CF-NOPE', Who.bank2officer), ErrorCode.NotFound);
      expect(existing.replace('CF-1', 'ID')).to.equal(missing.replace('CF-NOPE', 'ID'));
    });

    it('refuses another bank, the firm, the client and a regulator', async () => {
      await world.authorize('CF-1');
      for (const who of [Who.auditor1, Who.client1, Who.regulator1]) await expectLedgerError(world.accept('CF-1', who), ErrorCode.Forbidden);
      await expectHidden(world.accept('CF-1', Who.bank2officer), 'CF-1');
      for (const who of [Who.bank2officer, Who.bank2reviewer, Who.firm2auditor]) await expectHidden(world.get('CF-1', who), 'CF-1');
      await expectLedgerError(world.get('CF-1', Who.regulator1), ErrorCode.Forbidden);
      await expectHidden(world.prepare('CF-1', Who.bank2officer, replyInput({}, 'BANK2')), 'CF-1');
    });

    it('returns a letter with a reason code; the firm resends a linked follow-up', async () => {
      await world.authorize('CF-1');
      await expectLedgerError(world.contract.BankReturn(world.ledger.as(Who.officer1), 'CF-1', 'TOO_LONG', ''), ErrorCode.InvalidArgument, 'reasonCode');
      await expectLedgerError(world.contract.BankReturn(world.ledger.as(Who.officer1), 'CF-1', 'OTHER', ''), ErrorCode.InvalidArgument, 'note');
      await expectLedgerError(world.contract.BankReturn(world.ledger.as(Who.officer1), 'CF-1', 'FEE_NOT_AUTHORIZED', ''), ErrorCode.InvalidArgument, 'consented');
      const returned = parse(await world.contract.BankReturn(world.ledger.as(Who.officer1), 'CF-1', 'SEAL_MISMATCH', ''));
      expect(returned.return).to.include({ reasonCode: 'SEAL_MISMATCH', by: Who.officer1.id });
      await expectLedgerError(world.prepare('CF-1'), ErrorCode.InvalidStateTransition);

      const resend = { id: 'CF-1-R1', originalId: 'CF-1', letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: HASH_A } };
      await expectHidden(world.contract.Resend(world.ledger.as(Who.firm2auditor), JSON.stringify(resend)), 'CF-1');
      await expectLedgerError(world.contract.Resend(world.ledger.as(Who.auditor1), JSON.stringify({ ...resend, addresseeId: 'BANK2' })), ErrorCode.InvalidArgument, 'same responder');
      const followUp = parse(await world.contract.Resend(world.ledger.as(Who.auditor1), JSON.stringify(resend)));
      expect(followUp).to.include({ id: 'CF-1-R1', followUpOf: 'CF-1', attempt: 2, state: 'issued', addresseeId: 'BANK1-SH' });
      expect(await world.get('CF-1')).to.include({ state: 'resent', followUpId: 'CF-1-R1' });
      await expectLedgerError(world.contract.Resend(world.ledger.as(Who.auditor1), JSON.stringify(resend)), ErrorCode.InvalidStateTransition);
    });

    it('a returned letter may instead end in an alternative procedure', async () => {
      await world.authorize('CF-1', Who.client1, false);
      await world.contract.BankReturn(world.ledger.as(Who.reviewer1), 'CF-1', 'FEE_NOT_AUTHORIZED', '');
      expect(parse(await world.alternative('CF-1')).alternativeProcedure?.trigger).to.equal('returned');
    });

    it('validates the reply: conclusion, signing key, recipients, hash', async () => {
      await world.authorize('CF-1');
      const bad: [object, string][] = [
        [replyInput({ conclusion: 'maybe' as 'agrees' }), 'conclusion'],
        [replyInput({ signingKid: 'BANK1-enc-1' }), 'signingKid'],
        [replyInput({ signatureHash: 'nope' }), 'signatureHash'],
        [replyInput({ contentHash: HASH_A.toUpperCase() }), 'contentHash'],
        [{ ...replyInput(), differences: [{ balance: '1.00' }] }, 'differences'],
      ];
      for (const [reply, field] of bad) {
        await expectLedgerError(world.contract.PrepareReply(world.ledger.as(Who.officer1), 'CF-1', JSON.stringify(reply)), ErrorCode.InvalidArgument, field);
      }
      // Sealed when the right arises (issue 10 §2): the reply reaches the client only at the auditor's acceptance.
      const sealing: [string, string][] = [
        [fakeJwe('BANK1'), 'no key of FIRM1'],
        [fakeJwe('FIRM1', 'BANK1', 'CLIENT1'), 'is sealed to key CLIENT1-enc-1, which is none of FIRM1 (FIRM1-enc-1), BANK1 (BANK1-enc-1)'],
        [fakeJwe('FIRM1', 'BANK1', 'BANK1-SH'), 'key BANK1-SH-enc-1'],
      ];
      for (const [ciphertext, problem] of sealing) {
        await expectLedgerError(world.prepare('CF-1', Who.officer1, replyInput({ ciphertext })), ErrorCode.RecipientsRefused, problem);
      }
      expect((await world.get('CF-1')).state).to.equal('authorized');
    });

    it('keeps maker and checker apart: roles and certificate identity', async () => {
      await world.authorize('CF-1');
      await expectLedgerError(world.prepare('CF-1', Who.reviewer1), ErrorCode.Forbidden);
      await world.prepare('CF-1');
      await expectLedgerError(world.approve('CF-1', Who.officer1), ErrorCode.Forbidden);
      await expectLedgerError(world.approve('CF-1', { ...Who.reviewer1, id: Who.officer1.id }), ErrorCode.Forbidden, 'different identity');
      await expectHidden(world.approve('CF-1', Who.bank2reviewer), 'CF-1');
      await world.approve('CF-1');
      await expectLedgerError(world.approve('CF-1'), ErrorCode.InvalidStateTransition);
    });

    it('a reviewer sends a prepared reply back; the officer prepares it again', async () => {
      await world.authorize('CF-1');
      await world.prepare('CF-1', Who.officer1, replyInput({ conclusion: 'disagrees' }));
      await expectLedgerError(world.contract.RejectReply(world.ledger.as(Who.reviewer1), 'CF-1', ''), ErrorCode.InvalidArgument, 'reason');
      await expectLedgerError(world.contract.RejectReply(world.ledger.as(Who.officer2), 'CF-1', 'x'), ErrorCode.Forbidden);
      const sentBack = parse(await world.contract.RejectReply(world.ledger.as(Who.reviewer1), 'CF-1', 'difference on row 2 not itemized'));
      expect(sentBack).to.include({ state: 'accepted' });
      expect(sentBack).to.not.have.property('reply');
      expect(sentBack.lastReplyRejection).to.include({ by: Who.reviewer1.id });
      await world.prepare('CF-1', Who.officer2);
      expect(parse(await world.approve('CF-1')).reply).to.include({ preparedBy: Who.officer2.id });
    });
  });

  describe('a counterparty enterprise', () => {
    beforeEach(async () => {
      await world.issue('CF-R', { kind: 'receivable', formId: 'balance-confirmation-2020', addresseeId: 'ENT1', letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: HASH_A } });
      await world.authorize('CF-R');
    });

    it('replies in one step with its client-signer; the auditor accepts', async () => {
      expect(parse(await world.accept('CF-R', Who.customer1)).state).to.equal('accepted');
      const replied = parse(await world.prepare('CF-R', Who.customer1, replyInput({ conclusion: 'disagrees' }, 'ENT1')));
      expect(replied.state).to.equal('replied');
      expect(replied.reply).to.include({ approvedBy: Who.customer1.id, conclusion: 'disagrees' });
      expect(parse(await world.auditorAccept('CF-R')).state).to.equal('auditor-accepted');
    });

    it('refuses bank roles and the client for the counterparty', async () => {
      await expectHidden(world.prepare('CF-R', Who.officer1, replyInput({}, 'BANK1')), 'CF-R');
      await expectLedgerError(world.prepare('CF-R', Who.client1, replyInput({}, 'CLIENT1')), ErrorCode.Forbidden);
    });
  });

  describe('the auditor', () => {
    it('accepts only a final reply of its own firm', async () => {
      await world.authorize('CF-1');
      await expectLedgerError(world.auditorAccept('CF-1'), ErrorCode.InvalidStateTransition, 'authorized');
      await world.prepare('CF-1');
      await expectLedgerError(world.auditorAccept('CF-1'), ErrorCode.InvalidStateTransition, 'reply-prepared');
      await world.approve('CF-1');
      await expectHidden(world.auditorAccept('CF-1', Who.firm2auditor), 'CF-1');
      await expectLedgerError(world.auditorAccept('CF-1', Who.officer1), ErrorCode.Forbidden);
      await world.auditorAccept('CF-1', Who.auditor2);
      await expectLedgerError(world.auditorAccept('CF-1'), ErrorCode.InvalidStateTransition);
    });

    it('recalls before the reply, with a reason, and never after', async () => {
      await expectLedgerError(world.contract.Recall(world.ledger.as(Who.auditor1), 'CF-1', ''), ErrorCode.InvalidArgument, 'reason');
      await expectLedgerError(world.contract.Recall(world.ledger.as(Who.client1), 'CF-1', 'x'), ErrorCode.Forbidden);
      expect(parse(await world.contract.Recall(world.ledger.as(Who.auditor1), 'CF-1', 'wrong branch')).state).to.equal('recalled');
      await expectLedgerError(world.authorize('CF-1'), ErrorCode.InvalidStateTransition);
      await world.replied('CF-2');
      await expectLedgerError(world.contract.Recall(world.ledger.as(Who.auditor1), 'CF-2', 'late'), ErrorCode.InvalidStateTransition, 'replied');
    });

    it('refuses an alternative procedure while an answer is still due, or after a reply', async () => {
      await expectLedgerError(world.alternative('CF-1'), ErrorCode.InvalidStateTransition, 'not overdue');
      await world.replied('CF-2');
      await expectLedgerError(world.alternative('CF-2'), ErrorCode.InvalidStateTransition, 'replied');
      await expectLedgerError(world.contract.RecordAlternativeProcedure(world.ledger.as(Who.auditor1), 'CF-1', '{"procedure":"GUESS","workpaperHash":"x"}'), ErrorCode.InvalidArgument, 'procedure');
    });

    it('refuses transitions on an unknown request', async () => {
      await expectLedgerError(world.auditorAccept('NOPE-1'), ErrorCode.NotFound);
    });
  });

  describe('deadlines and overdue', () => {
    it('derives overdue from the reading transaction time; a non-response ends in an alternative procedure', async () => {
      await world.authorize('CF-1');
      world.ledger.setNow('2026-03-16T15:59:59Z');
      expect((await world.get('CF-1')).overdue).to.equal(false);
      world.ledger.setNow('2026-03-16T16:00:00Z');
      expect((await world.get('CF-1')).overdue).to.equal(true);
      const closed = parse(await world.alternative('CF-1'));
      expect(closed).to.include({ state: 'alternative-procedure', overdue: false });
      expect(closed.alternativeProcedure?.trigger).to.equal('overdue');
    });

    it('lets an overdue request be followed up, not one still within its deadline', async () => {
      const resend = JSON.stringify({ id: 'CF-1-R1', originalId: 'CF-1', letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: HASH_A } });
      await expectLedgerError(world.contract.Resend(world.ledger.as(Who.auditor1), resend), ErrorCode.InvalidStateTransition, 'not overdue');
      world.ledger.setNow('2026-04-01T00:00:00Z');
      expect(parse(await world.contract.Resend(world.ledger.as(Who.auditor1), resend)).followUpOf).to.equal('CF-1');
    });

    it('counts working days with the admin-set holiday calendar', async () => {
      const calendar = { weekendDays: [0, 6], holidays: ['2026-03-03'], extraWorkdays: [], utcOffsetMinutes: 480, authorizationWorkingDays: 2, replyWorkingDays: 5 };
      await expectLedgerError(world.contract.SetWorkCalendar(world.ledger.as(Who.auditor1), JSON.stringify(calendar)), ErrorCode.Forbidden);
      await expectLedgerError(world.contract.SetWorkCalendar(world.ledger.as(Who.admin), JSON.stringify({ ...calendar, weekendDays: [7] })), ErrorCode.InvalidArgument, 'weekendDays[0]');
      await expectLedgerError(world.contract.SetWorkCalendar(world.ledger.as(Who.admin), JSON.stringify({ ...calendar, holidays: ['2026-13-01'] })), ErrorCode.InvalidArgument, 'holidays[0]');
      await world.contract.SetWorkCalendar(world.ledger.as(Who.admin), JSON.stringify(calendar));
      expect(JSON.parse(await world.contract.GetWorkCalendar(world.ledger.as(Who.client1)))).to.deep.equal(calendar);
      // Monday 2 March: Tuesday is a holiday, so 2 working days end on Thursday 5 March.
      expect((await world.issue('CF-2')).authorizationDueAt).to.equal('2026-03-05T15:59:59.999Z');
    });

    it('on a drill channel counts deadlines in elapsed seconds from the transaction time', async () => {
      const drill = { ...DEFAULT_WORK_CALENDAR, elapsedDeadlines: { authorizationSeconds: 90, replySeconds: 30 } };
      await expectLedgerError(world.contract.SetWorkCalendar(world.ledger.as(Who.admin), JSON.stringify({ ...drill, elapsedDeadlines: { authorizationSeconds: 0, replySeconds: 30 } })), ErrorCode.InvalidArgument, 'authorizationSeconds');
      await expectLedgerError(world.contract.SetWorkCalendar(world.ledger.as(Who.admin), JSON.stringify({ ...drill, elapsedDeadlines: { replySeconds: 30, hours: 1 } })), ErrorCode.InvalidArgument, 'hours');
      await world.contract.SetWorkCalendar(world.ledger.as(Who.admin), JSON.stringify(drill));
      expect(JSON.parse(await world.contract.GetWorkCalendar(world.ledger.as(Who.client1)))).to.deep.equal(drill);
      world.ledger.setNow('2026-03-02T08:00:00Z');
      expect((await world.issue('CF-3')).authorizationDueAt).to.equal('2026-03-02T08:01:30.000Z');
      world.ledger.setNow('2026-03-02T08:01:00Z');
      expect(parse(await world.authorize('CF-3')).replyDueAt).to.equal('2026-03-02T08:01:30.000Z');
      world.ledger.setNow('2026-03-02T08:01:31Z');
      expect((await world.get('CF-3')).overdue).to.equal(true);
      expect(parse(await world.alternative('CF-3')).alternativeProcedure?.trigger).to.equal('overdue');
    });
  });
});
