import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';

/**
 * Where an import stands. Settling is one transaction, so these are its steps, not a count:
 * `validating` (the file arrived and is read and checked), `endorsing` (every line valid: sealed,
 * sent to the endorsing peers), `ordering` (endorsed and sent to ordering, waiting for the commit),
 * then `committed`, `refused` (a
 * 4xx: bad lines, or the ledger's refusal; nothing settled) or `failed` (a 5xx: may be retried
 * with the same Idempotency-Key).
 */
export const IMPORT_STAGES = ['validating', 'endorsing', 'ordering', 'committed', 'refused', 'failed'] as const;
export type ImportStage = (typeof IMPORT_STAGES)[number];

export interface ImportProgress {
  key: string;
  stage: ImportStage;
  fileName: string;
  batchId?: string;
  /** Once validated: the payees and their total in minor units. */
  lines?: number;
  totalMinor?: string;
  transactionId?: string;
  /** Why it was refused or failed. */
  error?: { code: string; message: string };
  startedAt: string;
  updatedAt: string;
}

interface Entry {
  tenantId: string;
  credentialId: string;
  progress: ImportProgress;
  expiresAt: number;
}

/** How long a finished import's progress stays readable, and how many a tenant's imports are kept. */
const KEEP_MS = 15 * 60_000;
const PER_TENANT = 100;

/**
 * The progress of payment-batch imports in this gateway process, by the Idempotency-Key the
 * importer sent (it knows it before the upload starts, so it can ask while the POST runs).
 * In memory only: the import's outcome is its answer (or the batch, GET /v1/payment-batches/{id});
 * this is for showing the way there. Readable by the credential that imported.
 */
@Injectable()
export class ImportProgressService {
  private readonly entries = new Map<string, Entry>();

  private static id(tenantId: string, key: string): string {
    return `${tenantId}\u0000${key}`;
  }

  start(principal: Principal, key: string, fileName: string): void {
    this.prune();
    const now = new Date().toISOString();
    const own = [...this.entries.entries()].filter(([, e]) => e.tenantId === principal.tenantId);
    // The oldest of the tenant's go first (Map keeps insertion order).
    for (const [id] of own.slice(0, Math.max(0, own.length - PER_TENANT + 1))) this.entries.delete(id);
    this.entries.set(ImportProgressService.id(principal.tenantId, key), {
      tenantId: principal.tenantId,
      credentialId: principal.credentialId,
      progress: { key, stage: 'validating', fileName, startedAt: now, updatedAt: now },
      expiresAt: Date.now() + KEEP_MS,
    });
  }

  update(principal: Principal, key: string | undefined, change: Partial<Omit<ImportProgress, 'key' | 'fileName' | 'startedAt' | 'updatedAt'>>): void {
    if (key === undefined) return;
    const entry = this.entries.get(ImportProgressService.id(principal.tenantId, key));
    if (!entry) return;
    entry.progress = { ...entry.progress, ...change, updatedAt: new Date().toISOString() };
    entry.expiresAt = Date.now() + KEEP_MS;
  }

  /** The caller's own import under that key; anyone else's, or an expired one, is not found. */
  get(principal: Principal, key: string): ImportProgress {
    this.prune();
    const entry = this.entries.get(ImportProgressService.id(principal.tenantId, key));
    if (!entry || entry.credentialId !== principal.credentialId) throw GatewayError.notFound(`no payment-batch import under Idempotency-Key ${key} in this gateway`);
    return { ...entry.progress, ...(entry.progress.error ? { error: { ...entry.progress.error } } : {}) };
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt < now) this.entries.delete(id);
  }
}
