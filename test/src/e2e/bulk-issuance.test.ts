import { ConfirmationState } from '@econfirm/common';
import { createApp, CredentialsStore, type GatewayConfig } from '@econfirm/gateway';
import { createApiToken } from '@econfirm/sdk';
import { expect } from 'chai';
import { Workbook } from 'exceljs';
import * as path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type request from 'supertest';
import { checkedRequest } from '../support/openapi-conformance';
import { ensureDemoInstitutions } from '../support/institutions';
import { TestGateway, type Caller } from '../support/gateway';
import { bankRows, type Cells, csvOf, engagementFields } from '../support/bulk-files';
import { uniqueName } from '../support/network';
import { xlsxBomb } from '../support/xlsx-bomb';

type App = Awaited<ReturnType<typeof createApp>>;

/** A bulk job as GET /v1/bulk/jobs/{id} answers it. */
interface JobView {
  id: string;
  status: string;
  format: string;
  progress: { letters: number; issued: number; chunks: number; chunksApplied: number; chunksRecovered: number };
  issues: Array<{ line: number; field: string; problem: string }>;
}

const BULK: GatewayConfig['bulk'] = { uploadBytes: 256 * 1024, batchSize: 8, maxRows: 300, maxCells: 20_000, maxUncompressedBytes: 8 * 1024 * 1024 };

class Client {
  constructor(
    readonly app: App,
    readonly config: GatewayConfig,
  ) {}

  private async auth(caller: Caller, method: string, url: string): Promise<string> {
    return `Bearer ${await createApiToken(caller.credentialId, caller.privateJwk, { audience: this.config.audience, method, url: `${this.config.publicUrl}${url}` })}`;
  }

  async get(caller: Caller, url: string): Promise<request.Response> {
    return checkedRequest(this.app.getHttpServer()).get(url).set('Authorization', await this.auth(caller, 'GET', url));
  }

  async upload(caller: Caller, fields: Cells, file: Buffer, name: string, headers: Record<string, string> = {}): Promise<request.Response> {
    let req = checkedRequest(this.app.getHttpServer()).post('/v1/bulk/jobs').set('Authorization', await this.auth(caller, 'POST', '/v1/bulk/jobs')).set(headers);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', file, name);
  }

  async job(caller: Caller, id: string): Promise<JobView> {
    const res = await this.get(caller, `/v1/bulk/jobs/${id}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as JobView;
  }

  /** Polls the job until `until` holds (bounded). */
  async waitFor(caller: Caller, id: string, until: (job: JobView) => boolean, seconds = 150): Promise<JobView> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const job = await this.job(caller, id);
      if (until(job)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} did not get there in ${seconds} s: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** Every request of an engagement on the ledger, as the firm lists it. */
  async engagementIds(caller: Caller, engagementId: string): Promise<string[]> {
    const res = await this.get(caller, `/v1/confirmations?engagementId=${encodeURIComponent(engagementId)}&pageSize=200`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return (res.body.records as Array<{ id: string }>).map((r) => r.id);
  }
}

const done = (job: JobView): boolean => job.status === 'completed' || job.status === 'failed';

/**
 * Bulk issuance: CSV and XLSX uploads through createApp on the real network end in
 * issued requests read back from the ledger; one bad row rejects the whole file with its line and
 * field and nothing on the ledger; a gateway restart in the middle of a job resumes it, and every
 * letter exists exactly once.
 */
describe('gateway e2e: bulk issuance from CSV and XLSX', function () {
  this.timeout(300_000);
  const run = uniqueName('blk');
  let gw: TestGateway;
  let http: Client;
  let auditor: Caller;
  let officer: Caller;
  let firmColumns: string[];

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'BANK1-SH', 'ENT1');
    gw = await TestGateway.start({ bulk: BULK });
    http = new Client(gw.app, gw.config);
    auditor = gw.custodial('firm1', 'auditor1');
    officer = gw.custodial('bank1', 'officer1');
  });

  after(async function () {
    await gw?.close();
  });

  it('serves a column template per kind, as CSV and described as JSON', async function () {
    const csv = await http.get(auditor, '/v1/bulk/templates/bank-form-1.csv');
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    firmColumns = csv.text.trim().split(',');
    expect(firmColumns).to.include.members(['letterRef', 'addresseeId', 'feePayer', 'header.bank', 'section', 'accountNo', 'balance', 'borrower']);
    const receivable = await http.get(auditor, '/v1/bulk/templates/receivable');
    expect(receivable.body.formId).to.equal('balance-confirmation-2020');
    expect(receivable.body.columns.map((c: { name: string }) => c.name)).to.include.members(['header.counterparty', 'documentRef', 'amount']);
    expect((await http.get(auditor, '/v1/bulk/templates/gold-bars.csv')).status).to.equal(400);
  });

  it('a CSV of 30 bank letters is answered 202 and ends in 30 issued requests, read back from the ledger', async function () {
    const engagementId = `ENG-${run}-csv`;
    const accounts: string[] = [];
    const res = await http.upload(auditor, { kind: 'bank-form-1', ...engagementFields(engagementId) }, csvOf(firmColumns, bankRows(30, accounts)), 'letters.csv');
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body.status).to.be.oneOf(['queued', 'running']);
    expect(res.body.progress.letters).to.equal(30);
    const job = await http.waitFor(auditor, res.body.id, done);
    expect(job.status, JSON.stringify(job)).to.equal('completed');
    expect(job.progress).to.include({ letters: 30, issued: 30, chunks: 4, chunksApplied: 4 });

    const letters = (await http.get(auditor, `/v1/bulk/jobs/${job.id}/letters`)).body as Array<{ requestId: string; line: number; status: string; contentHash: string; letterRef: string }>;
    expect(letters).to.have.length(30);
    expect(letters.every((l) => l.status === 'issued' && l.requestId === `BK-${job.id}-L${l.line}`)).to.equal(true);
    expect((await http.engagementIds(auditor, engagementId)).sort()).to.deep.equal(letters.map((l) => l.requestId).sort());
    for (const [index, letter] of letters.entries()) {
      if (index % 7 !== 0 && index !== letters.length - 1) continue;
      const view = await http.get(auditor, `/v1/confirmations/${letter.requestId}`);
      expect(view.status).to.equal(200);
      expect(view.body.state).to.equal(ConfirmationState.Issued);
      expect(view.body.letter.contentHash).to.equal(letter.contentHash);
      expect(view.body.letter.content.header.letterNo).to.equal(letter.letterRef);
      expect(view.body.letter.content.sections.deposits.rows[0].accountNo).to.equal(accounts[index]);
      expect(view.body.letter.ciphertext).not.to.contain(accounts[index]);
    }
    const withLoan = await http.get(auditor, `/v1/confirmations/${letters[3]?.requestId}`);
    expect(withLoan.body.letter.content.sections.deposits.rows).to.have.length(2);
    expect(withLoan.body.letter.content.sections.loans.rows[0].rate).to.equal('3.45%');
  });

  it('an XLSX of 24 receivable confirmations (numeric and date cells) ends in issued requests', async function () {
    const engagementId = `ENG-${run}-xlsx`;
    const template = (await http.get(auditor, '/v1/bulk/templates/receivable.csv')).text.trim().split(',');
    const workbook = new Workbook();
    const sheet = workbook.addWorksheet('letters');
    sheet.addRow(template);
    for (let i = 0; i < 24; i++) {
      const values: Record<string, unknown> = {
        letterRef: `AR-${i + 1}`, addresseeId: 'ENT1', feePayer: 'firm', 'header.counterparty': 'Suzhou Components Ltd', 'header.auditFirm': 'Firm One CPA',
        'header.replyContact': 'Li Wei', 'header.clientSealRef': 'SEAL-7', 'header.handler': 'Zhang San', 'header.date': new Date(Date.UTC(2026, 0, 6)),
        section: 'balances', documentRef: `INV-2025-${1000 + i}`, date: new Date(Date.UTC(2025, 11, 1 + (i % 28))), currency: 'CNY', amount: 15000 + i * 100.25, description: 'goods sold',
      };
      sheet.addRow(template.map((c) => values[c] ?? null));
      if (i % 4 === 0) sheet.addRow(template.map((c) => ({ letterRef: `AR-${i + 1}`, section: 'otherItems', item: 'advance received', currency: 'CNY', amount: -2000 })[c] ?? null));
    }
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const res = await http.upload(auditor, { kind: 'receivable', ...engagementFields(engagementId) }, bytes, 'receivables.xlsx');
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body.format).to.equal('xlsx');
    const job = await http.waitFor(auditor, res.body.id, done);
    expect(job.status, JSON.stringify(job)).to.equal('completed');
    expect(job.progress.issued).to.equal(24);
    const ids = await http.engagementIds(auditor, engagementId);
    expect(ids).to.have.length(24);
    const first = await http.get(auditor, `/v1/confirmations/BK-${job.id}-L2`);
    expect(first.body.kind).to.equal('receivable');
    expect(first.body.addresseeId).to.equal('ENT1');
    const content = first.body.letter.content;
    expect(content.sections.balances.rows[0]).to.include({ documentRef: 'INV-2025-1000', date: '2025-12-01', amount: '15000' });
    expect(content.sections.otherItems.rows[0]).to.include({ item: 'advance received', amount: '-2000' });
    expect(content.header.date).to.equal('2026-01-06');
  });

  it('one bad row rejects the whole file: 422 naming line and field, a rejected job, nothing on the ledger', async function () {
    const engagementId = `ENG-${run}-bad`;
    const rows = bankRows(20, []);
    const badIndex = 17;
    (rows[badIndex] as Cells).balance = '12.345.6';
    const strangerIndex = rows.findIndex((r) => r.letterRef === 'BL-5');
    (rows[strangerIndex] as Cells).addresseeId = 'BANK-NOWHERE';
    const res = await http.upload(auditor, { kind: 'bank-form-1', ...engagementFields(engagementId) }, csvOf(firmColumns, rows), 'letters.csv');
    expect(res.status, JSON.stringify(res.body)).to.equal(422);
    expect(res.body.error.code).to.equal('ROWS_INVALID');
    // Line = data row index + 2 (the header is line 1). The registry is asked only once layout and forms are clean.
    expect(res.body.error.details.issues).to.deep.equal([{ line: badIndex + 2, field: 'balance', problem: 'not a valid amount' }]);
    const job = await http.job(auditor, res.body.error.details.jobId);
    expect(job.status).to.equal('rejected');
    expect(job.issues[0]).to.include({ line: badIndex + 2, field: 'balance' });
    expect(await http.engagementIds(auditor, engagementId)).to.deep.equal([]);

    (rows[badIndex] as Cells).balance = '12.34';
    const second = await http.upload(auditor, { kind: 'bank-form-1', ...engagementFields(engagementId) }, csvOf(firmColumns, rows), 'letters.csv');
    expect(second.status, JSON.stringify(second.body)).to.equal(422);
    expect(second.body.error.details.issues).to.deep.equal([{ line: strangerIndex + 2, field: 'addresseeId', problem: 'BANK-NOWHERE not in the registry' }]);
    expect(await http.engagementIds(auditor, engagementId)).to.deep.equal([]);
  });

  it('limits: 413 for a file too large or too many rows; 403 for a bank officer; 400 without a file', async function () {
    const fields = { kind: 'bank-form-1', ...engagementFields(`ENG-${run}-lim`) };
    const big = await http.upload(auditor, fields, Buffer.alloc(BULK.uploadBytes + 10, 0x41), 'big.csv');
    expect(big.status).to.equal(413);
    expect(big.body.error.code).to.equal('UPLOAD_TOO_LARGE');
    const many = await http.upload(auditor, fields, csvOf(['letterRef'], Array.from({ length: BULK.maxRows + 1 }, (_, i) => ({ letterRef: `R-${i}` }))), 'many.csv');
    expect(many.status).to.equal(413);
    expect(many.body.error.code).to.equal('TOO_MANY_ROWS');
    expect((await http.upload(officer, fields, csvOf(firmColumns, bankRows(1, [])), 'x.csv')).status).to.equal(403);
    const noFile = await checkedRequest(gw.app.getHttpServer()).post('/v1/bulk/jobs').set('Authorization', await gw.bearer(auditor, 'POST', '/v1/bulk/jobs')).field('kind', 'bank-form-1');
    expect(noFile.status).to.equal(400);
    expect(await http.engagementIds(auditor, `ENG-${run}-lim`)).to.deep.equal([]);
  });

  it('issue 10.5: a 200 MB sheet in a small XLSX is refused 413 UNCOMPRESSED_TOO_LARGE as it inflates: memory stays bounded, /healthz answers, nothing is issued', async function () {
    const engagementId = `ENG-${run}-bomb`;
    const fields = { kind: 'bank-form-1', ...engagementFields(engagementId) };
    const bomb = await xlsxBomb(200 * 1024 * 1024);
    expect(bomb.length).to.be.lessThan(BULK.uploadBytes); // within the upload limit: only the inflating tells
    const jobsBefore = ((await http.get(auditor, '/v1/bulk/jobs')).body as unknown[]).length;
    // The gateway runs in this process: its memory is this process's. Sampled while the bomb is read.
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    let health: number[] = [];
    try {
      const upload = http.upload(auditor, fields, bomb, 'bomb.xlsx');
      const probes = Array.from({ length: 5 }, () => checkedRequest(gw.app.getHttpServer()).get('/healthz'));
      const [res, ...answers] = await Promise.all([upload, ...probes]);
      health = answers.map((a) => a.status);
      expect(res.status, JSON.stringify(res.body)).to.equal(413);
      expect(res.body.error.code).to.equal('UNCOMPRESSED_TOO_LARGE');
      expect(res.body.error.details).to.deep.equal({ maxUncompressedBytes: BULK.maxUncompressedBytes });
      expect(res.body.error.message).to.include('bulk.maxUncompressedBytes');
    } finally {
      clearInterval(sampler);
    }
    expect(health).to.deep.equal([200, 200, 200, 200, 200]);
    // Generous: exceljs loading this workbook whole needs several times its 200 MB.
    const grownMiB = (peak - baseline) / (1024 * 1024);
    expect(grownMiB, `resident memory grew by ${grownMiB.toFixed(0)} MiB while the bomb was read`).to.be.lessThan(150);
    expect(((await http.get(auditor, '/v1/bulk/jobs')).body as unknown[]).length).to.equal(jobsBefore); // no job recorded
    expect(await http.engagementIds(auditor, engagementId)).to.deep.equal([]);
    expect((await checkedRequest(gw.app.getHttpServer()).get('/healthz')).status).to.equal(200);
  });

  it('another tenant cannot see a job', async function () {
    const jobs = (await http.get(auditor, '/v1/bulk/jobs')).body as Array<{ id: string }>;
    expect(jobs.length).to.be.greaterThan(0);
    expect((await http.get(officer, `/v1/bulk/jobs/${jobs[0]?.id}`)).status).to.equal(404);
  });

  it('Idempotency-Key on an upload: an identical retry returns the first job (no second one); the same key with another file or other fields → 422', async function () {
    const engagementId = `ENG-${run}-idem`;
    const fields = { kind: 'bank-form-1', ...engagementFields(engagementId) };
    const key = { 'Idempotency-Key': `bulk-${run}` };
    const file = csvOf(firmColumns, bankRows(3, []));
    const first = await http.upload(auditor, fields, file, 'letters.csv', key);
    expect(first.status, JSON.stringify(first.body)).to.equal(202);
    const retry = await http.upload(auditor, fields, file, 'letters.csv', key);
    expect(retry.status, JSON.stringify(retry.body)).to.equal(202);
    expect(retry.headers['idempotent-replayed']).to.equal('true');
    expect(retry.body.id).to.equal(first.body.id);
    // Another file (3 other letters) under the same key: refused, not answered with the first job.
    const otherFile = await http.upload(auditor, fields, csvOf(firmColumns, bankRows(3, [])), 'letters.csv', key);
    expect(otherFile.status, JSON.stringify(otherFile.body)).to.equal(422);
    expect(otherFile.body.error.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    const otherFields = await http.upload(auditor, { ...fields, engagementId: `${engagementId}-2` }, file, 'letters.csv', key);
    expect(otherFields.status).to.equal(422);
    expect(otherFields.body.error.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    const job = await http.waitFor(auditor, first.body.id, done);
    expect(job.status, JSON.stringify(job)).to.equal('completed');
    const jobs = (await http.get(auditor, '/v1/bulk/jobs')).body as Array<{ id: string; engagement: { id: string } }>;
    expect(jobs.filter((j) => j.engagement.id === engagementId || j.engagement.id === `${engagementId}-2`).map((j) => j.id)).to.deep.equal([first.body.id]);
    expect(await http.engagementIds(auditor, engagementId)).to.have.length(3);
    expect(await http.engagementIds(auditor, `${engagementId}-2`)).to.deep.equal([]);
  });

  it('a gateway restart in the middle of a job resumes it: every letter exists exactly once', async function () {
    const engagementId = `ENG-${run}-restart`;
    // Its own database: the apps below are "the same gateway" before and after the restart.
    const config: GatewayConfig = { ...gw.config, dbPath: path.join(path.dirname(gw.config.dbPath), 'restart.db'), bulk: { ...BULK, batchSize: 4 } };
    const first = new Client(await createApp(config), config);
    const issued = first.app.get(CredentialsStore).issue({ tenantId: 'firm1', identityName: 'auditor1' });
    const auditor: Caller = { credentialId: issued.credential.id, privateJwk: issued.privateJwk };
    const res = await first.upload(auditor, { kind: 'bank-form-1', ...engagementFields(engagementId) }, csvOf(firmColumns, bankRows(48, [])), 'letters.csv');
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    const jobId = res.body.id as string;
    const midway = await first.waitFor(auditor, jobId, (job) => job.progress.chunksApplied >= 2);
    expect(midway.status).to.equal('running');
    // Shut down while the job runs: the chunk in flight finishes, the rest stays queued.
    await first.app.close();

    const db = new DatabaseSync(config.dbPath);
    const chunks = db.prepare('SELECT chunk, status FROM bulk_chunks WHERE job_id = ? ORDER BY chunk').all(jobId) as Array<{ chunk: number; status: string }>;
    const applied = chunks.filter((c) => c.status === 'applied');
    expect(applied.length, JSON.stringify(chunks)).to.be.within(2, 11);
    // Fault injection: the last applied chunk as if the gateway had died after the commit but before recording it.
    const lost = (applied[applied.length - 1] as { chunk: number }).chunk;
    db.prepare("UPDATE bulk_chunks SET status = 'sealed' WHERE job_id = ? AND chunk = ?").run(jobId, lost);
    db.prepare("UPDATE bulk_letters SET status = 'pending' WHERE job_id = ? AND chunk = ?").run(jobId, lost);
    db.close();

    const second = new Client(await createApp(config), config);
    try {
      const job = await second.waitFor(auditor, jobId, done);
      expect(job.status, JSON.stringify(job)).to.equal('completed');
      expect(job.progress).to.include({ letters: 48, issued: 48, chunks: 12, chunksApplied: 12 });
      expect(job.progress.chunksRecovered).to.equal(1);
      const letters = (await second.get(auditor, `/v1/bulk/jobs/${jobId}/letters`)).body as Array<{ requestId: string; contentHash: string }>;
      const onLedger = await second.engagementIds(auditor, engagementId);
      expect(onLedger).to.have.length(48);
      expect(new Set(onLedger).size).to.equal(48);
      expect([...onLedger].sort()).to.deep.equal(letters.map((l) => l.requestId).sort());
      const recoveredLetter = letters[lost * 4] as { requestId: string; contentHash: string };
      const view = await second.get(auditor, `/v1/confirmations/${recoveredLetter.requestId}`);
      expect(view.body.letter.contentHash).to.equal(recoveredLetter.contentHash);
    } finally {
      await second.app.close();
    }
  });
});
