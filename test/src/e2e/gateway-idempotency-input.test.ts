import { expect } from 'chai';
import { ensureDemoInstitutions } from '../support/institutions';
import { bankLetter, type Caller, demoEngagement, TestGateway } from '../support/gateway';
import { distinctiveAccountNumber } from '../support/letters';
import { uniqueName } from '../support/network';

/**
 * An idempotent retry that does not issue twice, and malformed input (bad JSON, wrong
 * types, oversize bodies, unknown fields, letters off their form) answered 4xx with nothing written.
 */
describe('gateway e2e: idempotent retries and malformed input', function () {
  this.timeout(180_000);
  const run = uniqueName('gwidem');
  let gw: TestGateway;
  let auditor: Caller;
  let auditor2: Caller;
  let officer: Caller;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1');
    gw = await TestGateway.start();
    auditor = gw.custodial('firm1', 'auditor1');
    auditor2 = gw.custodial('firm1', 'auditor2');
    officer = gw.custodial('bank1', 'officer1');
  });

  after(async function () {
    await gw?.close();
  });

  const engagement = (n: string) => demoEngagement(`ENG-${run}-${n}`);
  // No request id: without the key, every POST would issue a new request.
  const letterWithoutId = (n: string) => ({ kind: 'bank-form-1', engagement: engagement(n), addresseeId: 'BANK1', feePayer: 'client', letter: bankLetter(distinctiveAccountNumber()) });

  async function engagementRecords(caller: Caller, n: string): Promise<Array<{ id: string }>> {
    const res = await gw.get(caller, `/v1/confirmations?engagementId=ENG-${run}-${n}&pageSize=200`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.records as Array<{ id: string }>;
  }

  describe('Idempotency-Key', function () {
    it('a retried issue returns the first outcome and issues once', async function () {
      const body = letterWithoutId('a');
      const key = `issue-${run}`;
      const first = await gw.post(auditor, '/v1/confirmations', body, { 'Idempotency-Key': key });
      expect(first.status, JSON.stringify(first.body)).to.equal(201);
      const retry = await gw.post(auditor, '/v1/confirmations', body, { 'Idempotency-Key': key });
      expect(retry.status).to.equal(201);
      expect(retry.header['idempotent-replayed']).to.equal('true');
      expect(retry.body.id).to.equal(first.body.id);
      expect(retry.body.issued).to.deep.equal(first.body.issued);
      // Another identity of the same tenant retrying with the key gets the same answer.
      expect((await gw.post(auditor2, '/v1/confirmations', body, { 'Idempotency-Key': key })).body.id).to.equal(first.body.id);
      const records = await engagementRecords(auditor, 'a');
      expect(records.map((r) => r.id)).to.deep.equal([first.body.id]);
    });

    it('the same key for a different request is refused; a refusal is replayed with its code', async function () {
      const key = `issue-${run}`;
      const other = await gw.post(auditor, '/v1/confirmations', letterWithoutId('b'), { 'Idempotency-Key': key });
      expect(other.status).to.equal(422);
      expect(other.body.error.code).to.equal('IDEMPOTENCY_KEY_REUSED');
      expect(await engagementRecords(auditor, 'b')).to.deep.equal([]);
      const refusedKey = `refused-${run}`;
      const refusal = await gw.post(auditor, '/v1/confirmations/CF-does-not-exist/recall', { reason: 'x' }, { 'Idempotency-Key': refusedKey });
      expect(refusal.status).to.equal(404);
      const replay = await gw.post(auditor, '/v1/confirmations/CF-does-not-exist/recall', { reason: 'x' }, { 'Idempotency-Key': refusedKey });
      expect(replay.status).to.equal(404);
      expect(replay.header['idempotent-replayed']).to.equal('true');
      expect(replay.body.error.code).to.equal('NOT_FOUND');
    });

    it('keys are per tenant: the bank using the firm\'s key gets its own outcome, not the firm\'s', async function () {
      const res = await gw.post(officer, '/v1/confirmations/CF-does-not-exist/acceptance', {}, { 'Idempotency-Key': `issue-${run}` });
      expect(res.header['idempotent-replayed']).to.equal(undefined);
      expect(res.status).to.equal(404);
    });
  });

  describe('malformed input: 4xx, nothing written', function () {
    const id = `CF-${run}-bad`;
    const good = () => ({ id, kind: 'bank-form-1', engagement: engagement('bad'), addresseeId: 'BANK1', feePayer: 'client', letter: bankLetter(distinctiveAccountNumber()) });

    async function raw(body: string, contentType = 'application/json') {
      return gw.http().post('/v1/confirmations').set('Authorization', await gw.bearer(auditor, 'POST', '/v1/confirmations')).set('Content-Type', contentType).send(body);
    }

    it('bad JSON → 400 MALFORMED_JSON', async function () {
      const res = await raw('{"id": "x", "kind": ');
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('MALFORMED_JSON');
      expect(res.body.error.requestId).to.be.a('string');
    });

    it('wrong types → 400 VALIDATION_FAILED naming each field', async function () {
      const res = await gw.post(auditor, '/v1/confirmations', { ...good(), kind: 7, feePayer: ['client'], engagement: { ...engagement('bad'), periodStart: 20250101 } });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      const paths = (res.body.error.details.issues as Array<{ path: string }>).map((i) => i.path);
      expect(paths).to.include.members(['kind', 'feePayer', 'engagement.periodStart']);
      const auth = await gw.post(auditor, `/v1/confirmations/${id}/recall`, { reason: 42 });
      expect(auth.status).to.equal(400);
    });

    it('unknown fields → 400 (top level and nested); unknown letter fields → 422 INVALID_CONTENT', async function () {
      const top = await gw.post(auditor, '/v1/confirmations', { ...good(), firmId: 'OTHERFIRM' });
      expect(top.status).to.equal(400);
      expect(top.body.error.details.issues[0].path).to.equal('firmId');
      const nested = await gw.post(auditor, '/v1/confirmations', { ...good(), engagement: { ...engagement('bad'), owner: 'x' } });
      expect(nested.status).to.equal(400);
      const letter = good().letter as unknown as Record<string, unknown>;
      const inLetter = await gw.post(auditor, '/v1/confirmations', { ...good(), letter: { ...letter, hiddenNote: 'x' } });
      expect(inLetter.status).to.equal(422);
      expect(inLetter.body.error.code).to.equal('INVALID_CONTENT');
    });

    it('a letter off its form (blank cell, missing section) → 422 with the field paths', async function () {
      const letter = bankLetter('6222000011112222');
      delete (letter.sections as Record<string, unknown>).loans;
      (letter.sections.deposits.rows as Array<Record<string, string>>)[0].balance = '';
      const res = await gw.post(auditor, '/v1/confirmations', { ...good(), letter });
      expect(res.status).to.equal(422);
      const paths = (res.body.error.details.issues as Array<{ path: string }>).map((i) => i.path);
      expect(paths).to.include.members(['letter.sections.loans', 'letter.sections.deposits.rows[0].balance']);
    });

    it('an oversize body → 413 PAYLOAD_TOO_LARGE', async function () {
      const big = { ...good(), letter: { ...bankLetter('6222000011112222'), padding: 'x'.repeat(gw.config.limits.bodyBytes + 1) } };
      const res = await gw.post(auditor, '/v1/confirmations', big);
      expect(res.status).to.equal(413);
      expect(res.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
    });

    it('a ledger-level refusal (unknown addressee) → 422 INVALID_ARGUMENT naming the field; and after all of these the id was never written', async function () {
      // The gateway seals the letter to firm and client only, so the addressee is checked by the ledger, not looked up first.
      const res = await gw.post(auditor, '/v1/confirmations', { ...good(), addresseeId: 'NO-SUCH-BANK' });
      expect([res.status, res.body.error?.code]).to.deep.equal([422, 'INVALID_ARGUMENT']);
      expect(res.body.error.message).to.contain('addresseeId: NO-SUCH-BANK is not a registered');
      expect((await gw.get(auditor, `/v1/confirmations/${id}`)).status).to.equal(404);
      expect(await engagementRecords(auditor, 'bad')).to.deep.equal([]);
    });
  });
});
