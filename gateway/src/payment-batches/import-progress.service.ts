import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseSync } from 'node:sqlite';
import type { Principal } from '../auth/principal';
import { AtRestCipher } from '../database/at-rest-cipher';
import { DATABASE } from '../database/database.module';
import { applyMigrations, inTransaction } from '../database/migrations';
import { GatewayError } from '../errors/gateway-error';
import { IMPORT_PROGRESS_MIGRATIONS } from './import-progress.migrations';

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

interface Row {
  credential_id: string;
  progress_json: string;
}

/** How long a finished import's progress stays readable, and how many a tenant's imports are kept. */
const KEEP_MS = 15 * 60_000;
const PER_TENANT = 100;
const UNFINISHED: readonly ImportStage[] = ['validating', 'endorsing', 'ordering'];

function sealContext(key: string): string {
  return `payment_batch_imports:${key}`;
}

/**
 * The progress of payment-batch imports, by the Idempotency-Key the importer sent (it knows it
 * before the upload starts, so it can ask while the POST runs). Kept in the gateway's database,
 * sealed to the tenant (database/at-rest-cipher.ts), so it survives a restart: an import the
 * stopped process had not finished reads `failed`, `IMPORT_INTERRUPTED` — its retry under the same
 * key finds a batch that committed (idempotency/idempotency.store.ts), never settles it twice. One
 * gateway process per database, as for the idempotency claims: a new process takes the unfinished
 * ones as its predecessor's. Readable by the credential that imported.
 */
@Injectable()
export class ImportProgressService {
  constructor(
    @Inject(DATABASE) private readonly db: DatabaseSync,
    private readonly cipher: AtRestCipher,
  ) {
    applyMigrations(db, 'payment-batch-imports', IMPORT_PROGRESS_MIGRATIONS);
    this.markInterrupted();
  }

  start(principal: Principal, key: string, fileName: string, now = Date.now()): void {
    this.prune(now);
    const at = new Date(now).toISOString();
    inTransaction(this.db, () => {
      // The oldest of the tenant's go first: at most PER_TENANT are kept.
      this.db
        .prepare('DELETE FROM payment_batch_imports WHERE tenant_id = ? AND key <> ? AND rowid NOT IN (SELECT rowid FROM payment_batch_imports WHERE tenant_id = ? AND key <> ? ORDER BY started_at DESC, rowid DESC LIMIT ?)')
        .run(principal.tenantId, key, principal.tenantId, key, PER_TENANT - 1);
      this.write(principal.tenantId, principal.credentialId, { key, stage: 'validating', fileName, startedAt: at, updatedAt: at }, now);
    });
  }

  update(principal: Principal, key: string | undefined, change: Partial<Omit<ImportProgress, 'key' | 'fileName' | 'startedAt' | 'updatedAt'>>, now = Date.now()): void {
    if (key === undefined) return;
    const row = this.row(principal.tenantId, key);
    if (!row) return;
    const progress = { ...this.open(principal.tenantId, key, row), ...change, updatedAt: new Date(now).toISOString() };
    this.write(principal.tenantId, row.credential_id, progress, now);
  }

  /** The caller's own import under that key; anyone else's, or an expired one, is not found. */
  get(principal: Principal, key: string, now = Date.now()): ImportProgress {
    this.prune(now);
    const row = this.row(principal.tenantId, key);
    if (!row || row.credential_id !== principal.credentialId) throw GatewayError.notFound(`no payment-batch import under Idempotency-Key ${key} in this gateway`);
    return this.open(principal.tenantId, key, row);
  }

  private row(tenantId: string, key: string): Row | undefined {
    return this.db.prepare('SELECT credential_id, progress_json FROM payment_batch_imports WHERE tenant_id = ? AND key = ?').get(tenantId, key) as Row | undefined;
  }

  private open(tenantId: string, key: string, row: Row): ImportProgress {
    return this.cipher.openJson(tenantId, sealContext(key), row.progress_json) as ImportProgress;
  }

  private write(tenantId: string, credentialId: string, progress: ImportProgress, now: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO payment_batch_imports (tenant_id, key, credential_id, stage, progress_json, started_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(tenantId, progress.key, credentialId, progress.stage, this.cipher.sealJson(tenantId, sealContext(progress.key), progress), Date.parse(progress.startedAt), now + KEEP_MS);
  }

  /** Imports a stopped gateway process left unfinished: their outcome never came, so they failed. */
  private markInterrupted(now = Date.now()): void {
    const marks = UNFINISHED.map(() => '?').join(', ');
    const rows = this.db.prepare(`SELECT tenant_id, key, credential_id, progress_json FROM payment_batch_imports WHERE stage IN (${marks})`).all(...UNFINISHED) as Array<{ tenant_id: string; key: string; credential_id: string; progress_json: string }>;
    for (const row of rows) {
      const progress = this.open(row.tenant_id, row.key, row);
      const message = `the gateway stopped while this import was ${progress.stage}${progress.transactionId ? ` (transaction ${progress.transactionId})` : ''}: send the file again with the same Idempotency-Key — a batch that committed is answered, not settled twice`;
      this.write(row.tenant_id, row.credential_id, { ...progress, stage: 'failed', error: { code: 'IMPORT_INTERRUPTED', message }, updatedAt: new Date(now).toISOString() }, now);
    }
  }

  private prune(now: number): void {
    this.db.prepare('DELETE FROM payment_batch_imports WHERE expires_at < ?').run(now);
  }
}
