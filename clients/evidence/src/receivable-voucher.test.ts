import { receivableAmountHash, receivableInvoiceKey, saltedHash, type ReceivableEvidence, type ReceivableRecord, type ReceivableStep } from '@econfirm/common';
import { LedgerCallError } from '@econfirm/sdk';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { certificateDer } from './crypto/certificates';
import { buildReceivableVoucher, EvidenceInputError, type PartySummary, type ReceivableVoucherDocument, type ReceivableVoucherInput, type RegistryEntry } from './index';
import { createReceivableVoucherPdf } from './receivable-voucher-pdf';
import { evidenceSigner, type EvidenceSigner } from './signer';
import { BANK, registrySnapshot } from './testing/sample-evidence';
import { createNssDb, createTestOrgPki, type TestOrgPki } from './testing/test-pki';
import { verifyEvidencePdf, type Check, type LedgerView, type TrustRoots, type Verdict } from './verify/verify-evidence';

const ENT = (id: string, zh: string): PartySummary => ({ id, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: zh, nameEn: `${id} Co., Ltd.` });
const CORE = ENT('ENT1', '华东核心制造集团');
const SUP1 = ENT('SUP1', '一级供应商钢材有限公司');
const SUP2 = ENT('SUP2', '二级供应商配件有限公司');
const SUP3 = ENT('SUP3', '无关企业有限公司');
const REGULATOR: PartySummary = { id: 'REGULATOR', kind: 'regulator', mspId: 'RegulatorMSP', nameZh: '监管机构', nameEn: 'Regulator' };
const INVOICE = '3100261130 00000001';
const AMOUNT = '300000';

function check(verdict: Verdict, id: string): Check {
  const found = verdict.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${JSON.stringify(verdict.checks)}`);
  return found;
}

function pdfsig(bytes: Buffer, nssDir: string): { valid: boolean; trusted: boolean; output: string } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'econfirm-voucher-')), 'voucher.pdf');
  writeFileSync(file, bytes);
  const run = spawnSync('pdfsig', ['-nssdir', nssDir, file], { encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  return { valid: /Signature Validation: Signature is Valid\./.test(output), trusted: /Certificate Validation: Certificate is Trusted\./.test(output), output };
}

const actor = (role: string, institution: string, mspId: string, n: number) => ({ mspId, subject: `/CN=${role}${n}`, issuer: '/CN=ca', role, institution, certificateSha256: String(n).repeat(64).slice(0, 64) });
const tx = (n: number) => String(n).repeat(64).slice(0, 64);

/**
 * The chain of the unit tests: R-1 registered by SUP1 (obligor ENT1), confirmed, split into R-1a
 * and R-1b in one transaction; R-1b transferred to SUP2, financing asked of BANK1, financed. The
 * records each transaction wrote, the block facts, and the ledger as GetReceivableEvidence gives it.
 */
function sample(extraStep = false) {
  const terms = { amount: AMOUNT, salt: 'a1'.repeat(32), currency: 'CNY', contractNumber: 'HT-2026-001', contractSalt: 'c2'.repeat(32), invoiceNumbers: [INVOICE], invoiceSalt: 'd4'.repeat(32) };
  const sealSalt = 'e5'.repeat(32);
  const at = (h: number) => `2026-12-01T0${h}:00:00.000Z`;
  const step = (action: ReceivableStep['action'], state: ReceivableStep['state'], h: number): ReceivableStep => ({ action, state, by: `x509::CN=${action}`, at: at(h) });
  const base = {
    obligorId: 'ENT1', currency: 'CNY', issueDate: '2026-12-01', maturityDate: '2027-06-01', originalCreditorId: 'SUP1', rootId: 'R-1',
    contractHash: saltedHash(terms.contractNumber, terms.contractSalt), invoiceHash: saltedHash(terms.invoiceNumbers, terms.invoiceSalt), invoiceKeys: [receivableInvoiceKey(INVOICE)],
  };
  const rootSteps = [step('RegisterReceivable', 'registered', 1), step('ConfirmReceivable', 'confirmed', 2), step('SplitReceivable', 'split', 3)];
  const root = (n: number, state: ReceivableRecord['state']): ReceivableRecord => ({
    ...base, id: 'R-1', amountHash: receivableAmountHash('1000000', 'f6'.repeat(32)), terms: { ciphertext: 'JWE-ROOT', contentHash: 'b'.repeat(64) },
    holderId: 'SUP1', holders: ['SUP1'], state, steps: rootSteps.slice(0, n), ...(n >= 2 ? { confirmedAt: at(2), confirmedBy: 'x509::CN=ConfirmReceivable' } : {}), ...(n >= 3 ? { childIds: ['R-1a', 'R-1b'] } : {}),
  });
  const partSteps = [step('SplitFrom', 'confirmed', 3), step('TransferReceivable', 'transferred', 4), step('RequestReceivableFinancing', 'financing-requested', 5), step('FinanceReceivable', 'financed', 6), step('MatureReceivable', 'matured', 7)];
  const part = (n: number): ReceivableRecord => {
    const r: ReceivableRecord = {
      ...base, id: 'R-1b', parentId: 'R-1', amountHash: receivableAmountHash(AMOUNT, terms.salt), terms: { ciphertext: `JWE-PART-${n}`, contentHash: saltedHash(terms, sealSalt) },
      confirmedAt: at(2), confirmedBy: 'x509::CN=ConfirmReceivable', holderId: n >= 2 ? 'SUP2' : 'SUP1', holders: n >= 2 ? ['SUP1', 'SUP2'] : ['SUP1'],
      state: partSteps[n - 1]?.state as ReceivableRecord['state'], steps: partSteps.slice(0, n),
    };
    if (n === 3) r.bankId = 'BANK1';
    if (n >= 4) Object.assign(r, { bankId: 'BANK1', lien: { bankId: 'BANK1', financingId: 'FIN-1', at: at(6), by: 'x509::CN=FinanceReceivable' } });
    return r;
  };
  const last = extraStep ? 5 : 4;
  const rootVersions = [root(1, 'registered'), root(2, 'confirmed'), root(3, 'split')];
  const partVersions = [1, 2, 3, 4, 5].slice(0, last).map(part);
  const written: Record<string, Record<string, ReceivableRecord>> = {
    [tx(1)]: { 'R-1': rootVersions[0] as ReceivableRecord },
    [tx(2)]: { 'R-1': rootVersions[1] as ReceivableRecord },
    [tx(3)]: { 'R-1': rootVersions[2] as ReceivableRecord, 'R-1b': partVersions[0] as ReceivableRecord },
  };
  partVersions.slice(1).forEach((v, i) => (written[tx(4 + i)] = { 'R-1b': v }));
  const trailOf = (versions: ReceivableRecord[], txs: number[]) => versions.map((v, i) => ({ txId: tx(txs[i] as number), timestamp: v.steps[i]?.at as string, state: v.state, holderId: v.holderId }));
  const ledger: ReceivableEvidence = {
    receivable: partVersions[partVersions.length - 1] as ReceivableRecord,
    trail: trailOf(partVersions, [3, 4, 5, 6, 7]),
    ancestors: [{ id: 'R-1', holders: ['SUP1'], childIds: ['R-1a', 'R-1b'], steps: rootSteps, trail: trailOf(rootVersions, [1, 2, 3]) }],
  };
  const actors = [actor('client-signer', 'SUP1', 'OperatorMSP', 1), actor('client-signer', 'ENT1', 'OperatorMSP', 2), actor('client-signer', 'SUP1', 'OperatorMSP', 1), actor('client-signer', 'SUP1', 'OperatorMSP', 1), actor('client-signer', 'SUP2', 'OperatorMSP', 3), actor('bank-officer', 'BANK1', 'Bank1MSP', 4), actor('client-signer', 'SUP2', 'OperatorMSP', 3)];
  const transactions = Object.fromEntries(actors.map((a, i) => [tx(i + 1), { blockNumber: String(20 + i), validationCode: 'VALID', actor: a }]));
  const input: ReceivableVoucherInput = {
    channel: 'econfirm', generatedAt: '2026-12-02T08:00:00.000Z', generatedBy: SUP2,
    parties: { obligor: CORE, originalCreditor: SUP1, holders: [SUP1, SUP2], bank: BANK }, ledger, opened: { content: terms, salt: sealSalt }, transactions,
  };
  return { input, written };
}

describe('receivable voucher (电子债权凭证): render, sign, verify', function () {
  this.timeout(120_000);
  let operator: TestOrgPki;
  let bankPki: TestOrgPki;
  let regulatorPki: TestOrgPki;
  let holderSigner: EvidenceSigner;
  let roots: TrustRoots;
  let doc: ReceivableVoucherDocument;
  let pdf: Buffer;
  const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

  /** The ledger as a stub: the records each transaction wrote, block facts, the current evidence as a reader gets it. */
  function ledgerOf(s: ReturnType<typeof sample>, current: ReceivableEvidence = s.input.ledger): LedgerView {
    return {
      confirmationEvidence: () => Promise.reject(new Error('not a confirmation')),
      transaction: (t) => {
        const f = s.input.transactions[t];
        return f ? Promise.resolve({ blockNumber: BigInt(f.blockNumber), validationCode: f.validationCode, actor: f.actor }) : Promise.reject(new Error(`no transaction ${t}`));
      },
      committedReceivable: (t, id) => Promise.resolve(s.written[t]?.[id]),
      receivableEvidence: () => Promise.resolve(current),
      institution: (id) => Promise.resolve([CORE, SUP1, SUP2, SUP3, BANK, REGULATOR].map((p): RegistryEntry => ({ ...p, signingKeys: [] })).find((p) => p.id === id)),
    };
  }

  const signerOf = (pki: TestOrgPki, institution: string): EvidenceSigner => {
    const issued = pki.issue(`${institution}-evidence`, { evidence: institution });
    return evidenceSigner(institution, issued.keyPem, [issued.certPem, pki.evidenceCaPem]);
  };
  const signed = async (d: ReceivableVoucherDocument, signer = holderSigner) => (await createReceivableVoucherPdf(d, { ...signer, institutionId: d.generatedBy.id })).pdf;

  before(async () => {
    operator = createTestOrgPki('operator');
    bankPki = createTestOrgPki('bank1');
    regulatorPki = createTestOrgPki('regulator');
    holderSigner = signerOf(operator, 'SUP2');
    roots = new Map([
      ['OperatorMSP', [certificateDer(operator.rootPem)]],
      ['Bank1MSP', [certificateDer(bankPki.rootPem)]],
      ['RegulatorMSP', [certificateDer(regulatorPki.rootPem)]],
    ]);
    doc = buildReceivableVoucher(sample().input);
    pdf = (await createReceivableVoucherPdf(doc, holderSigner)).pdf;
  });

  it("carries the record, the lineage back to the root and every step of the chain with its transaction", () => {
    expect(doc.record).to.include({ id: 'R-1b', parentId: 'R-1', rootId: 'R-1', holderId: 'SUP2', state: 'financed' });
    expect(doc.record).not.to.have.property('terms');
    expect(doc.lineage.ancestors).to.deep.equal([{ id: 'R-1', holders: ['SUP1'], childIds: ['R-1a', 'R-1b'] }]);
    expect(doc.timeline.map((s) => `${s.receivableId}:${s.action}:${s.holderId}`)).to.deep.equal([
      'R-1:RegisterReceivable:SUP1', 'R-1:ConfirmReceivable:SUP1', 'R-1:SplitReceivable:SUP1',
      'R-1b:SplitFrom:SUP1', 'R-1b:TransferReceivable:SUP2', 'R-1b:RequestReceivableFinancing:SUP2', 'R-1b:FinanceReceivable:SUP2',
    ]);
    expect(doc.terms).to.include({ disclosed: true });
    expect(doc.terms.content).to.include({ amount: AMOUNT });
  });

  it('verifies offline (the ledger not checked, and said so) and online against the ledger', async () => {
    const offline = await verifyEvidencePdf(pdf, { roots });
    expect(offline.ok, JSON.stringify(offline.checks, null, 1)).to.equal(true);
    expect(offline).to.include({ kind: 'receivable-voucher', receivableId: 'R-1b', mode: 'offline' });
    for (const id of ['attachments', 'pdf-signature', 'pdf-certificate', 'evidence-jws', 'voucher-content']) expect(check(offline, id).status, id).to.equal('pass');
    expect(check(offline, 'registry')).to.include({ status: 'skipped', code: 'NO_REGISTRY' });
    for (const id of ['ledger-hashes', 'ledger-transactions']) expect(check(offline, id)).to.include({ status: 'skipped', code: 'OFFLINE' });
    const online = await verifyEvidencePdf(pdf, { roots, ledger: ledgerOf(sample()) });
    expect(online.ok, JSON.stringify(online.checks, null, 1)).to.equal(true);
    for (const id of ['registry', 'ledger-hashes', 'ledger-transactions', 'ledger-current']) expect(check(online, id).status, id).to.equal('pass');
  });

  it("offline, refuses a signer whose institution's entry in the verifier's registry snapshot differs (REGISTRY_MISMATCH): the issuer under another MSP or of another kind, a holder not registered", async () => {
    const registryCheck = async (changes: Parameters<typeof registrySnapshot>[1] = {}) =>
      check(await verifyEvidencePdf(pdf, { roots, registry: registrySnapshot([CORE, SUP1, SUP2, SUP3, BANK, REGULATOR], changes) }), 'registry');
    expect(await registryCheck()).to.include({ status: 'pass', code: 'OK' });
    // The issuer SUP2 registered under the bank's MSP: a voucher signed under OperatorMSP is not its.
    const rehosted = await registryCheck({ changed: [{ id: 'SUP2', mspId: 'Bank1MSP' }] });
    expect(rehosted).to.include({ status: 'fail', code: 'REGISTRY_MISMATCH' });
    expect(rehosted.detail).to.include('issuer SUP2: mspId differ');
    const otherKind = await registryCheck({ changed: [{ id: 'SUP2', kind: 'bank' }] });
    expect(otherKind).to.include({ status: 'fail', code: 'REGISTRY_MISMATCH' });
    expect(otherKind.detail).to.include('issuer SUP2: kind differ');
    const missing = await registryCheck({ without: SUP1.id });
    expect(missing).to.include({ status: 'fail', code: 'REGISTRY_MISMATCH' });
    expect(missing.detail).to.include('SUP1 is not in the registry');
    expect((await verifyEvidencePdf(pdf, { roots, registry: registrySnapshot([CORE, SUP1, SUP2, SUP3, BANK, REGULATOR], { without: SUP1.id }) })).ok).to.equal(false);
  });

  it("is valid and trusted for poppler's pdfsig with the issuer's evidence CA; untrusted with another org's", () => {
    const good = pdfsig(pdf, createNssDb([operator.evidenceCaPem]));
    expect(good.valid, good.output).to.equal(true);
    expect(good.trusted, good.output).to.equal(true);
    expect(pdfsig(pdf, createNssDb([bankPki.evidenceCaPem])).trusted).to.equal(false);
  });

  it('renders the same bytes again for the same input; a flipped byte fails pdfsig and the verifier', async () => {
    expect((await createReceivableVoucherPdf(clone(doc), holderSigner)).pdf.equals(pdf)).to.equal(true);
    const flipped = Buffer.from(pdf);
    flipped[Math.floor(flipped.length * 0.8)] ^= 0x01;
    expect(pdfsig(flipped, createNssDb([operator.evidenceCaPem])).valid).to.equal(false);
    const verdict = await verifyEvidencePdf(flipped, { roots });
    expect(verdict.ok).to.equal(false);
    expect(check(verdict, 'pdf-signature').status).to.equal('fail');
  });

  it("a voucher re-signed with another member's key fails: another party's evidence key, the bank's, a non-party's own, a plain certificate", async () => {
    const asOtherParty = await signed(doc, signerOf(operator, 'SUP1'));
    const asBank = await signed({ ...doc, generatedBy: { ...SUP2, mspId: 'Bank1MSP' } }, signerOf(bankPki, 'BANK1'));
    const asStranger = await signed({ ...doc, generatedBy: SUP3 }, signerOf(operator, 'SUP3'));
    const plain = operator.issue('sup2-signer');
    const asPlain = await signed(doc, evidenceSigner('SUP2', plain.keyPem, [plain.certPem, operator.evidenceCaPem]));
    for (const [what, forged] of [['another party', asOtherParty], ['bank', asBank], ['stranger', asStranger], ['plain', asPlain]] as const) {
      expect(pdfsig(forged, createNssDb([operator.evidenceCaPem, bankPki.evidenceCaPem])).valid, what).to.equal(true); // a sound signature…
      const verdict = await verifyEvidencePdf(forged, { roots, ledger: ledgerOf(sample()) });
      expect(verdict.ok, what).to.equal(false); // …by the wrong institution
      expect(check(verdict, 'pdf-certificate').code, what).to.be.oneOf(['NOT_EVIDENCE_CERTIFICATE', 'CERTIFICATE_UNTRUSTED']);
    }
    expect(check(await verifyEvidencePdf(asStranger, { roots }), 'pdf-certificate').detail).to.match(/no party of the receivable/);
  });

  it("checks the issuer's certificate at the verifier's time, online too, not at a ledger time: a voucher signed by a key expired since is refused though the ledger times every step within its validity", async () => {
    // No transaction commits the voucher: its steps' ledger times only bound its signing from below (README, "Trust model").
    const caStart = new Date(new X509Certificate(operator.evidenceCaPem).validFrom).getTime();
    const shortLived = operator.issue('SUP2-evidence-old', { evidence: 'SUP2', notBefore: new Date(caStart), notAfter: new Date(caStart + 4000) });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, caStart + 6000 - Date.now())));
    const old = await signed(doc, evidenceSigner('SUP2', shortLived.keyPem, [shortLived.certPem, operator.evidenceCaPem]));
    const stub = ledgerOf(sample());
    const timed: LedgerView = { ...stub, transaction: async (t) => ({ ...(await stub.transaction(t)), timestamp: new Date(caStart + 2000) }) };
    const verdict = await verifyEvidencePdf(old, { roots, ledger: timed });
    expect(check(verdict, 'pdf-certificate')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    expect(check(verdict, 'evidence-jws')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    expect(verdict.ok).to.equal(false);
    // A time the verifier chose is its own to trust.
    expect(check(await verifyEvidencePdf(old, { roots, ledger: timed, at: new Date(caStart + 2000) }), 'pdf-certificate')).to.include({ status: 'pass' });
  });

  it('a forged holder fails online, naming the fields and never the ledger’s value', async () => {
    // Consistent everywhere in the document: only the ledger tells.
    const forged = JSON.parse(JSON.stringify(doc).replaceAll('"SUP2"', '"SUP3"').replace(JSON.stringify(SUP2.nameZh), JSON.stringify(SUP3.nameZh))) as ReceivableVoucherDocument;
    forged.generatedBy = SUP3;
    const bytes = await signed(forged, signerOf(operator, 'SUP3'));
    expect(check(await verifyEvidencePdf(bytes, { roots }), 'voucher-content').status).to.equal('pass');
    const verdict = await verifyEvidencePdf(bytes, { roots, ledger: ledgerOf(sample()) });
    expect(verdict.ok).to.equal(false);
    expect(check(verdict, 'ledger-hashes')).to.include({ status: 'fail', code: 'LEDGER_MISMATCH' });
    expect(check(verdict, 'ledger-hashes').detail).to.match(/holderId/).and.match(/holders/).and.not.match(/SUP2/);
  });

  it('a dropped step fails: offline when the record still lists it, online when the record is made to agree', async () => {
    const dropped = clone(doc);
    dropped.timeline = dropped.timeline.filter((s) => s.action !== 'RequestReceivableFinancing');
    expect(check(await verifyEvidencePdf(await signed(dropped), { roots }), 'voucher-content')).to.include({ status: 'fail', code: 'CONTENT_MISMATCH' });
    dropped.record.steps = dropped.record.steps.filter((s) => s.action !== 'RequestReceivableFinancing');
    const verdict = await verifyEvidencePdf(await signed(dropped), { roots, ledger: ledgerOf(sample()) });
    expect(check(verdict, 'voucher-content').status).to.equal('pass');
    expect(check(verdict, 'ledger-hashes')).to.include({ status: 'fail', code: 'LEDGER_MISMATCH' });
    expect(check(verdict, 'ledger-hashes').detail).to.match(/steps/);
    const noAncestor = clone(doc);
    noAncestor.timeline = noAncestor.timeline.filter((s) => s.receivableId !== 'R-1' || s.action !== 'ConfirmReceivable');
    expect(check(await verifyEvidencePdf(await signed(noAncestor), { roots, ledger: ledgerOf(sample()) }), 'ledger-hashes').detail).to.match(/ancestor R-1/);
  });

  it('a changed amount fails: offline against the salted hashes, online when the hashes are made to agree', async () => {
    const changed = clone(doc);
    (changed.terms.content as { amount: string }).amount = '3000000';
    expect(check(await verifyEvidencePdf(await signed(changed), { roots }), 'voucher-content')).to.include({ status: 'fail', code: 'CONTENT_MISMATCH' });
    const terms = changed.terms.content as { amount: string; salt: string };
    changed.record.amountHash = receivableAmountHash(terms.amount, terms.salt);
    changed.terms.contentHash = saltedHash(terms, changed.terms.salt as string);
    const verdict = await verifyEvidencePdf(await signed(changed), { roots, ledger: ledgerOf(sample()) });
    expect(check(verdict, 'voucher-content').status).to.equal('pass');
    expect(check(verdict, 'ledger-hashes')).to.include({ status: 'fail', code: 'LEDGER_MISMATCH' });
    expect(check(verdict, 'ledger-hashes').detail).to.match(/amountHash/).and.not.match(/3000000|300000/);
  });

  it("a step's transaction that is not VALID, or not by the party its step requires, fails ledger-transactions", async () => {
    const invalid = sample();
    invalid.input.transactions[tx(4)] = { ...(invalid.input.transactions[tx(4)] as NonNullable<(typeof invalid.input.transactions)[string]>), validationCode: 'MVCC_READ_CONFLICT' };
    expect(check(await verifyEvidencePdf(pdf, { roots, ledger: ledgerOf(invalid) }), 'ledger-transactions')).to.include({ status: 'fail', code: 'TRANSACTION_MISMATCH' });
    const byNewHolder = sample();
    byNewHolder.input.transactions[tx(4)] = { blockNumber: '23', validationCode: 'VALID', actor: actor('client-signer', 'SUP2', 'OperatorMSP', 3) };
    const verdict = await verifyEvidencePdf(pdf, { roots, ledger: ledgerOf(byNewHolder) });
    expect(check(verdict, 'ledger-transactions').detail).to.match(/TransferReceivable .* not submitted by a client-signer of SUP1/);
  });

  it('a voucher of a receivable that moved on since is SUPERSEDED for a reader; a non-reader is told it was not checked', async () => {
    const later = sample(true);
    const stale = await verifyEvidencePdf(pdf, { roots, ledger: ledgerOf(sample(), later.input.ledger) });
    expect(check(stale, 'ledger-current')).to.include({ status: 'fail', code: 'SUPERSEDED' });
    expect(check(stale, 'ledger-hashes').status).to.equal('pass');
    const stranger = await verifyEvidencePdf(pdf, { roots, ledger: { ...ledgerOf(sample()), receivableEvidence: () => Promise.reject(new LedgerCallError('NOT_FOUND', 'receivable R-1b does not exist', 'evaluate', 'GetReceivableEvidence')) } });
    expect(check(stranger, 'ledger-current')).to.include({ status: 'skipped', code: 'NOT_A_READER' });
    expect(stranger.ok).to.equal(true);
  });

  it("the regulator's copy carries the terms by their hashes only, signed by the regulator's evidence key, and verifies", async () => {
    const { opened: _opened, ...input } = sample().input;
    const copy = buildReceivableVoucher({ ...input, generatedBy: REGULATOR });
    expect(copy.terms).to.include({ disclosed: false });
    expect(JSON.stringify(copy)).not.to.contain(AMOUNT).and.not.contain(INVOICE).and.not.contain('HT-2026-001');
    const bytes = (await createReceivableVoucherPdf(copy, signerOf(regulatorPki, 'REGULATOR'))).pdf;
    const verdict = await verifyEvidencePdf(bytes, { roots, ledger: ledgerOf(sample()) });
    expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(true);
    expect(check(verdict, 'voucher-content').detail).to.match(/not sealed to/);
  });

  it('is not built for a receivable the obligor has not confirmed, nor from terms that do not open the amount hash', () => {
    const { input } = sample();
    const registered = { ...input, ledger: { ...input.ledger, receivable: { ...input.ledger.receivable, state: 'registered' as const } } };
    expect(() => buildReceivableVoucher(registered)).to.throw(EvidenceInputError, /not confirmed/).with.property('code', 'VOUCHER_NOT_ISSUED');
    const wrong = { ...input, opened: { content: { ...(input.opened?.content as object), amount: '1' }, salt: input.opened?.salt as string } };
    expect(() => buildReceivableVoucher(wrong)).to.throw(EvidenceInputError, /amount hash/);
  });
});
