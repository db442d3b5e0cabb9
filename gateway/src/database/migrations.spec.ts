import { expect } from 'chai';
import { openDatabase } from './database.module';
import { applyMigrations } from './migrations';

describe('applyMigrations', function () {
  it('applies each owner\'s statements once, in order, and only the new ones on a later start', function () {
    const db = openDatabase(':memory:');
    expect(applyMigrations(db, 'a', ['CREATE TABLE t (x INTEGER)'])).to.equal(1);
    expect(applyMigrations(db, 'a', ['CREATE TABLE t (x INTEGER)'])).to.equal(0);
    expect(applyMigrations(db, 'a', ['CREATE TABLE t (x INTEGER)', 'ALTER TABLE t ADD COLUMN y TEXT'])).to.equal(1);
    expect(applyMigrations(db, 'b', ['CREATE TABLE u (x INTEGER)'])).to.equal(1);
    db.prepare('INSERT INTO t (x, y) VALUES (1, ?)').run('ok');
    const versions = db.prepare('SELECT owner, version FROM schema_migrations ORDER BY owner, version').all();
    expect(versions.map((v) => `${String(v.owner)}#${String(v.version)}`)).to.deep.equal(['a#1', 'a#2', 'b#1']);
  });

  it('rolls a failing statement back and records nothing for it', function () {
    const db = openDatabase(':memory:');
    expect(() => applyMigrations(db, 'c', ['CREATE TABLE v (x INTEGER)', 'NOT SQL'])).to.throw(/migration c#2 failed/);
    expect(db.prepare("SELECT COUNT(*) AS n FROM schema_migrations WHERE owner = 'c'").get()?.n).to.equal(1);
    expect(applyMigrations(db, 'c', ['CREATE TABLE v (x INTEGER)', 'CREATE TABLE w (x INTEGER)'])).to.equal(1);
  });
});
