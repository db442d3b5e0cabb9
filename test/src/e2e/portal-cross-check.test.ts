import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from '../support/browser';
import { CrossCheckWorld } from '../support/cross-check';
import { REPO_ROOT } from '../support/network';

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
    // The firm's engagement links to its page (evidence bundle, exceptions) from every letter.
    expect(await page.getAttribute('#engagement-page', 'href')).to.equal(`#/e/${encodeURIComponent(world.engagement.id)}`);
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

  it('the engagement page makes the evidence bundle with a progress bar and saves it as one JSON file that econfirm verify accepts', async function () {
    await page.waitForSelector('#bundle-generate');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bundle-generate')]);
    expect(download.suggestedFilename()).to.equal(`${world.engagement.id}-evidence-bundle.json`);
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    await page.waitForSelector('#bundle-status:has-text("downloaded")');
    // The bar ended full: as many letters signed as the engagement has.
    const bar = await page.locator('#bundle-progress').evaluate((p) => ({ value: Number(p.getAttribute('value')), max: Number(p.getAttribute('max')) }));
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { manifestJws: string; files: Record<string, string> };
    expect(bar.max).to.equal(Object.keys(saved.files).length).and.to.be.greaterThan(0);
    expect(bar.value).to.equal(bar.max);
    expect(Object.keys(saved.files)).to.include(`${omitting}.pdf`);
    const cli = spawnSync('node', [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', 'firm1/auditor1', 'verify', file], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(cli.status, cli.stdout + cli.stderr).to.equal(0);
    expect(cli.stdout).to.match(/manifest PASS OK/);
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
