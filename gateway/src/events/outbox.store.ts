import type { DatabaseSync } from 'node:sqlite';
import { applyMigrations, inTransaction } from '../database/migrations';
import { SqliteCheckpoint } from './checkpoint.store';
import { type EventData, type EventType, type LedgerEvent, type TenantEvent } from './event-model';
import { EVENTS_MIGRATIONS } from './events.migrations';

/** One tenant's share of a ledger event (its data may be narrowed, e.g. a batch's visible ids). */
export interface Delivery {
  tenantId: string;
  data: EventData;
  /** The event's type for this tenant when it is not the block's (a sealed step's: read from the ledger). */
  type?: EventType;
}

/** An event as filed in one tenant's outbox. */
export interface RecordedEvent {
  tenantId: string;
  event: TenantEvent;
}

interface OutboxRow {
  tenant_id: string;
  sequence: number;
  type: string;
  data: string;
  tx_id: string;
  block_number: string;
  tx_timestamp: string;
}

function toEvent(row: OutboxRow): TenantEvent {
  return {
    sequence: row.sequence,
    type: row.type as EventType,
    ...(JSON.parse(row.data) as EventData),
    transactionId: row.tx_id,
    blockNumber: row.block_number,
    timestamp: row.tx_timestamp,
  };
}

/**
 * The per-tenant event outbox: every event a tenant may see, numbered 1, 2, 3… per tenant with
 * no gaps, together with the listener's checkpoint. `record` writes a ledger event's deliveries
 * and moves the checkpoint past it in one SQLite transaction.
 */
export class OutboxStore {
  readonly checkpoint: SqliteCheckpoint;

  constructor(
    private readonly db: DatabaseSync,
    stream: string,
  ) {
    applyMigrations(db, 'events', EVENTS_MIGRATIONS);
    this.checkpoint = new SqliteCheckpoint(db, stream);
  }

  /** Whether a transaction's event was already recorded (a replayed stream must not record it twice). */
  processed(transactionId: string): boolean {
    return this.db.prepare('SELECT 1 AS one FROM event_transactions WHERE tx_id = ?').get(transactionId) !== undefined;
  }

  /**
   * Records `event` for each delivery's tenant with that tenant's next sequence number and
   * advances the checkpoint, atomically. Returns the new tenant events (empty when the
   * transaction had been recorded before).
   */
  record(event: LedgerEvent, timestamp: string, deliveries: readonly Delivery[]): RecordedEvent[] {
    return inTransaction(this.db, () => {
      if (this.processed(event.transactionId)) {
        this.checkpoint.advanceTo(event.blockNumber, event.transactionId);
        return [];
      }
      const now = new Date().toISOString();
      const next = this.db.prepare('SELECT COALESCE(MAX(sequence), 0) + 1 AS next FROM event_outbox WHERE tenant_id = ?');
      const insert = this.db.prepare(
        'INSERT INTO event_outbox (tenant_id, sequence, type, data, tx_id, block_number, tx_timestamp, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const written: RecordedEvent[] = [];
      for (const { tenantId, data, type = event.type } of deliveries) {
        const sequence = Number((next.get(tenantId) as { next: number }).next);
        insert.run(tenantId, sequence, type, JSON.stringify(data), event.transactionId, event.blockNumber.toString(), timestamp, now);
        written.push({ tenantId, event: { sequence, type, ...data, transactionId: event.transactionId, blockNumber: event.blockNumber.toString(), timestamp } });
      }
      this.db
        .prepare('INSERT INTO event_transactions (tx_id, block_number, type, recipients, processed_at) VALUES (?, ?, ?, ?, ?)')
        .run(event.transactionId, event.blockNumber.toString(), event.type, deliveries.length, now);
      this.checkpoint.advanceTo(event.blockNumber, event.transactionId);
      return written;
    });
  }

  /** Moves the checkpoint past an event that concerns no tenant (unknown, malformed, or already recorded). */
  skip(blockNumber: bigint, transactionId: string, name: string): void {
    inTransaction(this.db, () => {
      this.db
        .prepare('INSERT OR IGNORE INTO event_transactions (tx_id, block_number, type, recipients, processed_at) VALUES (?, ?, ?, 0, ?)')
        .run(transactionId, blockNumber.toString(), name.slice(0, 64), new Date().toISOString());
      this.checkpoint.advanceTo(blockNumber, transactionId);
    });
  }

  /** The tenant's events with sequence > `after`, oldest first, at most `limit`, optionally of some types only. */
  list(tenantId: string, after: number, limit: number, types?: readonly string[]): TenantEvent[] {
    const filter = types && types.length > 0 ? ` AND type IN (${types.map(() => '?').join(', ')})` : '';
    const rows = this.db
      .prepare(`SELECT * FROM event_outbox WHERE tenant_id = ? AND sequence > ?${filter} ORDER BY sequence LIMIT ?`)
      .all(tenantId, after, ...(types ?? []), limit) as unknown as OutboxRow[];
    return rows.map(toEvent);
  }

  get(tenantId: string, sequence: number): TenantEvent | undefined {
    const row = this.db.prepare('SELECT * FROM event_outbox WHERE tenant_id = ? AND sequence = ?').get(tenantId, sequence) as OutboxRow | undefined;
    return row ? toEvent(row) : undefined;
  }

  /** The tenant's newest sequence (0 when it has no events yet). */
  lastSequence(tenantId: string): number {
    return Number((this.db.prepare('SELECT COALESCE(MAX(sequence), 0) AS last FROM event_outbox WHERE tenant_id = ?').get(tenantId) as { last: number }).last);
  }
}
