import type { CrossCheckException, CrossCheckReport } from '@econfirm/common';
import { evaluate } from '@econfirm/sdk';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { randomInt } from 'node:crypto';
import { CrossCheckWorld } from '../support/cross-check';
import type { HeldInstitution } from '../support/institutions';
import { refusedByContract } from '../support/ledger-calls';
import { REPO_ROOT, withLedger } from '../support/network';

/**
 * Cross-checks of bank replies against financed receivables (issue 14) over HTTP on the real
 * network: the run's fresh client (test/src/support/cross-check.ts) holds a receivable its fresh
 * obligor confirmed and BANK1 financed; BANK1's replies to the firm's letters omit it from, or state
 * it in, their discounted bills. The firm reads the client's receivables only under the client's
 * receivable grant (receivable:ListReceivablesOfClient).
 */
describe('gateway e2e: cross-checks of bank replies against financed receivables', function () {
  this.timeout(300_000);
  const world = new CrossCheckWorld('xcr');
  const { run, engagement } = world;
  const receivable = `RCV-${run}`;
  const financingId = `FIN-${run}`;
  const maturity = `${world.year + 1}-06-30`;
  const amountMinor = `${30_000_000 + randomInt(1_000_000)}`;
  const omitting = `CF-${run}-ROMIT`;
  const stating = `CF-${run}-ROK`;
  let obligor: HeldInstitution;
  let gw: CrossCheckWorld['gw'];

  const ofReceivables = (report: { exceptions: CrossCheckException[] }) => report.exceptions.filter((e) => e.source === 'receivable').map((e) => [e.code, e.recordId]);
  const bill = (billNo: string): Record<string, string> => ({
    billNo, acceptor: obligor.record.id, currency: 'CNY', faceAmount: '300000.00', issueDate: new Date().toISOString().slice(0, 10), dueDate: maturity,
    discountDate: new Date().toISOString().slice(0, 10), rate: '2.10%', netAmount: '294000.00',
  });

  before(async function () {
    await world.setUp({}, { withObligor: true });
    gw = world.gw;
    obligor = world.obligor as HeldInstitution;
    // The client registers what the obligor owes it, the obligor confirms, BANK1 finances it.
    await world.financedReceivable(receivable, financingId, amountMinor, maturity);
    // The mortgage grant lets the check run at all; the receivable grant is asked for below.
    expect((await world.grant()).status).to.equal(201);
    await world.answered(omitting, [], 'auditor-accepted', []);
  });

  after(async function () {
    await world.gw?.close();
  });

  it('lists the grant routes in the OpenAPI document', async function () {
    const doc = await gw.http().get('/openapi.json');
    expect(Object.keys(doc.body.paths)).to.include.members(['/v1/receivables/auditor-access', '/v1/receivables/auditor-access/{firmId}']);
  });

  it("a firm without the client's receivable grant is refused the client's receivables on the ledger, and its report compares none", async function () {
    const refusal = await withLedger('firm1', 'auditor1', (ledger) => refusedByContract('FORBIDDEN', evaluate(ledger.contract('receivable'), 'ListReceivablesOfClient', [world.client.record.id, '10', ''])));
    expect(refusal).to.contain(`${world.client.record.id} has not granted FIRM1 current access to its receivables`);
    const res = await gw.get(world.auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const report = res.body as CrossCheckReport;
    expect(ofReceivables(report)).to.deep.equal([]);
    expect(report.notCompared.filter((n) => n.code).map((n) => n.code)).to.deep.equal(['RECEIVABLE_ACCESS_NOT_GRANTED']);
    // Only the client's signer grants.
    expect((await gw.post(world.auditor, '/v1/receivables/auditor-access', { firmId: 'FIRM1', validUntil: '2099-12-31' })).status).to.equal(403);
  });

  it('with the grant, a financed receivable missing from the discounted bills is flagged, both sides shown', async function () {
    const granted = await world.grantReceivables();
    expect(granted.status, JSON.stringify(granted.body)).to.equal(201);
    expect(granted.body).to.include({ clientId: world.client.record.id, firmId: 'FIRM1', validUntil: '2099-12-31' });
    const report = (await gw.get(world.auditor, `/v1/confirmations/${omitting}/cross-check`)).body as CrossCheckReport;
    expect(ofReceivables(report)).to.deep.equal([['FINANCED_RECEIVABLE_NOT_IN_REPLY', receivable]]);
    const flagged = report.exceptions.find((e) => e.code === 'FINANCED_RECEIVABLE_NOT_IN_REPLY');
    expect(flagged?.ledger).to.include({ id: receivable, lienBank: 'BANK1', financingId, maturityDate: maturity, holder: world.client.record.id, obligor: obligor.record.id });
    expect(report.comparedSections).to.include('discountedBills');
    expect(report.records.find((r) => r.id === receivable)).to.include({ source: 'receivable', expected: true, bankId: 'BANK1', amountReadable: false });
  });

  it('a reply that states it in its discounted bills is not flagged; its sealed amount is reported as not comparable, never guessed', async function () {
    await world.answered(stating, [], 'auditor-accepted', [bill(financingId)]);
    const report = (await gw.get(world.auditor, `/v1/confirmations/${stating}/cross-check`)).body as CrossCheckReport;
    expect(ofReceivables(report)).to.deep.equal([]);
    expect(report.records.find((r) => r.id === receivable)).to.include({ matchedBy: 'financing-id', expected: true });
    expect(report.notCompared.find((n) => n.code === 'RECEIVABLE_AMOUNT_NOT_COMPARABLE')).to.include({ recordId: receivable });
    expect(JSON.stringify(report)).not.to.contain(amountMinor);
  });

  it('the engagement report and the CLI carry the receivable finding', async function () {
    const res = await gw.get(world.auditor, `/v1/engagements/${engagement.id}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.counts).to.include({ FINANCED_RECEIVABLE_NOT_IN_REPLY: 1 });
    const out = spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', 'firm1/auditor1', 'cross-check', omitting], { encoding: 'utf8', env: process.env });
    expect(out.status, out.stderr).to.equal(1);
    expect(out.stdout).to.contain('FINANCED_RECEIVABLE_NOT_IN_REPLY').and.contain(receivable);
  });

  it('once the client revokes the receivable grant the firm is refused its receivables again', async function () {
    const url = '/v1/receivables/auditor-access/FIRM1';
    const revoked = await gw.http().delete(url).set('Authorization', await gw.bearer(world.clientSigner, 'DELETE', url));
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
    const report = (await gw.get(world.auditor, `/v1/confirmations/${omitting}/cross-check`)).body as CrossCheckReport;
    expect(ofReceivables(report)).to.deep.equal([]);
    expect(report.notCompared.map((n) => n.code)).to.include('RECEIVABLE_ACCESS_NOT_GRANTED');
  });
});
