/** Tables of the transactions module (owner 'offline-signing'); append, never edit. */
export const OFFLINE_SIGNING_MIGRATIONS = [
  `CREATE TABLE pending_transactions (
     transaction_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, credential_id TEXT NOT NULL,
     mode TEXT NOT NULL, call_json TEXT NOT NULL, presenter TEXT NOT NULL, success_status INTEGER NOT NULL,
     stage TEXT NOT NULL, proposal_bytes BLOB NOT NULL, transaction_bytes BLOB, outcome_json TEXT,
     created_at TEXT NOT NULL, expires_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
];
