/** Tables of the tenants module (owner 'tenants'); append, never edit. */
export const TENANTS_MIGRATIONS = [
  `CREATE TABLE tenants (
     id TEXT PRIMARY KEY, institution_id TEXT NOT NULL UNIQUE, org_key TEXT NOT NULL, msp_id TEXT NOT NULL,
     gateway_org_key TEXT NOT NULL, updated_at TEXT NOT NULL)`,
];
