import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseSync } from 'node:sqlite';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { AtRestCipher } from '../database/at-rest-cipher';
import { applyMigrations } from '../database/migrations';
import { DATABASE } from '../database/database.module';

export interface StoredOutcome {
  status: number;
  body: unknown;
}

/** What begin() found: go ahead, replay the first outcome, or refuse. */
export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; outcome: StoredOutcome }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

const MIGRATIONS = [
  `CREATE TABLE idempotency_records (
     tenant_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL,
     status INTEGER, body_json TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (tenant_id, key))`,
  'CREATE INDEX idempotency_records_created ON idempotency_records (created_at)',
];

/** A claim left 'pending' longer than this is from a crashed request and may be taken over. */
const STALE_PENDING_MS = 10 * 60_000;

/**
 * Idempotency-Key records, per tenant: the first request with a key claims it; its outcome is
 * stored; a retry with the same key and the same request gets that outcome back; the same key
 * with a different request is refused. Keys of one tenant mean nothing to another. The stored
 * outcome is often decrypted content (a letter, a reply): it is kept sealed to the tenant
 * (database/at-rest-cipher.ts), never readable in the database file.
 */
@Injectable()
export class IdempotencyStore {
  private readonly ttlMs: number;

  constructor(
    @Inject(DATABASE) private readonly db: DatabaseSync,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly cipher: AtRestCipher,
  ) {
    applyMigrations(db, 'idempotency', MIGRATIONS);
    this.ttlMs = config.limits.idempotencyHours * 3600_000;
    // Outcomes recorded before sealing began are sealed now (secure_delete overwrites the old bytes).
    const legacy = db.prepare("SELECT tenant_id, key, body_json FROM idempotency_records WHERE body_json IS NOT NULL AND body_json NOT LIKE 'v1.%'").all() as Array<{ tenant_id: string; key: string; body_json: string }>;
    const reseal = db.prepare('UPDATE idempotency_records SET body_json = ? WHERE tenant_id = ? AND key = ?');
    for (const row of legacy) reseal.run(this.seal(row.tenant_id, row.key, JSON.parse(row.body_json) as unknown), row.tenant_id, row.key);
  }

  private seal(tenantId: string, key: string, body: unknown): string {
    return this.cipher.sealJson(tenantId, `idempotency_records:${key}`, body);
  }

  begin(tenantId: string, key: string, fingerprint: string, now = Date.now()): IdempotencyClaim {
    this.db.prepare('DELETE FROM idempotency_records WHERE created_at < ?').run(now - this.ttlMs);
    const inserted = this.db
      .prepare("INSERT OR IGNORE INTO idempotency_records (tenant_id, key, fingerprint, state, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)")
      .run(tenantId, key, fingerprint, now, now);
    if (Number(inserted.changes) === 1) return { kind: 'claimed' };
    const row = this.db.prepare('SELECT fingerprint, state, status, body_json, updated_at FROM idempotency_records WHERE tenant_id = ? AND key = ?').get(tenantId, key) as
      | { fingerprint: string; state: string; status: number | null; body_json: string | null; updated_at: number }
      | undefined;
    if (!row) return this.begin(tenantId, key, fingerprint, now);
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.state === 'done') return { kind: 'replay', outcome: { status: row.status ?? 200, body: row.body_json === null ? null : this.cipher.openJson(tenantId, `idempotency_records:${key}`, row.body_json) } };
    if (now - row.updated_at > STALE_PENDING_MS) {
      this.db.prepare('UPDATE idempotency_records SET updated_at = ? WHERE tenant_id = ? AND key = ?').run(now, tenantId, key);
      return { kind: 'claimed' };
    }
    return { kind: 'in-progress' };
  }

  complete(tenantId: string, key: string, outcome: StoredOutcome): void {
    this.db
      .prepare("UPDATE idempotency_records SET state = 'done', status = ?, body_json = ?, updated_at = ? WHERE tenant_id = ? AND key = ?")
      .run(outcome.status, this.seal(tenantId, key, outcome.body ?? null), Date.now(), tenantId, key);
  }

  /** The request failed in a way a retry may fix (5xx): forget the claim. */
  release(tenantId: string, key: string): void {
    this.db.prepare("DELETE FROM idempotency_records WHERE tenant_id = ? AND key = ? AND state = 'pending'").run(tenantId, key);
  }
}
