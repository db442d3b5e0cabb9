import type { AnchorProof } from '@econfirm/common';
import { createEvidencePdf, type EvidencePdf } from '../evidence-pdf';
import type { EvidenceDocument } from '../model/evidence-document';
import type { EvidenceSigner } from '../signer';

/** One letter for a render thread: the document and the signer (its key object and chain cross by structured clone, within this process). */
export interface RenderTask {
  document: EvidenceDocument;
  signer: EvidenceSigner;
  anchor?: AnchorProof;
}

/** The worker thread's entry (Piscina): render and sign one evidence PDF, as createEvidencePdf does in the caller's thread. */
export default function render(task: RenderTask): Promise<EvidencePdf> {
  // Structured clone turns Buffers into plain Uint8Arrays (whose toString is not base64): rebuild the chain.
  const signer: EvidenceSigner = { ...task.signer, chain: task.signer.chain.map((c) => Buffer.from(c)) };
  return createEvidencePdf(task.document, signer, task.anchor);
}
