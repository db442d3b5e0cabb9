import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { Principal } from '../auth/principal';
import { AtRestCipher } from '../database/at-rest-cipher';
import { openDatabase } from '../database/database.module';
import { GatewayError } from '../errors/gateway-error';
import { unitConfig } from '../testing/fixtures';
import { ImportProgressService } from './import-progress.service';

describe('payment-batch import progress', function () {
  const principal = (tenantId: string, credentialId: string): Principal => ({ tenantId, credentialId }) as Principal;
  const officer = principal('bank1', 'c1');
  const config = unitConfig();
  let dir: string;
  let file: string;
  const open: DatabaseSync[] = [];
  /** A gateway process: its own connection to the database file, its own service. */
  const gateway = (): ImportProgressService => {
    const db = openDatabase(file);
    open.push(db);
    return new ImportProgressService(db, new AtRestCipher(config.keysDir));
  };

  beforeEach(function () {
    dir = mkdtempSync(path.join(tmpdir(), 'import-progress-'));
    file = path.join(dir, 'gateway.db');
  });

  afterEach(function () {
    for (const db of open.splice(0)) if (db.isOpen) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is the caller's own, by its Idempotency-Key: another credential or tenant finds nothing", function () {
    const progress = gateway();
    progress.start(officer, 'k-1', 'payees.csv');
    expect(progress.get(officer, 'k-1')).to.include({ key: 'k-1', stage: 'validating', fileName: 'payees.csv' });
    progress.update(officer, 'k-1', { stage: 'endorsing', lines: 500, totalMinor: '123' });
    progress.update(officer, 'k-1', { stage: 'ordering', transactionId: 'tx' });
    expect(progress.get(officer, 'k-1')).to.include({ stage: 'ordering', lines: 500, totalMinor: '123', transactionId: 'tx' });
    for (const other of [principal('bank1', 'c2'), principal('firm1', 'c1')]) {
      expect(() => progress.get(other, 'k-1')).to.throw(GatewayError).with.property('code', 'NOT_FOUND');
    }
    progress.update(officer, undefined, { stage: 'committed' });
    expect(progress.get(officer, 'k-1').stage).to.equal('ordering');
  });

  it('survives a restart: a finished import reads as it ended, one the stopped gateway had not finished reads failed IMPORT_INTERRUPTED', function () {
    const before = gateway();
    before.start(officer, 'done', 'a.csv');
    before.update(officer, 'done', { stage: 'committed', batchId: 'PB-1', lines: 2, totalMinor: '350' });
    before.start(officer, 'cut', 'b.csv');
    before.update(officer, 'cut', { stage: 'endorsing', batchId: 'PB-2', lines: 3 });
    before.update(officer, 'cut', { stage: 'ordering', transactionId: 'tx-2' });
    open[0]?.close();

    const after = gateway();
    expect(after.get(officer, 'done')).to.include({ stage: 'committed', batchId: 'PB-1', lines: 2, totalMinor: '350', fileName: 'a.csv' });
    const cut = after.get(officer, 'cut');
    expect(cut).to.include({ stage: 'failed', batchId: 'PB-2', lines: 3, transactionId: 'tx-2' });
    expect(cut.error?.code).to.equal('IMPORT_INTERRUPTED');
    expect(cut.error?.message).to.contain('tx-2').and.contain('same Idempotency-Key');
    // The retry under the same key starts afresh; the other credential still finds nothing.
    after.start(officer, 'cut', 'b.csv');
    expect(after.get(officer, 'cut')).to.deep.include({ stage: 'validating' }).and.not.have.property('error');
    expect(() => after.get(principal('bank1', 'c2'), 'done')).to.throw(GatewayError).with.property('code', 'NOT_FOUND');
  });

  it('is sealed in the database file: no file name, batch id or total in the clear', function () {
    const progress = gateway();
    progress.start(officer, 'k-sealed', 'farmers-payroll-QX7.csv');
    progress.update(officer, 'k-sealed', { stage: 'committed', batchId: 'PB-DISTINCT-77', totalMinor: '918273645' });
    for (const db of open.splice(0)) db.close();
    const bytes = readFileSync(file).toString('latin1') + readFileSync(`${file}-wal`, { flag: 'a+' }).toString('latin1');
    for (const secret of ['farmers-payroll-QX7', 'PB-DISTINCT-77', '918273645']) expect(bytes).to.not.contain(secret);
  });

  it('forgets a finished import after 15 minutes, and keeps a tenant\'s last 100', function () {
    const progress = gateway();
    const t0 = 1_700_000_000_000;
    progress.start(officer, 'old', 'old.csv', t0);
    progress.update(officer, 'old', { stage: 'committed' }, t0);
    expect(progress.get(officer, 'old', t0 + 14 * 60_000).stage).to.equal('committed');
    expect(() => progress.get(officer, 'old', t0 + 16 * 60_000)).to.throw(GatewayError).with.property('code', 'NOT_FOUND');

    const other = principal('firm1', 'f1');
    progress.start(other, 'firm-own', 'f.csv', t0);
    for (let i = 0; i < 101; i++) progress.start(officer, `k-${i}`, 'p.csv', t0 + i);
    expect(() => progress.get(officer, 'k-0', t0 + 200)).to.throw(GatewayError).with.property('code', 'NOT_FOUND');
    expect(progress.get(officer, 'k-1', t0 + 200).key).to.equal('k-1');
    expect(progress.get(officer, 'k-100', t0 + 200).key).to.equal('k-100');
    expect(progress.get(other, 'firm-own', t0 + 200).key).to.equal('firm-own');
  });
});
