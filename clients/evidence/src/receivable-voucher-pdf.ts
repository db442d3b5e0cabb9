import type { AnchorProof } from '@econfirm/common';
import { signCompactJws } from './crypto/jws';
import { voucherHash, voucherJson, type ReceivableVoucherDocument } from './model/receivable-voucher';
import { signPdf } from './pdf/pades';
import { anchorAttachment, ATTACHMENT, type EvidenceAttachment } from './pdf/render';
import { renderReceivableVoucherPdf } from './pdf/render-voucher';
import type { EvidenceSigner } from './signer';

export const RECEIVABLE_VOUCHER_JWS_TYPE = 'econfirm-receivable-voucher+jws';

export interface ReceivableVoucherPdf {
  pdf: Buffer;
  voucherHash: string;
  voucherJws: string;
}

/**
 * The signed voucher: rendered, with the voucher JSON and its JWS attached (the attachment names
 * of confirmation evidence), and a PAdES signature by the issuing institution's evidence
 * certificate over everything. Deterministic like the evidence PDF. With an anchor proof (or
 * "pending"), it is attached as anchor.json and printed, as in evidence.
 */
export async function createReceivableVoucherPdf(doc: ReceivableVoucherDocument, signer: EvidenceSigner, anchor?: AnchorProof): Promise<ReceivableVoucherPdf> {
  if (doc.generatedBy.id !== signer.institutionId) throw new Error(`the voucher ${doc.record.id} names ${doc.generatedBy.id} as its issuer; ${signer.institutionId} cannot sign it`);
  const json = voucherJson(doc);
  const header = { alg: 'ES256' as const, kid: signer.kid, typ: RECEIVABLE_VOUCHER_JWS_TYPE, x5c: signer.chain.map((c) => c.toString('base64')) };
  const voucherJws = await signCompactJws(Buffer.from(json, 'utf8'), header, signer.key);
  const hash = voucherHash(doc);
  const attachments: EvidenceAttachment[] = [
    { name: ATTACHMENT.evidenceJson, mimeType: 'application/json', description: 'Canonical receivable voucher JSON (econfirm-receivable-voucher/1)', bytes: Buffer.from(json, 'utf8') },
    { name: ATTACHMENT.evidenceJws, mimeType: 'application/jose', description: `JWS (ES256, x5c) over evidence.json by ${doc.generatedBy.id}`, bytes: Buffer.from(voucherJws, 'ascii') },
  ];
  if (anchor) attachments.push(anchorAttachment(anchor, 'voucher'));
  const unsigned = await renderReceivableVoucherPdf(doc, attachments, {
    name: `${doc.generatedBy.nameEn} (${doc.generatedBy.id})`,
    reason: `econfirm receivable voucher ${doc.record.id}; sha256 ${hash}`,
    location: doc.channel,
    contactInfo: doc.generatedBy.mspId,
    signingTime: new Date(doc.generatedAt),
  }, anchor);
  return { pdf: await signPdf(unsigned, { key: signer.key, chain: signer.chain }), voucherHash: hash, voucherJws };
}
