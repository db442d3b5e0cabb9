import { expect } from 'chai';
import { ChaincodeStub } from 'fabric-shim';
import { ConfirmationView, ErrorCode, Page, RegulatorStats } from '@econfirm/common';
import { ConfirmationWorld, ENGAGEMENT, fakeJwe, HASH_A, replyInput } from '../testing/confirmation-world';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { TestIdentity } from '../testing/fake-ledger';
import { Who } from '../testing/fixtures';

/** An index key exactly as the shim writes it (what a caller could pass as a bookmark). */
const indexKey = (index: string, attributes: string[]): string => ChaincodeStub.prototype.createCompositeKey(index, attributes);

describe('ConfirmationContract: queries and the regulator view', () => {
  let world: ConfirmationWorld;
  const ids = (json: string) => (JSON.parse(json) as Page<ConfirmationView>).records.map((r) => r.id);

  beforeEach(async () => {
    world = await new ConfirmationWorld().setUp();
    await world.issue('CF-1');
    await world.issue('CF-2', { addresseeId: 'BANK2', letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: HASH_A } });
    await world.issue('CF-3');
    await world.issue('CF-9', { engagement: { ...ENGAGEMENT, id: 'ENG-OTHER', clientId: 'CLIENT2' }, letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT2'), contentHash: HASH_A } });
    await world.authorize('CF-1');
    await world.authorize('CF-2');
  });

  it('lists by firm, engagement, client and addressee, each for its own party only', async () => {
    const c = world.contract;
    expect(ids(await c.ListConfirmationsByFirm(world.ledger.as(Who.auditor1), 'FIRM1', '50', ''))).to.deep.equal(['CF-1', 'CF-2', 'CF-3', 'CF-9']);
    expect(ids(await c.ListConfirmationsByEngagement(world.ledger.as(Who.auditor2), 'ENG-OTHER', '50', ''))).to.deep.equal(['CF-9']);
    expect(ids(await c.ListConfirmationsByEngagement(world.ledger.as(Who.firm2auditor), 'ENG-OTHER', '50', ''))).to.deep.equal([]);
    expect(ids(await c.ListConfirmationsByClient(world.ledger.as(Who.client1), 'CLIENT1', '50', ''))).to.deep.equal(['CF-1', 'CF-2', 'CF-3']);
    // The bank's inbox holds what the client authorized, nothing else.
    expect(ids(await c.ListConfirmationsByAddressee(world.ledger.as(Who.officer1), 'BANK1', '50', ''))).to.deep.equal(['CF-1']);
    expect(ids(await c.ListConfirmationsByAddressee(world.ledger.as(Who.bank2reviewer), 'BANK2', '50', ''))).to.deep.equal(['CF-2']);

    const refusals: [Promise<string>, string][] = [
      [c.ListConfirmationsByFirm(world.ledger.as(Who.firm2auditor), 'FIRM1', '50', ''), 'FIRM2'],
      [c.ListConfirmationsByFirm(world.ledger.as(Who.client1), 'FIRM1', '50', ''), 'auditor'],
      [c.ListConfirmationsByClient(world.ledger.as({ ...Who.client1, institution: 'CLIENT2' }), 'CLIENT1', '50', ''), 'CLIENT2'],
      [c.ListConfirmationsByAddressee(world.ledger.as(Who.bank2officer), 'BANK1', '50', ''), 'BANK2'],
    ];
    for (const [promise, fragment] of refusals) await expectLedgerError(promise, ErrorCode.Forbidden, fragment);
  });

  it('pages with a bookmark', async () => {
    const first = JSON.parse(await world.contract.ListConfirmationsByFirm(world.ledger.as(Who.auditor1), 'FIRM1', '3', '')) as Page<ConfirmationView>;
    expect(first.records.map((r) => r.id)).to.deep.equal(['CF-1', 'CF-2', 'CF-3']);
    expect(ids(await world.contract.ListConfirmationsByFirm(world.ledger.as(Who.auditor1), 'FIRM1', '3', first.bookmark))).to.deep.equal(['CF-9']);
    await expectLedgerError(world.contract.ListConfirmationsByFirm(world.ledger.as(Who.auditor1), 'FIRM1', '0', ''), ErrorCode.InvalidArgument, 'pageSize');
  });

  it('lists by state what the caller is party to, with the client blind to replies', async () => {
    await world.prepare('CF-1');
    await world.approve('CF-1');
    expect(ids(await world.contract.ListConfirmationsByState(world.ledger.as(Who.auditor1), 'issued', '50', ''))).to.deep.equal(['CF-3', 'CF-9']);
    expect(ids(await world.contract.ListConfirmationsByState(world.ledger.as(Who.officer1), 'issued', '50', ''))).to.deep.equal([]);
    const forClient = JSON.parse(await world.contract.ListConfirmationsByState(world.ledger.as(Who.client1), 'replied', '50', '')) as Page<ConfirmationView>;
    expect(forClient.records.map((r) => r.id)).to.deep.equal(['CF-1']);
    expect(forClient.records[0]).to.not.have.property('reply');
    await expectLedgerError(world.contract.ListConfirmationsByState(world.ledger.as(Who.auditor1), 'lost', '50', ''), ErrorCode.InvalidArgument, 'state');
  });

  it("keeps per-party indexes, so a page holds only the caller's requests and the bank appears at delivery", async () => {
    const partyKeys = (party: string, id: string) => [...world.ledger.state.keys()].filter((key) => key.startsWith(`\u0000cf~party~state~id\u0000${party}\u0000`) && key.includes(`\u0000${id}\u0000`));
    expect(partyKeys('BANK1', 'CF-3')).to.deep.equal([]);
    expect(partyKeys('CLIENT1', 'CF-3')).to.have.length(1);
    await world.authorize('CF-3');
    expect(partyKeys('BANK1', 'CF-3')).to.have.length(1);
    const page = JSON.parse(await world.contract.ListConfirmationsByState(world.ledger.as(Who.officer1), 'authorized', '1', '')) as Page<ConfirmationView>;
    expect(page.records.map((r) => r.id)).to.deep.equal(['CF-1']);
    expect(ids(await world.contract.ListConfirmationsByState(world.ledger.as(Who.officer1), 'authorized', '1', page.bookmark))).to.deep.equal(['CF-3']);
  });

  // Issue 11; fails on c85a0dd (the responder index was written at issue).
  it("writes the responder's inbox entry at delivery: before it the bank's list holds nothing, not even a count", async () => {
    const inboxKey = (id: string) => indexKey('cf~resp~id', ['BANK1', id]);
    expect(world.ledger.state.has(inboxKey('CF-3'))).to.equal(false);
    const before = JSON.parse(await world.contract.ListConfirmationsByAddressee(world.ledger.as(Who.officer1), 'BANK1', '50', inboxKey('CF-2'))) as Page<ConfirmationView>;
    // From just before CF-3: on c85a0dd the page fetched CF-3 and CF-9 (undelivered) and showed none of them.
    expect(before).to.deep.equal({ records: [], bookmark: '', fetchedRecordsCount: 0 });
    await world.authorize('CF-3');
    expect(world.ledger.state.has(inboxKey('CF-3'))).to.equal(true);
    expect(ids(await world.contract.ListConfirmationsByAddressee(world.ledger.as(Who.officer1), 'BANK1', '50', ''))).to.deep.equal(['CF-1', 'CF-3']);
  });

  // Issue 11; fails on c85a0dd (the bookmark was the peer's start key, unchecked).
  it("refuses a bookmark outside the caller's own index range, and a walk from the index's start", async () => {
    const walks: [Promise<string>, string][] = [
      [world.contract.ListConfirmationsByState(world.ledger.as(Who.officer1), 'issued', '50', '\u0000cf~party~state~id\u0000'), 'bookmark'],
      [world.contract.ListConfirmationsByState(world.ledger.as(Who.officer1), 'issued', '50', indexKey('cf~party~state~id', ['CLIENT1', 'issued', 'CF-3'])), 'bookmark'],
      [world.contract.ListConfirmationsByAddressee(world.ledger.as(Who.bank2officer), 'BANK2', '50', indexKey('cf~resp~id', ['BANK1', 'CF-1'])), 'bookmark'],
      [world.contract.ListOverdueConfirmations(world.ledger.as(Who.officer1), '50', '\u0000cf~party~due~id\u0000'), 'bookmark'],
      [world.contract.ListConfirmationsByFirm(world.ledger.as(Who.firm2auditor), 'FIRM2', '50', indexKey('cf~firm~id', ['FIRM1', 'CF-1'])), 'bookmark'],
    ];
    for (const [walk, field] of walks) await expectLedgerError(walk, ErrorCode.InvalidArgument, field);
    // Bookmarks inside the caller's range still page.
    const first = JSON.parse(await world.contract.ListConfirmationsByState(world.ledger.as(Who.auditor1), 'issued', '1', '')) as Page<ConfirmationView>;
    expect(first.records.map((r) => r.id)).to.deep.equal(['CF-3']);
    expect(ids(await world.contract.ListConfirmationsByState(world.ledger.as(Who.auditor1), 'issued', '1', first.bookmark))).to.deep.equal(['CF-9']);
  });

  it('lists overdue requests, most overdue first, derived at read time', async () => {
    const overdue = (who: TestIdentity) => world.contract.ListOverdueConfirmations(world.ledger.as(who), '50', '');
    expect(ids(await overdue(Who.auditor1))).to.deep.equal([]);
    world.ledger.setNow('2026-03-17T00:00:00Z'); // past the client's and the banks' deadlines (both end of 16 March)
    expect(ids(await overdue(Who.auditor1))).to.deep.equal(['CF-1', 'CF-2', 'CF-3', 'CF-9']);
    expect(ids(await overdue(Who.officer1))).to.deep.equal(['CF-1']);
    expect(ids(await overdue(Who.client1))).to.deep.equal(['CF-1', 'CF-2', 'CF-3']);
  });

  it('stops at the first request not yet due', async () => {
    world.ledger.setNow('2026-03-09T00:00:00Z');
    await world.issue('CF-LATE');
    world.ledger.setNow('2026-03-17T00:00:00Z');
    const page = JSON.parse(await world.contract.ListOverdueConfirmations(world.ledger.as(Who.auditor1), '50', '')) as Page<ConfirmationView>;
    expect(page.records.map((r) => r.id)).to.not.include('CF-LATE');
    expect(page.bookmark).to.equal('');
  });

  it('gives the regulator counts, reply times, rates and red flags from metadata', async () => {
    await world.issue('CF-4');
    await world.issue('CF-5', { addresseeId: 'BANK2', letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: HASH_A } });
    for (const id of ['CF-3', 'CF-4', 'CF-5']) await world.authorize(id);
    world.ledger.setNow('2026-03-03T02:00:00Z');
    await world.prepare('CF-1', Who.officer1, replyInput({ conclusion: 'disagrees' }));
    await world.approve('CF-1');
    await world.prepare('CF-2', Who.bank2officer, replyInput({}, 'BANK2'));
    await world.approve('CF-2', Who.bank2reviewer);
    await world.prepare('CF-5', Who.bank2officer, replyInput({}, 'BANK2'));
    await world.approve('CF-5', Who.bank2reviewer);
    await world.contract.BankReturn(world.ledger.as(Who.officer1), 'CF-4', 'MISSING_DATA', '');

    const stats = JSON.parse(await world.contract.GetRegulatorStats(world.ledger.as(Who.regulator1))) as RegulatorStats;
    expect(stats).to.include({ total: 6, overdue: 0, exceptionRate: 0.33, returnRate: 0.2 });
    expect(stats.byState).to.include({ replied: 3, returned: 1, authorized: 1, issued: 1 });
    const bank1 = stats.responders.find((r) => r.responderId === 'BANK1');
    expect(bank1).to.include({ sent: 3, replied: 1, returned: 1, replyRate: 0.33, medianReplyHours: 17 });
    expect(bank1?.replyTimeHistogram['4-24h']).to.equal(1);
    expect(stats.redFlags).to.deep.equal([{
      type: 'same-day-replies', firmId: 'FIRM1', engagementId: ENGAGEMENT.id, detail: '3 replies from 2 responders all on 2026-03-03',
    }]);
    expect(JSON.stringify(stats)).to.not.contain('ciphertext');
  });

  it('counts every request even past the peer\'s query limit (the scan pages)', async () => {
    const stats = async () => JSON.parse(await world.contract.GetRegulatorStats(world.ledger.as(Who.regulator1))) as RegulatorStats;
    const before = (await stats()).total;
    for (const id of ['CF-4', 'CF-5', 'CF-6', 'CF-7']) await world.issue(id);
    world.ledger.totalQueryLimit = 4;
    const after = await stats();
    expect(after.total).to.equal(before + 4).and.to.be.greaterThan(4);
    expect(Object.values(after.byState).reduce((a, b) => a + b, 0)).to.equal(before + 4);
  });

  it('refuses the regulator view to everyone but the regulator', async () => {
    for (const who of [Who.auditor1, Who.officer1, Who.client1, Who.admin]) {
      await expectLedgerError(world.contract.GetRegulatorStats(world.ledger.as(who)), ErrorCode.Forbidden);
    }
  });
});
