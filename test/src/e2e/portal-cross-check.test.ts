import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from '../support/browser';
import { CrossCheckWorld } from '../support/cross-check';

/**
 * The portal's cross-check views (clients/portal/src/views/cross-check.ts) in a real browser: the
 * auditor sees the omitted registration and the omitted financed receivable on the confirmation,
 * records the summary, follows the engagement page to every exception; the regulator sees the
 * counts by bank.
 */
describe('portal e2e: cross-checks in a real browser', function () {
  this.timeout(300_000);
  const world = new CrossCheckWorld('pxc');
  const omitting = `CF-${world.run}-P`;
  const receivable = `RCV-${world.run}`;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  let base: string;
  const files: Record<string, string> = {};
  const pageErrors: string[] = [];

  function credentialFile(name: string, tenantId: string, identityName: string): void {
    const issued = world.gw.credentials.issue({ tenantId, identityName });
    files[name] = path.join(dir, `${tenantId}.${identityName}.json`);
    writeFileSync(files[name], JSON.stringify({ credentialId: issued.credential.id, audience: world.gw.config.audience, role: issued.credential.role, privateJwk: issued.privateJwk }), { mode: 0o600 });
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

  before(async function () {
    const port = await freePort();
    await world.setUp({ publicUrl: `http://127.0.0.1:${port}` }, { withObligor: true });
    await world.gw.app.listen(port, '127.0.0.1');
    base = world.gw.config.publicUrl;
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-portal-xc-'));
    credentialFile('auditor', 'firm1', 'auditor1');
    credentialFile('regulator', 'regulator', 'regulator1');
    expect((await world.grant()).status).to.equal(201);
    await world.financedReceivable(receivable, `FIN-${world.run}`, '30000000', `${world.year + 1}-06-30`);
    expect((await world.grantReceivables()).status).to.equal(201);
    // The letter asks for discounted bills too; the bank states none.
    await world.answered(omitting, [], 'auditor-accepted', []);
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timezoneId: 'Asia/Shanghai' });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async function () {
    await context?.close();
    await world.gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the confirmation view shows the registered mortgage the reply omits, with the ledger side', async function () {
    await signIn('auditor');
    await page.goto(`${base}/portal/#/c/${encodeURIComponent(omitting)}`);
    await page.waitForSelector('#cross-check-exceptions [data-code=MORTGAGE_NOT_IN_REPLY]');
    const text = await page.textContent('#cross-check-exceptions');
    expect(text).to.contain(world.active).and.contain('BANK1');
    expect(await page.textContent('#cross-check-records')).to.contain(world.discharged).and.contain(world.elsewhere);
  });

  it('shows the financed receivable the reply omits from its discounted bills, with the lien bank', async function () {
    await page.waitForSelector('#cross-check-exceptions [data-code=FINANCED_RECEIVABLE_NOT_IN_REPLY]');
    const row = page.locator('#cross-check-exceptions tr', { has: page.locator('[data-code=FINANCED_RECEIVABLE_NOT_IN_REPLY]') });
    expect(await row.textContent()).to.contain(receivable).and.contain('lienBank').and.contain('BANK1');
    expect(await page.textContent('#cross-check-records')).to.contain(receivable).and.contain('应收账款 receivable');
  });

  it('records the summary for the regulator', async function () {
    await page.click('#cross-check-record');
    await page.waitForSelector('#cross-check-recorded');
  });

  it('the engagement page lists every exception of the engagement', async function () {
    await page.click('#engagement-link');
    await page.waitForSelector(`#engagement[data-id="${world.engagement.id}"]`);
    const codes = await page.locator('#cross-check-exceptions [data-code]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-code')));
    expect(codes).to.include.members(['MORTGAGE_NOT_IN_REPLY', 'MORTGAGEE_NOT_CONFIRMED', 'FINANCED_RECEIVABLE_NOT_IN_REPLY']);
  });

  it('the regulator sees counts by bank and code, no amounts', async function () {
    await signIn('regulator');
    await page.goto(`${base}/portal/#/statistics`);
    await page.waitForSelector('#cross-check-by-bank');
    const text = await page.textContent('#cross-check-statistics');
    expect(text).to.contain('BANK1').and.contain('MORTGAGE_NOT_IN_REPLY');
    expect(text).not.to.contain('8000000');
    expect(pageErrors).to.deep.equal([]);
  });
});
