import { mortgageUnitKey, sha256Hex } from '@econfirm/common';
import { submitAndWait } from '@econfirm/sdk';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from '../support/browser';
import { E2E_TENANTS, type Caller, TestGateway } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { networkScript, uniqueName, withLedger } from '../support/network';

/**
 * The portal's mortgage views (clients/portal/src/views/mortgages.ts) in a real browser: the
 * registration centre's registrar prepares registration, discharge, a change and a transfer from
 * its queue and its registry reviewer approves or returns them from its own (the reviewer's one
 * queue of every review state), the bank's mortgage officer sees its amount opened and asks for
 * discharge and downloads the signed registration certificate, the unit's encumbrances show in
 * priority order; each step checked on the ledger through the API.
 */
describe('portal e2e: mortgage registrations in a real browser', function () {
  this.timeout(300_000);
  const run = uniqueName('pm');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const unitNumber = `320102 003004 GB${randomBytes(3).toString('hex').toUpperCase()} F${tag.slice(-8)}`;
  const amount = `${5_000_000 + (randomBytes(2).readUInt16BE() % 900_000)}.25`;
  const idA = `MTG-${run}-a`;
  const idB = `MTG-${run}-b`;
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

  async function openMortgage(id: string): Promise<void> {
    await page.goto(`${base}/portal/#/m/${encodeURIComponent(id)}`);
    await page.waitForSelector(`#mortgage-detail[data-id="${id}"]`);
  }

  async function act(action: string, fill: Record<string, string>, expectedState: string): Promise<void> {
    for (const [name, value] of Object.entries(fill)) await page.fill(`form[data-mortgage-action="${action}"] [name="${name}"]`, value);
    await page.click(`form[data-mortgage-action="${action}"] button[type=submit]`);
    await page.waitForSelector(`#mortgage-state[data-state="${expectedState}"], #error:not([hidden])`);
    expect(await page.locator('#error:not([hidden])').count() ? await page.textContent('#error') : '', `${action} shows no error`).to.equal('');
  }

  async function ledgerState(id: string): Promise<{ state: string; priority?: number }> {
    return (await gw.get(callers.officer, `/v1/mortgages/${id}`)).body as { state: string; priority?: number };
  }

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'BANK2', 'REGULATOR', 'MREG1', 'ENT1');
    networkScript('identity.sh', 'evidence', 'operator', 'MREG1');
    const port = await freePort();
    gw = await TestGateway.start({ publicUrl: `http://127.0.0.1:${port}`, tenants: [...E2E_TENANTS, { id: 'mreg1', institutionId: 'MREG1', orgKey: 'operator' }] });
    await gw.app.listen(port, '127.0.0.1');
    base = gw.config.publicUrl;
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-portal-mortgage-'));
    credentialFile('officer', 'bank1', 'mortgage-officer1');
    credentialFile('registrar', 'mreg1', 'registrar1');
    credentialFile('reviewer', 'mreg1', 'registry-reviewer1');
    // Two applications on one unit, filed over the API as the bank's own loan system would.
    for (const id of [idA, idB]) {
      const res = await gw.post(callers.officer, '/v1/mortgages', {
        id, registryId: 'MREG1', unitNumber, location: '南京市玄武区测试路2号', propertyType: 'residential', mortgageType: 'ordinary',
        securedPrincipal: amount, currency: 'CNY', debtTermStart: '2026-01-01', debtTermEnd: '2036-01-01',
        mortgagors: [{ name: '华东制造股份有限公司', institutionId: 'CLIENT1' }], consentHash: sha256Hex(randomBytes(32)),
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timezoneId: 'Asia/Shanghai' });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async function () {
    await context?.close();
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the registrar finds the applications in its queue and prepares both from the portal; the reviewer's queue lists them; it approves both: priorities 1 and 2", async function () {
    await signIn('registrar');
    await page.click('nav a[href="#/mortgages"]');
    await page.waitForSelector('#mortgages');
    await page.selectOption('#mortgage-state-filter', 'applied');
    await page.waitForSelector('#mortgages[data-state="applied"]');
    // The queue pages through the ledger's bookmarks (a reused ledger holds earlier runs' applications).
    const link = page.locator(`#mortgage-list a[href="#/m/${encodeURIComponent(idA)}"]`);
    for (let pages = 1; (await link.count()) === 0; pages++) {
      expect(await page.locator('#mortgage-next').isDisabled(), `${idA} is on one of the first ${pages} pages`).to.equal(false);
      await page.click('#mortgage-next');
      await page.waitForSelector(`#mortgages[data-page="${pages + 1}"]`);
    }
    await openMortgage(idA);
    await act('register', { certificateNumber: `苏(2026)玄武区不动产证明第${tag}1号` }, 'registration-in-review');
    expect(await page.locator('form[data-mortgage-action="approve"]').count(), 'the registrar is offered no approval').to.equal(0);
    await openMortgage(idB);
    await act('register', { certificateNumber: `苏(2026)玄武区不动产证明第${tag}2号` }, 'registration-in-review');
    await signIn('reviewer');
    await page.click('nav a[href="#/mortgages"]');
    await page.waitForSelector('#mortgages');
    await page.selectOption('#mortgage-state-filter', 'registration-in-review');
    await page.waitForSelector('#mortgages[data-state="registration-in-review"]');
    const queued = page.locator(`#mortgage-list a[href="#/m/${encodeURIComponent(idA)}"]`);
    for (let pages = 1; (await queued.count()) === 0; pages++) {
      expect(await page.locator('#mortgage-next').isDisabled(), `${idA} is on one of the first ${pages} pages of the review queue`).to.equal(false);
      await page.click('#mortgage-next');
      await page.waitForSelector(`#mortgages[data-page="${pages + 1}"]`);
    }
    await openMortgage(idA);
    expect(await page.textContent('#mortgage-review')).to.contain('RegisterMortgage');
    await act('approve', {}, 'registered');
    expect(await page.textContent('#mortgage-priority')).to.equal('1');
    await openMortgage(idB);
    await act('approve', {}, 'registered');
    expect(await page.textContent('#mortgage-priority')).to.equal('2');
    expect(await ledgerState(idB)).to.include({ state: 'registered', priority: 2 });
    await signIn('registrar');
  });

  it('the registrar queries the unit: both encumbrances in priority order, each with the amount its application secures', async function () {
    await page.goto(`${base}/portal/#/mortgages`);
    await page.waitForSelector('#encumbrance-query');
    await page.fill('#unit-number', unitNumber);
    await page.click('#encumbrance-query button[type=submit]');
    await page.waitForSelector('#encumbrance-table');
    const rows = await page.locator('#encumbrance-table tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.children[0]?.textContent ?? '', tr.children[1]?.textContent ?? '', tr.children[4]?.textContent ?? '']));
    expect(rows).to.deep.equal([['1', idA, `CNY ${amount}`], ['2', idB, `CNY ${amount}`]]);
    expect(await page.textContent('#encumbrance-consents')).to.contain('No bank holds a current consent');
  });

  it("the registrar sees a consent given after the registrations lacking their amounts, and discloses them to the bank", async function () {
    // The owner consents on the ledger without widening anything (its own software, no key file).
    await withLedger('operator', 'client1', (ledger) =>
      submitAndWait(ledger.contract('mortgage'), 'AuthorizeEncumbranceQuery', { arguments: [mortgageUnitKey(unitNumber), JSON.stringify({ bankId: 'BANK2', validUntil: '2099-12-31' })] }));
    await page.click('#encumbrance-query button[type=submit]');
    await page.waitForSelector('#consents-table');
    const cells = () => page.locator('#consents-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
    expect(await cells()).to.deep.equal([['BANK2', '2099-12-31', '—', `${idA}, ${idB}`]]);
    await page.click('#encumbrance-disclose');
    // The table is drawn again once the gateway answered the disclosure and the query after it.
    await page.waitForSelector('#encumbrance-disclose', { state: 'detached' });
    expect(await cells()).to.deep.equal([['BANK2', '2099-12-31', `${idA}, ${idB}`, '—']]);
    expect(await page.locator('#encumbrance-disclose').count(), 'nothing left to disclose').to.equal(0);
  });

  it("the bank downloads the registration certificate from the portal: the registry's signed PDF, valid for pdfsig", async function () {
    await signIn('officer');
    await openMortgage(idA);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#mortgage-certificate')]);
    expect(download.suggestedFilename()).to.equal(`${idA}-certificate.pdf`);
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    const sig = spawnSync('pdfsig', [file], { encoding: 'utf8' });
    expect(sig.stdout).to.match(/Signature Validation: Signature is Valid\./).and.match(/MREG1-evidence@operator/);
    await page.waitForSelector('#certificate-status:has-text("downloaded")');
  });

  it('the bank sees its amount opened and asks for discharge; the registrar prepares the discharge, the reviewer returns it once and then approves; the other moves up', async function () {
    await signIn('officer');
    await openMortgage(idA);
    expect(await page.textContent('#mortgage-amount')).to.contain(amount);
    expect(await page.locator('form[data-mortgage-action="register"]').count(), 'a bank is offered no registration').to.equal(0);
    await act('request-discharge', {}, 'discharge-requested');
    await signIn('registrar');
    await openMortgage(idA);
    await act('discharge', { caseNumber: `DC-${tag}X` }, 'discharge-in-review');
    await signIn('reviewer');
    await openMortgage(idA);
    await act('return', { reason: 'CASE_NUMBER_WRONG' }, 'discharge-requested');
    expect(await page.textContent('#mortgage-review-return')).to.contain('CASE_NUMBER_WRONG');
    await signIn('registrar');
    await openMortgage(idA);
    await act('discharge', { caseNumber: `DC-${tag}` }, 'discharge-in-review');
    await signIn('reviewer');
    await openMortgage(idA);
    await act('approve', {}, 'discharged');
    expect(await ledgerState(idB)).to.include({ state: 'registered', priority: 1 });
    expect(pageErrors).to.deep.equal([]);
  });

  it('the registrar prepares a change and a transfer from the portal; the reviewer sees what each would make of the record before approving it', async function () {
    const changed = '2750000.00';
    await signIn('registrar');
    await openMortgage(idB);
    await act('change', { debtTermEnd: '2034-12-31', amount: changed }, 'change-in-review');
    expect(await page.locator('form[data-mortgage-action="approve"]').count(), 'the registrar is offered no approval').to.equal(0);
    await signIn('reviewer');
    // The reviewer's one queue: every review state at once.
    await page.click('nav a[href="#/mortgages"]');
    await page.waitForSelector('#mortgages');
    await page.selectOption('#mortgage-state-filter', 'queue:review');
    await page.waitForSelector('#mortgages[data-state="queue:review"]');
    const queued = await page.locator('#mortgage-list tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.children[0]?.textContent ?? '', tr.children[1]?.textContent ?? '']));
    expect(queued, 'the change awaiting review is in the queue').to.deep.include([idB, '变更待审核 change in review']);
    await openMortgage(idB);
    expect(await page.textContent('#mortgage-pending')).to.contain('2034-12-31').and.contain(changed);
    expect(await page.textContent('#mortgage-amount'), 'in force until approved').to.contain(amount);
    await act('approve', {}, 'changed');
    expect(await page.textContent('#mortgage-amount')).to.contain(changed);
    expect(await page.textContent('#mortgage-priority')).to.equal('1');
    await signIn('registrar');
    await openMortgage(idB);
    await act('transfer', { name: '江南贸易有限公司', institutionId: 'ENT1' }, 'transfer-in-review');
    await signIn('reviewer');
    await openMortgage(idB);
    expect(await page.textContent('#mortgage-pending')).to.contain('江南贸易有限公司').and.contain('ENT1');
    await act('approve', {}, 'transferred');
    expect(await ledgerState(idB)).to.deep.include({ state: 'transferred', priority: 1, mortgagorIds: ['ENT1'] });
    expect(pageErrors).to.deep.equal([]);
  });
});
