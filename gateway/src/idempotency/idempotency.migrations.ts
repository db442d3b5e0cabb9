/** Tables of the idempotency module (owner 'idempotency'); append, never edit. */
export const IDEMPOTENCY_MIGRATIONS = [
  `CREATE TABLE idempotency_records (
     tenant_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL,
     status INTEGER, body_json TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (tenant_id, key))`,
  'CREATE INDEX idempotency_records_created ON idempotency_records (created_at)',
  // Which gateway process holds a pending claim (NULL: none, it may be taken over at once).
  'ALTER TABLE idempotency_records ADD COLUMN owner TEXT',
  // Transaction ids the claim's attempt sent to ordering, JSON array by write index.
  'ALTER TABLE idempotency_records ADD COLUMN transactions_json TEXT',
];
