import { ANCHORING_MIGRATIONS } from '../anchoring/anchoring.migrations';
import { AUTH_MIGRATIONS } from '../auth/auth.migrations';
import { BULK_MIGRATIONS } from '../bulk/bulk.migrations';
import { EVENTS_MIGRATIONS } from '../events/events.migrations';
import { IDEMPOTENCY_MIGRATIONS } from '../idempotency/idempotency.migrations';
import { IMPORT_PROGRESS_MIGRATIONS } from '../payment-batches/import-progress.migrations';
import { TENANTS_MIGRATIONS } from '../tenants/tenants.migrations';
import { OFFLINE_SIGNING_MIGRATIONS } from '../transactions/pending-transactions.migrations';
import { WEBHOOKS_MIGRATIONS } from '../webhooks/webhooks.migrations';

/**
 * Every owner of tables in the gateway's database with its migrations, as this build applies them
 * (each store calls applyMigrations with the same list). A restore checks a backup against it: an
 * owner or version this build does not know means the file came from a newer gateway or is no
 * gateway database at all (database/backup.ts).
 */
export const GATEWAY_SCHEMA: Readonly<Record<string, readonly string[]>> = {
  tenants: TENANTS_MIGRATIONS,
  auth: AUTH_MIGRATIONS,
  idempotency: IDEMPOTENCY_MIGRATIONS,
  'offline-signing': OFFLINE_SIGNING_MIGRATIONS,
  bulk: BULK_MIGRATIONS,
  events: EVENTS_MIGRATIONS,
  webhooks: WEBHOOKS_MIGRATIONS,
  anchoring: ANCHORING_MIGRATIONS,
  'payment-batch-imports': IMPORT_PROGRESS_MIGRATIONS,
};

/** Owners every gateway start creates (the CLI's credential commands too): a file without them is no gateway database. */
export const CORE_SCHEMA_OWNERS: readonly string[] = ['tenants', 'auth'];
