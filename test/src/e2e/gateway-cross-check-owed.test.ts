import type { CrossCheckException, CrossCheckReport, CrossCheckStatistics } from '@econfirm/common';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { randomInt } from 'node:crypto';
import { CrossCheckWorld } from '../support/cross-check';
import type { HeldInstitution } from '../support/institutions';
import { REPO_ROOT } from '../support/network';

/**
 * Cross-checks of bank replies against the receivables the client owes (issue 14) over HTTP on
 * the real network: the run's fresh client (test/src/support/cross-check.ts) owes a receivable to
 * a fresh supplier, which BANK1 financed at the supplier's request — the client's payable, which
 * the client owes BANK1 at maturity. BANK1's replies to the firm's letters omit it from, or state
 * it in, their other items (14: the 2020 form's only place for it). The firm reads it under the
 * client's receivable grant, the same grant as for the receivables the client holds.
 */
describe('gateway e2e: cross-checks of bank replies against the receivables the client owes', function () {
  this.timeout(300_000);
  const world = new CrossCheckWorld('xco');
  const { run, engagement } = world;
  const receivable = `RCV-${run}-OWED`;
  const financingId = `FIN-${run}-OWED`;
  const maturity = `${world.year + 1}-06-30`;
  const amountMinor = `${30_000_000 + randomInt(1_000_000)}`;
  const omitting = `CF-${run}-OOMIT`;
  const stating = `CF-${run}-OOK`;
  let supplier: HeldInstitution;
  let gw: CrossCheckWorld['gw'];

  const ofReceivables = (report: { exceptions: CrossCheckException[] }) => report.exceptions.filter((e) => e.source === 'receivable').map((e) => [e.code, e.recordId]);
  const other = (description: string): Record<string, string> => ({ item: '供应链融资 supply-chain financing', description, currency: 'CNY', amount: '300000.00' });

  before(async function () {
    await world.setUp({}, { withObligor: true });
    gw = world.gw;
    supplier = world.obligor as HeldInstitution;
    // The supplier registers what the client owes it, the client confirms, BANK1 finances it at the supplier's request.
    await world.financedReceivable(receivable, financingId, amountMinor, maturity, { owed: true });
    // BANK1 asked for its other items (14) and its acceptance bills: states none, or the financing by its own reference.
    await world.answered(omitting, [], 'auditor-accepted', undefined, { other: [], acceptanceBills: [] });
    await world.answered(stating, [], 'auditor-accepted', undefined, { other: [other(`保理 ${financingId}, ${supplier.record.id}`)], acceptanceBills: [] });
  });

  after(async function () {
    await world.gw?.close();
  });

  it('without the mortgage grant a bank letter is not checked at all (403 MORTGAGE_ACCESS_NOT_GRANTED); the bank, the supplier and the client cannot run it', async function () {
    const res = await gw.get(world.auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(403);
    expect(res.body.error.code).to.equal('MORTGAGE_ACCESS_NOT_GRANTED');
    for (const party of [world.officer, gw.custodial('xobligor', world.obligorSigner), world.clientSigner]) {
      const refused = await gw.get(party, `/v1/confirmations/${omitting}/cross-check`);
      expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
      expect(refused.body.error.code).to.equal('FORBIDDEN');
    }
  });

  it("without the client's receivable grant the owed receivable is not compared (RECEIVABLE_ACCESS_NOT_GRANTED); acceptance bills are reported not compared", async function () {
    expect((await world.grant()).status).to.equal(201);
    const res = await gw.get(world.auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const report = res.body as CrossCheckReport;
    expect(ofReceivables(report)).to.deep.equal([]);
    expect(report.records.filter((r) => r.source === 'receivable')).to.deep.equal([]);
    expect(report.notCompared.filter((n) => n.code).map((n) => n.code)).to.deep.equal(['RECEIVABLE_ACCESS_NOT_GRANTED', 'ACCEPTANCE_BILLS_NOT_ON_LEDGER']);
  });

  it('with the grant, a financed receivable the client owes that the reply omits is flagged, both sides shown', async function () {
    expect((await world.grantReceivables()).status).to.equal(201);
    const report = (await gw.get(world.auditor, `/v1/confirmations/${omitting}/cross-check`)).body as CrossCheckReport;
    expect(ofReceivables(report)).to.deep.equal([['OWED_RECEIVABLE_NOT_IN_REPLY', receivable]]);
    const flagged = report.exceptions.find((e) => e.code === 'OWED_RECEIVABLE_NOT_IN_REPLY');
    expect(flagged?.ledger).to.include({ id: receivable, state: 'financed', obligor: world.client.record.id, holder: supplier.record.id, lienBank: 'BANK1', financingId, maturityDate: maturity });
    expect(report.comparedSections).to.include('other');
    expect(report.records.find((r) => r.id === receivable)).to.include({ source: 'receivable', expected: true, bankId: 'BANK1', amountReadable: false });
    expect(report.notCompared.map((n) => n.code)).to.include('ACCEPTANCE_BILLS_NOT_ON_LEDGER').and.not.include('RECEIVABLE_ACCESS_NOT_GRANTED');
  });

  it('a reply that states it in its other items is not flagged; the sealed amount and what section 14 cannot state are reported not compared, never guessed', async function () {
    const report = (await gw.get(world.auditor, `/v1/confirmations/${stating}/cross-check`)).body as CrossCheckReport;
    expect(ofReceivables(report)).to.deep.equal([]);
    expect(report.records.find((r) => r.id === receivable)).to.include({ matchedBy: 'financing-id', expected: true });
    expect(report.notCompared.filter((n) => n.recordId === receivable).map((n) => n.code)).to.deep.equal(['RECEIVABLE_AMOUNT_NOT_COMPARABLE', 'OWED_RECEIVABLE_TERMS_NOT_ASKED']);
    expect(JSON.stringify(report)).not.to.contain(amountMinor);
  });

  it('the engagement report, the CLI and the regulator’s counts by bank carry the new code', async function () {
    const res = await gw.get(world.auditor, `/v1/engagements/${engagement.id}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.counts).to.include({ OWED_RECEIVABLE_NOT_IN_REPLY: 1 });
    const out = spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', 'firm1/auditor1', 'cross-check', omitting], { encoding: 'utf8', env: process.env });
    expect(out.status, out.stderr).to.equal(1);
    expect(out.stdout).to.contain('OWED_RECEIVABLE_NOT_IN_REPLY').and.contain(receivable).and.contain('ACCEPTANCE_BILLS_NOT_ON_LEDGER');
    // BANK1 answers every run's letters: the summary recorded here adds one to its count.
    const before = ((await gw.get(world.regulator, '/v1/statistics/cross-checks')).body as CrossCheckStatistics).byBank.find((b) => b.bankId === 'BANK1')?.counts.OWED_RECEIVABLE_NOT_IN_REPLY ?? 0;
    const recorded = await gw.post(world.auditor, `/v1/confirmations/${omitting}/cross-check`, {});
    expect(recorded.status, JSON.stringify(recorded.body)).to.equal(201);
    const stats = (await gw.get(world.regulator, '/v1/statistics/cross-checks')).body as CrossCheckStatistics;
    expect(stats.byBank.find((b) => b.bankId === 'BANK1')?.counts.OWED_RECEIVABLE_NOT_IN_REPLY).to.equal(before + 1);
    expect(JSON.stringify(stats)).not.to.contain(receivable);
  });
});
