import { ConfirmationState } from '@econfirm/common';
import { evaluate } from '@econfirm/sdk';
import { expect } from 'chai';
import { ensureDemoInstitutions } from '../support/institutions';
import { agreeingReply, bankLetterRequest, type Caller, TestGateway } from '../support/gateway';
import { distinctiveAccountNumber } from '../support/letters';
import { uniqueName, withLedger } from '../support/network';

/**
 * The full bank-letter path across four tenants (FIRM1, CLIENT1, BANK1, REGULATOR)
 * entirely over HTTP, against createApp on the real network. Callers send plain JSON; the
 * gateway validates, encrypts, signs and decrypts at the edge.
 */
describe('gateway e2e: the bank-letter path over HTTP across four tenants', function () {
  this.timeout(180_000);
  const run = uniqueName('gw');
  let gw: TestGateway;
  let auditor: Caller, clientSigner: Caller, officer: Caller, reviewer: Caller, regulator: Caller;
  // Every log line the gateway writes during the path (JSON lines on stdout), to prove no plaintext leaks.
  const logLines: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);

  before(async function () {
    // Registered, with private keys held in the demo key store the gateway reads (rotated if another tool seeded them).
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.startsWith('{"time"')) {
        logLines.push(text);
        return true;
      }
      return stdoutWrite(chunk, ...rest);
    }) as typeof process.stdout.write;
    gw = await TestGateway.start({ logLevel: 'verbose' });
    ({ auditor, clientSigner, officer, reviewer, regulator } = gw.demoCallers());
  });

  after(async function () {
    await gw?.close();
    process.stdout.write = stdoutWrite;
  });

  const account = distinctiveAccountNumber();
  const id = `CF-${run}`;

  it('health, readiness and the OpenAPI document answer without a token', async function () {
    expect((await gw.http().get('/healthz')).body).to.deep.equal({ status: 'ok' });
    const ready = await gw.http().get('/readyz');
    expect(ready.status, JSON.stringify(ready.body)).to.equal(200);
    const doc = await gw.http().get('/openapi.json');
    expect(doc.body.openapi).to.match(/^3\./);
    expect(Object.keys(doc.body.paths)).to.include.members(['/v1/confirmations', '/v1/confirmations/{id}/reply', '/v1/transactions/{id}/endorsement']);
  });

  it('the auditor issues a plain-JSON letter; the ledger receives ciphertext only; the firm reads it back decrypted', async function () {
    const res = await gw.post(auditor, '/v1/confirmations', bankLetterRequest(id, `ENG-${run}`, account));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.state).to.equal(ConfirmationState.Issued);
    expect(res.body.firmId).to.equal('FIRM1');
    expect(res.body.letter.ciphertext).not.to.contain(account);
    expect(res.body.letter.readable).to.equal('decrypted');
    expect(res.body.letter.content.sections.deposits.rows[0].accountNo).to.equal(account);
    // On the ledger: the raw record read as the firm (on the platform's read peer) carries no plaintext.
    const raw = await withLedger('firm1', 'auditor1', async (l) => Buffer.from(await evaluate(l.contract('confirmation'), 'GetConfirmation', [id])).toString('utf8'));
    expect(raw).not.to.contain(account);
  });

  it('the bank cannot see it before the client authorizes; the client can, and authorizes', async function () {
    expect((await gw.get(officer, `/v1/confirmations/${id}`)).status).to.equal(404);
    const seen = await gw.get(clientSigner, `/v1/confirmations/${id}`);
    expect(seen.status).to.equal(200);
    expect(seen.body.letter.content.sections.deposits.rows[0].accountNo).to.equal(account);
    const res = await gw.post(clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.state).to.equal(ConfirmationState.Authorized);
  });

  it('the bank lists it, downloads the letter, accepts, and officer1 prepares a signed reply', async function () {
    const listed = await gw.listAll<{ id: string }>(officer, '/v1/confirmations?addresseeId=BANK1');
    expect(listed.map((r) => r.id)).to.include(id);
    const letter = await gw.get(officer, `/v1/confirmations/${id}/letter`);
    expect(letter.status).to.equal(200);
    expect(letter.body.content.sections.deposits.rows[0].accountNo).to.equal(account);
    expect((await gw.post(officer, `/v1/confirmations/${id}/acceptance`)).body.state).to.equal(ConfirmationState.Accepted);
    const prepared = await gw.post(officer, `/v1/confirmations/${id}/reply`, { content: agreeingReply() });
    expect(prepared.status, JSON.stringify(prepared.body)).to.equal(200);
    expect(prepared.body.state).to.equal(ConfirmationState.ReplyPrepared);
    expect(prepared.body.reply.readable).to.equal('decrypted');
    expect(prepared.body.reply.signatureValid).to.equal(true);
  });

  it('maker–checker: officer1 cannot approve (refused early by role), reviewer1 approves', async function () {
    const self = await gw.post(officer, `/v1/confirmations/${id}/reply/approval`);
    expect(self.status).to.equal(403);
    expect(self.body.error.code).to.equal('FORBIDDEN');
    const approved = await gw.post(reviewer, `/v1/confirmations/${id}/reply/approval`);
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    expect(approved.body.state).to.equal(ConfirmationState.Replied);
  });

  it('the client does not see the reply before acceptance; the auditor reads it (signature verified) and accepts', async function () {
    const clientView = await gw.get(clientSigner, `/v1/confirmations/${id}`);
    expect(clientView.body).not.to.have.property('reply');
    const firmView = await gw.get(auditor, `/v1/confirmations/${id}`);
    expect(firmView.body.reply.content).to.deep.equal(agreeingReply());
    expect(firmView.body.reply.signatureValid).to.equal(true);
    const reply = await gw.get(auditor, `/v1/confirmations/${id}/reply`);
    expect(reply.body.signature).to.match(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // No body at all, as curl and scripts/demo-data.sh send it: the gateway widens the reply to the client itself.
    const url = `/v1/confirmations/${id}/auditor-acceptance`;
    const accepted = await gw.http().post(url).set('Authorization', await gw.bearer(auditor, 'POST', url));
    expect(accepted.status).to.equal(200);
    expect(accepted.body.state).to.equal(ConfirmationState.AuditorAccepted);
    const history = await gw.get(auditor, `/v1/confirmations/${id}/history`);
    expect(history.body.map((v: { value: { state: string } }) => v.value.state)).to.include.members([ConfirmationState.Issued, ConfirmationState.AuditorAccepted]);
  });

  it('the regulator reads the statistics; the acceptance sealed the reply to the client, who now opens it with its own key', async function () {
    const stats = await gw.get(regulator, '/v1/statistics');
    expect(stats.status, JSON.stringify(stats.body)).to.equal(200);
    expect(stats.body.total).to.be.greaterThan(0);
    const clientView = await gw.get(clientSigner, `/v1/confirmations/${id}`);
    expect(clientView.body.reply.readable).to.equal('decrypted');
    expect(clientView.body.reply.content).to.deep.equal(agreeingReply());
  });

  it('/metrics exposes request and ledger-call counters in Prometheus text', async function () {
    const metrics = await gw.http().get('/metrics');
    expect(metrics.status).to.equal(200);
    expect(metrics.header['content-type']).to.match(/^text\/plain/);
    expect(metrics.text).to.match(/econfirm_gateway_http_requests_total\{method="POST",route="\/v1\/confirmations",status="201"\} 1/);
    expect(metrics.text).to.match(/econfirm_gateway_ledger_calls_total\{kind="submit",transaction="confirmation:Issue",outcome="OK"\} 1/);
  });

  it('the gateway logged every request with its id, and no plaintext content, token or private key', function () {
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = entries.filter((e) => e.msg === 'request');
    expect(requests.length).to.be.greaterThan(15);
    for (const e of requests) expect(e.requestId).to.be.a('string');
    expect(requests.some((e) => e.route === '/v1/confirmations' && e.status === 201 && e.tenantId === 'firm1')).to.equal(true);
    const all = logLines.join('');
    expect(all).not.to.contain(account);
    expect(all).not.to.contain('Bearer');
    expect(all).not.to.contain('"d":');
    expect(all).not.to.contain('Wang Fang');
  });
});
