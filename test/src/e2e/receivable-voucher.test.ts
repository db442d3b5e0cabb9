import { ATTACHMENT, extractAttachments, parseReceivableVoucherJson, type ReceivableVoucherDocument, type Verdict } from '@econfirm/evidence';
import { expect } from 'chai';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { E2E_TENANTS, TestGateway, type Caller } from '../support/gateway';
import { ensureDemoInstitutions, type HeldInstitution } from '../support/institutions';
import { networkScript, uniqueName } from '../support/network';
import { evidenceCaPem, pdfsig } from '../support/pdfsig';
import { receivableTenants } from '../support/receivables';

/**
 * The receivable voucher (电子债权凭证) on the real network: GET /v1/receivables/{id}/voucher.pdf
 * as the holder of a confirmed, transferred receivable; poppler's pdfsig reads the holder's
 * evidence signature as valid and trusted; POST /v1/evidence/verify passes it online; a
 * non-party is answered as the certificate routes answer (404 by the ledger, 403 by role), and a
 * receivable its obligor has not confirmed has no voucher (409 VOUCHER_NOT_ISSUED).
 */
describe('gateway e2e: the receivable voucher as signed evidence', function () {
  this.timeout(300_000);
  const run = uniqueName('rvch');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const amount = `${3_000_000 + randomInt(900_000)}`;
  const root = `RCV-${run}`;
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-voucher-e2e-'));
  let gw: TestGateway;
  let core: HeldInstitution, supB: HeldInstitution;
  let obligor: Caller, supplierA: Caller, supplierB: Caller, regulator: Caller, auditor: Caller, outsider: Caller, admin: Caller;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    const parties = await receivableTenants(tag);
    ({ core, supB } = parties);
    networkScript('identity.sh', 'evidence', 'operator', supB.record.id);
    gw = await TestGateway.start({ tenants: [...E2E_TENANTS, ...parties.tenants] });
    ({ regulator, auditor, clientSigner: outsider } = gw.demoCallers());
    obligor = gw.custodial('core', parties.identities.core);
    supplierA = gw.custodial('supa', parties.identities.supa);
    supplierB = gw.custodial('supb', parties.identities.supb);
    admin = gw.custodial('operator', 'admin');
  });

  after(async () => {
    await gw?.close();
    rmSync(work, { recursive: true, force: true });
  });

  function registration(id: string, invoice: string): Record<string, unknown> {
    const today = new Date().toISOString().slice(0, 10);
    return { id, obligorId: core.record.id, amountMinor: amount, currency: 'CNY', issueDate: today, maturityDate: today, contractNumber: `HT-${tag}`, invoiceNumbers: [invoice], goods: '钢材 20 吨' };
  }

  async function download(caller: Caller, id: string) {
    const url = `/v1/receivables/${id}/voucher.pdf`;
    return gw.getBytes(caller, url);
  }

  it('a receivable the obligor has not confirmed has no voucher: 409 VOUCHER_NOT_ISSUED; the route is in the OpenAPI document', async () => {
    const limit = await gw.http().put(`/v1/receivables/limits/${core.record.id}`).set('Authorization', await gw.bearer(admin, 'PUT', `/v1/receivables/limits/${core.record.id}`)).send({ amountMinor: (BigInt(amount) * 4n).toString(), currency: 'CNY' });
    expect(limit.status, JSON.stringify(limit.body)).to.equal(200);
    const res = await gw.post(supplierA, '/v1/receivables', registration(root, `INV-${tag}-1`));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const early = await gw.get(supplierA, `/v1/receivables/${root}/voucher.pdf`);
    expect(early.status, JSON.stringify(early.body)).to.equal(409);
    expect(early.body.error).to.include({ code: 'VOUCHER_NOT_ISSUED' });
    expect(early.body.error.details).to.deep.equal({ state: 'registered' });
    const doc = await gw.http().get('/openapi.json');
    expect(doc.body.paths['/v1/receivables/{id}/voucher.pdf'].get.responses).to.include.keys('200', '404', '409');
  });

  it("the holder's copy of a confirmed, transferred receivable: pdfsig valid and trusted, POST /v1/evidence/verify ok online", async () => {
    expect((await gw.post(obligor, `/v1/receivables/${root}/confirmation`)).status).to.equal(200);
    const moved = await gw.post(supplierA, `/v1/receivables/${root}/transfer`, { toId: supB.record.id });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    const res = await download(supplierB, root);
    expect(res.status, (res.body as Buffer).toString('utf8').slice(0, 500)).to.equal(200);
    expect(res.headers['content-type']).to.match(/application\/pdf/);
    const pdf = res.body as Buffer;
    const attached = (await extractAttachments(pdf)).find((a) => a.name === ATTACHMENT.evidenceJson);
    const voucher: ReceivableVoucherDocument = parseReceivableVoucherJson((attached?.bytes ?? Buffer.alloc(0)).toString('utf8'));
    expect(voucher.generatedBy.id).to.equal(supB.record.id);
    expect(voucher.parties.holders.map((h) => h.id)).to.include(supB.record.id);

    const file = path.join(work, 'voucher.pdf');
    writeFileSync(file, pdf);
    const text = pdfsig(file, evidenceCaPem('operator'));
    expect(text).to.match(/Signature Validation: Signature is Valid\./);
    expect(text).to.match(/Certificate Validation: Certificate is Trusted\./);

    const verified = await gw.http().post('/v1/evidence/verify').set('Authorization', await gw.bearer(regulator, 'POST', '/v1/evidence/verify')).set('Content-Type', 'application/pdf').send(pdf);
    expect(verified.status, JSON.stringify(verified.body)).to.equal(200);
    const verdict = verified.body as Verdict;
    expect(verdict.ok, JSON.stringify(verdict.checks.filter((c) => c.status === 'fail'))).to.equal(true);
    expect(verdict).to.include({ kind: 'receivable-voucher', receivableId: root });
    expect(verdict.generatedBy).to.equal(`${supB.record.id} (OperatorMSP)`);
  });

  it('a non-party client is answered 404 by the ledger; an auditor is refused by role (403)', async () => {
    const stranger = await gw.get(outsider, `/v1/receivables/${root}/voucher.pdf`);
    expect(stranger.status, JSON.stringify(stranger.body)).to.equal(404);
    expect(stranger.body.error.code).to.equal('NOT_FOUND');
    const byRole = await gw.get(auditor, `/v1/receivables/${root}/voucher.pdf`);
    expect(byRole.status, JSON.stringify(byRole.body)).to.equal(403);
    expect(byRole.body.error.code).to.equal('FORBIDDEN');
  });
});
