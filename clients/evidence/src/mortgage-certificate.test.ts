import { mortgageCertificateKey, mortgageUnitKey, saltedHash, type MortgageEvidence, type MortgageRecord } from '@econfirm/common';
import { LedgerCallError } from '@econfirm/sdk';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { certificateDer } from './crypto/certificates';
import { buildMortgageCertificate, EvidenceInputError, type MortgageCertificateDocument, type MortgageCertificateInput, type PartySummary, type RegistryEntry } from './index';
import { createMortgageCertificatePdf } from './mortgage-certificate-pdf';
import { evidenceSigner, type EvidenceSigner } from './signer';
import { BANK, CLIENT, registrySnapshot } from './testing/sample-evidence';
import { createNssDb, createTestOrgPki, type TestOrgPki } from './testing/test-pki';
import { verifyEvidencePdf, type Check, type LedgerView, type TrustRoots, type Verdict } from './verify/verify-evidence';

const REGISTRY: PartySummary = { id: 'MREG1', kind: 'mortgage-registry', mspId: 'OperatorMSP', nameZh: '上海市不动产登记中心', nameEn: 'Shanghai Real Estate Registration Centre' };
const UNIT = '310115 001001 GB00001 F00010001';
const NUMBER = '沪(2026)浦东新区不动产证明第0000001号';

function check(verdict: Verdict, id: string): Check {
  const found = verdict.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${JSON.stringify(verdict.checks)}`);
  return found;
}

function pdfsig(bytes: Buffer, nssDir: string): { valid: boolean; trusted: boolean; output: string } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'econfirm-certificate-')), 'certificate.pdf');
  writeFileSync(file, bytes);
  const run = spawnSync('pdfsig', ['-nssdir', nssDir, file], { encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  return { valid: /Signature Validation: Signature is Valid\./.test(output), trusted: /Certificate Validation: Certificate is Trusted\./.test(output), output };
}

const actor = (role: string, institution: string, mspId: string, n: number) => ({ mspId, subject: `/CN=${role}${n}`, issuer: '/CN=ca', role, institution, certificateSha256: String(n).repeat(64).slice(0, 64) });

/** A registration filed by BANK1, prepared by MREG1's registrar and approved by its reviewer, with its sealed parts and the block facts of each step. */
function sample(state: 'registered' | 'discharge-requested' = 'registered'): { input: MortgageCertificateInput; written: Record<string, MortgageRecord> } {
  const application = { unitNumber: UNIT, location: '上海市浦东新区示范路88号1幢101室', mortgagors: [{ name: '华东制造股份有限公司', institutionId: 'CLIENT1' }], currency: 'CNY', securedPrincipal: '3800000.00' };
  const certificate = { certificateNumber: NUMBER, right: '抵押权', mortgageId: 'MTG-T-1', registryId: 'MREG1', mortgageeId: 'BANK1' };
  const appSalt = 'a1'.repeat(32);
  const certSalt = 'c3'.repeat(32);
  const steps: MortgageRecord['steps'] = [
    { action: 'FileMortgageApplication', state: 'applied', by: 'x509::CN=mortgage-officer1', at: '2026-12-01T01:00:00.000Z' },
    { action: 'RegisterMortgage', state: 'registration-in-review', by: 'x509::CN=registrar1', at: '2026-12-01T02:00:00.000Z' },
    { action: 'ApproveMortgageStep', state: 'registered', by: 'x509::CN=registry-reviewer1', at: '2026-12-01T02:30:00.000Z' },
  ];
  if (state === 'discharge-requested') steps.push({ action: 'RequestMortgageDischarge', state: 'discharge-requested', by: 'x509::CN=mortgage-officer1', at: '2026-12-01T03:00:00.000Z' });
  const base: MortgageRecord = {
    id: 'MTG-T-1', registryId: 'MREG1', unitKey: mortgageUnitKey(UNIT), propertyType: 'residential', mortgageType: 'ordinary', debtTermStart: '2026-01-01', debtTermEnd: '2046-01-01',
    preRegistration: false, mortgagorIds: ['CLIENT1'], consentHash: 'e'.repeat(64), mortgageeId: 'BANK1', state: 'applied',
    application: { ciphertext: 'JWE-APPLICATION', contentHash: saltedHash(application, appSalt) }, steps: steps.slice(0, 1),
  };
  const prepared: MortgageRecord = {
    ...base, state: 'registration-in-review', certificateKey: mortgageCertificateKey(NUMBER), certificate: { ciphertext: 'JWE-CERTIFICATE', contentHash: saltedHash(certificate, certSalt) },
    registeredBy: 'x509::CN=registrar1', review: { action: 'RegisterMortgage', from: 'applied', preparedBy: 'x509::CN=registrar1', preparedAt: steps[1]?.at as string }, steps: steps.slice(0, 2),
  };
  const { review: _approved, ...approved } = prepared;
  const registered: MortgageRecord = { ...approved, state: 'registered', registeredAt: steps[2]?.at as string, registrationApprovedBy: 'x509::CN=registry-reviewer1', steps: steps.slice(0, 3) };
  const versions = [base, prepared, registered, ...(state === 'discharge-requested' ? [{ ...registered, state: 'discharge-requested' as const, dischargeReason: 'repaid' as const, steps }] : [])];
  const txIds = versions.map((_, i) => `${String(i + 1).repeat(64)}`.slice(0, 64));
  const actors = [actor('mortgage-officer', 'BANK1', 'Bank1MSP', 1), actor('registrar', 'MREG1', 'OperatorMSP', 2), actor('registry-reviewer', 'MREG1', 'OperatorMSP', 3), actor('mortgage-officer', 'BANK1', 'Bank1MSP', 1)];
  const ledger: MortgageEvidence = { mortgage: { ...(versions[versions.length - 1] as MortgageRecord), priority: 1 }, trail: versions.map((v, i) => ({ txId: txIds[i] as string, timestamp: v.steps[i]?.at as string, state: v.state })) };
  const transactions = Object.fromEntries(txIds.map((tx, i) => [tx, { blockNumber: String(10 + i), validationCode: 'VALID', actor: actors[i] as ReturnType<typeof actor> }]));
  return {
    input: {
      channel: 'econfirm', generatedAt: '2026-12-02T08:00:00.000Z', generatedBy: REGISTRY, issuedTo: BANK,
      parties: { registry: REGISTRY, mortgagee: BANK, mortgagors: [CLIENT] }, ledger,
      opened: { application: { content: application, salt: appSalt }, certificate: { content: certificate, salt: certSalt } }, transactions,
    },
    written: Object.fromEntries(txIds.map((tx, i) => [tx, versions[i] as MortgageRecord])),
  };
}

describe('mortgage registration certificate (不动产登记证明): render, sign, verify', function () {
  this.timeout(120_000);
  let operator: TestOrgPki;
  let bankPki: TestOrgPki;
  let registrySigner: EvidenceSigner;
  let roots: TrustRoots;
  let doc: MortgageCertificateDocument;
  let pdf: Buffer;

  /** The ledger as a stub: records written per transaction, block facts, and the current trail as a reader gets it. */
  function ledgerOf(s: ReturnType<typeof sample>, current = s.input.ledger): LedgerView {
    return {
      confirmationEvidence: () => Promise.reject(new Error('not a confirmation')),
      transaction: (tx) => {
        const f = s.input.transactions[tx];
        return f ? Promise.resolve({ blockNumber: BigInt(f.blockNumber), validationCode: f.validationCode, actor: f.actor }) : Promise.reject(new Error(`no transaction ${tx}`));
      },
      committedMortgage: (tx) => Promise.resolve(s.written[tx]),
      mortgageEvidence: () => Promise.resolve(current),
      institution: (id) => Promise.resolve([REGISTRY, BANK, CLIENT].map((p): RegistryEntry => ({ ...p, signingKeys: [] })).find((p) => p.id === id)),
    };
  }

  before(async () => {
    operator = createTestOrgPki('operator');
    bankPki = createTestOrgPki('bank1');
    const evidence = operator.issue('MREG1-evidence', { evidence: 'MREG1' });
    registrySigner = evidenceSigner('MREG1', evidence.keyPem, [evidence.certPem, operator.evidenceCaPem]);
    roots = new Map([
      ['OperatorMSP', [certificateDer(operator.rootPem)]],
      ['Bank1MSP', [certificateDer(bankPki.rootPem)]],
    ]);
    doc = buildMortgageCertificate(sample().input);
    pdf = (await createMortgageCertificatePdf(doc, registrySigner)).pdf;
  });

  it('verifies offline (the ledger not checked, and said so) and online against the ledger', async () => {
    const offline = await verifyEvidencePdf(pdf, { roots });
    expect(offline.ok, JSON.stringify(offline.checks, null, 1)).to.equal(true);
    expect(offline).to.include({ kind: 'mortgage-certificate', mortgageId: 'MTG-T-1', mode: 'offline' });
    for (const id of ['attachments', 'pdf-signature', 'pdf-certificate', 'evidence-jws', 'certificate-content']) expect(check(offline, id).status, id).to.equal('pass');
    expect(check(offline, 'ledger-hashes')).to.include({ status: 'skipped', code: 'OFFLINE' });
    const online = await verifyEvidencePdf(pdf, { roots, ledger: ledgerOf(sample()) });
    expect(online.ok, JSON.stringify(online.checks, null, 1)).to.equal(true);
    for (const id of ['registry', 'ledger-hashes', 'ledger-transactions', 'ledger-current']) expect(check(online, id).status, id).to.equal('pass');
  });

  it("offline, refuses a signer whose institution's entry in the verifier's registry snapshot differs (REGISTRY_MISMATCH): the registry under another MSP or of another kind, a mortgagee renamed, a mortgagor not registered", async () => {
    const verified = async (changes: Parameters<typeof registrySnapshot>[1] = {}) => {
      const verdict = await verifyEvidencePdf(pdf, { roots, registry: registrySnapshot([REGISTRY, BANK, CLIENT], changes) });
      return { ok: verdict.ok, registry: check(verdict, 'registry') };
    };
    expect(await verified()).to.deep.include({ ok: true }).and.have.nested.include({ 'registry.status': 'pass' });
    // The registry rehosted under the bank's MSP: the certificate signed under OperatorMSP is not its.
    const rehosted = await verified({ changed: [{ id: 'MREG1', mspId: 'Bank1MSP' }] });
    expect(rehosted).to.deep.include({ ok: false }).and.have.nested.include({ 'registry.status': 'fail', 'registry.code': 'REGISTRY_MISMATCH' });
    expect(rehosted.registry.detail).to.include('registry MREG1: mspId differ').and.include('not a registration centre registered under it');
    // Under the same MSP, but registered as a bank: no registration centre signed it.
    const notARegistry = await verified({ changed: [{ id: 'MREG1', kind: 'bank' }] });
    expect(notARegistry.registry).to.include({ status: 'fail', code: 'REGISTRY_MISMATCH' });
    expect(notARegistry.registry.detail).to.include('registry MREG1: kind differ');
    const renamed = await verified({ changed: [{ id: 'BANK1', nameEn: 'Another Bank' }] });
    expect(renamed.registry).to.include({ status: 'fail', code: 'REGISTRY_MISMATCH' });
    expect(renamed.registry.detail).to.include('mortgagee BANK1: nameEn differ');
    expect((await verified({ without: CLIENT.id })).registry).to.include({ status: 'fail', code: 'REGISTRY_MISMATCH', detail: `mortgagor ${CLIENT.id} is not in the registry` });
  });

  it("is valid and trusted for poppler's pdfsig with the registry's evidence CA; untrusted with another org's", () => {
    const good = pdfsig(pdf, createNssDb([operator.evidenceCaPem]));
    expect(good.valid, good.output).to.equal(true);
    expect(good.trusted, good.output).to.equal(true);
    expect(pdfsig(pdf, createNssDb([bankPki.evidenceCaPem])).trusted).to.equal(false);
  });

  it('renders the same bytes again for the same input', async () => {
    expect((await createMortgageCertificatePdf(JSON.parse(JSON.stringify(doc)) as MortgageCertificateDocument, registrySigner)).pdf.equals(pdf)).to.equal(true);
  });

  it('a flipped byte: pdfsig and the verifier refuse it', async () => {
    const flipped = Buffer.from(pdf);
    flipped[Math.floor(flipped.length * 0.8)] ^= 0x01;
    expect(pdfsig(flipped, createNssDb([operator.evidenceCaPem])).valid).to.equal(false);
    const verdict = await verifyEvidencePdf(flipped, { roots });
    expect(verdict.ok).to.equal(false);
    expect(check(verdict, 'pdf-signature').status).to.equal('fail');
  });

  it("refuses a certificate signed by a key that is not the registry's evidence certificate: the bank's, another institution's under the same MSP, a plain one", async () => {
    const bankEvidence = bankPki.issue('BANK1-evidence', { evidence: 'BANK1' });
    const bankSigned = await createMortgageCertificatePdf({ ...doc, generatedBy: BANK }, evidenceSigner('BANK1', bankEvidence.keyPem, [bankEvidence.certPem, bankPki.evidenceCaPem])).catch((e: Error) => e);
    expect(bankSigned).to.be.instanceOf(Error); // the library will not even sign it
    // A forger writes the PDF itself: the bank's evidence certificate, the document naming the bank or the registry as issuer.
    const forge = async (generatedBy: PartySummary, signer: EvidenceSigner) => {
      const forged = { ...doc, generatedBy };
      return createMortgageCertificatePdf(forged, { ...signer, institutionId: forged.generatedBy.id }).then((r) => r.pdf).catch(() => undefined);
    };
    const asBank = await forge({ ...REGISTRY, mspId: 'Bank1MSP' }, { ...evidenceSigner('BANK1', bankEvidence.keyPem, [bankEvidence.certPem, bankPki.evidenceCaPem]), institutionId: 'MREG1' });
    const otherUnderOperator = operator.issue('CLIENT1-evidence', { evidence: 'CLIENT1' });
    const asClient = await forge(REGISTRY, { ...evidenceSigner('CLIENT1', otherUnderOperator.keyPem, [otherUnderOperator.certPem, operator.evidenceCaPem]), institutionId: 'MREG1' });
    const plain = operator.issue('registrar1');
    const asPlain = await forge(REGISTRY, { ...evidenceSigner('MREG1', plain.keyPem, [plain.certPem, operator.evidenceCaPem]), institutionId: 'MREG1' });
    for (const [what, forged] of [['bank', asBank], ['client', asClient], ['plain', asPlain]] as const) {
      expect(forged, what).to.be.instanceOf(Buffer);
      const verdict = await verifyEvidencePdf(forged as Buffer, { roots, ledger: ledgerOf(sample()) });
      expect(verdict.ok, what).to.equal(false);
      expect(check(verdict, 'pdf-certificate').code, what).to.be.oneOf(['NOT_EVIDENCE_CERTIFICATE', 'CERTIFICATE_UNTRUSTED']);
    }
  });

  it('refuses tampered content under a valid signature, a record the ledger does not hold, a registration by a non-registrar, and a superseded registration', async () => {
    const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
    const tampered = clone(doc);
    (tampered.application.content as { securedPrincipal: string }).securedPrincipal = '9800000.00';
    const v1 = await verifyEvidencePdf((await createMortgageCertificatePdf(tampered, registrySigner)).pdf, { roots });
    expect(check(v1, 'certificate-content')).to.include({ status: 'fail', code: 'CONTENT_MISMATCH' });

    const otherTerm = clone(doc);
    otherTerm.record.debtTermEnd = '2056-01-01';
    const v2 = await verifyEvidencePdf((await createMortgageCertificatePdf(otherTerm, registrySigner)).pdf, { roots, ledger: ledgerOf(sample()) });
    expect(check(v2, 'ledger-hashes')).to.include({ status: 'fail', code: 'LEDGER_MISMATCH' });
    expect(check(v2, 'ledger-hashes').detail).to.match(/debtTermEnd/).and.not.match(/2046/);

    const byBank = sample();
    const registerTx = byBank.input.ledger.trail[1]?.txId as string;
    byBank.input.transactions[registerTx] = { blockNumber: '11', validationCode: 'VALID', actor: actor('mortgage-officer', 'BANK1', 'Bank1MSP', 1) };
    const v3 = await verifyEvidencePdf(pdf, { roots, ledger: ledgerOf(byBank) });
    expect(check(v3, 'ledger-transactions')).to.include({ status: 'fail', code: 'TRANSACTION_MISMATCH' });
    expect(check(v3, 'ledger-transactions').detail).to.match(/RegisterMortgage .* not submitted by a registrar of MREG1/);
    // The checker's step by the registrar itself (maker–checker, chaincode/README.md): refused too.
    const byRegistrar = sample();
    const approveTx = byRegistrar.input.ledger.trail[2]?.txId as string;
    byRegistrar.input.transactions[approveTx] = { blockNumber: '12', validationCode: 'VALID', actor: actor('registrar', 'MREG1', 'OperatorMSP', 2) };
    const v3r = await verifyEvidencePdf(pdf, { roots, ledger: ledgerOf(byRegistrar) });
    expect(check(v3r, 'ledger-transactions').detail).to.match(/ApproveMortgageStep .* not submitted by a registry-reviewer of MREG1/);

    const later = sample('discharge-requested');
    const v4 = await verifyEvidencePdf(pdf, { roots, ledger: { ...ledgerOf(sample()), mortgageEvidence: () => Promise.resolve(later.input.ledger) } });
    expect(check(v4, 'ledger-current')).to.include({ status: 'fail', code: 'SUPERSEDED' });
    const stranger = await verifyEvidencePdf(pdf, { roots, ledger: { ...ledgerOf(sample()), mortgageEvidence: () => Promise.reject(new LedgerCallError('NOT_FOUND', 'mortgage MTG-T-1 does not exist', 'evaluate', 'GetMortgageEvidence')) } });
    expect(check(stranger, 'ledger-current')).to.include({ status: 'skipped', code: 'NOT_A_READER' });
    expect(stranger.ok).to.equal(true);
  });

  it("a non-party's copy carries the hashes only, and still verifies", async () => {
    const { input } = sample();
    const { opened: _opened, ...withoutContent } = input;
    const redacted = buildMortgageCertificate({ ...withoutContent, issuedTo: { id: 'REGULATOR', kind: 'regulator', mspId: 'RegulatorMSP', nameZh: '监管机构', nameEn: 'Regulator' } });
    expect(JSON.stringify(redacted)).not.to.contain('3800000.00').and.not.contain(UNIT).and.not.contain('示范路');
    const verdict = await verifyEvidencePdf((await createMortgageCertificatePdf(redacted, registrySigner)).pdf, { roots, ledger: ledgerOf(sample()) });
    expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(true);
    expect(check(verdict, 'certificate-content').detail).to.match(/non-party/);
  });

  it('is not built for an unregistered application or content the ledger does not hold', () => {
    const { input } = sample();
    const applied = { ...input, ledger: { mortgage: { ...input.ledger.mortgage, state: 'applied' as const, certificate: undefined } as never, trail: input.ledger.trail.slice(0, 1) } };
    expect(() => buildMortgageCertificate(applied)).to.throw(EvidenceInputError, /no registration certificate/);
    const wrongSalt = { ...input, opened: { ...(input.opened as NonNullable<typeof input.opened>), certificate: { content: input.opened?.certificate.content, salt: '0'.repeat(64) } } };
    expect(() => buildMortgageCertificate(wrongSalt)).to.throw(EvidenceInputError, /salted hash/);
  });
});
