import type { CrossCheckReport } from '@econfirm/common';
import { evaluate } from '@econfirm/sdk';
import { expect } from 'chai';
import { CrossCheckWorld } from '../support/cross-check';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { networkScript, REPO_ROOT, withLedger } from '../support/network';

/**
 * Cross-checks (issue 14) over HTTP on the real network: bank replies of the firm's engagement
 * against the client's mortgage registrations on the same ledger (test/src/support/cross-check.ts:
 * a fresh client and a second bank per run; registrations active with BANK1, discharged, and with
 * the other bank).
 */
describe('gateway e2e: cross-checks of bank replies against mortgage registrations', function () {
  this.timeout(300_000);
  const world = new CrossCheckWorld('xc');
  const { run, engagement, active, discharged, elsewhere } = world;
  const cert = (n: string) => world.cert(n);
  const loan = (collateral: string) => world.loan(collateral);
  const answered = (id: string, loans: Array<Record<string, string>>, stopAt?: 'replied' | 'auditor-accepted') => world.answered(id, loans, stopAt);
  const grant = () => world.grant();
  const revoke = () => world.revoke();
  let gw: CrossCheckWorld['gw'];
  let auditor: CrossCheckWorld['auditor'], officer: CrossCheckWorld['officer'], clientSigner: CrossCheckWorld['clientSigner'];
  let client: CrossCheckWorld['client'], otherBank: CrossCheckWorld['otherBank'];

  before(async function () {
    // The firm's evidence certificate, for the evidence PDF's cross-check section.
    networkScript('identity.sh', 'evidence', 'firm1', 'FIRM1');
    await world.setUp();
    ({ gw, auditor, officer, clientSigner, client, otherBank } = world);
  });

  after(async function () {
    await world.gw?.close();
  });

  const omitting = `CF-${run}-OMIT`;
  const stating = `CF-${run}-OK`;

  it('is in the OpenAPI document', async function () {
    const doc = await gw.http().get('/openapi.json');
    expect(Object.keys(doc.body.paths)).to.include.members(['/v1/confirmations/{id}/cross-check', '/v1/engagements/{id}/cross-check']);
  });

  it('a reply not yet accepted by the auditor is not cross-checked (409 CROSS_CHECK_NOT_READY)', async function () {
    await answered(omitting, [], 'replied');
    const res = await gw.get(auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(409);
    expect(res.body.error).to.include({ code: 'CROSS_CHECK_NOT_READY' });
    expect(res.body.error.details).to.deep.equal({ state: 'replied' });
    expect((await gw.post(auditor, `/v1/confirmations/${omitting}/auditor-acceptance`, {})).status).to.equal(200);
  });

  it("without the client's grant the firm cannot run it (403 MORTGAGE_ACCESS_NOT_GRANTED); others are refused by role", async function () {
    const res = await gw.get(auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(403);
    expect(res.body.error.code).to.equal('MORTGAGE_ACCESS_NOT_GRANTED');
    expect(res.body.error.details).to.deep.equal({ clientId: client.record.id, firmId: 'FIRM1' });
    expect((await gw.get(auditor, `/v1/engagements/${engagement.id}/cross-check`)).body.error.code).to.equal('MORTGAGE_ACCESS_NOT_GRANTED');
    // The client, the bank and the regulator are no auditor of the firm, grant or not.
    expect((await grant()).status).to.equal(201);
    for (const other of [clientSigner, officer, gw.demoCallers().regulator]) {
      const refused = await gw.get(other, `/v1/confirmations/${omitting}/cross-check`);
      expect(refused.status).to.equal(403);
      expect(refused.body.error.code).to.equal('FORBIDDEN');
    }
  });

  it('a reply that omits an active registration is flagged; the discharged one and the other bank’s are not expected', async function () {
    const res = await gw.get(auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const report = res.body as CrossCheckReport;
    expect(report.exceptions.map((e) => [e.code, e.recordId])).to.deep.equal([['MORTGAGE_NOT_IN_REPLY', active]]);
    expect(report.exceptions[0].ledger).to.include({ id: active, mortgagee: 'BANK1', debtTermEnd: '2031-01-01' });
    expect(report.counts).to.deep.equal({ MORTGAGE_NOT_IN_REPLY: 1 });
    const byId = Object.fromEntries(report.records.map((r) => [r.id, r]));
    expect(byId[discharged]).to.include({ expected: false, notExpected: 'discharged-by-as-of-date' });
    expect(byId[elsewhere]).to.include({ expected: false, notExpected: 'other-mortgagee', bankId: otherBank.record.id });
    // What it was compared against: the reply's transactions and the ledger height it read at.
    expect(report.basis.replyTxIds).to.have.length(2);
    expect(Number(report.basis.ledgerHeight)).to.be.greaterThan(0);
    expect(report.comparedSections).to.deep.equal(['loans', 'guaranteesByClient']);
    // The amounts are sealed to bank, registry and mortgagor: the report says they were not compared.
    expect(report.notCompared.map((n) => n.what)).to.include('amounts');
  });

  it('the CLI prints the same check, run from the SDK with the firm’s own keys (exit 1: exceptions)', function () {
    const out = spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', 'firm1/auditor1', 'cross-check', omitting], { encoding: 'utf8', env: process.env });
    expect(out.status, out.stderr).to.equal(1);
    expect(out.stdout).to.contain('MORTGAGE_NOT_IN_REPLY').and.contain(active).and.contain(`not expected (discharged-by-as-of-date)`);
    const json = spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', 'firm1/auditor1', 'cross-check', 'engagement', engagement.id, '--json'], { encoding: 'utf8', env: process.env });
    expect(json.status, json.stderr).to.equal(1);
    expect((JSON.parse(json.stdout) as { counts: Record<string, number> }).counts).to.include({ MORTGAGE_NOT_IN_REPLY: 1, MORTGAGEE_NOT_CONFIRMED: 1 });
  });

  it("a reply that states the registration correctly is not flagged; one naming the other bank's is reported as such", async function () {
    await answered(stating, [loan(`抵押: ${cert('A')}`), loan(`抵押: ${cert('O')}`)]);
    const report = (await gw.get(auditor, `/v1/confirmations/${stating}/cross-check`)).body as CrossCheckReport;
    expect(report.records.find((r) => r.id === active)).to.include({ expected: true, matchedBy: 'certificate-number' });
    expect(report.exceptions.map((e) => [e.code, e.recordId])).to.deep.equal([['MORTGAGEE_NOT_REPLYING_BANK', elsewhere]]);
    expect(report.exceptions[0].ledger).to.include({ mortgagee: otherBank.record.id });
    expect(report.exceptions[0].reply).to.include({ section: 'loans', row: '1', collateral: `抵押: ${cert('O')}` });
  });

  it('the engagement report: both letters, and the registration with a bank the engagement never asked', async function () {
    const res = await gw.get(auditor, `/v1/engagements/${engagement.id}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.letters.map((l: { confirmationId: string; checked: boolean }) => [l.confirmationId, l.checked]).sort()).to.deep.equal([[omitting, true], [stating, true]].sort());
    const codes = res.body.exceptions.map((e: { code: string; recordId?: string; confirmationId?: string }) => [e.code, e.recordId, e.confirmationId ?? null]);
    expect(codes).to.deep.include.members([
      ['MORTGAGE_NOT_IN_REPLY', active, omitting],
      ['MORTGAGEE_NOT_REPLYING_BANK', elsewhere, stating],
      ['MORTGAGEE_NOT_CONFIRMED', elsewhere, null],
    ]);
    expect(res.body.counts).to.deep.equal({ MORTGAGE_NOT_IN_REPLY: 1, MORTGAGEE_NOT_REPLYING_BANK: 1, MORTGAGEE_NOT_CONFIRMED: 1 });
  });

  it('recording a summary: counts only, sealed to firm and regulator; the regulator counts it by bank and code', async function () {
    type Stats = { checks: number; byBank: Array<{ bankId: string; checks: number; counts: Record<string, number> }> };
    const regulator = gw.demoCallers().regulator;
    const bank1 = (stats: Stats) => stats.byBank.find((b) => b.bankId === 'BANK1') ?? { checks: 0, counts: {} as Record<string, number> };
    const before = (await gw.get(regulator, '/v1/statistics/cross-checks')).body as Stats;
    const res = await gw.post(auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const recorded = (res.body as CrossCheckReport).recorded;
    expect(recorded?.txId).to.be.a('string');
    // Every member may read the block: the counts are not in it, sealed; nor, since the step is
    // sealed and the summary private data (issue 11), the request's id or its firm's.
    const block = await withLedger('operator', 'admin', (ledger) => evaluate(ledger.network.getContract('qscc'), 'GetBlockByTxID', [ledger.network.getName(), recorded?.txId ?? '']));
    expect(Buffer.from(block).includes('MORTGAGE_NOT_IN_REPLY')).to.equal(false);
    expect(Buffer.from(block).includes(omitting), `the block of ${recorded?.txId ?? ''} names ${omitting}`).to.equal(false);
    expect(Buffer.from(block).includes('crosscheck:Act')).to.equal(true);
    const after = (await gw.get(regulator, '/v1/statistics/cross-checks')).body as Stats;
    expect(bank1(after).checks).to.equal(bank1(before).checks + 1);
    expect(bank1(after).counts.MORTGAGE_NOT_IN_REPLY ?? 0).to.equal((bank1(before).counts.MORTGAGE_NOT_IN_REPLY ?? 0) + 1);
    expect(JSON.stringify(after)).not.to.contain('8000000');
    // The report now names the summary it was recorded as; only the regulator reads the statistics.
    expect((await gw.get(auditor, `/v1/confirmations/${omitting}/cross-check`)).body.recorded).to.include({ txId: recorded?.txId });
    expect((await gw.get(auditor, '/v1/statistics/cross-checks')).status).to.equal(403);
  });

  it("the evidence PDF carries the cross-check section, signed with it, and it verifies against the ledger", async function () {
    const res = await gw.getBytes(auditor, `/v1/confirmations/${omitting}/evidence.pdf`);
    const pdf = res.body as Buffer;
    expect(res.status, res.status === 200 ? '' : pdf.toString('utf8')).to.equal(200);
    const verdict = await gw.post(auditor, '/v1/evidence/verify', { pdf: pdf.toString('base64') });
    expect(verdict.status, JSON.stringify(verdict.body)).to.equal(200);
    const check = (verdict.body.checks as Array<{ id: string; status: string; detail: string }>).find((c) => c.id === 'cross-check');
    expect(check, JSON.stringify(verdict.body.checks)).to.include({ status: 'pass' });
    expect(check?.detail).to.contain('1 exception(s)').and.contain('VALID, by the firm');
    expect(verdict.body.ok).to.equal(true);
  });

  it('once the client revokes its grant the firm is refused again (gateway and CLI)', async function () {
    expect((await revoke()).status).to.equal(200);
    expect((await gw.get(auditor, `/v1/confirmations/${stating}/cross-check`)).body.error.code).to.equal('MORTGAGE_ACCESS_NOT_GRANTED');
    const out = spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', 'firm1/auditor1', 'cross-check', stating], { encoding: 'utf8', env: process.env });
    expect(out.status).to.equal(1);
    expect(out.stderr).to.contain('FORBIDDEN').and.contain('has not granted');
  });
});
