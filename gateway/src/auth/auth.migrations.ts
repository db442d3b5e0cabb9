/** Tables of the auth module (owner 'auth'); append, never edit. */
export const AUTH_MIGRATIONS = [
  `CREATE TABLE api_credentials (
     id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, identity_name TEXT NOT NULL, role TEXT NOT NULL,
     custody TEXT NOT NULL CHECK (custody IN ('custodial', 'offline')), public_jwk TEXT NOT NULL,
     certificate_pem TEXT, created_at TEXT NOT NULL, revoked_at TEXT)`,
  `CREATE TABLE used_token_ids (
     credential_id TEXT NOT NULL, jti TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (credential_id, jti))`,
  'CREATE INDEX used_token_ids_expiry ON used_token_ids (expires_at)',
];
