import { paymentBatchTotalHash } from '@econfirm/common';
import { chainInfo } from '@econfirm/sdk';
import { expect } from 'chai';
import { Workbook } from 'exceljs';
import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import { type Caller, TestGateway } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { uniqueName, withLedger } from '../support/network';
import { payeeCsv, payeeRows } from '../support/payment-batch-files';

/** What the import route answers for a batch (PaymentBatchDto, opened for the bank). */
interface Settled {
  id: string;
  count: number;
  totalHash: string;
  settledAt: string;
  lines: { readable: string; content: { lines: Array<{ payeeReference: string; amount: string }> } };
}

/**
 * Payment-batch import (POST /v1/payment-batches/import, gateway/src/payment-batches) on the real
 * network: a bad XLSX refused line by line with the ledger's height unchanged and the batch id
 * unknown; a 500-payee CSV settled in one transaction, its total and count verified by the
 * regulator and its lines by the bank, its stages readable by its Idempotency-Key; roles other
 * than the bank's officer refused.
 */
describe('gateway e2e: payment-batch import from CSV and XLSX', function () {
  this.timeout(300_000);
  const run = uniqueName('pbi');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  let gw: TestGateway;
  let officer: Caller, reviewer: Caller, regulator: Caller, clientSigner: Caller;

  before(async function () {
    await ensureDemoInstitutions('BANK1', 'ENT1', 'CLIENT1', 'REGULATOR');
    gw = await TestGateway.start();
    ({ officer, reviewer, regulator, clientSigner } = gw.demoCallers());
  });

  after(async function () {
    await gw?.close();
  });

  const fields = (id: string): Record<string, string> => ({ id, payerId: 'ENT1', currency: 'CNY', instructionReference: `ZL-${tag}` });

  async function upload(caller: Caller, form: Record<string, string>, file: Buffer, name: string, key?: string): Promise<request.Response> {
    const url = '/v1/payment-batches/import';
    let req = gw.http().post(url).set('Authorization', await gw.bearer(caller, 'POST', url));
    if (key) req = req.set('Idempotency-Key', key);
    for (const [k, v] of Object.entries(form)) req = req.field(k, v);
    return req.attach('file', file, name);
  }

  const height = (): Promise<bigint> => withLedger('bank1', 'officer1', async (ledger) => (await chainInfo(ledger.network)).height);

  it('serves the template: the header row of an import file', async function () {
    const res = await gw.get(officer, '/v1/payment-batches/import/template.csv');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/csv/);
    expect(res.text).to.equal('payeeReference,amount\r\n');
  });

  it('a bad XLSX is refused with every bad line and its reason; nothing reaches the ledger', async function () {
    const id = `PB-${run}-bad`;
    const workbook = new Workbook();
    const sheet = workbook.addWorksheet('payees');
    sheet.addRow(['payeeReference', 'amount']);
    sheet.addRow([`6217 ${tag} 1`, 3500.5]);
    sheet.addRow([`6217 ${tag} 2`, 1.005]);
    sheet.addRow([`6217 ${tag} 1`, 20]);
    sheet.addRow(['', 7]);
    sheet.addRow([`6217 ${tag} 5`, '-3']);
    sheet.addRow([`6217 ${tag} 6`, 0]);
    const before = await height();
    const res = await upload(officer, fields(id), Buffer.from(await workbook.xlsx.writeBuffer()), 'payees.xlsx');
    expect(res.status, JSON.stringify(res.body)).to.equal(422);
    expect(res.body.error.code).to.equal('ROWS_INVALID');
    const issues = (res.body.error.details.issues as Array<{ line: number; field: string; problem: string }>).map((i) => `${i.line} ${i.field}: ${i.problem}`);
    expect(issues).to.deep.equal([
      '3 amount: 1.005 has more than 2 decimals: it is not a whole number of fen',
      '4 payeeReference: the same payee as line 2: a payee is paid once per batch',
      '5 payeeReference: required',
      '6 amount: not an amount: digits with at most 2 decimals, e.g. 3500.00 (no sign, separator or exponent)',
      '7 amount: must be positive',
    ]);
    expect(await height()).to.equal(before);
    expect((await gw.get(officer, `/v1/payment-batches/${id}`)).status).to.equal(404);
  });

  it('a good file for a payer that is no enterprise or client is refused before anything is sealed', async function () {
    const res = await upload(officer, { ...fields(`PB-${run}-payer`), payerId: 'BANK1' }, payeeCsv(payeeRows(2, tag).rows), 'payees.csv');
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.body.error.details.issues).to.deep.equal([{ path: 'payerId', problem: 'is a bank; the payer is an enterprise or a client' }]);
  });

  it('only the bank officer imports: the reviewer, the regulator and the client are refused, and nothing is settled', async function () {
    const id = `PB-${run}-role`;
    const file = payeeCsv(payeeRows(3, tag).rows);
    for (const caller of [reviewer, regulator, clientSigner]) {
      const res = await upload(caller, fields(id), file, 'payees.csv');
      expect(res.status, JSON.stringify(res.body)).to.equal(403);
      expect(res.body.error.code).to.equal('FORBIDDEN');
    }
    expect((await gw.get(officer, `/v1/payment-batches/${id}`)).status).to.equal(404);
  });

  it('a 500-payee CSV settles one batch in one transaction; the regulator verifies total and count, the bank reads every line; its stages follow its key', async function () {
    const id = `PB-${run}-500`;
    const { rows, amountsMinor, totalMinor } = payeeRows(500, tag);
    const file = payeeCsv(rows);
    const key = `pbi-${randomUUID()}`;
    const before = await height();
    // The stages the importer sees while the POST runs (404 until the file has arrived).
    const seen: string[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const res = await gw.get(officer, `/v1/payment-batches/imports/${key}`);
        if (res.status === 200 && seen.at(-1) !== res.body.stage) seen.push(res.body.stage as string);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const res = await upload(officer, fields(id), file, 'payees.csv', key);
    polling = false;
    await poll;
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const batch = res.body as Settled;
    expect(batch).to.include({ id, count: 500 });
    expect(batch.lines.content.lines.map((l) => [l.payeeReference, l.amount])).to.deep.equal(rows.map((r, i) => [r.payeeReference, amountsMinor[i]]));
    // One transaction: one block (BatchTimeout cuts blocks; nothing else writes on this network meanwhile).
    expect(await height()).to.equal(before + 1n);

    const progress = await gw.get(officer, `/v1/payment-batches/imports/${key}`);
    expect(progress.status).to.equal(200);
    expect(progress.body).to.include({ key, stage: 'committed', batchId: id, lines: 500, totalMinor, fileName: 'payees.csv' });
    const order = ['validating', 'endorsing', 'ordering', 'committed'];
    expect(seen.map((s) => order.indexOf(s))).to.satisfy((at: number[]) => at.every((n, i) => n >= 0 && (i === 0 || n > (at[i - 1] as number))), `stages seen in order: ${seen.join(' → ')}`);
    expect((await gw.get(regulator, `/v1/payment-batches/imports/${key}`)).status).to.equal(404);

    const seenByRegulator = await gw.get(regulator, `/v1/payment-batches/${id}`);
    expect(seenByRegulator.status).to.equal(200);
    expect(seenByRegulator.body.lines.readable).to.equal('not-addressed');
    const summary = seenByRegulator.body.summary.content as { total: string; count: number; currency: string; salt: string };
    expect(summary).to.include({ total: totalMinor, count: 500, currency: 'CNY' });
    expect(paymentBatchTotalHash(summary.total, summary.count, summary.currency, summary.salt)).to.equal(seenByRegulator.body.totalHash);

    // The same upload under its key is the first answer again; the same file under the settled id without it, the settled batch.
    const replayed = await upload(officer, fields(id), file, 'payees.csv', key);
    expect(replayed.status).to.equal(201);
    expect(replayed.headers['idempotent-replayed']).to.equal('true');
    const again = await upload(officer, fields(id), file, 'payees.csv');
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect(again.body.settledAt).to.equal(batch.settledAt);
    const other = await upload(officer, fields(id), payeeCsv(rows.slice(1)), 'payees.csv');
    expect(other.status).to.equal(409);
    expect(other.body.error.code).to.equal('ALREADY_EXISTS');
    expect(await height()).to.equal(before + 1n);
  });
});
