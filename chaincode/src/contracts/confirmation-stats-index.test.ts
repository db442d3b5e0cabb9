import { expect } from 'chai';
import { ChaincodeStub } from 'fabric-shim';
import { ConfirmationRequest, ErrorCode, RegulatorStats } from '@econfirm/common';
import { ConfirmationWorld, fakeJwe, HASH_A, replyInput } from '../testing/confirmation-world';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { Who } from '../testing/fixtures';

const rowKey = (id: string): string => ChaincodeStub.prototype.createCompositeKey('cfs', [id]);
const recordKey = (id: string): string => ChaincodeStub.prototype.createCompositeKey('cf', [id]);
const decode = (bytes: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(bytes ?? new Uint8Array()).toString('utf8'));

/**
 * The statistics rows (stats/stats-row.ts): written beside every record; once the index is started
 * on an empty ledger (StartStatisticsIndex, network/deploy.sh), GetRegulatorStats reads the rows,
 * not the records with their sealed content — and answers exactly as from the records (issue 18).
 */
describe('ConfirmationContract: the statistics rows (StartStatisticsIndex)', () => {
  /** Six requests through issue, authorization, replies (one disagreeing), a return. */
  async function scenario(world: ConfirmationWorld): Promise<RegulatorStats> {
    for (const id of ['CF-1', 'CF-3', 'CF-4']) await world.issue(id);
    for (const id of ['CF-2', 'CF-5']) await world.issue(id, { addresseeId: 'BANK2', letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: HASH_A } });
    await world.issue('CF-6');
    for (const id of ['CF-1', 'CF-2', 'CF-3', 'CF-4', 'CF-5']) await world.authorize(id);
    world.ledger.setNow('2026-03-03T02:00:00Z');
    await world.prepare('CF-1', Who.officer1, replyInput({ conclusion: 'disagrees' }));
    await world.approve('CF-1');
    await world.prepare('CF-2', Who.bank2officer, replyInput({}, 'BANK2'));
    await world.approve('CF-2', Who.bank2reviewer);
    await world.prepare('CF-5', Who.bank2officer, replyInput({}, 'BANK2'));
    await world.approve('CF-5', Who.bank2reviewer);
    await world.contract.BankReturn(world.ledger.as(Who.officer1), 'CF-4', 'MISSING_DATA', '');
    world.ledger.setNow('2026-03-20T00:00:00Z'); // CF-3 and CF-6 overdue
    return JSON.parse(await world.contract.GetRegulatorStats(world.ledger.as(Who.regulator1))) as RegulatorStats;
  }

  it('on an empty ledger starts the index; the statistics then read the rows and answer as from the records', async () => {
    const indexed = await new ConfirmationWorld().setUp();
    expect(JSON.parse(await indexed.contract.StartStatisticsIndex(indexed.ledger.as(Who.admin)))).to.deep.equal({ indexed: true, started: true });
    const fromRows = await scenario(indexed);
    const legacy = await new ConfirmationWorld().setUp(); // never started: the statistics read the records
    const fromRecords = await scenario(legacy);
    expect(fromRows).to.deep.equal(fromRecords);
    expect(fromRows).to.include({ total: 6, overdue: 2 });
    // One row per request, the record's state, and nothing sealed in it.
    const state = indexed.ledger.state;
    for (const id of ['CF-1', 'CF-2', 'CF-3', 'CF-4', 'CF-5', 'CF-6']) {
      const row = decode(state.get(rowKey(id))) as { state: string };
      expect(row.state, id).to.equal((decode(state.get(recordKey(id))) as ConfirmationRequest).state);
      expect(JSON.stringify(row)).to.not.contain('ciphertext');
    }
    // The rows are what is read: a row edited behind the contract's back changes the answer.
    const ctx = indexed.ledger.as(Who.admin);
    await ctx.stub.putState(rowKey('CF-6'), Buffer.from(JSON.stringify({ ...(decode(state.get(rowKey('CF-6'))) as object), state: 'recalled' })));
    const edited = JSON.parse(await indexed.contract.GetRegulatorStats(indexed.ledger.as(Who.regulator1))) as RegulatorStats;
    expect(edited.byState.recalled).to.equal(fromRows.byState.recalled + 1);
  });

  it('on a ledger with requests written before the rows leaves the index unstarted, and the statistics still count every request', async () => {
    const world = await new ConfirmationWorld().setUp();
    await world.issue('CF-OLD-1');
    await world.issue('CF-OLD-2');
    // As a ledger written before the rows existed: records without rows.
    const ctx = world.ledger.as(Who.admin);
    for (const id of ['CF-OLD-1', 'CF-OLD-2']) await ctx.stub.deleteState(rowKey(id));
    expect(JSON.parse(await world.contract.StartStatisticsIndex(world.ledger.as(Who.admin)))).to.deep.equal({ indexed: false, started: false });
    await world.issue('CF-NEW');
    const stats = JSON.parse(await world.contract.GetRegulatorStats(world.ledger.as(Who.regulator1))) as RegulatorStats;
    expect(stats.total).to.equal(3);
    expect(stats.byState.issued).to.equal(3);
  });

  it('is idempotent once started, and the operator admin’s only', async () => {
    const world = await new ConfirmationWorld().setUp();
    await world.contract.StartStatisticsIndex(world.ledger.as(Who.admin));
    await world.issue('CF-1');
    const before = new Map(world.ledger.state);
    // Asked again (deploy.sh's query first): started before, not by this transaction, nothing written.
    expect(JSON.parse(await world.contract.StartStatisticsIndex(world.ledger.as(Who.admin)))).to.deep.equal({ indexed: true, started: false });
    expect(new Map(world.ledger.state)).to.deep.equal(before);
    const fresh = await new ConfirmationWorld().setUp();
    for (const who of [Who.bankAdmin, Who.regulator1, Who.auditor1, Who.client1, Who.officer1]) {
      await expectLedgerError(fresh.contract.StartStatisticsIndex(fresh.ledger.as(who)), ErrorCode.Forbidden);
    }
    await fresh.issue('CF-1');
    const stats = JSON.parse(await fresh.contract.GetRegulatorStats(fresh.ledger.as(Who.regulator1))) as RegulatorStats;
    expect(stats.total, 'refused: the statistics still read the records').to.equal(1);
  });
});
