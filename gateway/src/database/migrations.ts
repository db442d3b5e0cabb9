import type { DatabaseSync } from 'node:sqlite';

/**
 * Versioned, idempotent schema migrations per owner: each feature module owns its tables and
 * passes its ordered statement list; statement i is version i+1 and runs once, inside a
 * transaction with its version record. Never edit or reorder an applied statement: append.
 */
export function applyMigrations(db: DatabaseSync, owner: string, statements: readonly string[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    owner TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (owner, version))`);
  const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations WHERE owner = ?').get(owner) as { version: number };
  let applied = 0;
  for (let version = row.version + 1; version <= statements.length; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(statements[version - 1] as string);
      db.prepare('INSERT INTO schema_migrations (owner, version, applied_at) VALUES (?, ?, ?)').run(owner, version, new Date().toISOString());
      db.exec('COMMIT');
      applied += 1;
    } catch (err) {
      db.exec('ROLLBACK');
      throw new Error(`migration ${owner}#${version} failed: ${(err as Error).message}`);
    }
  }
  return applied;
}

/** Runs `work` in one SQLite transaction (BEGIN IMMEDIATE: writers queue instead of failing later). */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
