import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { certificateDer } from './crypto/certificates';
import { createEvidencePdf } from './evidence-pdf';
import { EvidenceInputError, type EvidenceDocument } from './model/evidence-document';
import { evidenceSigner, type EvidenceSigner } from './signer';
import { createTestOrgPki } from './testing/test-pki';
import { newBankSigningKey, sampleEvidence } from './testing/sample-evidence';
import { verifyEvidencePdf, type TrustRoots } from './verify/verify-evidence';

/** The evidence's cross-check section (issue 14): printed, signed with the evidence, checked by the verifier. */
describe('evidence PDF: the cross-check section', function () {
  this.timeout(60_000);
  let signer: EvidenceSigner;
  let roots: TrustRoots;
  let doc: EvidenceDocument;

  before(async () => {
    const firm = createTestOrgPki('firm1');
    const evidence = firm.issue('FIRM1-evidence', { evidence: 'FIRM1' });
    signer = evidenceSigner('FIRM1', evidence.keyPem, [evidence.certPem, firm.evidenceCaPem]);
    roots = new Map([['Firm1MSP', [certificateDer(firm.rootPem)]]]);
    doc = await sampleEvidence({ bank: newBankSigningKey(), baseTime: Date.now() + 60_000, crossCheck: true });
  });

  it('is printed in the PDF and passes the verifier’s cross-check', async () => {
    expect(doc.crossCheck?.exceptions.map((e) => e.code)).to.deep.equal(['MORTGAGE_NOT_IN_REPLY']);
    const { pdf } = await createEvidencePdf(doc, signer);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'econfirm-xc-')), 'evidence.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).to.contain('Cross-check against the ledger').and.contain('MORTGAGE_NOT_IN_REPLY').and.contain('MTG-SAMPLE-2');
    const verdict = await verifyEvidencePdf(pdf, { roots });
    const check = verdict.checks.find((c) => c.id === 'cross-check');
    expect(check, JSON.stringify(verdict.checks)).to.include({ status: 'pass' });
  });

  it('prints a financed receivable’s exception and a comparison not made, with its code, and still verifies', async () => {
    const withReceivable: EvidenceDocument = JSON.parse(JSON.stringify(doc));
    const c = withReceivable.crossCheck;
    if (!c) throw new Error('the sample has a cross-check');
    c.records.push({ id: 'RCV-SAMPLE-1', state: 'financed', bankId: 'BANK1', expected: true });
    c.exceptions.push({ code: 'FINANCED_RECEIVABLE_NOT_IN_REPLY', recordId: 'RCV-SAMPLE-1', message: 'RCV-SAMPLE-1 (lien of BANK1, financed) is on the ledger but in none of the reply sections' });
    c.counts = { ...c.counts, FINANCED_RECEIVABLE_NOT_IN_REPLY: 1 };
    c.notCompared.push({ what: 'amount of RCV-SAMPLE-1', reason: 'sealed to its parties', code: 'RECEIVABLE_AMOUNT_NOT_COMPARABLE', recordId: 'RCV-SAMPLE-1' });
    const { pdf } = await createEvidencePdf(withReceivable, signer);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'econfirm-xc-')), 'evidence.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).to.contain('FINANCED_RECEIVABLE_NOT_IN_REPLY').and.contain('RCV-SAMPLE-1').and.contain('RECEIVABLE_AMOUNT_NOT_COMPARABLE');
    const verdict = await verifyEvidencePdf(pdf, { roots });
    expect(verdict.checks.find((x) => x.id === 'cross-check'), JSON.stringify(verdict.checks)).to.include({ status: 'pass' });
  });

  it('fails the verifier when its counts hide an exception, or it names a transaction outside the timeline — even signed by the firm', async () => {
    const hidden: EvidenceDocument = JSON.parse(JSON.stringify(doc));
    if (hidden.crossCheck) hidden.crossCheck.counts = {};
    const verdict = await verifyEvidencePdf((await createEvidencePdf(hidden, signer)).pdf, { roots });
    expect(verdict.checks.find((c) => c.id === 'cross-check')).to.include({ status: 'fail', code: 'CROSS_CHECK_MISMATCH' });
    expect(verdict.ok).to.equal(false);
    const foreign: EvidenceDocument = JSON.parse(JSON.stringify(doc));
    if (foreign.crossCheck) foreign.crossCheck.basis.replyTxIds = ['f'.repeat(64)];
    const second = await verifyEvidencePdf((await createEvidencePdf(foreign, signer)).pdf, { roots });
    expect(second.checks.find((c) => c.id === 'cross-check')?.detail).to.contain('not in the timeline');
  });

  it('evidence without a cross-check has no such check (nothing else changes)', async () => {
    const plain = await sampleEvidence({ bank: newBankSigningKey(), baseTime: Date.now() + 60_000 });
    expect(plain.crossCheck).to.equal(undefined);
    const verdict = await verifyEvidencePdf((await createEvidencePdf(plain, signer)).pdf, { roots });
    expect(verdict.checks.map((c) => c.id)).not.to.include('cross-check');
  });

  it('refuses to build evidence with a cross-check of another reply', async () => {
    let failure: unknown;
    try {
      await sampleEvidence({ bank: newBankSigningKey(), crossCheck: { replyContentHash: 'e'.repeat(64) } });
    } catch (err) {
      failure = err;
    }
    expect(failure).to.be.instanceOf(EvidenceInputError);
    expect((failure as EvidenceInputError).code).to.equal('CONTENT_MISMATCH');
  });
});
