import { expect } from 'chai';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from '../support/browser';
import { E2E_TENANTS, type Caller, TestGateway } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { networkScript, uniqueName } from '../support/network';
import { evidenceCaPem, pdfsig } from '../support/pdfsig';
import { receivableTenants, type ReceivableTenants } from '../support/receivables';

/**
 * The portal's receivable views (clients/portal/src/views/receivables.ts) in a real browser: the core
 * enterprise confirms what its supplier registered, the supplier splits it and asks a bank for
 * financing on one part and downloads that part's voucher (电子债权凭证, its own signed PDF: offered
 * only once the obligor confirmed), the bank finances it; amounts shown opened for each party, each
 * step checked on the ledger through the API.
 */
describe('portal e2e: receivables in a real browser', function () {
  this.timeout(300_000);
  const run = uniqueName('pr');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  // 12,345,678.90 yuan and change: shown formatted by the portal, never as a float.
  const amountMinor = `${1_234_567_890 + randomInt(1000) * 100}`;
  const id = `RCV-${run}`;
  let gw: TestGateway;
  let parties: ReceivableTenants;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  const files: Record<string, string> = {};
  const callers: Record<string, Caller> = {};
  const pageErrors: string[] = [];

  function credentialFile(name: string, tenantId: string, identityName: string): void {
    const issued = gw.credentials.issue({ tenantId, identityName });
    callers[name] = { credentialId: issued.credential.id, privateJwk: issued.privateJwk };
    files[name] = path.join(dir, `${tenantId}.${identityName}.json`);
    writeFileSync(files[name], JSON.stringify({ credentialId: issued.credential.id, audience: gw.config.audience, role: issued.credential.role, privateJwk: issued.privateJwk }), { mode: 0o600 });
  }

  async function signIn(who: string): Promise<void> {
    await page.goto(`${base}/portal/`);
    await page.waitForSelector('#sign-in, [data-testid=whoami]');
    if (await page.locator('[data-testid=whoami]').count()) {
      await page.click('#sign-out');
      await page.waitForSelector('#sign-in');
    }
    await page.setInputFiles('#credential-file', files[who]);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('[data-testid=whoami]');
  }

  async function openReceivable(receivableId: string): Promise<void> {
    await page.goto(`${base}/portal/#/r/${encodeURIComponent(receivableId)}`);
    await page.waitForSelector(`#receivable-detail[data-id="${receivableId}"]`);
  }

  async function act(action: string, fill: Record<string, string>, expectedState: string): Promise<void> {
    for (const [name, value] of Object.entries(fill)) await page.fill(`form[data-receivable-action="${action}"] [name="${name}"]`, value);
    await page.click(`form[data-receivable-action="${action}"] button[type=submit]`);
    await page.waitForSelector(`#receivable-state[data-state="${expectedState}"], #error:not([hidden])`);
    expect(await page.locator('#error:not([hidden])').count() ? await page.textContent('#error') : '', `${action} shows no error`).to.equal('');
  }

  async function ledgerState(receivableId: string): Promise<string> {
    return ((await gw.get(callers.core, `/v1/receivables/${receivableId}`)).body as { state: string }).state;
  }

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'BANK1', 'REGULATOR');
    parties = await receivableTenants(tag);
    // The supplier issues its vouchers with its own evidence certificate.
    networkScript('identity.sh', 'evidence', 'operator', parties.supA.record.id);
    const port = await freePort();
    gw = await TestGateway.start({ publicUrl: `http://127.0.0.1:${port}`, tenants: [...E2E_TENANTS, ...parties.tenants] });
    await gw.app.listen(port, '127.0.0.1');
    base = gw.config.publicUrl;
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-portal-receivable-'));
    credentialFile('core', 'core', parties.identities.core);
    credentialFile('supplier', 'supa', parties.identities.supa);
    credentialFile('officer', 'bank1', 'officer1');
    credentialFile('regulator', 'regulator', 'regulator1');
    // The platform's limit and the supplier's registration, over the API as their own systems would.
    const admin = gw.custodial('operator', 'admin');
    const limitUrl = `/v1/receivables/limits/${parties.core.record.id}`;
    const limit = await gw.http().put(limitUrl).set('Authorization', await gw.bearer(admin, 'PUT', limitUrl)).send({ amountMinor: '999999999999', currency: 'CNY' });
    expect(limit.status, JSON.stringify(limit.body)).to.equal(200);
    const today = new Date().toISOString().slice(0, 10);
    const registered = await gw.post(callers.supplier, '/v1/receivables', { id, obligorId: parties.core.record.id, amountMinor, currency: 'CNY', issueDate: today, maturityDate: '2027-06-30', contractNumber: `HT-${tag}`, invoiceNumbers: [`INV-${tag}`] });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timezoneId: 'Asia/Shanghai' });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async function () {
    await context?.close();
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the core enterprise finds the receivable to confirm, sees its amount opened and confirms it', async function () {
    await signIn('core');
    await page.click('nav a[href="#/receivables"]');
    await page.waitForSelector('#receivables');
    await page.selectOption('#receivable-state-filter', 'registered');
    await page.waitForSelector('#receivables[data-state="registered"]');
    await page.click(`#receivable-list a[href="#/r/${encodeURIComponent(id)}"]`);
    await page.waitForSelector(`#receivable-detail[data-id="${id}"]`);
    const yuan = `${amountMinor.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${amountMinor.slice(-2)}`;
    expect(await page.textContent('#receivable-amount')).to.equal(`${yuan} CNY`);
    expect(await page.locator('form[data-receivable-action="split"]').count(), 'the obligor is offered no split').to.equal(0);
    expect(await page.locator('#receivable-voucher').count(), 'no voucher before confirmation').to.equal(0);
    await act('confirm', {}, 'confirmed');
    expect(await ledgerState(id)).to.equal('confirmed');
    expect(await page.locator('#receivable-voucher').count(), 'the voucher once confirmed').to.equal(1);
  });

  it('the supplier splits it in two and asks BANK1 to finance the first part', async function () {
    await signIn('supplier');
    await openReceivable(id);
    const first = (BigInt(amountMinor) - 100_000n).toString();
    await act('split', { parts: `${first},100000` }, 'split');
    expect(await ledgerState(`${id}-1`)).to.equal('confirmed');
    await openReceivable(`${id}-1`);
    await act('request-financing', { bankId: 'BANK1' }, 'financing-requested');
  });

  it("the supplier downloads the part's voucher: its own signed PDF, valid and trusted for pdfsig", async function () {
    await signIn('supplier');
    await openReceivable(`${id}-1`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#receivable-voucher')]);
    expect(download.suggestedFilename()).to.equal(`${id}-1-voucher.pdf`);
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    expect(pdfsig(file, evidenceCaPem('operator')))
      .to.match(/Signature Validation: Signature is Valid\./)
      .and.match(/Certificate Validation: Certificate is Trusted\./)
      .and.contain(`${parties.supA.record.id}-evidence@operator`);
    await page.waitForSelector('#voucher-status:has-text("downloaded")');
    expect(pageErrors).to.deep.equal([]);
  });

  it('the bank sees the request with the amount opened and finances it; the lien shows', async function () {
    await signIn('officer');
    await openReceivable(`${id}-1`);
    expect(await page.textContent('#receivable-amount')).to.contain('CNY');
    expect(await page.textContent('#receivable-amount')).not.to.contain('sealed');
    await act('finance', { financingId: `FIN-${tag}` }, 'financed');
    expect(await page.textContent('#receivable-bank')).to.contain(`BANK1 · FIN-${tag}`);
    expect(await ledgerState(`${id}-1`)).to.equal('financed');
    expect(pageErrors).to.deep.equal([]);
  });

  it("the regulator sees the receivable statistics — counts and a chart by state, this obligor's two parts, one financed, no amount", async function () {
    await signIn('regulator');
    await page.click('nav a[href="#/receivables"]');
    await page.waitForSelector('#receivable-stats');
    const obligorRow = page.locator('#receivable-stats-obligors tr', { hasText: parties.core.record.id });
    expect((await obligorRow.locator('td').allTextContents()).slice(0, 3)).to.deep.equal([parties.core.record.id, '2', '1']);
    const financedBar = page.locator('#receivable-state-chart rect[data-key="financed"]');
    expect(Number(await financedBar.getAttribute('data-value'))).to.be.at.least(1);
    expect(Number(await financedBar.getAttribute('width'))).to.be.greaterThan(0);
    expect(await page.getAttribute('#receivable-state-chart', 'role')).to.equal('img');
    const yuan = `${amountMinor.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${amountMinor.slice(-2)}`;
    expect(await page.textContent('#receivable-stats')).not.to.contain(yuan);
    expect(pageErrors).to.deep.equal([]);
  });
});
