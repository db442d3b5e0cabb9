import { expect } from 'chai';
import type { SinonStub } from 'sinon';
import { CrossCheckLedgerRecord, ErrorCode, openAnswer, Page } from '@econfirm/common';
import { ConfirmationWorld, fakeJwe, HASH_A, replyInput } from '../testing/confirmation-world';
import { expectHidden, expectLedgerError } from '../testing/expect-ledger-error';
import { Who } from '../testing/fixtures';
import { CrossCheckContract } from './cross-check-contract';

describe('CrossCheckContract: sealed cross-check summaries', () => {
  let world: ConfirmationWorld;
  const contract = new CrossCheckContract();
  const input = (confirmationId: string, ciphertext = fakeJwe('FIRM1', 'REGULATOR')) => JSON.stringify({ confirmationId, summary: { ciphertext, contentHash: HASH_A } });

  beforeEach(async () => {
    world = await new ConfirmationWorld().setUp();
    await world.replied('CF-1');
  });

  it('refuses a summary before the auditor accepted the reply', async () => {
    await expectLedgerError(contract.RecordCrossCheck(world.ledger.as(Who.auditor1), input('CF-1')), ErrorCode.InvalidStateTransition, 'an accepted reply is needed');
  });

  it('records the firm’s summary sealed to firm and regulator; the regulator lists it, the firm reads it back', async () => {
    await world.auditorAccept('CF-1');
    const record = JSON.parse(await contract.RecordCrossCheck(world.ledger.as(Who.auditor1), input('CF-1'))) as CrossCheckLedgerRecord;
    expect(record).to.include({ docType: 'cross-check', confirmationId: 'CF-1', firmId: 'FIRM1', responderId: 'BANK1', recordedBy: Who.auditor1.id });
    expect(record.txId).to.be.a('string').and.not.equal('');
    const page = JSON.parse(await contract.ListCrossChecks(world.ledger.as(Who.regulator1), '50', '')) as Page<CrossCheckLedgerRecord>;
    expect(page.records.map((r) => r.confirmationId)).to.deep.equal(['CF-1']);
    expect(JSON.parse(await contract.GetCrossCheck(world.ledger.as(Who.auditor2), 'CF-1'))).to.deep.equal(record);
  });

  it('records the summary of an accepted receivable confirmation to a customer, under the customer as responder; refuses it before the acceptance', async () => {
    await world.issue('CF-R', { kind: 'receivable', formId: 'balance-confirmation-2020', addresseeId: 'ENT1', letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: HASH_A } });
    await world.authorize('CF-R');
    await world.accept('CF-R', Who.customer1);
    await world.prepare('CF-R', Who.customer1, replyInput({}, 'ENT1'));
    await expectLedgerError(contract.RecordCrossCheck(world.ledger.as(Who.auditor1), input('CF-R')), ErrorCode.InvalidStateTransition, 'an accepted reply is needed');
    await world.auditorAccept('CF-R', Who.auditor1, fakeJwe('FIRM1', 'ENT1', 'CLIENT1'));
    const record = JSON.parse(await contract.RecordCrossCheck(world.ledger.as(Who.auditor1), input('CF-R'))) as CrossCheckLedgerRecord;
    expect(record).to.include({ confirmationId: 'CF-R', firmId: 'FIRM1', responderId: 'ENT1' });
  });

  it('refuses a summary the regulator could not open, and one the firm could not', async () => {
    await world.auditorAccept('CF-1');
    await expectLedgerError(contract.RecordCrossCheck(world.ledger.as(Who.auditor1), input('CF-1', fakeJwe('FIRM1'))), ErrorCode.RecipientsRefused, 'no key of REGULATOR');
    await expectLedgerError(contract.RecordCrossCheck(world.ledger.as(Who.auditor1), input('CF-1', fakeJwe('REGULATOR'))), ErrorCode.RecipientsRefused, 'no key of FIRM1');
  });

  it('refuses a summary sealed to anyone beside the firm and the regulators: the bank it concerns may not read it', async () => {
    await world.auditorAccept('CF-1');
    await expectLedgerError(contract.RecordCrossCheck(world.ledger.as(Who.auditor1), input('CF-1', fakeJwe('FIRM1', 'REGULATOR', 'BANK1'))), ErrorCode.RecipientsRefused, 'BANK1-enc-1, which is none of');
  });

  it('only the firm records; another firm and the bank do not even see the request; only the regulator lists', async () => {
    await world.auditorAccept('CF-1');
    await expectHidden(contract.RecordCrossCheck(world.ledger.as(Who.firm2auditor), input('CF-1')), 'CF-1');
    await expectLedgerError(contract.RecordCrossCheck(world.ledger.as(Who.officer1), input('CF-1')), ErrorCode.Forbidden);
    await expectLedgerError(contract.ListCrossChecks(world.ledger.as(Who.auditor1), '50', ''), ErrorCode.Forbidden);
    await expectHidden(contract.GetCrossCheck(world.ledger.as(Who.firm2auditor), 'CF-1'), 'CF-1');
    await expectLedgerError(contract.GetCrossCheck(world.ledger.as(Who.auditor1), 'CF-1'), ErrorCode.NotFound, 'no cross-check');
  });

  it('refuses unknown members of the argument (nothing rides along in the clear)', async () => {
    await world.auditorAccept('CF-1');
    const withCounts = JSON.stringify({ confirmationId: 'CF-1', counts: { MORTGAGE_NOT_IN_REPLY: 1 }, summary: { ciphertext: fakeJwe('FIRM1', 'REGULATOR'), contentHash: HASH_A } });
    await expectLedgerError(contract.RecordCrossCheck(world.ledger.as(Who.auditor1), withCounts), ErrorCode.InvalidArgument, 'counts');
  });

  describe('on a private ledger (issue 11)', () => {
    const SECRET = Buffer.alloc(32, 3);
    const act = async (who: typeof Who.auditor1, confirmationId: string): Promise<CrossCheckLedgerRecord> => {
      const ctx = world.ledger.as(who, { command: { transaction: 'RecordCrossCheck', args: [input(confirmationId)] }, answerSecret: SECRET.toString('hex') });
      return JSON.parse(openAnswer(SECRET, ctx.stub.getTxID(), await contract.Act(ctx))) as CrossCheckLedgerRecord;
    };

    beforeEach(async () => {
      world = await (await new ConfirmationWorld().setUp()).privateStore();
      await world.replied('CF-1');
      await world.auditorAccept('CF-1');
    });

    it('records the summary sealed (Act) into the platform collection: no public key names the request; the firm and the regulator read it as before', async () => {
      const record = await act(Who.auditor1, 'CF-1');
      expect(record).to.include({ confirmationId: 'CF-1', firmId: 'FIRM1', responderId: 'BANK1' });
      expect([...world.ledger.state.keys()].filter((k) => k.includes('xcheck'))).to.deep.equal([]);
      const stored = [...world.ledger.privateState('econfirmPlatform').entries()].filter(([k]) => k.startsWith('\u0000xcheck\u0000'));
      expect(stored.map(([k]) => k)).to.have.length(1);
      expect(stored[0]?.[0]).not.to.include('CF-1');
      expect(JSON.parse(await contract.GetCrossCheck(world.ledger.as(Who.auditor2), 'CF-1'))).to.deep.equal(record);
      const first = JSON.parse(await contract.ListCrossChecks(world.ledger.as(Who.regulator1), '50', '')) as Page<CrossCheckLedgerRecord>;
      expect(first.records).to.deep.equal([record]);
      // The private range ends by handing over the public one (empty on this ledger).
      const rest = JSON.parse(await contract.ListCrossChecks(world.ledger.as(Who.regulator1), '50', first.bookmark)) as Page<CrossCheckLedgerRecord>;
      expect(rest).to.deep.include({ records: [], bookmark: '' });
    });

    it('refuses RecordCrossCheck called by its own name, before it runs; the checks inside Act are the step\'s own', async () => {
      const ctx = world.ledger.as(Who.auditor1);
      (ctx.stub.getFunctionAndParameters as SinonStub).returns({ fcn: 'crosscheck:RecordCrossCheck', params: [] });
      await expectLedgerError(contract.beforeTransaction(ctx), ErrorCode.Forbidden, 'crosscheck:Act');
      await expectHidden(act(Who.firm2auditor, 'CF-1'), 'CF-1');
    });
  });
});

