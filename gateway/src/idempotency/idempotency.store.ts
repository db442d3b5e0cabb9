import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { AtRestCipher } from '../database/at-rest-cipher';
import { applyMigrations } from '../database/migrations';
import { IDEMPOTENCY_MIGRATIONS } from './idempotency.migrations';
import { DATABASE } from '../database/database.module';

export interface StoredOutcome {
  status: number;
  body: unknown;
}

/** What begin() found: go ahead, replay the first outcome, or refuse. */
export type IdempotencyClaim =
  /** `earlier`: transaction ids a crashed or 5xx-answered attempt under this key sent to ordering (by write index). */
  | { kind: 'claimed'; earlier: string[] }
  | { kind: 'replay'; outcome: StoredOutcome }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

/** The authenticated context an outcome is sealed under (also what a restore checks a backup's key with, database/backup.ts). */
export function idempotencySealContext(key: string): string {
  return `idempotency_records:${key}`;
}

/** A claim of this process left 'pending' longer than this is from a stuck request and may be taken over. */
const STALE_PENDING_MS = 10 * 60_000;

/**
 * Idempotency-Key records, per tenant: the first request with a key claims it; its outcome is
 * stored; a retry with the same key and the same request gets that outcome back; the same key
 * with a different request is refused. Keys of one tenant mean nothing to another. The stored
 * outcome is often decrypted content (a letter, a reply): it is kept sealed to the tenant
 * (database/at-rest-cipher.ts), never readable in the database file.
 *
 * A pending claim names the process that holds it. One held by an earlier process (the gateway
 * was killed mid-request) or released after a 5xx is taken over by the next retry at once, with
 * the transaction ids its attempt had sent to ordering, so that the retry finds a write that
 * committed rather than making it again (LedgerService.submit) — a crash does not leave the key
 * answering IDEMPOTENCY_IN_PROGRESS.
 */
@Injectable()
export class IdempotencyStore {
  private readonly ttlMs: number;
  /** This process's claims (one store per gateway process and database). */
  private readonly owner = randomUUID();

  constructor(
    @Inject(DATABASE) private readonly db: DatabaseSync,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly cipher: AtRestCipher,
  ) {
    applyMigrations(db, 'idempotency', IDEMPOTENCY_MIGRATIONS);
    this.ttlMs = config.limits.idempotencyHours * 3600_000;
    // Outcomes recorded before sealing began are sealed now (secure_delete overwrites the old bytes).
    const legacy = db.prepare("SELECT tenant_id, key, body_json FROM idempotency_records WHERE body_json IS NOT NULL AND body_json NOT LIKE 'v1.%'").all() as Array<{ tenant_id: string; key: string; body_json: string }>;
    const reseal = db.prepare('UPDATE idempotency_records SET body_json = ? WHERE tenant_id = ? AND key = ?');
    for (const row of legacy) reseal.run(this.seal(row.tenant_id, row.key, JSON.parse(row.body_json) as unknown), row.tenant_id, row.key);
  }

  private seal(tenantId: string, key: string, body: unknown): string {
    return this.cipher.sealJson(tenantId, idempotencySealContext(key), body);
  }

  begin(tenantId: string, key: string, fingerprint: string, now = Date.now()): IdempotencyClaim {
    this.db.prepare('DELETE FROM idempotency_records WHERE created_at < ?').run(now - this.ttlMs);
    const inserted = this.db
      .prepare("INSERT OR IGNORE INTO idempotency_records (tenant_id, key, fingerprint, state, created_at, updated_at, owner) VALUES (?, ?, ?, 'pending', ?, ?, ?)")
      .run(tenantId, key, fingerprint, now, now, this.owner);
    if (Number(inserted.changes) === 1) return { kind: 'claimed', earlier: [] };
    const row = this.db.prepare('SELECT fingerprint, state, status, body_json, updated_at, owner, transactions_json FROM idempotency_records WHERE tenant_id = ? AND key = ?').get(tenantId, key) as
      | { fingerprint: string; state: string; status: number | null; body_json: string | null; updated_at: number; owner: string | null; transactions_json: string | null }
      | undefined;
    if (!row) return this.begin(tenantId, key, fingerprint, now);
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.state === 'done') return { kind: 'replay', outcome: { status: row.status ?? 200, body: row.body_json === null ? null : this.cipher.openJson(tenantId, idempotencySealContext(key), row.body_json) } };
    if (row.owner !== this.owner || now - row.updated_at > STALE_PENDING_MS) {
      // Nobody works on it any more: an earlier process died holding it, or it was released.
      const taken = this.db
        .prepare("UPDATE idempotency_records SET owner = ?, updated_at = ? WHERE tenant_id = ? AND key = ? AND state = 'pending' AND owner IS ? AND updated_at = ?")
        .run(this.owner, now, tenantId, key, row.owner, row.updated_at);
      if (Number(taken.changes) !== 1) return this.begin(tenantId, key, fingerprint, now);
      return { kind: 'claimed', earlier: row.transactions_json ? (JSON.parse(row.transactions_json) as string[]) : [] };
    }
    return { kind: 'in-progress' };
  }

  /** Write `index` of the claim's attempt went to ordering as `transactionId` (recorded before its commit is awaited). */
  recordTransaction(tenantId: string, key: string, index: number, transactionId: string): void {
    const row = this.db.prepare('SELECT transactions_json FROM idempotency_records WHERE tenant_id = ? AND key = ?').get(tenantId, key) as { transactions_json: string | null } | undefined;
    if (!row) return;
    const ids = row.transactions_json ? (JSON.parse(row.transactions_json) as string[]) : [];
    ids[index] = transactionId;
    this.db.prepare('UPDATE idempotency_records SET transactions_json = ?, updated_at = ? WHERE tenant_id = ? AND key = ?').run(JSON.stringify(ids), Date.now(), tenantId, key);
  }

  complete(tenantId: string, key: string, outcome: StoredOutcome): void {
    this.db
      .prepare("UPDATE idempotency_records SET state = 'done', status = ?, body_json = ?, updated_at = ? WHERE tenant_id = ? AND key = ?")
      .run(outcome.status, this.seal(tenantId, key, outcome.body ?? null), Date.now(), tenantId, key);
  }

  /**
   * The request failed in a way a retry may fix (5xx): forget the claim — unless its attempt sent a
   * transaction to ordering (it may yet commit): then the claim stays, held by nobody, so the
   * retry takes it over with those ids.
   */
  release(tenantId: string, key: string): void {
    this.db.prepare("DELETE FROM idempotency_records WHERE tenant_id = ? AND key = ? AND state = 'pending' AND transactions_json IS NULL").run(tenantId, key);
    this.db.prepare("UPDATE idempotency_records SET owner = NULL WHERE tenant_id = ? AND key = ? AND state = 'pending'").run(tenantId, key);
  }
}
