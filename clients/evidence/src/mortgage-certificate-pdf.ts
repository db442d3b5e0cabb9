import type { AnchorProof } from '@econfirm/common';
import { signCompactJws } from './crypto/jws';
import { certificateHash, certificateJson, type MortgageCertificateDocument } from './model/mortgage-certificate';
import { signPdf } from './pdf/pades';
import { anchorAttachment, ATTACHMENT, type EvidenceAttachment } from './pdf/render';
import { renderMortgageCertificatePdf } from './pdf/render-certificate';
import type { EvidenceSigner } from './signer';

export const MORTGAGE_CERTIFICATE_JWS_TYPE = 'econfirm-mortgage-certificate+jws';

export interface MortgageCertificatePdf {
  pdf: Buffer;
  certificateHash: string;
  certificateJws: string;
}

/**
 * The signed registration certificate: rendered, with the certificate JSON and its JWS attached
 * (the same attachment names as confirmation evidence), and a PAdES signature by the registration
 * centre's evidence certificate over everything. Deterministic like the evidence PDF. With an
 * anchor proof (or "pending"), it is attached as anchor.json and printed, as in evidence.
 */
export async function createMortgageCertificatePdf(doc: MortgageCertificateDocument, signer: EvidenceSigner, anchor?: AnchorProof): Promise<MortgageCertificatePdf> {
  if (doc.generatedBy.id !== signer.institutionId || doc.generatedBy.id !== doc.record.registryId) {
    throw new Error(`the certificate of ${doc.record.id} is issued by its registry ${doc.record.registryId}; ${signer.institutionId} cannot sign it`);
  }
  const json = certificateJson(doc);
  const header = { alg: 'ES256' as const, kid: signer.kid, typ: MORTGAGE_CERTIFICATE_JWS_TYPE, x5c: signer.chain.map((c) => c.toString('base64')) };
  const certificateJws = await signCompactJws(Buffer.from(json, 'utf8'), header, signer.key);
  const hash = certificateHash(doc);
  const attachments: EvidenceAttachment[] = [
    { name: ATTACHMENT.evidenceJson, mimeType: 'application/json', description: 'Canonical registration certificate JSON (econfirm-mortgage-certificate/1)', bytes: Buffer.from(json, 'utf8') },
    { name: ATTACHMENT.evidenceJws, mimeType: 'application/jose', description: `JWS (ES256, x5c) over evidence.json by ${doc.generatedBy.id}`, bytes: Buffer.from(certificateJws, 'ascii') },
  ];
  if (anchor) attachments.push(anchorAttachment(anchor, 'certificate'));
  const unsigned = await renderMortgageCertificatePdf(doc, attachments, {
    name: `${doc.generatedBy.nameEn} (${doc.generatedBy.id})`,
    reason: `econfirm registration certificate ${doc.record.id}; sha256 ${hash}`,
    location: doc.channel,
    contactInfo: doc.generatedBy.mspId,
    signingTime: new Date(doc.generatedAt),
  }, anchor);
  return { pdf: await signPdf(unsigned, { key: signer.key, chain: signer.chain }), certificateHash: hash, certificateJws };
}
