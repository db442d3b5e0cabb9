import type { AnchorProof } from '@econfirm/common';
import * as path from 'node:path';
import Piscina from 'piscina';
import type { EvidencePdf } from '../evidence-pdf';
import type { EvidenceDocument } from '../model/evidence-document';
import type { EvidenceSigner } from '../signer';
import type { RenderTask } from './render-worker';

/**
 * Rendering and signing in worker threads (Piscina, a maintained pool), for the many letters of a
 * bundle: rendering is CPU-bound and pdfkit is synchronous, so one thread renders one letter at a
 * time however many are in flight. Each thread opens the CJK font once (src/pdf/fonts.ts) and then
 * renders exactly what the caller's thread would: the same bytes.
 */
export class EvidenceRenderPool {
  private readonly pool: Piscina<RenderTask, EvidencePdf>;

  constructor(threads: number) {
    this.pool = new Piscina({ filename: path.join(__dirname, 'render-worker.js'), minThreads: 0, maxThreads: Math.max(1, threads), idleTimeout: 1_000 });
  }

  async render(document: EvidenceDocument, signer: EvidenceSigner, anchor?: AnchorProof): Promise<EvidencePdf> {
    const result = await this.pool.run({ document, signer, ...(anchor ? { anchor } : {}) });
    // Buffers come back from the thread as plain Uint8Arrays.
    return { ...result, pdf: Buffer.from(result.pdf.buffer, result.pdf.byteOffset, result.pdf.byteLength) };
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
