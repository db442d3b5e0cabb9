import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { applyMigrations, inTransaction } from '../database/migrations';
import type { EventType } from '../events/event-model';
import { WEBHOOKS_MIGRATIONS } from './webhooks.migrations';

export interface Webhook {
  id: string;
  tenantId: string;
  url: string;
  /** Event types delivered; empty = all. */
  events: EventType[];
  active: boolean;
  description?: string;
  /** The last outbox sequence this webhook is done with (delivered or dead-lettered). */
  cursor: number;
  /** Failed attempts of the next event so far, and when the next one is due (ms since epoch). */
  attempts: number;
  nextAttemptAt: number;
  generation: number;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryAttempt {
  sequence: number;
  attempt: number;
  /** 'scheduled' (in order), 'redelivery' (a dead letter sent again on request). */
  kind: 'scheduled' | 'redelivery';
  outcome: 'delivered' | 'failed';
  httpStatus?: number;
  error?: string;
  at: string;
}

export interface DeadLetter {
  sequence: number;
  attempts: number;
  lastError: string;
  deadAt: string;
  redeliveredAt?: string;
}

/** What one attempt came to. */
export interface AttemptResult {
  ok: boolean;
  httpStatus?: number;
  error?: string;
}

interface WebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  event_types: string;
  active: number;
  description: string | null;
  cursor: number;
  attempts: number;
  next_attempt_at: number;
  generation: number;
  created_at: string;
  updated_at: string;
}

function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    url: row.url,
    events: JSON.parse(row.event_types) as EventType[],
    active: row.active === 1,
    ...(row.description ? { description: row.description } : {}),
    cursor: Number(row.cursor),
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    generation: Number(row.generation),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Webhook subscriptions and their delivery state in SQLite: the cursor, the pending event's
 * failed attempts and due time, every attempt, and the dead letters. Each outcome is written in
 * one transaction, so a restart resumes exactly where delivery stood.
 */
export class WebhookStore {
  constructor(private readonly db: DatabaseSync) {
    applyMigrations(db, 'webhooks', WEBHOOKS_MIGRATIONS);
  }

  create(input: { tenantId: string; url: string; events: EventType[]; active: boolean; description?: string; cursor: number }): Webhook {
    const id = `wh_${randomBytes(9).toString('base64url')}`;
    const now = new Date().toISOString();
    this.db
      .prepare('INSERT INTO webhooks (id, tenant_id, url, event_types, active, description, cursor, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, input.tenantId, input.url, JSON.stringify(input.events), input.active ? 1 : 0, input.description ?? null, input.cursor, now, now);
    return this.get(input.tenantId, id) as Webhook;
  }

  /** The tenant's webhook, or undefined (another tenant's webhook is as unknown as a missing one). */
  get(tenantId: string, id: string): Webhook | undefined {
    const row = this.db.prepare('SELECT * FROM webhooks WHERE id = ? AND tenant_id = ?').get(id, tenantId) as WebhookRow | undefined;
    return row ? toWebhook(row) : undefined;
  }

  byId(id: string): Webhook | undefined {
    const row = this.db.prepare('SELECT * FROM webhooks WHERE id = ?').get(id) as WebhookRow | undefined;
    return row ? toWebhook(row) : undefined;
  }

  list(tenantId: string): Webhook[] {
    return (this.db.prepare('SELECT * FROM webhooks WHERE tenant_id = ? ORDER BY created_at, id').all(tenantId) as unknown as WebhookRow[]).map(toWebhook);
  }

  active(): Webhook[] {
    return (this.db.prepare('SELECT * FROM webhooks WHERE active = 1 ORDER BY created_at, id').all() as unknown as WebhookRow[]).map(toWebhook);
  }

  update(tenantId: string, id: string, change: { url?: string; events?: EventType[]; active?: boolean; description?: string }): Webhook | undefined {
    const current = this.get(tenantId, id);
    if (!current) return undefined;
    this.db
      .prepare('UPDATE webhooks SET url = ?, event_types = ?, active = ?, description = ?, updated_at = ? WHERE id = ?')
      .run(
        change.url ?? current.url,
        JSON.stringify(change.events ?? current.events),
        (change.active ?? current.active) ? 1 : 0,
        change.description ?? current.description ?? null,
        new Date().toISOString(),
        id,
      );
    return this.get(tenantId, id);
  }

  delete(tenantId: string, id: string): boolean {
    return Number(this.db.prepare('DELETE FROM webhooks WHERE id = ? AND tenant_id = ?').run(id, tenantId).changes) === 1;
  }

  /** Replay: deliver again from `fromSequence` (the cursor moves to just before it; pending attempts reset). */
  rewind(tenantId: string, id: string, fromSequence: number): Webhook | undefined {
    this.db
      .prepare('UPDATE webhooks SET cursor = ?, attempts = 0, next_attempt_at = 0, generation = generation + 1, updated_at = ? WHERE id = ? AND tenant_id = ?')
      .run(fromSequence - 1, new Date().toISOString(), id, tenantId);
    return this.get(tenantId, id);
  }

  /**
   * Records a scheduled attempt of event `sequence` (the one after the cursor) and moves the
   * delivery state on: delivered → cursor advances; failed → retry at `retryAt`, or, when
   * `maxAttempts` is reached, dead-letter it and advance. Ignored (returns false) when a replay
   * changed the webhook's generation meanwhile.
   */
  recordAttempt(webhook: Webhook, sequence: number, result: AttemptResult, maxAttempts: number, retryAt: (attempts: number) => number): boolean {
    return inTransaction(this.db, () => {
      const now = new Date().toISOString();
      const current = this.byId(webhook.id);
      if (!current || current.generation !== webhook.generation || current.cursor >= sequence) return false;
      const attempt = current.attempts + 1;
      this.logAttempt(webhook.id, sequence, attempt, 'scheduled', result, now);
      if (result.ok) {
        this.db.prepare('UPDATE webhooks SET cursor = ?, attempts = 0, next_attempt_at = 0 WHERE id = ?').run(sequence, webhook.id);
      } else if (attempt >= maxAttempts) {
        this.db
          .prepare('INSERT OR REPLACE INTO webhook_dead_letters (webhook_id, sequence, attempts, last_error, dead_at, redelivered_at) VALUES (?, ?, ?, ?, ?, NULL)')
          .run(webhook.id, sequence, attempt, describe(result), now);
        this.db.prepare('UPDATE webhooks SET cursor = ?, attempts = 0, next_attempt_at = 0 WHERE id = ?').run(sequence, webhook.id);
      } else {
        this.db.prepare('UPDATE webhooks SET attempts = ?, next_attempt_at = ? WHERE id = ?').run(attempt, retryAt(attempt), webhook.id);
      }
      return true;
    });
  }

  /** Records a redelivery of a dead letter; marks it redelivered on success. */
  recordRedelivery(webhookId: string, sequence: number, result: AttemptResult): void {
    inTransaction(this.db, () => {
      const now = new Date().toISOString();
      const row = this.db.prepare('SELECT attempts FROM webhook_dead_letters WHERE webhook_id = ? AND sequence = ?').get(webhookId, sequence) as { attempts: number } | undefined;
      const attempt = Number(row?.attempts ?? 0) + 1;
      this.logAttempt(webhookId, sequence, attempt, 'redelivery', result, now);
      if (result.ok) this.db.prepare('UPDATE webhook_dead_letters SET attempts = ?, redelivered_at = ? WHERE webhook_id = ? AND sequence = ?').run(attempt, now, webhookId, sequence);
      else this.db.prepare('UPDATE webhook_dead_letters SET attempts = ?, last_error = ? WHERE webhook_id = ? AND sequence = ?').run(attempt, describe(result), webhookId, sequence);
    });
  }

  private logAttempt(webhookId: string, sequence: number, attempt: number, kind: DeliveryAttempt['kind'], result: AttemptResult, at: string): void {
    this.db
      .prepare('INSERT INTO webhook_attempts (webhook_id, sequence, attempt, kind, outcome, http_status, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(webhookId, sequence, attempt, kind, result.ok ? 'delivered' : 'failed', result.httpStatus ?? null, result.ok ? null : describe(result), at);
  }

  deadLetters(webhookId: string, includeRedelivered = true): DeadLetter[] {
    const rows = this.db
      .prepare(`SELECT * FROM webhook_dead_letters WHERE webhook_id = ?${includeRedelivered ? '' : ' AND redelivered_at IS NULL'} ORDER BY sequence`)
      .all(webhookId) as Array<{ sequence: number; attempts: number; last_error: string; dead_at: string; redelivered_at: string | null }>;
    return rows.map((r) => ({
      sequence: Number(r.sequence),
      attempts: Number(r.attempts),
      lastError: r.last_error,
      deadAt: r.dead_at,
      ...(r.redelivered_at ? { redeliveredAt: r.redelivered_at } : {}),
    }));
  }

  deadLetter(webhookId: string, sequence: number): DeadLetter | undefined {
    return this.deadLetters(webhookId).find((d) => d.sequence === sequence);
  }

  attempts(webhookId: string, afterId = 0, limit = 200): Array<DeliveryAttempt & { id: number }> {
    const rows = this.db
      .prepare('SELECT * FROM webhook_attempts WHERE webhook_id = ? AND id > ? ORDER BY id LIMIT ?')
      .all(webhookId, afterId, limit) as Array<{ id: number; sequence: number; attempt: number; kind: string; outcome: string; http_status: number | null; error: string | null; at: string }>;
    return rows.map((r) => ({
      id: Number(r.id),
      sequence: Number(r.sequence),
      attempt: Number(r.attempt),
      kind: r.kind as DeliveryAttempt['kind'],
      outcome: r.outcome as DeliveryAttempt['outcome'],
      ...(r.http_status !== null ? { httpStatus: Number(r.http_status) } : {}),
      ...(r.error ? { error: r.error } : {}),
      at: r.at,
    }));
  }
}

function describe(result: AttemptResult): string {
  if (result.error) return result.error.slice(0, 500);
  return result.httpStatus !== undefined ? `HTTP ${result.httpStatus}` : 'failed';
}
