import { sha256Hex } from '@econfirm/common';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { E2E_TENANTS, TestGateway, type Caller } from '../support/gateway';
import { ensureDemoInstitutions, networkDir } from '../support/institutions';
import { networkScript, REPO_ROOT, uniqueName } from '../support/network';

/**
 * The CLI's mortgage steps (clients/cli/src/commands/mortgages.ts) on the real network, beside the
 * gateway the bank files through: the registrar prepares the registration (the certificate sealed
 * to the parties, so the bank opens its number at the gateway), the registry reviewer approves or
 * returns it, the registrar issues the certificate for the bank (written, verified online), and
 * prepares the rejection, the discharge, a change and a transfer the reviewer approves (a change
 * and a transfer re-seal the application opened with the registry's key file); the bank's mortgage officer asks for discharge; the client grants and revokes its firm; a step out of role is the ledger's FORBIDDEN
 * (exit 1) and a malformed argument a usage error (exit 2) — neither writes anything.
 */
describe('CLI e2e: mortgage write commands', function () {
  this.timeout(180_000);
  const run = uniqueName('mcli');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const unitNumber = `310115 004004 GB${tag.slice(-5)} F${tag.slice(-8)}`;
  const [first, second] = [`MTG-${run}-1`, `MTG-${run}-2`];
  const certificateNumber = `沪(2026)浦东新区不动产证明第${tag.slice(-9)}号`;
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-mortgage-cli-'));
  let gw: TestGateway;
  let officer: Caller;

  const cli = (as: string, ...words: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', as, 'mortgages', ...words], { encoding: 'utf8' });
  const state = async (id: string): Promise<string> => ((await gw.get(officer, `/v1/mortgages/${id}`)).body as { state: string }).state;

  /** The bank files through the gateway (filing seals names and amounts there); a maximum-amount mortgage unless told. */
  const fileMortgage = async (id: string, amount: Record<string, string> = { mortgageType: 'maximum-amount', maximumAmount: '12000000.00' }): Promise<void> => {
    const filed = await gw.post(officer, '/v1/mortgages', {
      id, registryId: 'MREG1', unitNumber, location: '上海市浦东新区命令路4号', propertyType: 'commercial', ...amount,
      currency: 'CNY', debtTermStart: '2026-01-01', debtTermEnd: '2031-01-01',
      mortgagors: [{ name: '华东制造股份有限公司', institutionId: 'CLIENT1' }], consentHash: sha256Hex(`${run}${id}`),
    });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
  };

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'BANK2', 'REGULATOR', 'MREG1', 'ENT1');
    networkScript('identity.sh', 'evidence', 'operator', 'MREG1');
    gw = await TestGateway.start({ tenants: [...E2E_TENANTS, { id: 'mreg1', institutionId: 'MREG1', orgKey: 'operator' }] });
    ({ mortgageOfficer: officer } = gw.demoCallers());
    for (const id of [first, second]) await fileMortgage(id);
  });

  after(async () => {
    await gw?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('a bank identity cannot register (exit 1, FORBIDDEN); a malformed reason code is a usage error (exit 2); nothing is written', async function () {
    const byBank = cli('bank1/officer1', 'register', first, certificateNumber);
    expect(byBank.status, byBank.stdout).to.equal(1);
    expect(byBank.stderr).to.contain('FORBIDDEN');
    const badCode = cli('operator/registrar1', 'reject', first, 'not a code');
    expect(badCode.status).to.equal(2);
    expect(badCode.stderr).to.match(/reason code/);
    const badReason = cli('bank1/mortgage-officer1', 'request-discharge', first, 'because');
    expect(badReason.status).to.equal(2);
    expect(await state(first)).to.equal('applied');
  });

  it('the registrar prepares from the CLI, the reviewer returns and approves; the certificate is sealed to the bank, which opens its number at the gateway', async function () {
    const prepared = cli('operator/registrar1', 'register', first, `${certificateNumber}X`);
    expect(prepared.status, prepared.stderr).to.equal(0);
    expect(JSON.parse(prepared.stdout)).to.include({ id: first, state: 'registration-in-review' });
    const own = cli('operator/registrar1', 'approve', first);
    expect(own.status).to.equal(1);
    expect(own.stderr).to.contain('FORBIDDEN');
    expect(cli('operator/registry-reviewer1', 'return', first, 'not a code').status).to.equal(2);
    const returned = cli('operator/registry-reviewer1', 'return', first, 'CERTIFICATE_NUMBER_WRONG');
    expect(returned.status, returned.stderr).to.equal(0);
    expect(JSON.parse(returned.stdout)).to.include({ state: 'applied' });
    expect(cli('operator/registrar1', 'register', first, certificateNumber, '最高额抵押').status).to.equal(0);
    const res = cli('operator/registry-reviewer1', 'approve', first);
    expect(res.status, res.stderr).to.equal(0);
    expect(JSON.parse(res.stdout)).to.include({ id: first, state: 'registered', priority: 1 });
    const seen = (await gw.get(officer, `/v1/mortgages/${first}`)).body as { certificate: { readable: string; content: Record<string, string> } };
    expect(seen.certificate.readable).to.equal('decrypted');
    expect(seen.certificate.content).to.include({ certificateNumber, mortgageId: first, registryId: 'MREG1', mortgageeId: 'BANK1', remarks: '最高额抵押' });
    expect(cli('operator/registrar1', 'register', second, certificateNumber).stderr).to.contain('ALREADY_EXISTS');
    const certificate = cli('operator/registrar1', 'certificate', first, '--for', 'BANK1', '--out', path.join(work, 'certificate.pdf'));
    expect(certificate.status, certificate.stdout + certificate.stderr).to.equal(0);
    expect(certificate.stdout).to.contain(`registration certificate of mortgage ${first}`).and.contain('for BANK1').and.contain('VERDICT: VALID');
    expect(cli('bank1/mortgage-officer1', 'certificate', first).stderr).to.contain('is no registrar');
    expect(cli('operator/registrar1', 'certificate', first, '--out').status).to.equal(2);
  });

  it('the mortgage officer asks for discharge (not the confirmation officer), only the registry discharges; the registrar rejects the other application', async function () {
    const byConfirmationOfficer = cli('bank1/officer1', 'request-discharge', first, 'repaid');
    expect(byConfirmationOfficer.status).to.equal(1);
    expect(byConfirmationOfficer.stderr).to.contain('FORBIDDEN');
    expect(cli('bank1/mortgage-officer1', 'request-discharge', first, 'repaid').status).to.equal(0);
    const byBank = cli('bank1/mortgage-officer1', 'discharge', first, `DC-${tag}`, 'repaid');
    expect(byBank.status).to.equal(1);
    expect(byBank.stderr).to.contain('FORBIDDEN');
    const prepared = cli('operator/registrar1', 'discharge', first, `DC-${tag}`, 'repaid');
    expect(prepared.status, prepared.stderr).to.equal(0);
    expect(JSON.parse(prepared.stdout)).to.include({ state: 'discharge-in-review' });
    const discharged = cli('operator/registry-reviewer1', 'approve', first);
    expect(discharged.status, discharged.stderr).to.equal(0);
    expect(JSON.parse(discharged.stdout)).to.include({ state: 'discharged', dischargeCaseNumber: `DC-${tag}` });
    const rejected = cli('operator/registrar1', 'reject', second, 'TITLE_MISMATCH');
    expect(rejected.status, rejected.stderr).to.equal(0);
    expect(await state(second)).to.equal('rejection-in-review');
    expect(cli('operator/registrar1', 'approve', second).stderr).to.contain('FORBIDDEN');
    const final = cli('operator/registry-reviewer1', 'approve', second);
    expect(final.status, final.stderr).to.equal(0);
    expect(JSON.parse(final.stdout)).to.include({ state: 'rejected', rejectionReason: 'TITLE_MISMATCH' });
  });

  it("the client's consents: a bank may query the unit, the firm may see its registrations, and the grant is revoked", async function () {
    const consent = cli('operator/client1', 'authorize-query', unitNumber, 'BANK1', '2099-12-31');
    expect(consent.status, consent.stderr).to.equal(0);
    expect(JSON.parse(consent.stdout)).to.include({ bankId: 'BANK1', validUntil: '2099-12-31', grantedFor: 'CLIENT1' });
    expect(cli('bank1/mortgage-officer1', 'encumbrances', unitNumber).status).to.equal(0);
    expect(cli('operator/client1', 'grant-auditor', 'FIRM1', '2099-12-31').status).to.equal(0);
    const revoked = cli('operator/client1', 'revoke-auditor', 'FIRM1');
    expect(revoked.status, revoked.stderr).to.equal(0);
    expect(JSON.parse(revoked.stdout)).to.include({ revoked: true });
    expect(cli('operator/client1', 'grant-auditor', 'FIRM1', '31-12-2099').status).to.equal(2);
  });

  it("with the owner's key file the consent widens the application to the bank, which opens the amount with its own (checked against the ledger)", async function () {
    const third = `MTG-${run}-3`;
    await fileMortgage(third);
    expect((await gw.registryStep(gw.registryCallers(), `/v1/mortgages/${third}/registration`, { certificateNumber: `${certificateNumber}3` })).body.state).to.equal('registered');
    const keys = (id: string) => path.join(networkDir(), 'institution-keys', `${id}.keys.json`);
    expect(cli('bank2/officer1', 'encumbrances', unitNumber).status, 'no consent yet').to.equal(1);
    const consent = cli('operator/client1', 'authorize-query', unitNumber, 'BANK2', '2099-12-31', '--keys', keys('CLIENT1'));
    expect(consent.status, consent.stderr).to.equal(0);
    expect((JSON.parse(consent.stdout) as { disclosed: string[] }).disclosed).to.include(third);
    const sealed = cli('bank2/officer1', 'encumbrances', unitNumber);
    expect(sealed.stdout).to.match(new RegExp(`${third}.*amount sealed to you`));
    const opened = cli('bank2/officer1', 'encumbrances', unitNumber, '--keys', keys('BANK2'));
    expect(opened.status, opened.stderr).to.equal(0);
    expect(opened.stdout).to.match(new RegExp(`${third}.*maximum CNY 12000000\\.00`));
    // Another institution's key file opens nothing: the copy is the bank's only.
    expect(cli('bank2/officer1', 'encumbrances', unitNumber, '--keys', keys('FIRM1')).stdout).to.match(new RegExp(`${third}.*amount does not verify`));
    expect(cli('bank2/officer1', 'encumbrances', unitNumber, '--key', keys('BANK2')).status, 'a misspelt option').to.equal(2);

    // A registration approved from the CLI after the consent: the bank cannot open it until the registry discloses it.
    const fourth = `MTG-${run}-4`;
    await fileMortgage(fourth, { mortgageType: 'ordinary', securedPrincipal: '650000.00' });
    expect(cli('operator/registrar1', 'register', fourth, `${certificateNumber}4`).status).to.equal(0);
    const approved = cli('operator/registry-reviewer1', 'approve', fourth);
    expect(approved.status, approved.stderr).to.equal(0);
    expect(cli('bank2/officer1', 'encumbrances', unitNumber, '--keys', keys('BANK2')).stdout).to.match(new RegExp(`${fourth}.*amount not disclosed`));
    const registryView = cli('operator/registrar1', 'encumbrances', unitNumber);
    expect(registryView.stdout).to.match(new RegExp(`consent BANK2 .*not yet: .*${fourth}`));
    expect(cli('operator/registrar1', 'disclose', unitNumber).status, 'no key file').to.equal(2);
    expect(cli('bank2/officer1', 'disclose', unitNumber, '--keys', keys('BANK2')).status, 'a bank may not').to.equal(1);
    const disclosed = cli('operator/registrar1', 'disclose', unitNumber, '--keys', keys('MREG1'));
    expect(disclosed.status, disclosed.stderr).to.equal(0);
    expect((JSON.parse(disclosed.stdout) as { disclosed: Array<{ bankId: string; mortgageId: string }> }).disclosed).to.deep.include({ bankId: 'BANK2', mortgageId: fourth });
    expect(cli('bank2/officer1', 'encumbrances', unitNumber, '--keys', keys('BANK2')).stdout).to.match(new RegExp(`${fourth}.*CNY 650000\\.00`));
    const nothingLeft = cli('operator/registrar1', 'disclose', unitNumber, '--keys', keys('MREG1'));
    expect((JSON.parse(nothingLeft.stdout) as { disclosed: unknown[] }).disclosed).to.deep.equal([]);
  });

  it("a change and a transfer from the CLI: the registry's key file opens the application, re-sealed to the parties; each takes effect when the reviewer approves", async function () {
    const keys = (id: string) => path.join(networkDir(), 'institution-keys', `${id}.keys.json`);
    const [third, fourth] = [`MTG-${run}-3`, `MTG-${run}-4`];
    expect(cli('operator/registrar1', 'change', fourth, '--amount', '600000.00').status, 'no key file').to.equal(2);
    expect(cli('operator/registrar1', 'change', fourth, '--amount', '600000.00', '--keys', keys('FIRM1')).stderr).to.contain('does not open');
    expect(cli('operator/registrar1', 'change', fourth, '--amount', '650000.00', '--keys', keys('MREG1')).stderr, 'changes nothing').to.contain('changes nothing');
    expect(cli('operator/registrar1', 'change', fourth, '--debt-term-end', '2025-12-31', '--keys', keys('MREG1')).status).to.equal(2);
    expect(cli('operator/registrar1', 'change', fourth, '--amont', '1.00', '--keys', keys('MREG1')).status, 'a misspelt option').to.equal(2);
    expect(cli('bank1/mortgage-officer1', 'change', fourth, '--amount', '600000.00', '--keys', keys('BANK1')).stderr, 'a bank').to.contain('FORBIDDEN');
    expect(await state(fourth)).to.equal('registered');
    const changing = cli('operator/registrar1', 'change', fourth, '--amount', '600000.00', '--debt-term-end', '2030-06-30', '--keys', keys('MREG1'));
    expect(changing.status, changing.stderr).to.equal(0);
    expect(JSON.parse(changing.stdout)).to.include({ state: 'change-in-review', debtTermEnd: '2031-01-01' });
    const changed = cli('operator/registry-reviewer1', 'approve', fourth);
    expect(changed.status, changed.stderr).to.equal(0);
    expect(JSON.parse(changed.stdout)).to.include({ state: 'changed', debtTermEnd: '2030-06-30' });
    // The certificate of the changed registration: the change and its approval in the steps, each by its role, checked against the ledger.
    const certificate = cli('operator/registrar1', 'certificate', fourth, '--for', 'BANK1', '--out', path.join(work, 'changed.pdf'));
    expect(certificate.status, certificate.stdout + certificate.stderr).to.equal(0);
    expect(certificate.stdout).to.contain('VERDICT: VALID');
    // The bank's copy is stale now; the registry discloses the changed one.
    expect(cli('bank2/officer1', 'encumbrances', unitNumber, '--keys', keys('BANK2')).stdout).to.match(new RegExp(`${fourth}.*amount not disclosed`));
    expect(cli('operator/registrar1', 'disclose', unitNumber, '--keys', keys('MREG1')).status).to.equal(0);
    expect(cli('bank2/officer1', 'encumbrances', unitNumber, '--keys', keys('BANK2')).stdout).to.match(new RegExp(`${fourth}.*CNY 600000\\.00`));

    const buyers = path.join(work, 'buyers.json');
    writeFileSync(buyers, JSON.stringify([{ name: '江南贸易有限公司', idNumber: '91320000MA1FL0002Y', institutionId: 'ENT1' }]));
    const malformed = path.join(work, 'malformed.json');
    writeFileSync(malformed, JSON.stringify([{ name: '江南贸易有限公司', amount: '1.00' }]));
    expect(cli('operator/registrar1', 'transfer', third, malformed, '--keys', keys('MREG1')).stderr).to.contain('unknown amount');
    const transferring = cli('operator/registrar1', 'transfer', third, buyers, '--keys', keys('MREG1'));
    expect(transferring.status, transferring.stderr).to.equal(0);
    expect(JSON.parse(transferring.stdout)).to.deep.include({ state: 'transfer-in-review', mortgagorIds: ['CLIENT1'] });
    // The reviewer's work, every review state at once; a bank has no such queue.
    expect(cli('operator/registry-reviewer1', 'queue').stdout).to.match(new RegExp(`${third}\\s+transfer-in-review`));
    expect(cli('bank1/officer1', 'queue').status).to.equal(2);
    const transferred = cli('operator/registry-reviewer1', 'approve', third);
    expect(transferred.status, transferred.stderr).to.equal(0);
    expect(JSON.parse(transferred.stdout)).to.deep.include({ state: 'transferred', mortgagorIds: ['ENT1'] });
  });
});
