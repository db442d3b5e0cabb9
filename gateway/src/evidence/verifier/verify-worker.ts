import type { MessagePort } from 'node:worker_threads';
import { verifyEvidenceBundle, verifyEvidencePdf, type BundleVerdict, type EvmTrust, type Verdict, type VerifyOptions } from '@econfirm/evidence';
import { remoteLedger } from './ledger-port';

/** What the pool hands a worker: the document, the trust material as plain data, and (online) the ledger's port. */
export interface VerifyTask {
  document: { kind: 'pdf'; pdf: Uint8Array } | { kind: 'bundle'; bundle: { manifestJws: string; files: Record<string, string> } };
  roots: Array<[string, Uint8Array[]]>;
  revocations: Array<[string, Uint8Array[]]>;
  /** The EVM node and contract to check the evidence's anchor on (plain data: it crosses to the thread). */
  evm?: EvmTrust;
  /** Present for an online verification: serveLedger answers on the other end. */
  ledgerPort?: MessagePort;
}

const buffers = (entries: Array<[string, Uint8Array[]]>): Map<string, Buffer[]> =>
  new Map(entries.map(([msp, list]) => [msp, list.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))]));

/**
 * Piscina's worker entry (verifier-pool.ts): the verification, CPU-bound on a hostile PDF (pdf-lib
 * spent two minutes on 19 MiB of garbage behind a PDF header), runs here so the gateway's event
 * loop — every tenant's requests and health checks — never waits for it.
 */
export default async function verify(task: VerifyTask): Promise<Verdict | BundleVerdict> {
  const options: VerifyOptions = {
    roots: buffers(task.roots),
    revocations: buffers(task.revocations),
    ...(task.evm ? { evm: task.evm } : {}),
    ...(task.ledgerPort ? { ledger: remoteLedger(task.ledgerPort) } : {}),
  };
  try {
    if (task.document.kind === 'pdf') return await verifyEvidencePdf(task.document.pdf, options);
    return await verifyEvidenceBundle(task.document.bundle, options);
  } finally {
    task.ledgerPort?.close();
  }
}
