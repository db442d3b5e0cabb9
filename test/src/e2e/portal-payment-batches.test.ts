import { chainInfo } from '@econfirm/sdk';
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from '../support/browser';
import { type Caller, TestGateway } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { uniqueName, withLedger } from '../support/network';
import { payeeCsv, payeeRows } from '../support/payment-batch-files';

/**
 * The portal's payment-batch view (clients/portal/src/views/payment-batches.ts) in a real browser:
 * BANK1's officer downloads the template, uploads a file with bad lines and sees each one refused
 * with nothing settled, then a good file whose stages the progress bar follows from
 * GET /v1/payment-batches/imports/{key} until the settled batch (id, count, total) shows; the
 * ledger is checked through the API. Then the list and a batch's page (#/pb/{id}): the officer's
 * list shows the batch and its page every line and the total; the reviewer reads them too but is
 * not offered the import; the regulator names the payer and reads the summary only; the client
 * signer of another payer (CLIENT1) sees its own batch with its lines and none of ENT1's.
 */
describe('portal e2e: payment-batch import in a real browser', function () {
  this.timeout(300_000);
  const run = uniqueName('ppb');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  let gw: TestGateway;
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

  /** Signs in as a reader other than the bank's officer and opens the batches from the nav: no import form. */
  async function openBatchesAs(who: string, shown: string): Promise<void> {
    await signIn(who);
    await page.click('#nav a[href="#/payment-batches"]');
    await page.waitForSelector(shown);
    expect(await page.locator('#pb-upload').count(), 'no import form').to.equal(0);
  }

  /** The list page after page (the ledger's bookmarks, Next): `visit` reads each page and says whether to stop there. */
  async function eachListPage(visit: () => Promise<boolean>): Promise<boolean> {
    await page.waitForSelector('#pb-list, #pb-list-empty');
    for (let pageNo = 1; pageNo <= 50; pageNo++) {
      if (await visit()) return true;
      const next = page.locator('#pb-next');
      if (!(await next.isEnabled())) return false;
      await next.click();
      await page.waitForSelector(`#pb-batches[data-page="${pageNo + 1}"]`);
    }
    throw new Error('more than 50 pages');
  }

  /** The cells of the batch's row, on whichever page of the list it is. */
  async function findInList(id: string): Promise<string[]> {
    const row = page.locator('#pb-list tbody tr', { has: page.locator(`a[href="#/pb/${encodeURIComponent(id)}"]`) });
    if (!(await eachListPage(async () => (await row.count()) > 0))) throw new Error(`${id} is on no page of the list`);
    return row.locator('td').allTextContents();
  }

  /** Every batch id of the list, page after page. */
  async function listedIds(): Promise<string[]> {
    const ids: string[] = [];
    await eachListPage(async () => {
      ids.push(...(await page.locator('#pb-list tbody tr td:first-child').allTextContents()));
      return false;
    });
    return ids;
  }

  async function fillForm(id: string): Promise<void> {
    await page.fill('#pb-payerId', 'ENT1');
    await page.fill('#pb-instructionReference', `ZL-${tag}`);
    await page.fill('#pb-id', id);
  }

  const height = (): Promise<bigint> => withLedger('bank1', 'officer1', async (ledger) => (await chainInfo(ledger.network)).height);
  const yuanOf = (minor: string): string => `${minor.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${minor.slice(-2)}`;
  const okId = `PB-${run}-ok`;
  const ok = payeeRows(300, tag);
  const cells = (selector: string): Promise<string[][]> => page.locator(`${selector} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));

  before(async function () {
    // The regulator is registered before anything settles: summaries are sealed to the active regulators.
    await ensureDemoInstitutions('BANK1', 'ENT1', 'CLIENT1', 'REGULATOR');
    const port = await freePort();
    gw = await TestGateway.start({ publicUrl: `http://127.0.0.1:${port}` });
    await gw.app.listen(port, '127.0.0.1');
    base = gw.config.publicUrl;
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-portal-pb-'));
    credentialFile('officer', 'bank1', 'officer1');
    credentialFile('reviewer', 'bank1', 'reviewer1');
    credentialFile('regulator', 'regulator', 'regulator1');
    credentialFile('client', 'client1', 'client1');
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, acceptDownloads: true });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async function () {
    await context?.close();
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the officer downloads the template; a file with bad lines is refused line by line and nothing is settled', async function () {
    await signIn('officer');
    await page.click('#nav a[href="#/payment-batches"]');
    await page.waitForSelector('#pb-upload');
    const [template] = await Promise.all([page.waitForEvent('download'), page.click('#pb-template')]);
    expect(template.suggestedFilename()).to.equal('payment-batch.csv');
    expect(readFileSync(await template.path(), 'utf8')).to.equal('payeeReference,amount\r\n');

    const id = `PB-${run}-bad`;
    await fillForm(id);
    const bad = path.join(dir, 'payees-bad.csv');
    writeFileSync(bad, payeeCsv([{ payeeReference: `6217 ${tag} 1`, amount: '3500.50' }, { payeeReference: `6217 ${tag} 2`, amount: '1.005' }, { payeeReference: `6217 ${tag} 1`, amount: '20' }]));
    const before = await height();
    await page.setInputFiles('#pb-file', bad);
    await page.click('#pb-upload button[type=submit]');
    await page.waitForSelector('#pb-issues');
    expect(await page.getAttribute('#error [data-code]', 'data-code')).to.equal('ROWS_INVALID');
    expect(await cells('#pb-issues')).to.deep.equal([
      ['3', 'amount', '1.005 has more than 2 decimals: it is not a whole number of fen'],
      ['4', 'payeeReference', 'the same payee as line 2: a payee is paid once per batch'],
    ]);
    expect(await page.getAttribute('#pb-stage', 'data-stage')).to.equal('refused');
    expect(await page.locator('#pb-settled').count()).to.equal(0);
    expect(await height(), 'a refused file reaches no block').to.equal(before);
    expect((await gw.get(callers.officer, `/v1/payment-batches/${id}`)).status).to.equal(404);
  });

  it('a good file settles one batch: the progress bar follows its stages from the gateway, then the batch shows with its count and total', async function () {
    const id = okId;
    const { rows, totalMinor } = ok;
    const good = path.join(dir, 'payees.csv');
    writeFileSync(good, payeeCsv(rows));
    // The stages the page was told, from the progress route's answers.
    const stages: string[] = [];
    // The answers the page got, in the order they came: progress reads and the upload's own answer.
    const answers: string[] = [];
    page.on('response', (res) => {
      if (res.request().method() === 'POST' && res.url().endsWith('/v1/payment-batches/import')) answers.push('upload');
      if (!res.url().includes('/v1/payment-batches/imports/')) return;
      answers.push('progress');
      if (res.status() !== 200) return;
      void res.json().then((body: { stage: string }) => stages.push(body.stage)).catch(() => undefined);
    });
    const uploads: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && req.url().endsWith('/v1/payment-batches/import')) uploads.push(req.headers()['idempotency-key'] ?? '');
    });
    await fillForm(id);
    const before = await height();
    await page.setInputFiles('#pb-file', good);
    await page.click('#pb-upload button[type=submit]');
    await page.waitForSelector('#pb-settled, #error:not([hidden])', { timeout: 120_000 });
    expect(await page.locator('#error:not([hidden])').count() ? await page.textContent('#error') : '', 'no error shown').to.equal('');

    expect(await page.getAttribute('#pb-settled', 'data-id')).to.equal(id);
    expect(await page.textContent('#pb-settled-count')).to.equal('300');
    expect(await page.textContent('#pb-settled-total')).to.equal(`${yuanOf(totalMinor)} CNY`);
    expect(await page.getAttribute('#pb-stage', 'data-stage')).to.equal('committed');
    expect(await page.getAttribute('#pb-progress', 'value')).to.equal(await page.getAttribute('#pb-progress', 'max'));
    expect(uploads).to.have.length(1);
    expect(uploads[0]).to.match(/^[0-9a-f-]{36}$/);
    const order = ['validating', 'endorsing', 'ordering', 'committed'];
    expect(stages.at(-1), `stages the page read: ${stages.join(' → ')}`).to.equal('committed');
    // Read while the upload ran, not only once it was answered. Which stages a read catches depends on
    // how fast the ledger settles (a block may be cut before the first read of the key): that the page
    // asked before the answer came, and that what it read never went backwards, does not.
    expect(answers.indexOf('progress'), `answers in order: ${answers.join(', ')}`).to.be.within(0, answers.indexOf('upload') - 1);
    expect(stages.map((s) => order.indexOf(s)), stages.join(' → ')).to.satisfy((at: number[]) => at.every((n, i) => n >= 0 && (i === 0 || n >= (at[i - 1] as number))));

    // On the ledger: one block, the batch the page showed, its total as the bank opens it.
    expect(await height()).to.equal(before + 1n);
    const onLedger = await gw.get(callers.officer, `/v1/payment-batches/${id}`);
    expect(onLedger.status).to.equal(200);
    expect(onLedger.body).to.include({ id, count: 300, payerId: 'ENT1', bankId: 'BANK1' });
    expect(onLedger.body.summary.content.total).to.equal(totalMinor);
    const progress = await gw.get(callers.officer, `/v1/payment-batches/imports/${uploads[0]}`);
    expect(progress.body).to.include({ stage: 'committed', batchId: id, lines: 300, totalMinor });
  });

  it("after the import the officer's list shows the batch; its page shows every line and the total", async function () {
    // The list under the form was read again once the batch settled: no reload.
    const row = await findInList(okId);
    expect(row.slice(0, 6)).to.deep.equal([okId, 'ENT1', 'BANK1', '300', `${yuanOf(ok.totalMinor)} CNY`, '已结算 settled']);
    expect(row[6]).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    await page.click(`#pb-list a[href="#/pb/${encodeURIComponent(okId)}"]`);
    await page.waitForSelector(`#pb-detail[data-id="${okId}"]`);
    expect(await page.textContent('#pb-count')).to.equal('300');
    expect(await page.textContent('#pb-total')).to.equal(`${yuanOf(ok.totalMinor)} CNY`);
    expect(await page.textContent('#pb-instruction')).to.equal(`ZL-${tag}`);
    expect(await cells('#pb-lines')).to.deep.equal(ok.rows.map((r, i) => [String(i + 1), r.payeeReference, yuanOf(ok.amountsMinor[i] as string)]));
    expect(await page.locator('#pb-lines-sealed').count()).to.equal(0);
  });

  it('the reviewer reads the list and the lines, and is not offered the import', async function () {
    await openBatchesAs('reviewer', '#pb-not-offered');
    expect((await findInList(okId)).slice(0, 4)).to.deep.equal([okId, 'ENT1', 'BANK1', '300']);
    await page.goto(`${base}/portal/#/pb/${encodeURIComponent(okId)}`);
    await page.waitForSelector(`#pb-detail[data-id="${okId}"]`);
    expect(await page.locator('#pb-lines tbody tr').count()).to.equal(300);
  });

  it('the regulator names the payer and sees the summary (count, total) but no line, and why', async function () {
    await openBatchesAs('regulator', '#pb-list-empty');
    await page.fill('#pb-party', 'ENT1');
    await page.click('#pb-party-form button[type=submit]');
    await page.waitForSelector('#pb-batches[data-party="ENT1"]');
    expect((await findInList(okId)).slice(0, 5)).to.deep.equal([okId, 'ENT1', 'BANK1', '300', `${yuanOf(ok.totalMinor)} CNY`]);
    await page.click(`#pb-list a[href="#/pb/${encodeURIComponent(okId)}"]`);
    await page.waitForSelector(`#pb-detail[data-id="${okId}"]`);
    expect(await page.textContent('#pb-total')).to.equal(`${yuanOf(ok.totalMinor)} CNY`);
    expect(await page.textContent('#pb-count')).to.equal('300');
    expect(await page.locator('#pb-lines').count()).to.equal(0);
    expect(await page.getAttribute('#pb-lines-sealed', 'data-readable')).to.equal('not-addressed');
    expect(await page.textContent('#pb-lines-sealed')).to.contain('payer and the paying bank');
    expect(await page.textContent('#pb-detail')).not.to.contain(ok.rows[0]?.payeeReference as string);
    // Back (the browser's, then the page's link): the list is the party named, not asked anew.
    await page.goBack();
    await page.waitForSelector('#pb-batches[data-party="ENT1"] #pb-list');
    expect(await page.inputValue('#pb-party')).to.equal('ENT1');
    await page.click(`#pb-list a[href="#/pb/${encodeURIComponent(okId)}"]`);
    await page.waitForSelector(`#pb-detail[data-id="${okId}"]`);
    await page.click('a[href="#/payment-batches"]');
    await page.waitForSelector('#pb-batches[data-party="ENT1"] #pb-list');
  });

  it("another payer's client signer sees its own batch and lines, none of ENT1's, and ENT1's page is refused", async function () {
    const clientBatch = `PB-${run}-c1`;
    const lines = [{ payeeReference: `6222 ${tag} A`, amountMinor: '120050' }, { payeeReference: `6222 ${tag} B`, amountMinor: '7' }];
    const settled = await gw.post(callers.officer, '/v1/payment-batches', { id: clientBatch, payerId: 'CLIENT1', currency: 'CNY', instructionReference: `ZL-${tag}-C1`, lines });
    expect(settled.status, JSON.stringify(settled.body)).to.equal(201);
    // A page's worth more (the portal asks for 50): the list has to follow the ledger's bookmark to a second page.
    const more = Array.from({ length: 50 }, (_, i) => `PB-${run}-c1-${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(more.map((id) => gw.post(callers.officer, '/v1/payment-batches', { id, payerId: 'CLIENT1', currency: 'CNY', instructionReference: `ZL-${tag}-C1`, lines: [{ payeeReference: `6222 ${tag} ${id}`, amountMinor: '100' }] })));
    expect(answers.map((a) => a.status)).to.deep.equal(more.map(() => 201));
    await openBatchesAs('client', '#pb-not-offered');
    const ids = await listedIds();
    expect(Number(await page.getAttribute('#pb-batches', 'data-page')), 'pages walked').to.be.at.least(2);
    expect(ids).to.include.members([clientBatch, ...more]);
    expect(new Set(ids).size, 'no batch on two pages').to.equal(ids.length);
    expect(ids).not.to.include(okId);
    expect(await page.locator('#pb-list tbody tr td:nth-child(2)').allTextContents()).to.satisfy((payers: string[]) => payers.every((p) => p === 'CLIENT1'));
    await page.goto(`${base}/portal/#/pb/${encodeURIComponent(clientBatch)}`);
    await page.waitForSelector(`#pb-detail[data-id="${clientBatch}"]`);
    expect(await page.textContent('#pb-total')).to.equal('1,200.57 CNY');
    expect(await cells('#pb-lines')).to.deep.equal([['1', lines[0]?.payeeReference, '1,200.50'], ['2', lines[1]?.payeeReference, '0.07']]);
    await page.goto(`${base}/portal/#/pb/${encodeURIComponent(okId)}`);
    await page.waitForSelector('#error [data-code]');
    expect(await page.getAttribute('#error [data-code]', 'data-code')).to.equal('NOT_FOUND');
    expect(await page.locator('#pb-detail').count()).to.equal(0);
    expect(pageErrors).to.deep.equal([]);
  });
});
