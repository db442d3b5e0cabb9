import { expect } from 'chai';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { certificateDer } from '../crypto/certificates';
import { createEvidencePdf } from '../evidence-pdf';
import { evidenceHash, type EvidenceDocument } from '../model/evidence-document';
import { evidenceSigner, type EvidenceSigner } from '../signer';
import { newBankSigningKey, sampleEvidence, x5cOf } from '../testing/sample-evidence';
import { createTestOrgPki, type TestOrgPki } from '../testing/test-pki';
import type { TrustRoots } from '../verify/verify-evidence';
import { bundleToJson, createEvidenceBundle, verifyEvidenceBundle } from './evidence-bundle';

describe('engagement evidence bundle: the manifest signer', function () {
  this.timeout(120_000);
  let firm: TestOrgPki;
  let signer: EvidenceSigner;
  let roots: TrustRoots;
  let letters: { document: EvidenceDocument; pdf: Buffer; evidenceHash: string }[];
  let caStart: number;
  let expired: EvidenceSigner;

  before(async () => {
    firm = createTestOrgPki('firm1');
    const bankPki = createTestOrgPki('bank1');
    const evidence = firm.issue('FIRM1-evidence', { evidence: 'FIRM1' });
    signer = evidenceSigner('FIRM1', evidence.keyPem, [evidence.certPem, firm.evidenceCaPem]);
    const bank = newBankSigningKey();
    const bankPublic = createPublicKey(createPrivateKey({ key: bank.signingJwk, format: 'jwk' })).export({ type: 'spki', format: 'pem' }).toString();
    bank.x5c = x5cOf(bankPki.issue('BANK1-sig-1', { publicKeyPem: bankPublic }).certPem, bankPki.evidenceCaPem);
    roots = new Map([
      ['Firm1MSP', [certificateDer(firm.rootPem)]],
      ['Bank1MSP', [certificateDer(bankPki.rootPem)]],
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
    const bundle = await createEvidenceBundle('ENG-2026-001', new Date().toISOString(), letters, signer);
    const verdict = await verifyEvidenceBundle(bundleToJson(bundle), { roots });
    expect(verdict.manifest, JSON.stringify(verdict.manifest)).to.include({ status: 'pass', code: 'OK' });
    expect(verdict.ok, JSON.stringify(verdict, null, 1)).to.equal(true);
  });

  it("refuses a manifest back-dated into the validity of an expired certificate: checked at the verifier's time, not at its generatedAt (passed on 6cfc2e6)", async () => {
    // generatedAt falls inside the certificate's 4 s; now it has expired.
    const backDated = await createEvidenceBundle('ENG-2026-001', new Date(caStart + 2000).toISOString(), letters, expired);
    const verdict = await verifyEvidenceBundle(bundleToJson(backDated), { roots });
    expect(verdict.manifest, JSON.stringify(verdict.manifest)).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    expect(verdict.manifest.detail).to.match(/not valid at/);
    expect(verdict.ok).to.equal(false);
    // A time the verifier chose is the verifier's to trust: inside the validity, the manifest passes.
    const chosen = await verifyEvidenceBundle(bundleToJson(backDated), { roots, at: new Date(caStart + 2000) });
    expect(chosen.manifest, JSON.stringify(chosen.manifest)).to.include({ status: 'pass', code: 'OK' });
  });
});
