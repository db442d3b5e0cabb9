/** Tables of the anchoring module (owner 'anchoring'); append, never edit. */
export const ANCHORING_MIGRATIONS = [
  // How far each tenant's event outbox has been read for completed evidence.
  `CREATE TABLE anchor_cursors (tenant_id TEXT PRIMARY KEY, sequence INTEGER NOT NULL)`,
  // One row per completed piece of evidence, anchored at most once (item_id), in at most one batch.
  `CREATE TABLE anchor_items (
     item_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, leaf TEXT NOT NULL UNIQUE, salt TEXT NOT NULL,
     facts TEXT NOT NULL, batch_root TEXT, collected_at TEXT NOT NULL)`,
  `CREATE INDEX anchor_items_pending ON anchor_items (batch_root, collected_at)`,
  // A batch moves built → recorded (on the channel) → sent (to the EVM chain) → confirmed; a dropped
  // or vanished anchor goes back to recorded and is sent again.
  `CREATE TABLE anchor_batches (
     root TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, leaves TEXT NOT NULL, count INTEGER NOT NULL, state TEXT NOT NULL,
     fabric_tx TEXT, fabric_block TEXT, ledger_ref TEXT,
     evm_tx TEXT, sent_at TEXT, evm_block INTEGER, evm_block_hash TEXT, anchored_at TEXT, gas_used TEXT,
     sends INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
];
