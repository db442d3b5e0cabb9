/** Tables of the bulk module (owner 'bulk'); append, never edit. */
export const BULK_MIGRATIONS = [
  `CREATE TABLE bulk_jobs (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, credential_id TEXT NOT NULL, kind TEXT NOT NULL, form_id TEXT NOT NULL,
    engagement TEXT NOT NULL, file_name TEXT NOT NULL, format TEXT NOT NULL, status TEXT NOT NULL,
    row_count INTEGER NOT NULL, letter_count INTEGER NOT NULL, chunk_count INTEGER NOT NULL,
    issues TEXT NOT NULL, error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, finished_at TEXT)`,
  'CREATE INDEX bulk_jobs_tenant ON bulk_jobs (tenant_id, created_at)',
  `CREATE TABLE bulk_letters (
    job_id TEXT NOT NULL REFERENCES bulk_jobs (id), seq INTEGER NOT NULL, line INTEGER NOT NULL, lines TEXT NOT NULL,
    letter_ref TEXT NOT NULL, request_id TEXT NOT NULL UNIQUE, addressee_id TEXT NOT NULL, fee_payer TEXT NOT NULL,
    chunk INTEGER NOT NULL, status TEXT NOT NULL, content_hash TEXT, content TEXT, PRIMARY KEY (job_id, seq))`,
  `CREATE TABLE bulk_chunks (
    job_id TEXT NOT NULL REFERENCES bulk_jobs (id), chunk INTEGER NOT NULL, status TEXT NOT NULL, payload TEXT,
    attempts INTEGER NOT NULL DEFAULT 0, recovered INTEGER NOT NULL DEFAULT 0, transaction_id TEXT, error TEXT,
    PRIMARY KEY (job_id, chunk))`,
];
