import { canonicalJson, ConfirmationState, sha256Hex } from '@econfirm/common';
import { expect } from 'chai';
import { DatabaseSync } from 'node:sqlite';
import { ensureDemoInstitutions } from '../support/institutions';
import { bankLetterRequest, type Caller, TestGateway } from '../support/gateway';
import { distinctiveAccountNumber } from '../support/letters';
import { uniqueName } from '../support/network';

/**
 * A retry under the Idempotency-Key of a request whose gateway died mid-way (found by the fault
 * suite, test/src/fault): the dead process's claim is left pending with the transaction it had
 * sent to ordering. The retry takes the claim over at once (not 409 IDEMPOTENCY_IN_PROGRESS for
 * ten minutes) and, when that transaction committed, answers from it (not 409
 * INVALID_STATE_TRANSITION from its own second attempt); when it did not, the write is made once.
 */
describe('gateway e2e: an Idempotency-Key retry after the gateway died holding it', function () {
  this.timeout(180_000);
  const run = uniqueName('gwcrash');
  let gw: TestGateway;
  let auditor: Caller;
  let clientSigner: Caller;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1');
    gw = await TestGateway.start();
    ({ auditor, clientSigner } = gw.demoCallers());
  });

  after(async function () {
    await gw?.close();
  });

  /** What a gateway killed after sending `transactionId` to ordering leaves in its database. */
  function claimLeftByDeadGateway(key: string, url: string, body: object, transactionId: string): void {
    const db = new DatabaseSync(gw.config.dbPath);
    try {
      const now = Date.now();
      db.prepare(
        "INSERT INTO idempotency_records (tenant_id, key, fingerprint, state, created_at, updated_at, owner, transactions_json) VALUES ('client1', ?, ?, 'pending', ?, ?, 'a-gateway-that-died', ?)",
      ).run(key, sha256Hex(canonicalJson({ method: 'POST', path: url, body })), now, now, JSON.stringify([transactionId]));
    } finally {
      db.close();
    }
  }

  async function issued(n: string): Promise<string> {
    const id = `CF-${run}-${n}`;
    const res = await gw.post(auditor, '/v1/confirmations', bankLetterRequest(id, `ENG-${run}`, distinctiveAccountNumber()));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return id;
  }

  async function authorizations(id: string): Promise<string[]> {
    const history = (await gw.get(auditor, `/v1/confirmations/${id}/history`)).body as Array<{ txId: string; value: { state: string } | null }>;
    return history.filter((h) => h.value?.state === ConfirmationState.Authorized).map((h) => h.txId);
  }

  it('the dead attempt committed: the retry answers from its transaction, and the letter is authorized once', async function () {
    const id = await issued('1');
    const url = `/v1/confirmations/${id}/authorization`;
    const body = { feeConsent: true };
    // The write the dead gateway made (here through the live one, under another key).
    expect((await gw.post(clientSigner, url, body, { 'Idempotency-Key': `${id}:first` })).status).to.equal(200);
    const [committed] = await authorizations(id);
    claimLeftByDeadGateway(`${id}:retried`, url, body, committed as string);
    const retry = await gw.post(clientSigner, url, body, { 'Idempotency-Key': `${id}:retried` });
    expect(retry.status, JSON.stringify(retry.body)).to.equal(200);
    expect(retry.body.state).to.equal(ConfirmationState.Authorized);
    expect(await authorizations(id)).to.deep.equal([committed]);
    // Recorded: the same key again replays that answer.
    const again = await gw.post(clientSigner, url, body, { 'Idempotency-Key': `${id}:retried` });
    expect(again.status).to.equal(200);
    expect(again.header['idempotent-replayed']).to.equal('true');
  });

  it('the dead attempt never committed: the retry makes the write, once', async function () {
    const id = await issued('2');
    const url = `/v1/confirmations/${id}/authorization`;
    const body = { feeConsent: true };
    claimLeftByDeadGateway(`${id}:retried`, url, body, 'ab'.repeat(32));
    const retry = await gw.post(clientSigner, url, body, { 'Idempotency-Key': `${id}:retried` });
    expect(retry.status, JSON.stringify(retry.body)).to.equal(200);
    expect(retry.body.state).to.equal(ConfirmationState.Authorized);
    expect(await authorizations(id)).to.have.length(1);
  });
});
