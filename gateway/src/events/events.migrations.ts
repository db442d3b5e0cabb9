/** Tables of the events module (owner 'events'); append, never edit. */
export const EVENTS_MIGRATIONS = [
  `CREATE TABLE event_checkpoints (
     stream TEXT PRIMARY KEY, block_number TEXT NOT NULL, transaction_id TEXT, updated_at TEXT NOT NULL)`,
  `CREATE TABLE event_transactions (
     tx_id TEXT PRIMARY KEY, block_number TEXT NOT NULL, type TEXT NOT NULL, recipients INTEGER NOT NULL, processed_at TEXT NOT NULL)`,
  `CREATE TABLE event_outbox (
     tenant_id TEXT NOT NULL, sequence INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, tx_id TEXT NOT NULL,
     block_number TEXT NOT NULL, tx_timestamp TEXT NOT NULL, recorded_at TEXT NOT NULL,
     PRIMARY KEY (tenant_id, sequence), UNIQUE (tenant_id, tx_id))`,
];
