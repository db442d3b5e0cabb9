import { canonicalJson } from '@econfirm/common';
import { expect } from 'chai';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { certificateDer } from '../crypto/certificates';
import { signCompactJws } from '../crypto/jws';
import { createEvidencePdf } from '../evidence-pdf';
import { evidenceHash, type EvidenceDocument } from '../model/evidence-document';
import { evidenceSigner, type EvidenceSigner } from '../signer';
import { CLIENT, newBankSigningKey, sampleEvidence, x5cOf } from '../testing/sample-evidence';
import { createTestOrgPki, type TestOrgPki } from '../testing/test-pki';
import type { TrustRoots } from '../verify/verify-evidence';
import { BUNDLE_JWS_TYPE, bundleToJson, createEvidenceBundle, verifyEvidenceBundle, type BundleManifest, type EvidenceBundle } from './evidence-bundle';

/** What a forger holding `signer` makes of a genuine bundle: the same PDFs under a manifest it wrote and signed. */
async function resigned(bundle: EvidenceBundle, manifest: BundleManifest, signer: EvidenceSigner): Promise<{ manifestJws: string; files: Record<string, string> }> {
  const manifestJws = await signCompactJws(Buffer.from(canonicalJson(manifest), 'utf8'), { alg: 'ES256', kid: signer.kid, typ: BUNDLE_JWS_TYPE, x5c: signer.chain.map((c) => c.toString('base64')) }, signer.key);
  return { ...bundleToJson(bundle), manifestJws };
}

describe('engagement evidence bundle: the manifest signer', function () {
  this.timeout(120_000);
  let firm: TestOrgPki;
  let signer: EvidenceSigner;
  let roots: TrustRoots;
  let letters: { document: EvidenceDocument; pdf: Buffer; evidenceHash: string }[];
  let caStart: number;
  let expired: EvidenceSigner;
  let clientSigner: EvidenceSigner;
  let firmEnrollment: EvidenceSigner;
  let otherFirm: EvidenceSigner;

  before(async () => {
    firm = createTestOrgPki('firm1');
    const bankPki = createTestOrgPki('bank1');
    const evidence = firm.issue('FIRM1-evidence', { evidence: 'FIRM1' });
    signer = evidenceSigner('FIRM1', evidence.keyPem, [evidence.certPem, firm.evidenceCaPem]);
    const bank = newBankSigningKey();
    const bankPublic = createPublicKey(createPrivateKey({ key: bank.signingJwk, format: 'jwk' })).export({ type: 'spki', format: 'pem' }).toString();
    bank.x5c = x5cOf(bankPki.issue('BANK1-sig-1', { publicKeyPem: bankPublic }).certPem, bankPki.evidenceCaPem);
    // A client's own evidence key, a firm member's certificate that is no evidence certificate, another firm's evidence key.
    const clientPki = createTestOrgPki('client1');
    const clientEvidence = clientPki.issue('CLIENT1-evidence', { evidence: 'CLIENT1' });
    clientSigner = evidenceSigner('CLIENT1', clientEvidence.keyPem, [clientEvidence.certPem, clientPki.evidenceCaPem]);
    const member = firm.issue('auditor1');
    firmEnrollment = evidenceSigner('FIRM1', member.keyPem, [member.certPem, firm.evidenceCaPem]);
    const otherEvidence = firm.issue('FIRM2-evidence', { evidence: 'FIRM2' });
    otherFirm = evidenceSigner('FIRM2', otherEvidence.keyPem, [otherEvidence.certPem, firm.evidenceCaPem]);
    roots = new Map([
      ['Firm1MSP', [certificateDer(firm.rootPem)]],
      ['Bank1MSP', [certificateDer(bankPki.rootPem)]],
      // The clients' MSP (sample-evidence.ts CLIENT)
      ['OperatorMSP', [certificateDer(clientPki.rootPem)]],
    ]);
    const document = await sampleEvidence({ bank, baseTime: Date.now() + 60_000, agrees: true });
    letters = [{ document, pdf: (await createEvidencePdf(document, signer)).pdf, evidenceHash: evidenceHash(document) }];
    // The firm's evidence certificate, valid for 4 s from its CA's own start (the whole chain valid then), expired since.
    caStart = new Date(new X509Certificate(firm.evidenceCaPem).validFrom).getTime();
    const shortLived = firm.issue('FIRM1-evidence-old', { evidence: 'FIRM1', notBefore: new Date(caStart), notAfter: new Date(caStart + 4000) });
    expired = evidenceSigner('FIRM1', shortLived.keyPem, [shortLived.certPem, firm.evidenceCaPem]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, caStart + 6000 - Date.now())));
  });

  it('verifies a bundle whose manifest the firm signed with a valid evidence certificate', async () => {
    const bundle = await createEvidenceBundle('ENG-2025-CLIENT1', new Date().toISOString(), letters, signer);
    const verdict = await verifyEvidenceBundle(bundleToJson(bundle), { roots });
    expect(verdict.manifest, JSON.stringify(verdict.manifest)).to.include({ status: 'pass', code: 'OK' });
    expect(verdict.ok, JSON.stringify(verdict, null, 1)).to.equal(true);
  });

  it("refuses a manifest back-dated into the validity of an expired certificate: checked at the verifier's time, not at its generatedAt (passed on 6cfc2e6)", async () => {
    // generatedAt falls inside the certificate's 4 s; now it has expired.
    const backDated = await createEvidenceBundle('ENG-2025-CLIENT1', new Date(caStart + 2000).toISOString(), letters, expired);
    const verdict = await verifyEvidenceBundle(bundleToJson(backDated), { roots });
    expect(verdict.manifest, JSON.stringify(verdict.manifest)).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    expect(verdict.manifest.detail).to.match(/not valid at/);
    expect(verdict.ok).to.equal(false);
    // A time the verifier chose is the verifier's to trust: inside the validity, the manifest passes.
    const chosen = await verifyEvidenceBundle(bundleToJson(backDated), { roots, at: new Date(caStart + 2000) });
    expect(chosen.manifest, JSON.stringify(chosen.manifest)).to.include({ status: 'pass', code: 'OK' });
  });

  // Each of these verified ok on be3c9e7: the manifest's signer only had to chain to the MSP the manifest names.
  it("refuses a manifest the client re-signed with its own evidence key, naming itself: a bundle that drops a letter is not the firm's", async () => {
    const genuine = await createEvidenceBundle('ENG-2025-CLIENT1', new Date().toISOString(), letters, signer);
    const verdict = await verifyEvidenceBundle(await resigned(genuine, { ...genuine.manifest, generatedBy: CLIENT }, clientSigner), { roots });
    expect(verdict.manifest, JSON.stringify(verdict.manifest)).to.include({ status: 'pass' });
    const entry = verdict.files[`${letters[0]?.document.record.id}.pdf`]?.checks.find((c) => c.id === 'manifest-entry');
    expect(entry, JSON.stringify(verdict, null, 1)).to.include({ status: 'fail', code: 'BUNDLE_MISMATCH' });
    expect(entry?.detail).to.match(/evidence of FIRM1 \(Firm1MSP\), the manifest is signed by CLIENT1 \(OperatorMSP\)/);
    expect(verdict.ok).to.equal(false);
  });

  it("refuses a manifest signed under the firm's MSP by a certificate that is not the firm's evidence certificate", async () => {
    const bundle = await createEvidenceBundle('ENG-2025-CLIENT1', new Date().toISOString(), letters, firmEnrollment);
    const verdict = await verifyEvidenceBundle(bundleToJson(bundle), { roots });
    expect(verdict.manifest, JSON.stringify(verdict.manifest)).to.include({ status: 'fail', code: 'NOT_EVIDENCE_CERTIFICATE' });
    expect(verdict.manifest.detail).to.match(/not issued for document signing/);
    expect(verdict.ok).to.equal(false);
  });

  it("refuses another firm's evidence key, under the same MSP, vouching for FIRM1's letters", async () => {
    const genuine = await createEvidenceBundle('ENG-2025-CLIENT1', new Date().toISOString(), letters, signer);
    // Naming FIRM1, FIRM2's certificate is not FIRM1's evidence certificate …
    const claimed = await verifyEvidenceBundle(await resigned(genuine, genuine.manifest, otherFirm), { roots });
    expect(claimed.manifest, JSON.stringify(claimed.manifest)).to.include({ status: 'fail', code: 'NOT_EVIDENCE_CERTIFICATE' });
    expect(claimed.manifest.detail).to.match(/not an evidence certificate of FIRM1/);
    // … and naming itself, FIRM2 signs for letters that are not its own.
    const own = await verifyEvidenceBundle(await resigned(genuine, { ...genuine.manifest, generatedBy: { ...genuine.manifest.generatedBy, id: 'FIRM2' } }, otherFirm), { roots });
    const entry = Object.values(own.files)[0]?.checks.find((c) => c.id === 'manifest-entry');
    expect(entry, JSON.stringify(own, null, 1)).to.include({ status: 'fail', code: 'BUNDLE_MISMATCH' });
    expect(own.ok).to.equal(false);
  });

  it("refuses a manifest of another engagement than its letters' (the firm's own key, a mislabelled bundle)", async () => {
    const bundle = await createEvidenceBundle('ENG-2026-OTHER', new Date().toISOString(), letters, signer);
    const verdict = await verifyEvidenceBundle(bundleToJson(bundle), { roots });
    const entry = Object.values(verdict.files)[0]?.checks.find((c) => c.id === 'manifest-entry');
    expect(entry, JSON.stringify(verdict, null, 1)).to.include({ status: 'fail', code: 'BUNDLE_MISMATCH' });
    expect(entry?.detail).to.equal('the letter is of engagement ENG-2025-CLIENT1, the manifest of ENG-2026-OTHER');
    expect(verdict.ok).to.equal(false);
  });
});
