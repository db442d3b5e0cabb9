import type { AnchorLeafInput } from '@econfirm/common';
import type { DatabaseSync } from 'node:sqlite';
import { applyMigrations, inTransaction } from '../database/migrations';
import { ANCHORING_MIGRATIONS } from './anchoring.migrations';

export type BatchState = 'built' | 'recorded' | 'sent' | 'confirmed';
export const BATCH_STATES: readonly BatchState[] = ['built', 'recorded', 'sent', 'confirmed'];

export interface AnchorItem {
  itemId: string;
  tenantId: string;
  leaf: string;
  salt: string;
  facts: AnchorLeafInput;
  batchRoot?: string;
  collectedAt: string;
}

export interface AnchorBatchRow {
  root: string;
  seq: number;
  leaves: string[];
  count: number;
  state: BatchState;
  fabricTx?: string;
  fabricBlock?: string;
  ledgerRef?: string;
  evmTx?: string;
  sentAt?: string;
  evmBlock?: number;
  evmBlockHash?: string;
  anchoredAt?: string;
  gasUsed?: string;
  sends: number;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

interface ItemRow {
  item_id: string;
  tenant_id: string;
  leaf: string;
  salt: string;
  facts: string;
  batch_root: string | null;
  collected_at: string;
}

interface BatchRow {
  root: string;
  seq: number;
  leaves: string;
  count: number;
  state: string;
  fabric_tx: string | null;
  fabric_block: string | null;
  ledger_ref: string | null;
  evm_tx: string | null;
  sent_at: string | null;
  evm_block: number | null;
  evm_block_hash: string | null;
  anchored_at: string | null;
  gas_used: string | null;
  sends: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

function toItem(row: ItemRow): AnchorItem {
  return {
    itemId: row.item_id,
    tenantId: row.tenant_id,
    leaf: row.leaf,
    salt: row.salt,
    facts: JSON.parse(row.facts) as AnchorLeafInput,
    ...(row.batch_root ? { batchRoot: row.batch_root } : {}),
    collectedAt: row.collected_at,
  };
}

function toBatch(row: BatchRow): AnchorBatchRow {
  const optional = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
  const batch: AnchorBatchRow = {
    root: row.root,
    seq: Number(row.seq),
    leaves: JSON.parse(row.leaves) as string[],
    count: Number(row.count),
    state: row.state as BatchState,
    sends: Number(row.sends),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  const rest = {
    fabricTx: optional(row.fabric_tx),
    fabricBlock: optional(row.fabric_block),
    ledgerRef: optional(row.ledger_ref),
    evmTx: optional(row.evm_tx),
    sentAt: optional(row.sent_at),
    evmBlock: row.evm_block === null ? undefined : Number(row.evm_block),
    evmBlockHash: optional(row.evm_block_hash),
    anchoredAt: optional(row.anchored_at),
    gasUsed: optional(row.gas_used),
    lastError: optional(row.last_error),
  };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) (batch as unknown as Record<string, unknown>)[key] = value;
  return batch;
}

/** Column of each updatable batch field. */
const COLUMNS = {
  state: 'state',
  fabricTx: 'fabric_tx',
  fabricBlock: 'fabric_block',
  ledgerRef: 'ledger_ref',
  evmTx: 'evm_tx',
  sentAt: 'sent_at',
  evmBlock: 'evm_block',
  evmBlockHash: 'evm_block_hash',
  anchoredAt: 'anchored_at',
  gasUsed: 'gas_used',
  sends: 'sends',
  lastError: 'last_error',
} as const;
export type BatchUpdate = Partial<{ [K in keyof typeof COLUMNS]: AnchorBatchRow[K] | null }>;

/**
 * The anchoring service's durable state in the gateway's database: every step is one SQLite
 * transaction, so a restart resumes exactly where the last committed step left off — an item is
 * in at most one batch, a batch is recorded and anchored at most once (the ledger and the contract
 * are asked before anything is sent again).
 */
export class AnchorStore {
  constructor(private readonly db: DatabaseSync) {
    applyMigrations(db, 'anchoring', ANCHORING_MIGRATIONS);
  }

  /**
   * How far the service has read an outbox for one kind of evidence. `cursorKey` is the tenant id
   * for confirmations (as before registration certificates were anchored, so a gateway's existing
   * cursors keep their meaning), `<kind>:<tenant id>` for the other kinds (anchoring.service.ts SOURCES).
   */
  cursor(cursorKey: string): number {
    const row = this.db.prepare('SELECT sequence FROM anchor_cursors WHERE tenant_id = ?').get(cursorKey) as { sequence: number } | undefined;
    return row ? Number(row.sequence) : 0;
  }

  /** Adds the items (an item already known is left as it is) and moves the cursor, atomically. */
  collect(cursorKey: string, sequence: number, items: readonly Omit<AnchorItem, 'batchRoot'>[]): number {
    return inTransaction(this.db, () => {
      const insert = this.db.prepare('INSERT OR IGNORE INTO anchor_items (item_id, tenant_id, leaf, salt, facts, collected_at) VALUES (?, ?, ?, ?, ?, ?)');
      let added = 0;
      for (const item of items) added += Number(insert.run(item.itemId, item.tenantId, item.leaf, item.salt, JSON.stringify(item.facts), item.collectedAt).changes);
      this.db.prepare('INSERT INTO anchor_cursors (tenant_id, sequence) VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET sequence = excluded.sequence').run(cursorKey, sequence);
      return added;
    });
  }

  item(itemId: string): AnchorItem | undefined {
    const row = this.db.prepare('SELECT * FROM anchor_items WHERE item_id = ?').get(itemId) as ItemRow | undefined;
    return row ? toItem(row) : undefined;
  }

  /** Items in no batch yet, oldest first. */
  pending(limit: number): AnchorItem[] {
    const rows = this.db.prepare('SELECT * FROM anchor_items WHERE batch_root IS NULL ORDER BY collected_at, item_id LIMIT ?').all(limit) as unknown as ItemRow[];
    return rows.map(toItem);
  }

  pendingCount(): number {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM anchor_items WHERE batch_root IS NULL').get() as { n: number }).n);
  }

  /** Cuts a batch: the batch row and its items' membership in one transaction. */
  createBatch(root: string, leaves: readonly string[], itemIds: readonly string[], now: string): AnchorBatchRow {
    return inTransaction(this.db, () => {
      const seq = Number((this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM anchor_batches').get() as { next: number }).next);
      this.db
        .prepare("INSERT INTO anchor_batches (root, seq, leaves, count, state, created_at, updated_at) VALUES (?, ?, ?, ?, 'built', ?, ?)")
        .run(root, seq, JSON.stringify(leaves), leaves.length, now, now);
      const assign = this.db.prepare('UPDATE anchor_items SET batch_root = ? WHERE item_id = ? AND batch_root IS NULL');
      for (const id of itemIds) {
        if (Number(assign.run(root, id).changes) !== 1) throw new Error(`item ${id} is already in a batch`);
      }
      return this.batch(root) as AnchorBatchRow;
    });
  }

  batch(root: string): AnchorBatchRow | undefined {
    const row = this.db.prepare('SELECT * FROM anchor_batches WHERE root = ?').get(root) as BatchRow | undefined;
    return row ? toBatch(row) : undefined;
  }

  /** Batches in the given states, oldest first. */
  batches(states: readonly BatchState[] = BATCH_STATES): AnchorBatchRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM anchor_batches WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY seq`)
      .all(...states) as unknown as BatchRow[];
    return rows.map(toBatch);
  }

  update(root: string, change: BatchUpdate, now: string): AnchorBatchRow {
    const entries = Object.entries(change) as Array<[keyof typeof COLUMNS, string | number | null]>;
    const sets = entries.map(([key]) => `${COLUMNS[key]} = ?`);
    this.db.prepare(`UPDATE anchor_batches SET ${[...sets, 'updated_at = ?'].join(', ')} WHERE root = ?`).run(...entries.map(([, v]) => v), now, root);
    return this.batch(root) as AnchorBatchRow;
  }

  counts(): { pendingItems: number; batches: Record<BatchState, number>; oldestPendingAt?: string; lastConfirmedAt?: string } {
    const batches = Object.fromEntries(BATCH_STATES.map((s) => [s, 0])) as Record<BatchState, number>;
    for (const row of this.db.prepare('SELECT state, COUNT(*) AS n FROM anchor_batches GROUP BY state').all() as Array<{ state: BatchState; n: number }>) batches[row.state] = Number(row.n);
    const oldest = this.db.prepare('SELECT MIN(collected_at) AS at FROM anchor_items WHERE batch_root IS NULL').get() as { at: string | null };
    const last = this.db.prepare("SELECT MAX(anchored_at) AS at FROM anchor_batches WHERE state = 'confirmed'").get() as { at: string | null };
    return { pendingItems: this.pendingCount(), batches, ...(oldest.at ? { oldestPendingAt: oldest.at } : {}), ...(last.at ? { lastConfirmedAt: last.at } : {}) };
  }
}
