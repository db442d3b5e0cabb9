import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { unitConfig } from '../testing/fixtures';
import { WebhookSigner } from '../webhooks/webhook-signer';
import { AtRestCipher } from './at-rest-cipher';
import { backupDatabase, BackupRefusedError, restoreDatabase, type BackupRefusal } from './backup';
import { openDatabase } from './database.module';
import { applyMigrations } from './migrations';
import { GATEWAY_SCHEMA } from './schema';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A gateway database as a running gateway leaves it: every owner's tables, one sealed recorded answer, the connection still open (pages in the WAL). */
function liveGatewayDatabase(): { dir: string; dbPath: string; keysDir: string; db: DatabaseSync; store: IdempotencyStore } {
  const config = unitConfig();
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-backup-'));
  const dbPath = path.join(dir, 'gateway.db');
  const db = openDatabase(dbPath);
  for (const [owner, statements] of Object.entries(GATEWAY_SCHEMA)) applyMigrations(db, owner, statements);
  const store = new IdempotencyStore(db, config, new AtRestCipher(config.keysDir));
  store.begin('firm1', 'before-backup', 'fp');
  store.complete('firm1', 'before-backup', { status: 201, body: { id: 'CF-1', account: '6222000011112222' } });
  return { dir, dbPath, keysDir: config.keysDir, db, store };
}

function refusal(work: () => unknown): BackupRefusal {
  try {
    work();
  } catch (err) {
    if (err instanceof BackupRefusedError) return err.reason;
    throw err;
  }
  throw new Error('not refused');
}

describe('gateway database backup and restore', function () {
  it('backs up the live database (WAL pages included) owner-only, sealed values still sealed, and restores it with the old one kept aside', function () {
    const live = liveGatewayDatabase();
    const out = path.join(live.dir, 'backup.db');
    const summary = backupDatabase(live.dbPath, out);
    expect(summary.schema).to.deep.equal(Object.fromEntries(Object.entries(GATEWAY_SCHEMA).map(([o, s]) => [o, s.length])));
    expect(statSync(out).mode & 0o777).to.equal(0o600);
    expect(readFileSync(out).includes(Buffer.from('6222000011112222'))).to.equal(false);
    // Written after the backup: gone once it is restored.
    live.store.begin('firm1', 'after-backup', 'fp');
    live.store.complete('firm1', 'after-backup', { status: 201, body: {} });
    live.db.close();
    const restored = restoreDatabase(live.dbPath, out, live.keysDir);
    expect(restored.asideTo).to.be.a('string');
    expect(existsSync(restored.asideTo as string)).to.equal(true);
    const db = openDatabase(live.dbPath);
    const store = new IdempotencyStore(db, unitConfig(), new AtRestCipher(live.keysDir));
    expect(store.begin('firm1', 'before-backup', 'fp')).to.deep.equal({ kind: 'replay', outcome: { status: 201, body: { id: 'CF-1', account: '6222000011112222' } } });
    expect(store.begin('firm1', 'after-backup', 'fp').kind).to.equal('claimed');
    db.close();
    // The database moved aside still holds what came after the backup.
    const aside = new DatabaseSync(restored.asideTo as string);
    expect(aside.prepare("SELECT COUNT(*) AS n FROM idempotency_records WHERE key = 'after-backup'").get()).to.deep.equal({ n: 1 });
    aside.close();
  });

  it('never overwrites an existing file', function () {
    const live = liveGatewayDatabase();
    const out = path.join(live.dir, 'taken.db');
    writeFileSync(out, 'mine');
    expect(refusal(() => backupDatabase(live.dbPath, out))).to.equal('EXISTS');
    expect(readFileSync(out, 'utf8')).to.equal('mine');
    expect(refusal(() => backupDatabase(path.join(live.dir, 'none.db'), path.join(live.dir, 'x.db')))).to.equal('NOT_FOUND');
    live.db.close();
  });

  describe('refuses a bad backup and changes nothing', function () {
    const cases: Array<{ name: string; reason: BackupRefusal; make: (dir: string, good: string) => string; keysDir?: (dir: string) => string }> = [
      { name: 'a missing file', reason: 'NOT_FOUND', make: (dir) => path.join(dir, 'missing.db') },
      { name: 'a folder', reason: 'NOT_FOUND', make: (dir) => dir },
      {
        name: 'not a database',
        reason: 'NOT_A_DATABASE',
        make: (dir) => {
          writeFileSync(path.join(dir, 'garbage.db'), randomBytes(8192));
          return path.join(dir, 'garbage.db');
        },
      },
      {
        name: 'a SQLite file of something else',
        reason: 'NOT_A_GATEWAY_DATABASE',
        make: (dir) => {
          const db = new DatabaseSync(path.join(dir, 'other.db'));
          db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
          db.close();
          return path.join(dir, 'other.db');
        },
      },
      {
        name: 'a schema from a newer gateway',
        reason: 'NEWER_SCHEMA',
        make: (dir, good) => {
          copyFileSync(good, path.join(dir, 'newer.db'));
          const db = new DatabaseSync(path.join(dir, 'newer.db'));
          db.prepare("INSERT INTO schema_migrations (owner, version, applied_at) VALUES ('idempotency', ?, 'later')").run(GATEWAY_SCHEMA.idempotency!.length + 1);
          db.close();
          return path.join(dir, 'newer.db');
        },
      },
      {
        name: 'a module this gateway does not have',
        reason: 'NEWER_SCHEMA',
        make: (dir, good) => {
          copyFileSync(good, path.join(dir, 'module.db'));
          const db = new DatabaseSync(path.join(dir, 'module.db'));
          db.exec("INSERT INTO schema_migrations (owner, version, applied_at) VALUES ('teleport', 1, 'later')");
          db.close();
          return path.join(dir, 'module.db');
        },
      },
      {
        name: 'a table its versions create missing',
        reason: 'SCHEMA_MISMATCH',
        make: (dir, good) => {
          copyFileSync(good, path.join(dir, 'dropped.db'));
          const db = new DatabaseSync(path.join(dir, 'dropped.db'));
          db.exec('DROP TABLE webhook_dead_letters');
          db.close();
          return path.join(dir, 'dropped.db');
        },
      },
      {
        name: 'a damaged page',
        reason: 'CORRUPT',
        make: (dir, good) => {
          const bytes = readFileSync(good);
          // Page 2 onwards (b-tree pages of the tables); the header and page 1 stay readable.
          randomBytes(bytes.length - 8192).copy(bytes, 8192);
          writeFileSync(path.join(dir, 'damaged.db'), bytes);
          return path.join(dir, 'damaged.db');
        },
      },
      {
        name: 'sealed under another at-rest key',
        reason: 'OTHER_AT_REST_KEY',
        make: (_dir, good) => good,
        keysDir: () => {
          const other = unitConfig().keysDir;
          new AtRestCipher(other); // creates that gateway's own key
          return other;
        },
      },
      { name: 'sealed, and no at-rest key here', reason: 'AT_REST_KEY_MISSING', make: (_dir, good) => good, keysDir: (d) => path.join(d, 'no-keys') },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.reason}`, function () {
        const live = liveGatewayDatabase();
        const good = path.join(live.dir, 'good.db');
        backupDatabase(live.dbPath, good);
        const keysDir = c.keysDir ? c.keysDir(live.dir) : live.keysDir;
        live.db.close();
        const before = sha256(live.dbPath);
        const files = readdirSync(live.dir).sort();
        const bad = c.make(live.dir, good);
        const made = readdirSync(live.dir).sort();
        expect(refusal(() => restoreDatabase(live.dbPath, bad, keysDir))).to.equal(c.reason);
        expect(sha256(live.dbPath)).to.equal(before);
        expect(readdirSync(live.dir).sort(), 'no file added or moved').to.deep.equal(made);
        expect(made.filter((f) => !files.includes(f)).every((f) => !f.startsWith('gateway.db'))).to.equal(true);
        expect(existsSync(path.join(live.dir, 'no-keys')), 'no key created').to.equal(false);
      });
    }
  });

  it("checks the at-rest key on the webhook signing key too (a gateway that recorded no answer yet): beside another key it would not start", function () {
    const config = unitConfig();
    const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-backup-'));
    const dbPath = path.join(dir, 'gateway.db');
    const db = openDatabase(dbPath);
    for (const [owner, statements] of Object.entries(GATEWAY_SCHEMA)) applyMigrations(db, owner, statements);
    new WebhookSigner(db, new AtRestCipher(config.keysDir));
    const out = path.join(dir, 'backup.db');
    backupDatabase(dbPath, out);
    db.close();
    const other = unitConfig().keysDir;
    new AtRestCipher(other);
    expect(refusal(() => restoreDatabase(dbPath, out, other))).to.equal('OTHER_AT_REST_KEY');
    expect(restoreDatabase(dbPath, out, config.keysDir).schema.webhooks).to.equal(GATEWAY_SCHEMA.webhooks?.length);
  });

  it('knows every owner the stores migrate (a new store must be added to GATEWAY_SCHEMA, or its backups are refused)', function () {
    const src = path.resolve(__dirname, '..', '..', 'src');
    const owners = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.spec.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/applyMigrations\(db, '([^']+)'/g)) owners.add(m[1] as string);
      }
    };
    walk(src);
    expect([...owners].sort()).to.deep.equal(Object.keys(GATEWAY_SCHEMA).sort());
  });
});
