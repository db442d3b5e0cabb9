import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { idempotencySealContext } from '../idempotency/idempotency.store';
import { WEBHOOK_KEY_SCOPE, webhookKeySealContext } from '../webhooks/webhook-signer';
import { AT_REST_KEY_FILE, AtRestCipher } from './at-rest-cipher';
import { applyMigrations } from './migrations';
import { CORE_SCHEMA_OWNERS, GATEWAY_SCHEMA } from './schema';

/** Why a backup or a restore was refused; nothing was changed. */
export type BackupRefusal =
  | 'NOT_FOUND'
  | 'EXISTS'
  | 'NOT_A_DATABASE'
  | 'CORRUPT'
  | 'NOT_A_GATEWAY_DATABASE'
  | 'NEWER_SCHEMA'
  | 'SCHEMA_MISMATCH'
  | 'AT_REST_KEY_MISSING'
  | 'OTHER_AT_REST_KEY';

/** `code` BACKUP_REFUSED, `reason` which check failed (the CLI prints both, exit 1). */
export class BackupRefusedError extends Error {
  readonly code = 'BACKUP_REFUSED';
  constructor(
    readonly reason: BackupRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** What a checked database holds: each owner's schema version and its size. */
export interface DatabaseSummary {
  file: string;
  bytes: number;
  /** owner → version (applied migrations), as in `schema_migrations`. */
  schema: Record<string, number>;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

function hasSqliteHeader(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_MAGIC);
  } finally {
    closeSync(fd);
  }
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The tables and indexes (with their columns) a database of these schema versions must have. */
function expectedObjects(versions: Record<string, number>): Map<string, string[]> {
  const reference = new DatabaseSync(':memory:');
  try {
    for (const [owner, version] of Object.entries(versions)) applyMigrations(reference, owner, (GATEWAY_SCHEMA[owner] ?? []).slice(0, version));
    return schemaObjects(reference);
  } finally {
    reference.close();
  }
}

function schemaObjects(db: DatabaseSync): Map<string, string[]> {
  const objects = new Map<string, string[]>();
  const rows = db.prepare("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'").all() as Array<{ type: string; name: string }>;
  for (const { type, name } of rows) {
    const columns = type === 'table' ? (db.prepare('SELECT name FROM pragma_table_info(?)').all(name) as Array<{ name: string }>).map((c) => c.name) : [];
    objects.set(`${type} ${name}`, columns);
  }
  return objects;
}

/**
 * Checks that `file` is a sound econfirm gateway database this build can run on: a SQLite file,
 * `integrity_check` ok, a `schema_migrations` table with the core owners, no owner or version
 * newer than this build's (GATEWAY_SCHEMA), every table, column and index those versions create,
 * and — when `keysDir` is given and the file holds sealed values — that this gateway's at-rest key
 * opens them (a backup restored beside another key would not start: its webhook signing key would
 * not open; and every replay would answer 500).
 * Opens the file read-write (WAL files may need it): check a copy, not a backup you keep.
 */
export function checkGatewayDatabase(file: string, keysDir?: string): DatabaseSummary {
  if (!existsSync(file) || !statSync(file).isFile()) throw new BackupRefusedError('NOT_FOUND', `${file}: no such file`);
  if (!hasSqliteHeader(file)) throw new BackupRefusedError('NOT_A_DATABASE', `${file} is not a SQLite database`);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
  } catch (err) {
    throw new BackupRefusedError('NOT_A_DATABASE', `${file} does not open as a SQLite database: ${(err as Error).message}`);
  }
  try {
    let problems: string[];
    try {
      problems = (db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    } catch (err) {
      throw new BackupRefusedError('CORRUPT', `${file}: integrity_check failed: ${(err as Error).message}`);
    }
    if (problems.join() !== 'ok') throw new BackupRefusedError('CORRUPT', `${file}: integrity_check: ${problems.slice(0, 5).join('; ')}`);
    const hasMigrations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
    if (!hasMigrations) throw new BackupRefusedError('NOT_A_GATEWAY_DATABASE', `${file} has no schema_migrations table: not an econfirm gateway database`);
    const rows = db.prepare('SELECT owner, MAX(version) AS version, COUNT(*) AS n FROM schema_migrations GROUP BY owner').all() as Array<{ owner: string; version: number; n: number }>;
    const schema: Record<string, number> = {};
    for (const { owner, version, n } of rows) {
      const known = GATEWAY_SCHEMA[owner];
      if (!known) throw new BackupRefusedError('NEWER_SCHEMA', `${file} has tables of '${owner}', which this gateway does not know: written by a newer gateway?`);
      if (version > known.length) throw new BackupRefusedError('NEWER_SCHEMA', `${file} is at '${owner}' version ${version}, this gateway knows ${known.length}: written by a newer gateway`);
      if (n !== version) throw new BackupRefusedError('SCHEMA_MISMATCH', `${file}: '${owner}' records ${n} migrations up to version ${version}`);
      schema[owner] = version;
    }
    const missingCore = CORE_SCHEMA_OWNERS.filter((o) => !(o in schema));
    if (missingCore.length > 0) throw new BackupRefusedError('NOT_A_GATEWAY_DATABASE', `${file} has no ${missingCore.join(', ')} tables: not an econfirm gateway database`);
    const found = schemaObjects(db);
    for (const [object, columns] of expectedObjects(schema)) {
      const have = found.get(object);
      if (!have) throw new BackupRefusedError('SCHEMA_MISMATCH', `${file} lacks ${object} that its schema versions create`);
      const missing = columns.filter((c) => !have.includes(c));
      if (missing.length > 0) throw new BackupRefusedError('SCHEMA_MISMATCH', `${file}: ${object} lacks column(s) ${missing.join(', ')}`);
    }
    if (keysDir !== undefined) checkAtRestKey(db, schema, file, keysDir);
    return { file, bytes: statSync(file).size, schema };
  } finally {
    db.close();
  }
}

/** A sealed value of the file: the scope (tenant) and context it was sealed under. */
interface SealedSample {
  scope: string;
  context: string;
  sealed: string;
}

/** One sealed value of each kind the file holds (the webhook signing key, a recorded answer): each must open under keysDir's at-rest key. */
function checkAtRestKey(db: DatabaseSync, schema: Record<string, number>, file: string, keysDir: string): void {
  const samples: SealedSample[] = [];
  if (schema.webhooks !== undefined) {
    const key = db.prepare("SELECT kid, private_jwk FROM webhook_signing_keys WHERE private_jwk LIKE 'v1.%' LIMIT 1").get() as { kid: string; private_jwk: string } | undefined;
    if (key) samples.push({ scope: WEBHOOK_KEY_SCOPE, context: webhookKeySealContext(key.kid), sealed: key.private_jwk });
  }
  if (schema.idempotency !== undefined) {
    const answer = db.prepare("SELECT tenant_id, key, body_json FROM idempotency_records WHERE body_json LIKE 'v1.%' LIMIT 1").get() as
      | { tenant_id: string; key: string; body_json: string }
      | undefined;
    if (answer) samples.push({ scope: answer.tenant_id, context: idempotencySealContext(answer.key), sealed: answer.body_json });
  }
  if (samples.length === 0) return;
  const keyFile = path.join(keysDir, AT_REST_KEY_FILE);
  if (!existsSync(keyFile)) {
    throw new BackupRefusedError('AT_REST_KEY_MISSING', `${file} holds values sealed at rest, and ${keyFile} does not exist: restore the key the backup was sealed under first`);
  }
  const cipher = new AtRestCipher(keysDir);
  for (const { scope, context, sealed } of samples) {
    try {
      cipher.openJson(scope, context, sealed);
    } catch {
      throw new BackupRefusedError('OTHER_AT_REST_KEY', `${file} was sealed under another at-rest key than ${keyFile}`);
    }
  }
}

/**
 * An online backup of the live database to `out`: `VACUUM INTO` reads the whole database inside
 * one read transaction, so the copy is the state as of one commit while the gateway goes on
 * writing (WAL: it blocks no writer), unlike a copy of the file and its WAL. The copy is made
 * owner-only into a temporary file beside `out`, checked (checkGatewayDatabase), synced, then
 * renamed; an existing `out` is never overwritten. Sealed values stay sealed: the at-rest key
 * (keysDir) is not in the database and not in the backup.
 */
export function backupDatabase(dbPath: string, out: string): DatabaseSummary & { ms: number } {
  const t0 = Date.now();
  if (!existsSync(dbPath)) throw new BackupRefusedError('NOT_FOUND', `${dbPath}: no such database`);
  if (existsSync(out)) throw new BackupRefusedError('EXISTS', `${out} exists: a backup never overwrites a file`);
  const partial = `${out}.partial-${process.pid}`;
  // VACUUM INTO accepts an empty existing file: created here owner-only, so the copy is never readable by others.
  closeSync(openSync(partial, 'wx', 0o600));
  try {
    const db = new DatabaseSync(dbPath);
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      db.prepare('VACUUM INTO ?').run(partial);
    } finally {
      db.close();
    }
    chmodSync(partial, 0o600);
    const summary = checkGatewayDatabase(partial);
    fsyncFile(partial);
    renameSync(partial, out);
    return { ...summary, file: out, ms: Date.now() - t0 };
  } finally {
    rmSync(partial, { force: true });
    rmSync(`${partial}-wal`, { force: true });
    rmSync(`${partial}-shm`, { force: true });
  }
}

/**
 * Replaces the database at `dbPath` with the backup `from`, the gateway stopped (scripts/gateway.sh
 * restore refuses while it runs). The backup is copied beside the database and checked there
 * (checkGatewayDatabase with keysDir); only then is the current database (with its -wal and -shm)
 * moved aside to `<dbPath>.before-restore-<time>` and the copy renamed into place. A refused
 * backup changes nothing.
 */
export function restoreDatabase(dbPath: string, from: string, keysDir: string): DatabaseSummary & { asideTo?: string } {
  if (!existsSync(from) || !statSync(from).isFile()) throw new BackupRefusedError('NOT_FOUND', `${from}: no such file`);
  const copy = `${dbPath}.restoring-${process.pid}`;
  const cleanup = (): void => {
    for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true });
  };
  cleanup();
  let summary: DatabaseSummary;
  try {
    copyFileSync(from, copy);
    chmodSync(copy, 0o600);
    summary = checkGatewayDatabase(copy, keysDir);
    fsyncFile(copy);
  } catch (err) {
    cleanup();
    if (err instanceof BackupRefusedError) throw new BackupRefusedError(err.reason, err.message.split(copy).join(from));
    throw err;
  }
  let asideTo: string | undefined;
  if (existsSync(dbPath)) {
    asideTo = `${dbPath}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    // The file and its WAL move together: a database left by a crash has committed pages only in the WAL.
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${dbPath}${suffix}`)) renameSync(`${dbPath}${suffix}`, `${asideTo}${suffix}`);
  }
  renameSync(copy, dbPath);
  return { ...summary, file: dbPath, ...(asideTo ? { asideTo } : {}) };
}
