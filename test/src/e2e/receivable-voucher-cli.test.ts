import { ATTACHMENT, extractAttachments, parseReceivableVoucherJson } from '@econfirm/evidence';
import { expect } from 'chai';
import { randomInt } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { E2E_TENANTS, TestGateway, type Caller } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { networkScript, REPO_ROOT, uniqueName } from '../support/network';
import { evidenceCaPem, pdfsig } from '../support/pdfsig';
import { receivableTenants, type ReceivableTenants } from '../support/receivables';

/**
 * `econfirm receivables voucher` (clients/cli/src/commands/receivable-voucher.ts) on the real
 * network: the holder of a confirmed, transferred receivable issues its voucher with its own keys
 * and evidence certificate; poppler's pdfsig reads the signature as valid and trusted, and
 * `econfirm verify` passes it online as the regulator. Refused, writing no file: a receivable the
 * obligor has not confirmed (VOUCHER_NOT_ISSUED with its state), a non-party (the ledger's
 * NOT_FOUND), an auditor (the ledger's FORBIDDEN) — exit 1; a malformed id or no id — exit 2.
 * The gateway only files the steps here, as the parties' systems would.
 */
describe('CLI e2e: the receivable voucher', function () {
  this.timeout(300_000);
  const run = uniqueName('rvcli');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const amount = `${2_000_000 + randomInt(900_000)}`;
  const id = `RCV-${run}`;
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-voucher-cli-'));
  let gw: TestGateway;
  let parties: ReceivableTenants;
  let obligor: Caller, supplierA: Caller;

  const cli = (as: string, ...words: string[]) =>
    spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', as, ...words], { encoding: 'utf8', cwd: work });
  const voucher = (as: string, ...words: string[]) => cli(as, 'receivables', 'voucher', ...words);

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    parties = await receivableTenants(tag);
    networkScript('identity.sh', 'evidence', 'operator', parties.supA.record.id);
    networkScript('identity.sh', 'evidence', 'operator', parties.supB.record.id);
    gw = await TestGateway.start({ tenants: [...E2E_TENANTS, ...parties.tenants] });
    obligor = gw.custodial('core', parties.identities.core);
    supplierA = gw.custodial('supa', parties.identities.supa);
    const admin = gw.custodial('operator', 'admin');
    const limitUrl = `/v1/receivables/limits/${parties.core.record.id}`;
    const limit = await gw.http().put(limitUrl).set('Authorization', await gw.bearer(admin, 'PUT', limitUrl)).send({ amountMinor: (BigInt(amount) * 2n).toString(), currency: 'CNY' });
    expect(limit.status, JSON.stringify(limit.body)).to.equal(200);
    const today = new Date().toISOString().slice(0, 10);
    const registered = await gw.post(supplierA, '/v1/receivables', { id, obligorId: parties.core.record.id, amountMinor: amount, currency: 'CNY', issueDate: today, maturityDate: today, contractNumber: `HT-${tag}`, invoiceNumbers: [`INV-${tag}`] });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
  });

  after(async () => {
    await gw?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('before the obligor confirms: exit 1 VOUCHER_NOT_ISSUED naming the state; a malformed or missing id exit 2; no file written', () => {
    const early = voucher(`operator/${parties.identities.supa}`, id, '--out', 'early.pdf');
    expect(early.status, early.stdout + early.stderr).to.equal(1);
    expect(early.stderr).to.match(/VOUCHER_NOT_ISSUED: .* is registered/);
    expect(existsSync(path.join(work, 'early.pdf'))).to.equal(false);
    const malformed = voucher(`operator/${parties.identities.supa}`, '../etc/passwd');
    expect(malformed.status, malformed.stderr).to.equal(2);
    expect(malformed.stderr).to.contain("id: '../etc/passwd' is not valid");
    expect(voucher(`operator/${parties.identities.supa}`).status).to.equal(2);
    expect(voucher(`operator/${parties.identities.supa}`, id, '--out').stderr).to.contain('--out takes a value');
  });

  it("the holder after confirmation and transfer writes the voucher: its own copy, pdfsig valid and trusted, econfirm verify online", async () => {
    expect((await gw.post(obligor, `/v1/receivables/${id}/confirmation`)).status).to.equal(200);
    const moved = await gw.post(supplierA, `/v1/receivables/${id}/transfer`, { toId: parties.supB.record.id });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);

    const res = voucher(`operator/${parties.identities.supb}`, id, '--out', 'voucher.pdf');
    expect(res.status, res.stdout + res.stderr).to.equal(0);
    expect(res.stdout).to.contain(`wrote voucher.pdf`).and.contain(`receivable voucher of ${id}`).and.contain('VERDICT: VALID');
    const file = path.join(work, 'voucher.pdf');
    const pdf = readFileSync(file);
    const attached = (await extractAttachments(pdf)).find((a) => a.name === ATTACHMENT.evidenceJson);
    const document = parseReceivableVoucherJson((attached?.bytes ?? Buffer.alloc(0)).toString('utf8'));
    expect(document.generatedBy.id).to.equal(parties.supB.record.id);
    expect(document.parties.holders.map((h) => h.id)).to.deep.equal([parties.supA.record.id, parties.supB.record.id]);

    expect(pdfsig(file, evidenceCaPem('operator'))).to.match(/Signature Validation: Signature is Valid\./).and.match(/Certificate Validation: Certificate is Trusted\./);

    const verified = cli('regulator/regulator1', 'verify', file);
    expect(verified.status, verified.stdout + verified.stderr).to.equal(0);
    expect(verified.stdout).to.contain(`receivable voucher of ${id} · issued by ${parties.supB.record.id} (OperatorMSP) · mode online`).and.contain('VERDICT: VALID');
    expect(verified.stdout).not.to.match(/^\s+FAIL/m);
  });

  it('a non-party is refused by the ledger (exit 1 NOT_FOUND), an auditor by role (exit 1 FORBIDDEN); no file written', () => {
    const stranger = voucher('operator/client1', id, '--out', 'stranger.pdf');
    expect(stranger.status, stranger.stdout + stranger.stderr).to.equal(1);
    expect(stranger.stderr).to.contain('NOT_FOUND');
    const auditor = voucher('firm1/auditor1', id, '--out', 'auditor.pdf');
    expect(auditor.status, auditor.stdout + auditor.stderr).to.equal(1);
    expect(auditor.stderr).to.contain('FORBIDDEN');
    expect(existsSync(path.join(work, 'stranger.pdf')) || existsSync(path.join(work, 'auditor.pdf'))).to.equal(false);
  });
});
