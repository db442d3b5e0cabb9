import { ConfirmationState } from '@econfirm/common';
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type request from 'supertest';
import { bankRows, csvOf, engagementFields } from '../support/bulk-files';
import { agreeingReply, bankLetterRequest, type Caller, TestGateway } from '../support/gateway';
import { completeOffline, enrollOfflineIdentity, offlineCaller, type OfflineIdentity } from '../support/gateway-offline';
import { ensureDemoInstitutions } from '../support/institutions';
import { distinctiveAccountNumber } from '../support/letters';
import { uniqueName } from '../support/network';
import { jsonArgumentWith } from '@econfirm/sdk';

/**
 * No decrypted content at rest in the gateway: distinctive account numbers, a balance and a reply
 * are put through every route that records what it answered — issue, bulk upload, reply and
 * auditor acceptance with Idempotency-Keys and their replays, an offline-signed issue — and then
 * found in no file under the gateway's state directory (SQLite file, WAL, shared memory, the log
 * it wrote). Replays still answer exactly the first response, also after a restart.
 */
describe('gateway e2e: no plaintext content at rest in the gateway database', function () {
  this.timeout(300_000);
  const run = uniqueName('gwrest');
  const tag = run.replace(/[^A-Za-z0-9]/g, '');
  let gw: TestGateway;
  let auditor: Caller, clientSigner: Caller, officer: Caller, reviewer: Caller;
  let offlineAuditor: OfflineIdentity;
  let offline: Caller;
  const logLines: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);

  const account = distinctiveAccountNumber();
  const balance = `${7_000_000 + Math.floor(Math.random() * 1_000_000)}.37`;
  const replyHandler = `Handler ${tag}Q`;
  const offlineAccount = distinctiveAccountNumber();
  const bulkAccounts: string[] = [];
  const id = `CF-${run}`;
  const offlineId = `CF-${run}-off`;
  /** The offline issue's transaction id: plaintext metadata of the pending transaction, the scan's positive control. */
  let offlineTransactionId = '';
  const keys = { issue: `rest-issue-${tag}`, reply: `rest-reply-${tag}`, accept: `rest-accept-${tag}`, bulk: `rest-bulk-${tag}` };
  const firstAnswers = new Map<string, { status: number; body: unknown }>();

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'BANK1-SH');
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.startsWith('{"time"')) {
        logLines.push(text);
        return true;
      }
      return stdoutWrite(chunk, ...rest);
    }) as typeof process.stdout.write;
    gw = await TestGateway.start({ logLevel: 'verbose' });
    ({ auditor, clientSigner, officer, reviewer } = gw.demoCallers());
    offlineAuditor = enrollOfflineIdentity('firm1', `aud-${tag}`, 'auditor', 'FIRM1');
    offline = offlineCaller(gw, 'firm1', offlineAuditor);
  });

  after(async function () {
    process.stdout.write = stdoutWrite;
    await gw?.close();
  });

  /** A POST with an Idempotency-Key, sent twice: the replay answers exactly the first response. */
  async function twice(caller: Caller, url: string, body: object, key: string): Promise<request.Response> {
    const first = await gw.post(caller, url, body, { 'Idempotency-Key': key });
    expect(first.status, JSON.stringify(first.body)).to.be.within(200, 202);
    const replay = await gw.post(caller, url, body, { 'Idempotency-Key': key });
    expect(replay.header['idempotent-replayed']).to.equal('true');
    expect(replay.status).to.equal(first.status);
    expect(replay.body).to.deep.equal(first.body);
    firstAnswers.set(key, { status: first.status, body: first.body });
    return first;
  }

  it('a letter goes through its whole path with Idempotency-Keys; every replay answers the first response', async function () {
    const letter = bankLetterRequest(id, `ENG-${run}`, account) as { letter: { sections: { deposits: { rows: Array<Record<string, string>> } } } };
    (letter.letter.sections.deposits.rows[0] as Record<string, string>).balance = balance;
    const issued = await twice(auditor, '/v1/confirmations', letter, keys.issue);
    expect(issued.body.letter.content.sections.deposits.rows[0]).to.include({ accountNo: account, balance });
    expect((await gw.post(clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true })).body.state).to.equal(ConfirmationState.Authorized);
    expect((await gw.post(officer, `/v1/confirmations/${id}/acceptance`)).body.state).to.equal(ConfirmationState.Accepted);
    const reply = { ...agreeingReply(), handler: replyHandler };
    const prepared = await twice(officer, `/v1/confirmations/${id}/reply`, { content: reply }, keys.reply);
    expect(prepared.body.reply.content.handler).to.equal(replyHandler);
    expect((await gw.post(reviewer, `/v1/confirmations/${id}/reply/approval`)).body.state).to.equal(ConfirmationState.Replied);
    const accepted = await twice(auditor, `/v1/confirmations/${id}/auditor-acceptance`, {}, keys.accept);
    expect(accepted.body.state).to.equal(ConfirmationState.AuditorAccepted);
    expect(accepted.body.letter.content.sections.deposits.rows[0].accountNo).to.equal(account);
  });

  it('a bulk upload with an Idempotency-Key is issued once; its replay answers the first response', async function () {
    const columns = (await gw.get(auditor, '/v1/bulk/templates/bank-form-1.csv')).text.trim().split(',');
    const file = csvOf(columns, bankRows(3, bulkAccounts));
    const fields = { kind: 'bank-form-1', ...engagementFields(`ENG-${run}-bulk`) };
    const upload = async (): Promise<request.Response> => {
      let req = gw.http().post('/v1/bulk/jobs').set('Authorization', await gw.bearer(auditor, 'POST', '/v1/bulk/jobs')).set('Idempotency-Key', keys.bulk);
      for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
      return req.attach('file', file, 'letters.csv');
    };
    const first = await upload();
    expect(first.status, JSON.stringify(first.body)).to.equal(202);
    const replay = await upload();
    expect(replay.header['idempotent-replayed']).to.equal('true');
    expect(replay.body).to.deep.equal(first.body);
    firstAnswers.set(keys.bulk, { status: first.status, body: first.body });
    const deadline = Date.now() + 150_000;
    for (;;) {
      const job = (await gw.get(auditor, `/v1/bulk/jobs/${first.body.id as string}`)).body as { status: string };
      if (job.status === 'completed' || job.status === 'failed') {
        expect(job.status, JSON.stringify(job)).to.equal('completed');
        break;
      }
      if (Date.now() > deadline) throw new Error(`bulk job not done: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const letters = (await gw.get(auditor, `/v1/bulk/jobs/${first.body.id as string}/letters`)).body as Array<{ requestId: string }>;
    const view = await gw.get(auditor, `/v1/confirmations/${(letters[0] as { requestId: string }).requestId}`);
    expect(view.body.letter.content.sections.deposits.rows[0].accountNo).to.equal(bulkAccounts[0]);
  });

  it('an offline-signed issue: its final answer (the decrypted letter) is kept for the status route', async function () {
    const body = bankLetterRequest(offlineId, `ENG-${run}-off`, offlineAccount);
    const pending = await gw.post(offline, '/v1/confirmations', body);
    offlineTransactionId = pending.body.transactionId as string;
    const { id: requestId, kind, addresseeId, feePayer, engagement } = body;
    const done = await completeOffline(gw, offline, offlineAuditor, pending, { transaction: 'Issue', args: [jsonArgumentWith({ id: requestId, kind, addresseeId, feePayer, engagement })] });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expect(done.body.result.letter.content.sections.deposits.rows[0].accountNo).to.equal(offlineAccount);
    const status = await gw.get(offline, `/v1/transactions/${pending.body.transactionId as string}`);
    expect(status.body.outcome.body.result.letter.content.sections.deposits.rows[0].accountNo).to.equal(offlineAccount);
  });

  it('no file under the state directory (database, WAL, log) holds any of the content', function () {
    writeFileSync(path.join(gw.stateDir, 'gateway.log'), logLines.join(''));
    const needles = [account, balance, replyHandler, offlineAccount, ...bulkAccounts];
    const hits: string[] = [];
    const controls = new Set<string>();
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) {
          files.push(entry.name);
          const bytes = readFileSync(full);
          for (const needle of needles) if (bytes.includes(Buffer.from(needle, 'utf8'))) hits.push(`${needle} in ${entry.name}`);
          // Positive control: the plaintext metadata (an Idempotency-Key, a pending transaction's id)
          // is found by the same scan. (The offline request's id was, in the endorsed transaction's
          // arguments, until the steps were sealed: issue 11.)
          if (bytes.includes(Buffer.from(keys.issue, 'utf8'))) controls.add('idempotency key');
          if (offlineTransactionId && bytes.includes(Buffer.from(offlineTransactionId, 'utf8'))) controls.add('transaction id');
        }
      }
    };
    walk(gw.stateDir);
    expect(files).to.include.members(['gateway.db', 'gateway.db-wal', 'gateway.log']);
    expect([...controls].sort()).to.deep.equal(['idempotency key', 'transaction id']);
    expect(hits, 'plaintext content at rest').to.deep.equal([]);
  });

  it('after a restart on the same database, every replay still answers the first response', async function () {
    await gw.restart();
    for (const [key, url, caller, body] of [
      [keys.issue, '/v1/confirmations', auditor, bankLetterRequest(id, `ENG-${run}`, account)],
      [keys.accept, `/v1/confirmations/${id}/auditor-acceptance`, auditor, {}],
    ] as Array<[string, string, Caller, object]>) {
      if (key === keys.issue) {
        const letter = body as { letter: { sections: { deposits: { rows: Array<Record<string, string>> } } } };
        (letter.letter.sections.deposits.rows[0] as Record<string, string>).balance = balance;
      }
      const replay = await gw.post(caller, url, body, { 'Idempotency-Key': key });
      expect(replay.header['idempotent-replayed']).to.equal('true');
      expect({ status: replay.status, body: replay.body as unknown }).to.deep.equal(firstAnswers.get(key));
    }
  });
});
