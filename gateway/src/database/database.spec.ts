import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openDatabase } from './database.module';

describe('the gateway database file', function () {
  it('is durable at commit (WAL, synchronous FULL) and overwrites what it erases (secure_delete)', function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-db-'));
    try {
      const file = path.join(dir, 'gateway.db');
      const db = openDatabase(file);
      const pragma = (name: string) => Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>)[0];
      expect(pragma('journal_mode')).to.equal('wal');
      expect(pragma('synchronous')).to.equal(2);
      expect(pragma('secure_delete')).to.equal(1);
      // An erased value is gone from the file itself, not only from the table.
      const secret = 'ACCOUNT-6222029999888877776666';
      db.exec('CREATE TABLE t (v TEXT)');
      db.prepare('INSERT INTO t (v) VALUES (?)').run(secret.repeat(20));
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      expect(readFileSync(file).includes(secret)).to.equal(true);
      db.prepare('UPDATE t SET v = NULL').run();
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      db.close();
      expect(readFileSync(file).includes(secret)).to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
