import type { CrossCheckReport, CrossCheckStatistics, EngagementCrossCheck } from '@econfirm/common';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { randomInt } from 'node:crypto';
import { CrossCheckWorld } from '../support/cross-check';
import { demoKeyStore, ensureDemoInstitutions, freshRegistrationId, registerFresh, type HeldInstitution } from '../support/institutions';
import { networkScript, REPO_ROOT, uniqueName, withLedger } from '../support/network';

/**
 * Cross-checks of a customer's reply to a receivable confirmation against the receivables on the
 * same ledger (issue 14), over HTTP on the real network: the run's fresh client
 * (test/src/support/cross-check.ts) holds a receivable its fresh customer (the obligor) confirmed,
 * and one it cancelled; the customer's replies to the firm's balance confirmations deny the
 * auditor's listed balance (a zero balance) or agree with it. The firm reads the client's
 * receivables only under the client's receivable grant; no mortgage grant is given in this run: a
 * receivable confirmation's check reads no registrations.
 */
describe('gateway e2e: cross-checks of receivable confirmations against the receivables between client and customer', function () {
  this.timeout(300_000);
  const world = new CrossCheckWorld('xcb');
  const { run, engagement } = world;
  const confirmed = `RCV-${run}-C`;
  const cancelled = `RCV-${run}-X`;
  const maturity = `${world.year + 1}-06-30`;
  const amountMinor = `${30_000_000 + randomInt(1_000_000)}`;
  const denying = `CF-${run}-BDENY`;
  const agreeing = `CF-${run}-BOK`;
  const pending = `CF-${run}-BPEND`;
  let invoiceNumber = '';
  let gw: CrossCheckWorld['gw'];
  let otherFirm: HeldInstitution;
  let otherAuditor: ReturnType<CrossCheckWorld['gw']['custodial']>;

  const ofReceivables = (report: CrossCheckReport) => report.exceptions.map((e) => [e.code, e.recordId]);
  const balance = (): Record<string, string> => ({ documentRef: `发票 ${invoiceNumber}`, date: engagement.asOfDate, currency: 'CNY', amount: '300000.00', description: '钢材货款' });

  before(async function () {
    // A second audit firm (its own registry record, an auditor under Firm1MSP) for the refusals.
    await ensureDemoInstitutions('FIRM1', 'BANK1', 'REGULATOR', 'MREG1');
    otherFirm = await withLedger('operator', 'admin', (admin) =>
      registerFresh(admin, { id: `XF-${world.tag}`, kind: 'audit-firm', mspId: 'Firm1MSP', nameZh: '另一会计师事务所', nameEn: `Other Firm ${world.tag}`, registrationId: freshRegistrationId('91F') }));
    demoKeyStore().save(otherFirm.keys);
    const otherAuditorName = uniqueName('xfa');
    networkScript('identity.sh', 'issue', 'firm1', otherAuditorName, 'auditor', otherFirm.record.id);
    await world.setUp({}, { withObligor: true, tenants: [{ id: 'xfirm', institutionId: otherFirm.record.id, orgKey: 'firm1' }] });
    gw = world.gw;
    otherAuditor = gw.custodial('xfirm', otherAuditorName);
    invoiceNumber = await world.receivable(confirmed, amountMinor, maturity, 'confirmed');
    await world.receivable(cancelled, '5000000', maturity, 'cancelled');
    // The auditor lists the balance; the customer states it is nil, or agrees.
    await world.counterpartyAnswered(denying, [balance()], [{ section: 'balances', row: 0, field: 'amount', stated: '300000.00', actual: '0.00', note: '已结清 settled' }]);
    await world.counterpartyAnswered(agreeing, [balance()], []);
    await world.counterpartyAnswered(pending, [balance()], [], 'replied');
  });

  after(async function () {
    await world.gw?.close();
  });

  it('a reply the auditor has not accepted yet stays not ready (409 CROSS_CHECK_NOT_READY)', async function () {
    const res = await gw.get(world.auditor, `/v1/confirmations/${pending}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(409);
    expect(res.body.error.code).to.equal('CROSS_CHECK_NOT_READY');
    expect(res.body.error.message).to.contain('once the auditor has accepted it');
  });

  it("without the client's receivable grant the report says the comparison was not made (RECEIVABLE_ACCESS_NOT_GRANTED), no mortgage grant asked for", async function () {
    const res = await gw.get(world.auditor, `/v1/confirmations/${denying}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const report = res.body as CrossCheckReport;
    expect(report.exceptions).to.deep.equal([]);
    expect(report.records).to.deep.equal([]);
    expect(report.comparedSections).to.deep.equal([]);
    expect(report.notCompared.map((n) => n.code)).to.deep.equal(['RECEIVABLE_ACCESS_NOT_GRANTED']);
  });

  it('a bank, the customer itself and another firm cannot run it; the firm’s auditor can', async function () {
    expect((await gw.get(world.auditor, `/v1/confirmations/${denying}/cross-check`)).status).to.equal(200);
    const customer = gw.custodial('xobligor', world.obligorSigner);
    for (const other of [world.officer, customer, world.clientSigner]) {
      const refused = await gw.get(other, `/v1/confirmations/${denying}/cross-check`);
      expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
      expect(refused.body.error.code).to.equal('FORBIDDEN');
    }
    // Another firm's auditor: the request is not its own — to it the request does not exist.
    const stranger = await gw.get(otherAuditor, `/v1/confirmations/${denying}/cross-check`);
    expect(stranger.status, JSON.stringify(stranger.body)).to.equal(404);
    expect(stranger.body.error.code).to.equal('NOT_FOUND');
    expect((await gw.post(otherAuditor, `/v1/confirmations/${denying}/cross-check`, {})).status).to.equal(404);
  });

  it('with the grant, a reply stating a nil balance for a confirmed receivable is flagged, both sides shown; the cancelled one is not expected', async function () {
    const granted = await world.grantReceivables();
    expect(granted.status, JSON.stringify(granted.body)).to.equal(201);
    const res = await gw.get(world.auditor, `/v1/confirmations/${denying}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const report = res.body as CrossCheckReport;
    expect(ofReceivables(report)).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', confirmed]]);
    const flagged = report.exceptions[0];
    expect(flagged.ledger).to.include({ id: confirmed, state: 'confirmed', holder: world.client.record.id, obligor: world.obligor?.record.id, maturityDate: maturity });
    expect(flagged.reply).to.include({ section: 'balances', row: '0', amount: '0.00' });
    expect(report.comparedSections).to.deep.equal(['balances', 'otherItems']);
    expect(report.records.map((r) => [r.id, r.expected, r.notExpected ?? null, r.matchedBy ?? null]).sort()).to.deep.equal([
      [confirmed, true, null, 'invoice-number'],
      [cancelled, false, 'closed-by-as-of-date', null],
    ]);
    expect(report.notCompared.map((n) => n.code)).not.to.include('RECEIVABLE_ACCESS_NOT_GRANTED');
  });

  it('a reply that states the balance is not flagged; the sealed amount is reported as not compared, never guessed', async function () {
    const report = (await gw.get(world.auditor, `/v1/confirmations/${agreeing}/cross-check`)).body as CrossCheckReport;
    expect(report.exceptions).to.deep.equal([]);
    expect(report.records.find((r) => r.id === confirmed)).to.include({ expected: true, matchedBy: 'invoice-number', amountReadable: false });
    expect(report.notCompared.find((n) => n.code === 'RECEIVABLE_AMOUNT_NOT_COMPARABLE')).to.include({ recordId: confirmed });
    expect(JSON.stringify(report)).not.to.contain(amountMinor);
  });

  it('the engagement report lists the counterparty letters, checked or why not, with their exceptions; no mortgage grant needed', async function () {
    const res = await gw.get(world.auditor, `/v1/engagements/${engagement.id}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const report = res.body as EngagementCrossCheck;
    expect(Object.fromEntries(report.letters.map((l) => [l.confirmationId, l.checked]))).to.deep.equal({ [denying]: true, [agreeing]: true, [pending]: false });
    expect(report.letters.find((l) => l.confirmationId === pending)?.reason).to.match(/once the auditor has accepted it/);
    expect(report.exceptions.map((e) => [e.code, e.recordId, e.confirmationId])).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', confirmed, denying]]);
    expect(report.counts).to.deep.equal({ RECEIVABLE_BALANCE_NOT_STATED: 1 });
  });

  it('the recorded summary reaches the regulator’s counts under the customer, apart from the banks', async function () {
    const recorded = await gw.post(world.auditor, `/v1/confirmations/${denying}/cross-check`, {});
    expect(recorded.status, JSON.stringify(recorded.body)).to.equal(201);
    expect(recorded.body.recorded.txId).to.be.a('string');
    const stats = (await gw.get(world.regulator, '/v1/statistics/cross-checks')).body as CrossCheckStatistics;
    const customer = stats.byCounterparty.find((c) => c.responderId === world.obligor?.record.id);
    expect(customer).to.deep.include({ checks: 1, withExceptions: 1, counts: { RECEIVABLE_BALANCE_NOT_STATED: 1 } });
    expect(stats.byBank.map((b) => b.bankId)).not.to.include(world.obligor?.record.id);
  });

  it('the evidence PDF carries the cross-check section, signed with it, and it verifies against the ledger', async function () {
    const url = `/v1/confirmations/${denying}/evidence.pdf`;
    const res = await gw.getBytes(world.auditor, url);
    const pdf = res.body as Buffer;
    expect(res.status, res.status === 200 ? '' : pdf.toString('utf8')).to.equal(200);
    const verdict = await gw.post(world.auditor, '/v1/evidence/verify', { pdf: pdf.toString('base64') });
    expect(verdict.status, JSON.stringify(verdict.body)).to.equal(200);
    const check = (verdict.body.checks as Array<{ id: string; status: string; detail: string }>).find((c) => c.id === 'cross-check');
    expect(check, JSON.stringify(verdict.body.checks)).to.include({ status: 'pass' });
    expect(check?.detail).to.contain('1 exception(s)').and.contain('VALID, by the firm');
    expect(verdict.body.ok).to.equal(true);
  });

  it('the CLI runs the same check with the firm’s keys', async function () {
    const out = spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', 'firm1/auditor1', 'cross-check', denying], { encoding: 'utf8', env: process.env });
    expect(out.status, out.stderr).to.equal(1);
    expect(out.stdout).to.contain('RECEIVABLE_BALANCE_NOT_STATED').and.contain(confirmed).and.contain(`responder ${world.obligor?.record.id}`);
  });
});
