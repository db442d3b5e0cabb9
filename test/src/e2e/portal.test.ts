import { ConfirmationState } from '@econfirm/common';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from '../support/browser';
import { agreeingReply, bankLetterRequest, type Caller, TestGateway } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { bankRows, csvOf, engagementFields } from '../support/bulk-files';
import { distinctiveAccountNumber } from '../support/letters';
import { uniqueName } from '../support/network';

const CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

interface TokenSeen {
  header: { alg: string; typ: string; kid: string };
  claims: { iss: string; aud: string; iat: number; exp: number; jti: string; htm: string; htu: string };
  /** The request that carried it. */
  method: string;
  url: string;
}

function decodeToken(token: string, method: string, url: string): TokenSeen {
  const [header, claims] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown);
  return { header: header as TokenSeen['header'], claims: claims as TokenSeen['claims'], method, url };
}

/**
 * The web portal in a real browser (Debian's Chromium, headless, driven by playwright-core)
 * against a gateway listening on a real port on the real network. People sign in with their
 * credential files; every step taken in the UI is checked on the ledger through the API.
 */
describe('portal e2e: the bank-letter path in a real browser', function () {
  this.timeout(300_000);
  const run = uniqueName('portal');
  const idA = `CF-${run}-a`;
  const idB = `CF-${run}-b`;
  const idC = `CF-${run}-c`;
  const idD = `CF-${run}-d`;
  const accountD = distinctiveAccountNumber();
  const account = distinctiveAccountNumber();
  let gw: TestGateway;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  const files: Record<string, string> = {};
  const callers: Record<string, Caller> = {};
  const secrets: string[] = [];
  const tokens: TokenSeen[] = [];
  const leaks: string[] = [];
  /** Every request the page made (URL, headers, body). */
  const sent: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  /** Issues a credential and writes its file as `credentials issue` does; the test keeps the key for API checks. */
  function credentialFile(name: string, tenantId: string, identityName: string): void {
    const issued = gw.credentials.issue({ tenantId, identityName });
    callers[name] = { credentialId: issued.credential.id, privateJwk: issued.privateJwk };
    secrets.push(String(issued.privateJwk.d));
    files[name] = path.join(dir, `${tenantId}.${identityName}.json`);
    const file = { credentialId: issued.credential.id, audience: gw.config.audience, role: issued.credential.role, privateJwk: issued.privateJwk };
    writeFileSync(files[name], `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  }

  /** The ledger's view, through the API as `who`. */
  async function ledger(who: string, id: string): Promise<Record<string, unknown> & { state: string }> {
    const res = await gw.get(callers[who], `/v1/confirmations/${id}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as Record<string, unknown> & { state: string };
  }

  async function signIn(who: string): Promise<void> {
    await page.goto(`${base}/portal/`);
    await page.waitForSelector('#sign-in');
    await page.setInputFiles('#credential-file', files[who]);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('[data-testid=whoami]');
  }

  async function signOut(): Promise<void> {
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in');
    const stored = (await page.evaluate(`(async () => {
      const m = await import('/portal/js/key-store.js');
      return (await m.loadCredential()) !== undefined;
    })()`)) as boolean;
    expect(stored, 'the key is deleted at sign-out').to.equal(false);
  }

  async function openDetail(id: string): Promise<void> {
    await page.goto(`${base}/portal/#/c/${encodeURIComponent(id)}`);
    await page.waitForSelector(`#detail[data-id="${id}"]`);
  }

  /** Submits an offered action's form and waits for the page to show the state it led to. */
  async function act(action: string, expectedState: string): Promise<void> {
    await page.click(`form[data-action="${action}"] button[type=submit]`);
    await page.waitForSelector(`#state[data-state="${expectedState}"], #error:not([hidden])`);
    const error = await page.locator('#error:not([hidden])').count();
    expect(error ? await page.textContent('#error') : '', `${action} shows no error`).to.equal('');
  }

  async function offered(): Promise<string[]> {
    return page.locator('form[data-action]').evaluateAll((forms) => forms.map((f) => f.getAttribute('data-action') ?? ''));
  }

  // One path, step after step: after a failure the later steps cannot mean anything, so they are
  // skipped (mocha's bail() would look at every suite's failures, not this one's).
  let broken = false;
  beforeEach(function () {
    if (broken) this.skip();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') broken = true;
  });

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    // Tokens are bound to the gateway's publicUrl (htu), and the portal signs for its page's origin:
    // the gateway is configured with the URL the browser opens.
    const port = await freePort();
    gw = await TestGateway.start({ publicUrl: `http://127.0.0.1:${port}` });
    await gw.app.listen(port, '127.0.0.1');
    base = gw.config.publicUrl;
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-portal-e2e-'));
    credentialFile('auditor', 'firm1', 'auditor1');
    credentialFile('client', 'client1', 'client1');
    credentialFile('officer', 'bank1', 'officer1');
    credentialFile('reviewer', 'bank1', 'reviewer1');
    credentialFile('regulator', 'regulator', 'regulator1');

    // Three letters issued over the API, as the firm's own software would; B is authorized over the API too.
    for (const [id, acc] of [[idA, account], [idB, distinctiveAccountNumber()], [idC, distinctiveAccountNumber()]]) {
      const res = await gw.post(callers.auditor, '/v1/confirmations', bankLetterRequest(id, `ENG-${run}`, acc));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    expect((await gw.post(callers.client, `/v1/confirmations/${idB}/authorization`, { feeConsent: true })).body.state).to.equal(ConfirmationState.Authorized);
    // D, in an engagement of its own, is returned by the bank and resent by the firm.
    expect((await gw.post(callers.auditor, '/v1/confirmations', bankLetterRequest(idD, `ENG-${run}-r`, accountD))).status).to.equal(201);
    expect((await gw.post(callers.client, `/v1/confirmations/${idD}/authorization`, { feeConsent: true })).body.state).to.equal(ConfirmationState.Authorized);

    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, acceptDownloads: true, timezoneId: 'Asia/Shanghai' });
    page = context.pages()[0] ?? (await context.newPage());
    context.on('request', (req) => {
      const text = `${req.url()} ${JSON.stringify(req.headers())} ${req.postData() ?? ''}`;
      sent.push(text);
      if (text.includes('privateJwk') || text.includes('"d"') || secrets.some((d) => text.includes(d))) leaks.push(`${req.method()} ${req.url()}`);
      const auth = req.headers().authorization;
      if (auth?.startsWith('Bearer ')) tokens.push(decodeToken(auth.slice('Bearer '.length), req.method(), req.url()));
    });
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async function () {
    await context?.close();
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('/portal redirects to /portal/, which is served with the CSP and nosniff, and is not in the OpenAPI document', async function () {
    const redirect = await fetch(`${base}/portal?x=1`, { redirect: 'manual' });
    expect(redirect.status).to.equal(301);
    expect(redirect.headers.get('location')).to.equal('/portal/?x=1');
    const response = await page.goto(`${base}/portal`);
    expect(response?.url()).to.equal(`${base}/portal/`);
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).to.equal(CSP);
    expect(headers['x-content-type-options']).to.equal('nosniff');
    const module = await fetch(`${base}/portal/js/main.js`);
    expect(module.headers.get('content-type')).to.match(/^text\/javascript/);
    expect(module.headers.get('content-security-policy')).to.equal(CSP);
    for (const hidden of ['/portal/js/main.d.ts', '/portal/../package.json', '/portal/js/%2e%2e/tsconfig.tsbuildinfo']) {
      expect((await fetch(`${base}${hidden}`)).status, hidden).to.equal(404);
    }
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/portal'))).to.deep.equal([]);
    await page.waitForSelector('#sign-in');
  });

  it('the client signs in with its file; the key is kept non-extractable; it finds the letter (paging) and reads its sections', async function () {
    await signIn('client');
    expect(await page.textContent('[data-testid=whoami]')).to.contain('CLIENT1').and.contain('client signer');
    // Written as page source (the test project has no DOM types): the portal's own key store module, loaded in the page.
    const key = await page.evaluate(`(async () => {
      const m = await import('/portal/js/key-store.js');
      const stored = await m.loadCredential();
      if (!stored) return { stored: false, extractable: true, exported: 'no key stored' };
      const exported = await crypto.subtle.exportKey('jwk', stored.key).then(() => 'exported', (err) => 'refused: ' + err.name);
      return { stored: true, extractable: stored.key.extractable, exported, type: stored.key.type, usages: stored.key.usages };
    })()`);
    expect(key).to.deep.equal({ stored: true, extractable: false, exported: 'refused: InvalidAccessError', type: 'private', usages: ['sign'] });

    // The list pages through the ledger's bookmarks until this run's letter shows.
    await page.waitForSelector('#confirmations:not([aria-busy])');
    let pages = 1;
    for (; pages < 100 && (await page.locator(`a[data-id="${idA}"]`).count()) === 0; pages++) {
      const next = page.locator('nav.pager button', { hasText: 'Next' });
      expect(await next.isDisabled(), `${idA} is on some page of the client's list`).to.equal(false);
      await next.click();
      // (waitForFunction would evaluate a string in the page: the CSP forbids that, as it should.)
      await page.locator('nav.pager span', { hasText: `page ${pages + 1}` }).waitFor();
    }
    if (pages > 1) {
      // Back one page and forward again: the bookmarks kept for Previous lead to the same pages.
      await page.click('nav.pager button:has-text("Previous")');
      await page.locator('nav.pager span', { hasText: `page ${pages - 1}` }).waitFor();
      await page.click('nav.pager button:has-text("Next")');
      await page.locator(`a[data-id="${idA}"]`).waitFor();
    }
    const row = page.locator('#confirmation-table tr', { has: page.locator(`a[data-id="${idA}"]`) });
    expect(await row.locator('[data-state]').getAttribute('data-state')).to.equal(ConfirmationState.Issued);
    await page.click(`a[data-id="${idA}"]`);
    await page.waitForSelector(`#detail[data-id="${idA}"]`);
    expect(await page.textContent('[data-section=deposits] table')).to.contain(account);
    expect(await offered()).to.deep.equal(['authorize', 'refuse']);
  });

  it('the client authorizes in the UI (fee consent) and refuses another letter with a reason: both on the ledger', async function () {
    await page.check('#fee-consent');
    await act('authorize', ConfirmationState.Authorized);
    const a = await ledger('auditor', idA);
    expect(a.state).to.equal(ConfirmationState.Authorized);
    expect((a.authorization as { feeConsent: boolean }).feeConsent).to.equal(true);
    expect(await offered()).to.deep.equal([]);

    await openDetail(idC);
    await page.fill('form[data-action="refuse"] textarea[name=reason]', 'not our bank any more');
    await act('refuse', ConfirmationState.ClientRefused);
    const c = await ledger('auditor', idC);
    expect(c.state).to.equal(ConfirmationState.ClientRefused);
    expect((c.refusal as { reason: string }).reason).to.equal('not our bank any more');
    await signOut();
  });

  it('the bank officer accepts and prepares an agreeing reply in the UI; it is never offered approve, and a forced approve shows FORBIDDEN', async function () {
    await signIn('officer');
    await openDetail(idA);
    expect(await offered()).to.deep.equal(['accept', 'return', 'reply']);
    await act('accept', ConfirmationState.Accepted);
    expect((await ledger('officer', idA)).state).to.equal(ConfirmationState.Accepted);

    const reply = agreeingReply() as { handler: string; reviewer: string; date: string };
    await page.check('#conclusion-agrees');
    await page.fill('form[data-action="reply"] input[name=handler]', reply.handler);
    await page.fill('form[data-action="reply"] input[name=reviewer]', reply.reviewer);
    await page.fill('form[data-action="reply"] input[name=date]', reply.date);
    await act('reply', ConfirmationState.ReplyPrepared);
    const prepared = await ledger('officer', idA);
    expect(prepared.state).to.equal(ConfirmationState.ReplyPrepared);
    const preparedReply = prepared.reply as { conclusion: string; content: { handler: string; differences: unknown[] } };
    expect(preparedReply.conclusion).to.equal('agrees');
    expect(preparedReply.content.handler).to.equal(reply.handler);

    // Maker–checker: the officer is not offered approve. Forcing it (a form added by hand) reaches the gateway, which refuses.
    expect(await offered()).not.to.include('approve');
    await page.evaluate(`(() => {
      const form = document.createElement('form');
      form.dataset.action = 'approve';
      const button = document.createElement('button');
      button.type = 'submit';
      button.textContent = 'approve (forced)';
      form.append(button);
      document.querySelector('#actions').append(form);
    })()`);
    await page.click('form[data-action="approve"] button');
    await page.waitForSelector('#error:not([hidden]) .error-code');
    expect(await page.getAttribute('#error .error-code', 'data-code')).to.equal('FORBIDDEN');
    expect(await page.textContent('#error')).to.contain('bank-officer');
    expect((await ledger('officer', idA)).state).to.equal(ConfirmationState.ReplyPrepared);
  });

  it('the officer prepares a disagreeing reply with an itemized difference in the UI', async function () {
    await openDetail(idB);
    await page.check('#conclusion-disagrees');
    const difference = page.locator('form[data-action="reply"] fieldset.difference').first();
    await difference.locator('select[name="diff.section"]').selectOption('deposits');
    await difference.locator('input[name="diff.row"]').fill('0');
    await difference.locator('input[name="diff.field"]').fill('balance');
    await difference.locator('input[name="diff.stated"]').fill('1234567.89');
    await difference.locator('input[name="diff.actual"]').fill('1234000.00');
    await difference.locator('input[name="diff.note"]').fill('interest not yet posted');
    await page.fill('form[data-action="reply"] input[name=handler]', 'Li Wei');
    await page.fill('form[data-action="reply"] input[name=reviewer]', 'Wang Fang');
    await act('reply', ConfirmationState.ReplyPrepared);
    const b = await ledger('officer', idB);
    const content = (b.reply as { content: { conclusion: string; differences: Array<Record<string, unknown>> } }).content;
    expect(content.conclusion).to.equal('disagrees');
    expect(content.differences).to.deep.equal([{ section: 'deposits', row: 0, field: 'balance', stated: '1234567.89', actual: '1234000.00', note: 'interest not yet posted' }]);
    await signOut();
  });

  it('the reviewer approves one reply and rejects the other with a reason in the UI', async function () {
    await signIn('reviewer');
    await openDetail(idA);
    expect(await offered()).to.deep.equal(['approve', 'reject']);
    await act('approve', ConfirmationState.Replied);
    expect((await ledger('auditor', idA)).state).to.equal(ConfirmationState.Replied);

    await openDetail(idB);
    await page.fill('form[data-action="reject"] textarea[name=reason]', 'difference not evidenced');
    await act('reject', ConfirmationState.Accepted);
    const b = await ledger('officer', idB);
    expect(b.state).to.equal(ConfirmationState.Accepted);
    expect((b.lastReplyRejection as { reason: string }).reason).to.equal('difference not evidenced');
    await signOut();
  });

  it('the auditor sees the signed reply, accepts it in the UI and downloads the evidence PDF', async function () {
    await signIn('auditor');
    await openDetail(idA);
    expect(await page.getAttribute('[data-conclusion]', 'data-conclusion')).to.equal('agrees');
    expect(await page.getAttribute('[data-signature-valid]', 'data-signature-valid')).to.equal('true');
    // Ledger instants are shown on the reader's wall clock (this browser: Beijing), the ISO value kept in datetime.
    const due = (await ledger('auditor', idA)).replyDueAt as string;
    const beijing = `${new Date(Date.parse(due) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')} UTC+8`;
    expect(await page.textContent(`#detail time[datetime="${due}"]`)).to.equal(beijing);
    const timeline = await page.locator('#history li').evaluateAll((items) => items.map((li) => li.getAttribute('data-state')));
    expect(timeline).to.deep.equal([ConfirmationState.Replied, ConfirmationState.ReplyPrepared, ConfirmationState.Accepted, ConfirmationState.Authorized, ConfirmationState.Issued]);
    expect(await offered()).to.deep.equal(['auditor-accept', 'evidence']);
    await act('auditor-accept', ConfirmationState.AuditorAccepted);
    expect((await ledger('auditor', idA)).state).to.equal(ConfirmationState.AuditorAccepted);

    const [download, response] = await Promise.all([
      page.waitForEvent('download'),
      page.waitForResponse((r) => r.url().endsWith(`/v1/confirmations/${idA}/evidence.pdf`)),
      page.click('form[data-action="evidence"] button[type=submit]'),
    ]);
    expect(response.status()).to.equal(200);
    expect(response.headers()['content-type']).to.match(/^application\/pdf/);
    expect(download.suggestedFilename()).to.equal(`${idA}.pdf`);
    const saved = await download.path();
    expect(readFileSync(saved).subarray(0, 5).toString('latin1')).to.equal('%PDF-');
  });

  it('the auditor recalls the letter whose reply was rejected, with a reason, in the UI', async function () {
    await openDetail(idB);
    expect(await offered()).to.deep.equal(['recall', 'evidence']);
    await page.fill('form[data-action="recall"] textarea[name=reason]', 'wrong branch addressed');
    await act('recall', ConfirmationState.Recalled);
    const b = await ledger('auditor', idB);
    expect(b.state).to.equal(ConfirmationState.Recalled);
    expect((b.recall as { reason: string }).reason).to.equal('wrong branch addressed');
    await signOut();
  });

  it('the bank returns a letter with a reason code; the auditor resends it as a linked follow-up and records an alternative procedure for the refused one, in the UI', async function () {
    await signIn('officer');
    await openDetail(idD);
    await page.selectOption('form[data-action="return"] select[name=reasonCode]', 'SEAL_MISMATCH');
    await page.fill('form[data-action="return"] input[name=note]', 'seal differs from the specimen');
    await act('return', ConfirmationState.Returned);
    expect((await ledger('officer', idD)).return).to.include({ reasonCode: 'SEAL_MISMATCH', note: 'seal differs from the specimen' });
    await signOut();

    await signIn('auditor');
    await openDetail(idD);
    expect(await offered()).to.deep.equal(['resend', 'alternative', 'evidence']);
    await page.click('form[data-action="resend"] button[type=submit]');
    await page.waitForSelector(`#detail [data-link="${idD}"]`);
    const resentId = (await page.getAttribute('#detail', 'data-id')) as string;
    expect(resentId).not.to.equal(idD);
    const original = await ledger('auditor', idD);
    expect(original.state).to.equal(ConfirmationState.Resent);
    expect(original.followUpId).to.equal(resentId);
    const resent = await ledger('auditor', resentId);
    expect(resent).to.include({ followUpOf: idD, state: ConfirmationState.Issued, addresseeId: 'BANK1' });
    expect((resent.letter as { content: { sections: { deposits: { rows: Array<{ accountNo: string }> } } } }).content.sections.deposits.rows[0]?.accountNo).to.equal(accountD);

    // The refused letter: the working paper is hashed in the browser with a fresh salt; the receipt lets the firm prove it later.
    await openDetail(idC);
    expect(await offered()).to.deep.equal(['alternative', 'evidence']);
    const paper = path.join(dir, 'bank-statement-2025-12.pdf');
    writeFileSync(paper, `statement ${run}`);
    await page.selectOption('form[data-action="alternative"] select[name=procedure]', 'BANK_STATEMENTS');
    await page.setInputFiles('form[data-action="alternative"] input[name=workpaper]', paper);
    const [receiptDownload] = await Promise.all([page.waitForEvent('download'), act('alternative', ConfirmationState.AlternativeProcedure)]);
    const receipt = JSON.parse(readFileSync(await receiptDownload.path(), 'utf8')) as { salt: string; workpaperHash: string; confirmationId: string };
    const recorded = (await ledger('auditor', idC)).alternativeProcedure as { procedure: string; trigger: string; workpaperHash: string };
    expect(recorded).to.include({ procedure: 'BANK_STATEMENTS', trigger: 'client-refused' });
    expect(receipt.confirmationId).to.equal(idC);
    expect(recorded.workpaperHash).to.equal(receipt.workpaperHash);
    expect(createHash('sha256').update(Buffer.concat([Buffer.from(receipt.salt, 'hex'), readFileSync(paper)])).digest('hex')).to.equal(recorded.workpaperHash);
    expect(await page.getAttribute('[data-alternative]', 'data-alternative')).to.equal('BANK_STATEMENTS');
    expect(sent.filter((text) => text.includes(`statement ${run}`)), 'the working paper never left the browser').to.deep.equal([]);
    await signOut();
  });

  it('the auditor narrows the list to one engagement or one state, and opens a request by its id', async function () {
    await signIn('auditor');
    const listed = () => page.locator('#confirmation-table a[data-id]').evaluateAll((links) => links.map((a) => a.getAttribute('data-id') ?? ''));
    const states = () => page.locator('#confirmation-table [data-state]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-state') ?? ''));
    const apply = async (): Promise<void> => {
      const answered = page.waitForResponse((r) => r.url().includes('/v1/confirmations?'));
      await page.click('#list-filter button[type=submit]');
      expect((await answered).status()).to.equal(200);
      await page.waitForSelector('#confirmations:not([aria-busy])');
    };
    await page.selectOption('#filter-by', 'engagementId');
    await page.fill('#filter-engagement', `ENG-${run}`);
    await apply();
    expect((await listed()).sort()).to.deep.equal([idA, idB, idC]);
    await page.selectOption('#filter-by', 'state');
    await page.selectOption('#filter-state', ConfirmationState.AuditorAccepted);
    await apply();
    const accepted = await states();
    expect(accepted.length).to.be.greaterThan(0);
    expect(accepted.every((state) => state === ConfirmationState.AuditorAccepted), accepted.join()).to.equal(true);
    await page.fill('#open-id', idC);
    await page.click('#open-by-id button[type=submit]');
    await page.waitForSelector(`#detail[data-id="${idC}"]`);
    await signOut();
  });

  it("the auditor issues an engagement's letters in bulk: the template from the UI, a bad file refused line by line with nothing issued, then the good one issued", async function () {
    await signIn('auditor');
    await page.click('#nav a[href="#/bulk"]');
    await page.waitForSelector('#bulk-upload');
    await page.selectOption('#bulk-kind', 'bank-form-1');
    const [template] = await Promise.all([page.waitForEvent('download'), page.click('#bulk-template')]);
    expect(template.suggestedFilename()).to.equal('bank-form-1.csv');
    const columns = readFileSync(await template.path(), 'utf8').trim().split(',');
    expect(columns).to.include.members(['letterRef', 'addresseeId', 'section', 'accountNo', 'balance']);

    const engagementId = `ENG-${run}-bulk`;
    const fields = engagementFields(engagementId);
    for (const name of ['engagementId', 'clientId', 'periodStart', 'periodEnd', 'asOfDate']) await page.fill(`#bulk-${name}`, fields[name] as string);
    const rows = bankRows(3, []).map((row) => (row.addresseeId ? { ...row, addresseeId: 'BANK1' } : row));
    const badFile = path.join(dir, 'letters-bad.csv');
    writeFileSync(badFile, csvOf(columns, rows.map((row, i) => (i === 0 ? { ...row, balance: 'twelve' } : row))));
    await page.setInputFiles('#bulk-file', badFile);
    await page.click('#bulk-upload button[type=submit]');
    await page.waitForSelector('#bulk-issues');
    expect(await page.getAttribute('#error [data-code]', 'data-code')).to.equal('ROWS_INVALID');
    expect(await page.locator('#bulk-issues tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)))).to.deep.equal([['2', 'balance', 'not a valid amount']]);
    const listed = async (): Promise<string[]> => {
      const res = await gw.get(callers.auditor, `/v1/confirmations?engagementId=${encodeURIComponent(engagementId)}&pageSize=200`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return (res.body.records as Array<{ id: string }>).map((r) => r.id).sort();
    };
    expect(await listed(), 'a refused file issues nothing').to.deep.equal([]);

    const goodFile = path.join(dir, 'letters.csv');
    writeFileSync(goodFile, csvOf(columns, rows));
    await page.setInputFiles('#bulk-file', goodFile);
    await page.click('#bulk-upload button[type=submit]');
    await page.waitForSelector('#job-status[data-status="completed"], #job-status[data-status="failed"]', { timeout: 120_000 });
    expect(await page.getAttribute('#job-status', 'data-status')).to.equal('completed');
    const shown = (await page.locator('#bulk-letters a[data-id]').evaluateAll((links) => links.map((a) => a.getAttribute('data-id') ?? ''))).sort();
    expect(shown).to.have.length(3);
    expect(await listed()).to.deep.equal(shown);
    for (const id of shown) expect((await ledger('auditor', id)).state).to.equal(ConfirmationState.Issued);
    await signOut();
  });

  it('the regulator sees the statistics the API gives and checks the chain', async function () {
    await signIn('regulator');
    await page.goto(`${base}/portal/#/statistics`);
    await page.waitForSelector('[data-testid=stats-total]');
    const api = await gw.get(callers.regulator, '/v1/statistics');
    expect(api.status).to.equal(200);
    expect(Number(await page.textContent('[data-testid=stats-total]'))).to.equal(api.body.total).and.to.be.greaterThan(2);
    // The charts draw the API's figures: overdue and exception rates week by week, each responder's reply times.
    const stats = api.body as { weekly: Array<{ weekStart: string; overdueRate: number; exceptionRate: number }>; responders: Array<{ responderId: string; replied: number; replyTimeHistogram: Record<string, number> }> };
    expect(stats.weekly.length).to.be.greaterThan(0);
    const bars = (chart: string) => page.locator(`svg#${chart} rect`).evaluateAll((rects) => rects.map((r) => [r.getAttribute('data-key'), Number(r.getAttribute('data-value'))]));
    expect(await bars('stats-weekly-overdue')).to.deep.equal(stats.weekly.map((w) => [w.weekStart, Math.round(w.overdueRate * 1000) / 10]));
    expect(await bars('stats-weekly-exceptions')).to.deep.equal(stats.weekly.map((w) => [w.weekStart, Math.round(w.exceptionRate * 1000) / 10]));
    const answered = stats.responders.filter((r) => r.replied > 0);
    expect(answered.length).to.be.greaterThan(0);
    for (const r of answered) {
      expect(await bars(`stats-reply-times-${r.responderId}`)).to.deep.equal(['<1h', '1-4h', '4-24h', '1-3d', '3-10d', '>10d'].map((b) => [b, r.replyTimeHistogram[b]]));
    }
    // The chain check, run from the page: the gateway recomputed every hash up to the peer's height.
    const transactionsNow = async (): Promise<number | undefined> => {
      const whole = (await gw.get(callers.regulator, '/v1/ledger/integrity')).body as { transactionsByValidation: Record<string, number>; nextFromBlock?: string };
      return whole.nextFromBlock ? undefined : Object.values(whole.transactionsByValidation).reduce((a, b) => a + b, 0);
    };
    const before = await transactionsNow();
    await page.click('#integrity-run');
    await page.waitForSelector('#integrity-verdict');
    expect(await page.getAttribute('#integrity-verdict', 'data-holds')).to.equal('true');
    expect(await page.locator('#integrity-breaks').count()).to.equal(0);
    expect(await page.locator('#integrity-checks li').count()).to.equal(7);
    expect(await page.textContent('#integrity-anchor-result')).to.contain('not pinned');
    // Transactions per day, from the whole chain's pages: they add up to every transaction checked.
    const perDay = await page.locator('svg#integrity-activity-chart rect').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
    const after = await transactionsNow();
    expect(perDay.length).to.be.greaterThan(0);
    // The chain only grows: the page's count lies between the whole chain's before and after its run.
    if (before !== undefined && after !== undefined) expect(perDay.reduce((a, b) => a + b, 0)).to.be.within(before, after);
    // The verdicts shown are the whole run's, every page's counts added: they sum to the same transactions.
    const shownVerdicts = ((await page.textContent('#integrity-verdicts')) ?? '').split(', ').map((part) => Number(part.split(' ')[1]));
    expect(shownVerdicts.reduce((a, b) => a + b, 0)).to.equal(perDay.reduce((a, b) => a + b, 0));
    // Pinned by the genesis hash the regulator holds (here: read once from the API), then by another one.
    const genesis = (await gw.get(callers.regulator, '/v1/ledger/integrity?toBlock=0')).body as { checkpoint: { headerHash: string } };
    for (const [hash, holds] of [[genesis.checkpoint.headerHash, 'true'], ['ab'.repeat(32), 'false']] as const) {
      await page.fill('#integrity-anchor', hash);
      await page.click('#integrity-run');
      // The click replaces the last verdict at once (the progress bar shows): this waits for the new one.
      await page.waitForSelector('#integrity-verdict');
      expect(await page.getAttribute('#integrity-verdict', 'data-holds'), hash).to.equal(holds);
      expect(await page.textContent('#integrity-anchor-result')).to.contain(holds === 'true' ? '✓' : '✗');
    }
    await page.fill('#integrity-anchor', 'not-hex');
    await page.click('#integrity-run');
    await page.waitForSelector('#integrity-anchor-invalid');
    await page.fill('#integrity-anchor', '');
    await signOut();
  });

  it('a file without a private key is refused at sign-in with a message, and nothing is stored', async function () {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ credentialId: 'x', audience: 'y', privateJwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } }));
    await page.setInputFiles('#credential-file', bad);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.textContent('#error')).to.contain('privateJwk.d');
    expect(await page.locator('#sign-in').count()).to.equal(1);
  });

  it('a gateway with the portal disabled has no /portal route; one whose portal is not built says so', async function () {
    const disabled = await TestGateway.start({ portal: { enabled: false, dir: gw.config.portal.dir } });
    const unbuilt = await TestGateway.start({ portal: { enabled: true, dir } });
    try {
      const off = await request(disabled.app.getHttpServer()).get('/portal/');
      expect(off.status).to.equal(404);
      expect(off.body.error.code).to.equal('ROUTE_NOT_FOUND');
      const missing = await request(unbuilt.app.getHttpServer()).get('/portal/');
      expect(missing.status).to.equal(404);
      expect(missing.body.error.code).to.equal('PORTAL_NOT_BUILT');
      expect(missing.headers['content-security-policy']).to.equal(CSP);
    } finally {
      await disabled.close();
      await unbuilt.close();
    }
  });

  it('every API call carried its own fresh ES256 token (60 s, single-use jti, bound to its method and URL); no request carried the private key; no CSP violation', function () {
    expect(tokens.length).to.be.greaterThan(20);
    for (const t of tokens) {
      expect(t.header.alg).to.equal('ES256');
      expect(t.header.typ).to.equal('JWT');
      expect(t.header.kid).to.equal(t.claims.iss);
      expect(t.claims.aud).to.equal(gw.config.audience);
      expect(t.claims.exp - t.claims.iat).to.equal(60);
      // Bound to the one request that carried it: its method and its URL without the query.
      expect(t.claims.htm).to.equal(t.method);
      expect(t.claims.htu).to.equal(t.url.split('?')[0]);
    }
    expect(new Set(tokens.map((t) => t.claims.jti)).size).to.equal(tokens.length);
    expect(new Set(tokens.map((t) => t.claims.iss))).to.have.keys(Object.values(callers).map((c) => c.credentialId));
    expect(leaks).to.deep.equal([]);
    expect(cspViolations).to.deep.equal([]);
    expect(pageErrors).to.deep.equal([]);
  });
});
