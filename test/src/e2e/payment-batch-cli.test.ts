import { chainInfo, readBlock } from '@econfirm/sdk';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '../support/browser';
import { type Caller, TestGateway } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { REPO_ROOT, uniqueName, withLedger } from '../support/network';
import { payeeCsv, payeeRows } from '../support/payment-batch-files';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `econfirm payment-batches import` (clients/cli/src/commands/payment-batches.ts) against a gateway
 * listening on a real port on the real network, with credential files as the gateway's
 * `credentials issue` writes them: a bad file refused line by line (exit 1) with no block written,
 * a good one settled in one block (exit 0) with its stages on stderr and the batch on stdout, the
 * same key again the first answer with nothing new on the ledger, the reviewer refused (exit 1),
 * a missing option a usage error (exit 2).
 */
describe('CLI e2e: payment-batch import through the gateway', function () {
  this.timeout(300_000);
  const run = uniqueName('pbcli');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  let gw: TestGateway;
  let dir: string;
  const files: Record<string, string> = {};
  let officer: Caller;

  function credentialFile(name: string, tenantId: string, identityName: string): void {
    const issued = gw.credentials.issue({ tenantId, identityName });
    if (name === 'officer') officer = { credentialId: issued.credential.id, privateJwk: issued.privateJwk };
    files[name] = path.join(dir, `${tenantId}.${identityName}.json`);
    writeFileSync(files[name], JSON.stringify({ credentialId: issued.credential.id, audience: gw.config.audience, url: gw.config.publicUrl, role: issued.credential.role, privateJwk: issued.privateJwk }), { mode: 0o600 });
  }

  // Not spawnSync: the gateway answering the CLI runs in this process.
  const cli = (...words: string[]): Promise<CliRun> =>
    new Promise((resolve) => {
      execFile(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), 'payment-batches', ...words], { encoding: 'utf8' }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
  const height = (): Promise<bigint> => withLedger('bank1', 'officer1', async (ledger) => (await chainInfo(ledger.network)).height);
  /**
   * The payment-batch transactions committed from block `from` on: what the CLI wrote. Not the
   * height: another gateway's background work (an anchoring batch) may commit a block meanwhile.
   */
  const settledSince = (from: bigint): Promise<number> => withLedger('bank1', 'officer1', async (ledger) => {
    let settled = 0;
    for (let number = from, top = (await chainInfo(ledger.network)).height; number < top; number++) {
      for (const transaction of (await readBlock(ledger.network, number)).transactions) {
        if (transaction.actions.some((action) => Buffer.from(action.arguments[0] ?? new Uint8Array()).toString('utf8').startsWith('payment-batch:'))) settled += 1;
      }
    }
    return settled;
  });
  const importAs = (who: string, file: string, id: string, ...more: string[]): Promise<CliRun> =>
    cli('import', file, '--credential', files[who] as string, '--payer', 'ENT1', '--instruction', `ZL-${tag}`, '--id', id, ...more);

  before(async function () {
    await ensureDemoInstitutions('BANK1', 'ENT1');
    const port = await freePort();
    gw = await TestGateway.start({ publicUrl: `http://127.0.0.1:${port}` });
    await gw.app.listen(port, '127.0.0.1');
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-pb-cli-'));
    credentialFile('officer', 'bank1', 'officer1');
    credentialFile('reviewer', 'bank1', 'reviewer1');
  });

  after(async function () {
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a file with bad lines is refused with each one (exit 1); nothing reaches the ledger', async function () {
    const id = `PB-${run}-bad`;
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, payeeCsv([{ payeeReference: `6217 ${tag} 1`, amount: '12.5' }, { payeeReference: `6217 ${tag} 2`, amount: '1e3' }, { payeeReference: '', amount: '7' }]));
    const before = await height();
    const res = await importAs('officer', file, id);
    expect(res.code, res.stderr).to.equal(1);
    expect(res.stdout).to.equal('');
    expect(res.stderr).to.contain('422 ROWS_INVALID');
    expect(res.stderr).to.contain('  line 3, amount: not an amount');
    expect(res.stderr).to.contain('  line 4, payeeReference: required');
    expect(res.stderr).to.match(/\] refused/);
    expect(await settledSince(before)).to.equal(0);
    expect((await gw.get(officer, `/v1/payment-batches/${id}`)).status).to.equal(404);
  });

  it('a good file settles one batch in one block (exit 0): its stages on stderr, the batch on stdout; the same key again is the first answer', async function () {
    const id = `PB-${run}-ok`;
    const { rows, totalMinor } = payeeRows(200, tag);
    const file = path.join(dir, 'payees.csv');
    writeFileSync(file, payeeCsv(rows));
    const key = `cli-${tag}`;
    const before = await height();
    const res = await importAs('officer', file, id, '--key', key);
    expect(res.code, res.stderr).to.equal(0);
    expect(JSON.parse(res.stdout)).to.include({ status: 'settled', id, payerId: 'ENT1', bankId: 'BANK1', currency: 'CNY', count: 200, totalMinor, idempotencyKey: key });
    expect(res.stderr).to.contain(`Idempotency-Key ${key}`);
    expect(res.stderr.trim().split('\n').at(-1)).to.match(/^\[########\] committed · 200 payees · tx [0-9a-f]{64}$/);
    expect(await settledSince(before)).to.equal(1);
    const onLedger = await gw.get(officer, `/v1/payment-batches/${id}`);
    expect(onLedger.body).to.include({ id, count: 200 });
    expect(onLedger.body.summary.content.total).to.equal(totalMinor);

    const again = await importAs('officer', file, id, '--key', key);
    expect(again.code, again.stderr).to.equal(0);
    expect(JSON.parse(again.stdout)).to.include({ status: 'settled', id, count: 200, totalMinor });
    expect(await settledSince(before), 'a retry with the same key settles nothing twice').to.equal(1);
  });

  it('the reviewer is refused (exit 1, FORBIDDEN); a missing option is a usage error (exit 2); neither writes', async function () {
    const file = path.join(dir, 'payees.csv');
    const before = await height();
    const refused = await importAs('reviewer', file, `PB-${run}-role`);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('403 FORBIDDEN');
    const usage = await cli('import', file, '--credential', files.officer as string, '--instruction', 'x');
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.contain('--payer is required');
    expect(await settledSince(before)).to.equal(0);
    expect((await gw.get(officer, `/v1/payment-batches/PB-${run}-role`)).status).to.equal(404);
  });
});
