import { expect } from 'chai';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { unitConfig } from '../testing/fixtures';
import { AT_REST_KEY_FILE, AtRestCipher } from './at-rest-cipher';
import { openDatabase } from './database.module';

describe('AtRestCipher', function () {
  const secret = { account: '6222000011112222', balance: '987654321.09' };

  it('seals a value to a tenant and a context; it opens only there, and reads nothing in clear', function () {
    const keysDir = path.join(mkdtempSync(path.join(tmpdir(), 'econfirm-at-rest-')), 'keys');
    const cipher = new AtRestCipher(keysDir);
    const sealed = cipher.sealJson('firm1', 'idempotency_records:k', secret);
    expect(sealed).to.match(/^v1\./);
    expect(sealed).not.to.contain('6222000011112222');
    expect(cipher.sealJson('firm1', 'idempotency_records:k', secret)).not.to.equal(sealed); // fresh IV
    expect(cipher.openJson('firm1', 'idempotency_records:k', sealed)).to.deep.equal(secret);
    expect(() => cipher.openJson('bank1', 'idempotency_records:k', sealed)).to.throw();
    expect(() => cipher.openJson('firm1', 'idempotency_records:other', sealed)).to.throw();
    // The key is kept in keysDir, owner-only, so a restarted gateway opens what it sealed.
    expect(statSync(path.join(keysDir, AT_REST_KEY_FILE)).mode & 0o777).to.equal(0o600);
    expect(new AtRestCipher(keysDir).openJson('firm1', 'idempotency_records:k', sealed)).to.deep.equal(secret);
    expect(() => new AtRestCipher(path.join(keysDir, '..', 'elsewhere')).openJson('firm1', 'idempotency_records:k', sealed)).to.throw();
  });

  it('outcomes an older gateway stored in clear are sealed at start-up', function () {
    const config = unitConfig();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'econfirm-at-rest-')), 'gateway.db');
    const cipher = new AtRestCipher(config.keysDir);
    new IdempotencyStore(openDatabase(file), config, cipher).begin('firm1', 'k', 'fp');
    const db = new DatabaseSync(file);
    db.prepare("UPDATE idempotency_records SET state = 'done', status = 201, body_json = ?").run(JSON.stringify(secret));
    db.close();
    const store = new IdempotencyStore(openDatabase(file), config, cipher);
    const stored = (new DatabaseSync(file).prepare('SELECT body_json FROM idempotency_records').get() as { body_json: string }).body_json;
    expect(stored).to.match(/^v1\./);
    expect(store.begin('firm1', 'k', 'fp')).to.deep.equal({ kind: 'replay', outcome: { status: 201, body: secret } });
    expect(readFileSync(file).includes(Buffer.from(secret.account))).to.equal(false);
  });
});
