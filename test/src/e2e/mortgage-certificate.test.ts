import { sha256Hex } from '@econfirm/common';
import {
  ATTACHMENT,
  channelMspTrust,
  createMortgageCertificatePdf,
  evidenceSignerFromNetwork,
  extractAttachments,
  ledgerView,
  parseMortgageCertificateJson,
  verifyEvidencePdf,
  type MortgageCertificateDocument,
  type Verdict,
} from '@econfirm/evidence';
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { E2E_TENANTS, TestGateway, type Caller, type RegistryCallers } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { defaultDescriptorPath } from '@econfirm/sdk';
import { networkScript, REPO_ROOT, uniqueName, withLedger } from '../support/network';
import { evidenceCaPem, pdfsig } from '../support/pdfsig';

const NETWORK_DIR = path.dirname(defaultDescriptorPath(REPO_ROOT));

/**
 * The electronic registration certificate (不动产登记证明) on the real network: the registration
 * centre's side of the gateway issues it as a signed PDF (GET /v1/mortgages/{id}/certificate.pdf);
 * poppler's pdfsig reads the signature as valid and trusted by the registry's evidence CA; our
 * verifier checks it against the channel's MSP roots and the blocks; a flipped byte, a certificate
 * signed by the bank's evidence key, and one made stale by a later discharge are refused.
 */
describe('gateway e2e: the mortgage registration certificate as signed evidence', function () {
  this.timeout(240_000);
  const run = uniqueName('mcert');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const id = `MTG-${run}`;
  const unitNumber = `310115 002002 GB${tag.slice(-5)} F${tag.slice(-8)}`;
  const principalAmount = `${7_000_000 + (Number.parseInt(sha256Hex(run).slice(0, 6), 16) % 900_000)}.37`;
  const certificateNumber = `沪(2026)浦东新区不动产证明第${tag.slice(-10)}号`;
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-certificate-e2e-'));
  let gw: TestGateway;
  let officer: Caller, clientSigner: Caller, regulator: Caller, auditor: Caller, registrar: Caller;
  let registry: RegistryCallers;
  let bankCopy: Buffer;

  async function download(caller: Caller, url = `/v1/mortgages/${id}/certificate.pdf`) {
    return gw.getBytes(caller, url);
  }

  async function verifyOnline(caller: Caller, pdf: Buffer): Promise<Verdict> {
    const res = await gw.http().post('/v1/evidence/verify').set('Authorization', await gw.bearer(caller, 'POST', '/v1/evidence/verify')).set('Content-Type', 'application/pdf').send(pdf);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as Verdict;
  }

  const check = (verdict: Verdict, checkId: string) => verdict.checks.find((c) => c.id === checkId);

  function pdfsigOf(pdf: Buffer, name: string, trustPem?: string): string {
    const file = path.join(work, name);
    writeFileSync(file, pdf);
    return pdfsig(file, trustPem);
  }

  async function certificateJson(pdf: Buffer): Promise<MortgageCertificateDocument> {
    const attached = (await extractAttachments(pdf)).find((a) => a.name === ATTACHMENT.evidenceJson);
    return parseMortgageCertificateJson((attached?.bytes ?? Buffer.alloc(0)).toString('utf8'));
  }

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR', 'MREG1');
    networkScript('identity.sh', 'evidence', 'operator', 'MREG1');
    networkScript('identity.sh', 'evidence', 'bank1', 'BANK1');
    gw = await TestGateway.start({ tenants: [...E2E_TENANTS, { id: 'mreg1', institutionId: 'MREG1', orgKey: 'operator' }] });
    ({ mortgageOfficer: officer, clientSigner, regulator, auditor } = gw.demoCallers());
    registry = gw.registryCallers();
    ({ registrar } = registry);
    const filed = await gw.post(officer, '/v1/mortgages', {
      id, registryId: 'MREG1', unitNumber, location: '上海市浦东新区证明路8号2幢202室', propertyType: 'residential', mortgageType: 'ordinary',
      securedPrincipal: principalAmount, currency: 'CNY', debtTermStart: '2026-01-01', debtTermEnd: '2046-01-01',
      mortgagors: [{ name: '华东制造股份有限公司', institutionId: 'CLIENT1' }], consentHash: sha256Hex(run),
    });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
  });

  after(async () => {
    await gw?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('is not issued before registration (409 CERTIFICATE_NOT_ISSUED); the route is in the OpenAPI document', async () => {
    const early = await gw.get(officer, `/v1/mortgages/${id}/certificate.pdf`);
    expect(early.status, JSON.stringify(early.body)).to.equal(409);
    expect(early.body.error).to.include({ code: 'CERTIFICATE_NOT_ISSUED' });
    expect(early.body.error.details).to.deep.equal({ state: 'applied' });
    const doc = await gw.http().get('/openapi.json');
    expect(doc.body.paths['/v1/mortgages/{id}/certificate.pdf'].get.responses).to.include.keys('200', '404', '409');
  });

  it("the bank's copy: signed by the registry's evidence certificate, pdfsig valid and trusted, the verifier passes online", async () => {
    const prepared = await gw.post(registrar, `/v1/mortgages/${id}/registration`, { certificateNumber, remarks: '最高额以外的一般抵押' });
    expect(prepared.status, JSON.stringify(prepared.body)).to.equal(200);
    // Prepared by the registrar, not yet approved: no certificate.
    const inReview = await gw.get(officer, `/v1/mortgages/${id}/certificate.pdf`);
    expect(inReview.status, JSON.stringify(inReview.body)).to.equal(409);
    expect(inReview.body.error.details).to.deep.equal({ state: 'registration-in-review' });
    const registered = await gw.post(registry.registryReviewer, `/v1/mortgages/${id}/review/approval`);
    expect(registered.status, JSON.stringify(registered.body)).to.equal(200);
    const res = await download(officer);
    expect(res.status, String(res.body)).to.equal(200);
    expect(res.headers['content-type']).to.match(/application\/pdf/);
    bankCopy = res.body as Buffer;
    const doc = await certificateJson(bankCopy);
    expect(doc.generatedBy.id).to.equal('MREG1');
    expect(doc.issuedTo.id).to.equal('BANK1');
    expect(doc.application.disclosed).to.equal(true);
    expect(doc.certificate.content).to.include({ certificateNumber });
    expect(doc.timeline.map((s) => s.action)).to.deep.equal(['FileMortgageApplication', 'RegisterMortgage', 'ApproveMortgageStep']);

    const evidenceCa = evidenceCaPem('operator');
    const out = pdfsigOf(bankCopy, 'bank-copy.pdf', evidenceCa);
    expect(out).to.match(/Signature Validation: Signature is Valid\./);
    expect(out).to.match(/Certificate Validation: Certificate is Trusted\./);
    expect(out).to.match(/MREG1-evidence@operator/);

    const verdict = await verifyOnline(regulator, bankCopy);
    expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(true);
    expect(verdict).to.include({ kind: 'mortgage-certificate', mortgageId: id, mode: 'online' });
    for (const c of ['pdf-certificate', 'certificate-content', 'registry', 'ledger-hashes', 'ledger-transactions', 'ledger-current']) expect(check(verdict, c)?.status, c).to.equal('pass');
  });

  it('the library verifier, as the mortgagee bank, against MSP roots it reads from the channel configuration itself', async () => {
    await withLedger('bank1', 'mortgage-officer1', async (ledger) => {
      const trust = await channelMspTrust(ledger.network);
      const verdict = await verifyEvidencePdf(bankCopy, { ...trust, ledger: ledgerView(ledger) });
      expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(true);
      expect(check(verdict, 'ledger-current')?.status).to.equal('pass');
    });
  });

  it("the registry's and the regulator's copies; the regulator's discloses nothing sealed; an auditor without the client's grant and a client are refused", async () => {
    expect((await download(registrar)).status).to.equal(200);
    const res = await download(regulator);
    expect(res.status).to.equal(200);
    const doc = await certificateJson(res.body as Buffer);
    expect(doc.issuedTo.id).to.equal('REGULATOR');
    expect(doc.application.disclosed).to.equal(false);
    const json = JSON.stringify(doc);
    for (const secret of [principalAmount, certificateNumber, unitNumber, '证明路']) expect(json).not.to.contain(secret);
    expect((await verifyOnline(regulator, res.body as Buffer)).ok).to.equal(true);

    const revoke = async () => gw.http().delete('/v1/mortgages/auditor-access/FIRM1').set('Authorization', await gw.bearer(clientSigner, 'DELETE', '/v1/mortgages/auditor-access/FIRM1'));
    expect((await revoke()).status).to.equal(200);
    const stranger = await gw.get(auditor, `/v1/mortgages/${id}/certificate.pdf`);
    expect(stranger.status).to.equal(404);
    expect(stranger.body.error.code).to.equal('NOT_FOUND');
    const byClient = await gw.get(clientSigner, `/v1/mortgages/${id}/certificate.pdf`);
    expect(byClient.status).to.equal(403);
    expect((await gw.post(clientSigner, '/v1/mortgages/auditor-access', { firmId: 'FIRM1', validUntil: '2099-12-31' })).status).to.equal(201);
    expect((await download(auditor)).status).to.equal(200);
    expect((await revoke()).status).to.equal(200);
  });

  it('a flipped byte: pdfsig says invalid, the verifier refuses it', async () => {
    const flipped = Buffer.from(bankCopy);
    flipped[Math.floor(flipped.length * 0.75)] ^= 0x04;
    expect(pdfsigOf(flipped, 'flipped.pdf')).not.to.match(/Signature Validation: Signature is Valid\./);
    const verdict = await verifyOnline(regulator, flipped);
    expect(verdict.ok).to.equal(false);
    expect(check(verdict, 'pdf-signature')?.status).to.equal('fail');
  });

  it("a certificate signed with the bank's evidence key (a valid key, chained to Bank1MSP) is refused", async () => {
    const doc = await certificateJson(bankCopy);
    const bankKey = evidenceSignerFromNetwork(NETWORK_DIR, 'bank1', 'BANK1');
    // A forger keeps the registry as issuer (its MSP, or the bank's), and signs with what it holds.
    for (const generatedBy of [doc.generatedBy, { ...doc.generatedBy, mspId: 'Bank1MSP' }]) {
      const forged = await createMortgageCertificatePdf({ ...doc, generatedBy }, { ...bankKey, institutionId: 'MREG1' });
      expect(pdfsigOf(forged.pdf, 'forged.pdf')).to.match(/Signature Validation: Signature is Valid\./); // a sound signature…
      const verdict = await verifyOnline(regulator, forged.pdf);
      expect(verdict.ok).to.equal(false); // …by the wrong institution
      expect(check(verdict, 'pdf-certificate')?.code).to.be.oneOf(['CERTIFICATE_UNTRUSTED', 'NOT_EVIDENCE_CERTIFICATE']);
    }
  });

  it('after discharge the earlier certificate is SUPERSEDED for a reader; the new one says discharged and verifies', async () => {
    expect((await gw.post(officer, `/v1/mortgages/${id}/discharge-request`, { reason: 'repaid' })).status).to.equal(200);
    expect((await gw.registryStep(registry, `/v1/mortgages/${id}/discharge`, { caseNumber: `DC-${tag}`, reason: 'repaid' })).status).to.equal(200);
    const stale = await verifyOnline(regulator, bankCopy);
    expect(stale.ok).to.equal(false);
    expect(check(stale, 'ledger-current')).to.include({ status: 'fail', code: 'SUPERSEDED' });
    expect(check(stale, 'ledger-hashes')?.status).to.equal('pass');
    const res = await download(officer);
    const doc = await certificateJson(res.body as Buffer);
    expect(doc.record.state).to.equal('discharged');
    expect(doc.timeline.map((s) => s.action)).to.deep.equal(['FileMortgageApplication', 'RegisterMortgage', 'ApproveMortgageStep', 'RequestMortgageDischarge', 'DischargeMortgage', 'ApproveMortgageStep']);
    const verdict = await verifyOnline(regulator, res.body as Buffer);
    expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(true);
  });
});
