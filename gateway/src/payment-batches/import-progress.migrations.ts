/** Tables of the payment-batch import progress (owner 'payment-batch-imports'); append, never edit. */
export const IMPORT_PROGRESS_MIGRATIONS = [
  // progress_json is sealed to the tenant (AtRestCipher): file names, totals and refusal texts stay
  // unreadable in the database file; stage is in the clear so a restart can mark interrupted ones.
  `CREATE TABLE payment_batch_imports (
     tenant_id TEXT NOT NULL, key TEXT NOT NULL, credential_id TEXT NOT NULL, stage TEXT NOT NULL,
     progress_json TEXT NOT NULL, started_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
     PRIMARY KEY (tenant_id, key))`,
  'CREATE INDEX payment_batch_imports_expires ON payment_batch_imports (expires_at)',
];
