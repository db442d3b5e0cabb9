/** Tables of the webhooks module (owner 'webhooks'); append, never edit. */
export const WEBHOOKS_MIGRATIONS = [
  `CREATE TABLE webhook_signing_keys (kid TEXT PRIMARY KEY, private_jwk TEXT NOT NULL, created_at TEXT NOT NULL)`,
  // cursor: the last sequence of the tenant's outbox this webhook is done with (delivered or
  // dead-lettered); attempts/next_attempt_at: the failed tries of the event after it;
  // generation: bumped by replay so an attempt in flight cannot move the cursor back afterwards.
  `CREATE TABLE webhooks (
     id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, url TEXT NOT NULL, event_types TEXT NOT NULL, active INTEGER NOT NULL,
     description TEXT, cursor INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0,
     generation INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  'CREATE INDEX webhooks_tenant ON webhooks (tenant_id)',
  `CREATE TABLE webhook_attempts (
     id INTEGER PRIMARY KEY AUTOINCREMENT, webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
     sequence INTEGER NOT NULL, attempt INTEGER NOT NULL, kind TEXT NOT NULL, outcome TEXT NOT NULL,
     http_status INTEGER, error TEXT, at TEXT NOT NULL)`,
  'CREATE INDEX webhook_attempts_by_webhook ON webhook_attempts (webhook_id, id)',
  `CREATE TABLE webhook_dead_letters (
     webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE, sequence INTEGER NOT NULL, attempts INTEGER NOT NULL,
     last_error TEXT NOT NULL, dead_at TEXT NOT NULL, redelivered_at TEXT, PRIMARY KEY (webhook_id, sequence))`,
];
