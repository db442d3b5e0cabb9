import { expect } from 'chai';
import { createEvidencePdf } from '../evidence-pdf';
import { evidenceSigner } from '../signer';
import { newBankSigningKey, sampleEvidence } from '../testing/sample-evidence';
import { createTestOrgPki } from '../testing/test-pki';
import { certificateDer } from '../crypto/certificates';
import { verifyEvidencePdf } from '../verify/verify-evidence';
import { EvidenceRenderPool } from './render-pool';

describe('evidence render pool (worker threads)', function () {
  this.timeout(120_000);

  it('renders and signs in worker threads the same bytes as in the calling thread, and they verify', async () => {
    const firm = createTestOrgPki('firm1');
    const evidence = firm.issue('FIRM1-evidence', { evidence: 'FIRM1' });
    const signer = evidenceSigner('FIRM1', evidence.keyPem, [evidence.certPem, firm.evidenceCaPem]);
    const bank = newBankSigningKey();
    const docs = await Promise.all([0, 1, 2].map((i) => sampleEvidence({ id: `CF-2026-00010${i}`, bank, baseTime: Date.now() + 60_000, depositRows: i * 10 })));
    const pool = new EvidenceRenderPool(2);
    try {
      const threaded = await Promise.all(docs.map((d) => pool.render(d, signer)));
      for (const [i, doc] of docs.entries()) {
        const here = await createEvidencePdf(doc, signer);
        const there = threaded[i];
        expect(Buffer.isBuffer(there?.pdf)).to.equal(true);
        expect(there?.pdf.equals(here.pdf), doc.record.id).to.equal(true);
        expect(there?.evidenceJws).to.equal(here.evidenceJws);
        expect(there?.evidenceHash).to.equal(here.evidenceHash);
      }
      const verdict = await verifyEvidencePdf(threaded[0]?.pdf as Buffer, { roots: new Map([['Firm1MSP', [certificateDer(firm.rootPem)]]]) });
      expect(verdict.checks.find((c) => c.id === 'pdf-signature')?.status).to.equal('pass');
      expect(verdict.checks.find((c) => c.id === 'evidence-jws')?.status).to.equal('pass');
    } finally {
      await pool.close();
    }
  });
});
