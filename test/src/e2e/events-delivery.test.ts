import { ConfirmationState } from '@econfirm/common';
import { createApp, CredentialsStore, validateGatewayConfig, type GatewayConfig } from '@econfirm/gateway';
import { createApiToken, defaultDescriptorPath, recipientOf, RegistryClient, seal, submitAndWait } from '@econfirm/sdk';
import { expect } from 'chai';
import type { JsonWebKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as jose from 'node-jose';
import type request from 'supertest';
import { checkedRequest } from '../support/openapi-conformance';
import { agreeingReply, bankLetter, bankLetterRequest, demoEngagement, E2E_TENANTS } from '../support/gateway';
import { ensureDemoInstitutions, networkDir } from '../support/institutions';
import { distinctiveAccountNumber } from '../support/letters';
import { networkScript, REPO_ROOT, uniqueName, withLedger } from '../support/network';

/**
 * Events out, against createApp on the real network: chaincode events reach each
 * tenant's SSE stream and webhooks in order, only the tenant's own, signed (JWS against the
 * gateway's JWKS), retried while the receiver is down, dead-lettered after the limit and
 * redeliverable, replayable, and a gateway restart on the same SQLite file neither loses nor
 * repeats an event.
 */

type App = Awaited<ReturnType<typeof createApp>>;

interface Caller {
  credentialId: string;
  privateJwk: JsonWebKey;
}

interface TenantEventJson {
  sequence: number;
  type: string;
  ids: string[];
  state?: string;
  action?: string;
  engagementId?: string;
  transactionId: string;
  blockNumber: string;
  timestamp: string;
}

/** A gateway app listening on a local port, restartable on the same database file. */
class Gateway {
  app!: App;
  readonly config: GatewayConfig;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'econfirm-gw-events-'));

  constructor() {
    this.config = validateGatewayConfig({
      port: 0,
      dbPath: path.join(this.dir, 'gateway.db'),
      networkDescriptorPath: defaultDescriptorPath(REPO_ROOT),
      keysDir: path.join(networkDir(), 'institution-keys'),
      logLevel: 'warn',
      tenants: E2E_TENANTS,
      // Short retry delays so a test sees retries and dead letters; the schedule is the real one.
      events: { enabled: true, webhookMaxAttempts: 5, webhookBackoffMs: 300, webhookMaxBackoffMs: 1500, webhookTimeoutMs: 3000, heartbeatMs: 500, reconnectBackoffMs: 200, webhookEgress: { allowedHosts: ['127.0.0.0/8'] } },
    });
  }

  async start(): Promise<void> {
    this.app = await createApp(this.config);
    await this.app.listen(0, '127.0.0.1');
  }

  get port(): number {
    return (this.app.getHttpServer().address() as AddressInfo).port;
  }

  caller(tenantId: string, identityName: string): Caller {
    const issued = this.app.get(CredentialsStore).issue({ tenantId, identityName });
    return { credentialId: issued.credential.id, privateJwk: issued.privateJwk };
  }

  /** A token for one request: `method` on `url` (a path; its query is not bound) at this gateway. */
  token(caller: Caller, method: string, url: string): Promise<string> {
    return createApiToken(caller.credentialId, caller.privateJwk, { audience: this.config.audience, method, url: `${this.config.publicUrl}${url}` });
  }

  async get(caller: Caller, url: string): Promise<request.Response> {
    return checkedRequest(this.app.getHttpServer()).get(url).set('Authorization', `Bearer ${await this.token(caller, 'GET', url)}`);
  }

  async send(method: 'post' | 'patch' | 'delete', caller: Caller, url: string, body: object = {}): Promise<request.Response> {
    return checkedRequest(this.app.getHttpServer())[method](url).set('Authorization', `Bearer ${await this.token(caller, method, url)}`).send(body);
  }

  async post(caller: Caller, url: string, body: object = {}): Promise<request.Response> {
    const res = await this.send('post', caller, url, body);
    return res;
  }

  /** The tenant's whole outbox through the paginated JSON route. */
  async allEvents(caller: Caller): Promise<TenantEventJson[]> {
    const events: TenantEventJson[] = [];
    for (let after = 0; ; ) {
      const page = await this.get(caller, `/v1/events?after=${after}&limit=3`);
      expect(page.status, JSON.stringify(page.body)).to.equal(200);
      events.push(...(page.body.events as TenantEventJson[]));
      if (page.body.events.length === 0) return events;
      after = page.body.next as number;
    }
  }

  async stop(): Promise<void> {
    await this.app.close();
  }
}

/** A Server-Sent-Events client over node:http that records every event and heartbeat. */
class SseClient {
  readonly events: Array<{ id: number; event: string; data: TenantEventJson }> = [];
  heartbeats = 0;
  status = 0;
  private req?: http.ClientRequest;

  async open(port: number, token: string, lastEventId?: number, query = ''): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.req = http.get(
        { host: '127.0.0.1', port, path: `/v1/events/stream${query}`, headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream', ...(lastEventId !== undefined ? { 'Last-Event-ID': String(lastEventId) } : {}) } },
        (res) => {
          this.status = res.statusCode ?? 0;
          res.setEncoding('utf8');
          let buffer = '';
          res.on('data', (chunk: string) => {
            buffer += chunk;
            for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
              this.frame(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
            }
          });
          res.on('error', () => undefined);
          resolve();
        },
      );
      this.req.on('error', (err) => (this.status === 0 ? reject(err) : undefined));
    });
  }

  private frame(text: string): void {
    const fields: Record<string, string> = {};
    for (const line of text.split('\n')) {
      if (line === ': heartbeat') this.heartbeats += 1;
      const m = /^(id|event|data): (.*)$/.exec(line);
      if (m) fields[m[1] as string] = m[2] as string;
    }
    if (fields.data !== undefined) this.events.push({ id: Number(fields.id), event: fields.event as string, data: JSON.parse(fields.data) as TenantEventJson });
  }

  close(): void {
    this.req?.destroy();
  }
}

interface Received {
  sequence: number;
  webhookId: string;
  attempt: number;
  body: string;
  signature: string;
  answered: number;
}

/** A webhook receiver on a local port that can be down (connection refused), failing (503) or up. */
class Receiver {
  mode: 'down' | 'failing' | 'up' = 'up';
  readonly requests: Received[] = [];
  private server?: http.Server;
  port = 0;

  async listen(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answered = this.mode === 'up' ? 204 : 503;
        this.requests.push({
          sequence: Number(req.headers['econfirm-event-sequence']),
          webhookId: String(req.headers['econfirm-webhook-id']),
          attempt: Number(req.headers['econfirm-delivery-attempt']),
          body: Buffer.concat(chunks).toString('utf8'),
          signature: String(req.headers['econfirm-signature']),
          answered,
        });
        res.statusCode = answered;
        res.end();
      });
    });
    await new Promise<void>((resolve) => (this.server as http.Server).listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening: deliveries then fail with ECONNREFUSED. */
  async down(): Promise<void> {
    this.mode = 'down';
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
    this.server = undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/econfirm/events`;
  }

  /** Sequences it accepted (answered 2xx), in arrival order. */
  accepted(webhookId: string): number[] {
    return this.requests.filter((r) => r.answered < 300 && r.webhookId === webhookId).map((r) => r.sequence);
  }

  async close(): Promise<void> {
    if (this.server) await this.down();
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('gateway e2e: events out — SSE, signed webhooks, dead letters, replay, restart', function () {
  this.timeout(240_000);
  const run = uniqueName('evt');
  const idA = `CF-${run}-A`;
  const idB = `CF-${run}-B`;
  const gw = new Gateway();
  const firmHook = new Receiver();
  const bankHook = new Receiver();
  const deadHook = new Receiver();
  const streams: SseClient[] = [];
  let auditor: Caller;
  let clientSigner: Caller;
  let officer: Caller;
  let reviewer: Caller;
  let regulator: Caller;
  let firmWebhookId: string;
  let firmStream: SseClient;
  let bankStream: SseClient;
  let regulatorStream: SseClient;
  let jwks: jose.JWK.KeyStore;

  const stream = async (caller: Caller, lastEventId?: number, query = ''): Promise<SseClient> => {
    const client = new SseClient();
    streams.push(client);
    await client.open(gw.port, await gw.token(caller, 'GET', '/v1/events/stream'), lastEventId, query);
    expect(client.status).to.equal(200);
    return client;
  };

  /** Checks a received delivery's detached JWS against the published JWKS (as a receiver would). */
  const verify = async (r: Received): Promise<TenantEventJson> => {
    const [head, empty, sig] = r.signature.split('.');
    expect(empty, 'detached JWS').to.equal('');
    const result = await jose.JWS.createVerify(jwks).verify(`${head}.${Buffer.from(r.body).toString('base64url')}.${sig}`);
    expect(result.header).to.include({ alg: 'ES256', 'econfirm-webhook': r.webhookId });
    const event = JSON.parse(result.payload.toString('utf8')) as TenantEventJson;
    expect(event.sequence).to.equal(r.sequence);
    return event;
  };

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    await gw.start();
    auditor = gw.caller('firm1', 'auditor1');
    clientSigner = gw.caller('client1', 'client1');
    officer = gw.caller('bank1', 'officer1');
    reviewer = gw.caller('bank1', 'reviewer1');
    regulator = gw.caller('regulator', 'regulator1');
    await Promise.all([firmHook.listen(), bankHook.listen(), deadHook.listen()]);
    const keys = await checkedRequest(gw.app.getHttpServer()).get('/v1/webhooks/jwks.json');
    expect(keys.status).to.equal(200);
    expect(keys.body.keys[0]).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(keys.body.keys[0]).not.to.have.property('d');
    jwks = await jose.JWK.asKeyStore(keys.body);
    // The firm's receiver starts out down: its first deliveries are refused.
    await firmHook.down();
    const created = await gw.post(auditor, '/v1/webhooks', { url: firmHook.url, description: 'firm ERP' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    firmWebhookId = created.body.id as string;
    const bankCreated = await gw.post(officer, '/v1/webhooks', { url: bankHook.url, events: ['ConfirmationChanged', 'ConfirmationsIssued'] });
    expect(bankCreated.status, JSON.stringify(bankCreated.body)).to.equal(201);
    expect(bankCreated.body.events).to.deep.equal(['ConfirmationChanged', 'ConfirmationsIssued']);
    firmStream = await stream(auditor);
    bankStream = await stream(officer);
    regulatorStream = await stream(regulator);
  });

  after(async function () {
    for (const s of streams) s.close();
    await gw.app?.close().catch(() => undefined);
    await Promise.all([firmHook.close(), bankHook.close(), deadHook.close()]);
    rmSync(gw.dir, { recursive: true, force: true });
  });

  it('webhooks are tenant-scoped resources with validated input', async function () {
    expect((await gw.get(officer, `/v1/webhooks/${firmWebhookId}`)).status).to.equal(404);
    expect((await gw.send('delete', officer, `/v1/webhooks/${firmWebhookId}`)).status).to.equal(404);
    const mine = await gw.get(auditor, '/v1/webhooks');
    expect(mine.body.map((w: { id: string }) => w.id)).to.deep.equal([firmWebhookId]);
    const bad = await gw.post(auditor, '/v1/webhooks', { url: 'ftp://example.com/x' });
    expect(bad.status).to.equal(400);
    expect((await gw.post(auditor, '/v1/webhooks', { url: 'https://example.com', events: ['NoSuchEvent'] })).status).to.equal(400);
    expect((await gw.post(auditor, '/v1/webhooks', { url: 'https://example.com', secret: 'x' })).status).to.equal(400);
    expect((await gw.get(auditor, '/v1/webhooks')).body).to.have.length(1);
    expect((await checkedRequest(gw.app.getHttpServer()).get('/v1/events')).status).to.equal(401);
  });

  it('the bank-letter lifecycle over HTTP while the firm’s receiver is down, then failing, then up', async function () {
    // The receiver comes back in two steps, driven by what the gateway records: after two refused
    // connections it answers 503, after one 503 it accepts.
    const recovery = (async () => {
      const failures = async () => ((await gw.get(auditor, `/v1/webhooks/${firmWebhookId}/deliveries`)).body as Array<{ outcome: string }>).filter((a) => a.outcome === 'failed').length;
      await until('two refused deliveries', async () => (await failures()) >= 2);
      firmHook.mode = 'failing';
      await firmHook.listen();
      await until('a 503 answered', () => firmHook.requests.some((r) => r.answered === 503));
      firmHook.mode = 'up';
    })();

    for (const id of [idA, idB]) {
      const issued = await gw.post(auditor, '/v1/confirmations', bankLetterRequest(id, `ENG-${run}`, distinctiveAccountNumber()));
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    }
    const steps: Array<[Caller, string, object, string]> = [
      [clientSigner, `/v1/confirmations/${idA}/authorization`, { feeConsent: true }, ConfirmationState.Authorized],
      [officer, `/v1/confirmations/${idA}/acceptance`, {}, ConfirmationState.Accepted],
      [officer, `/v1/confirmations/${idA}/reply`, { content: agreeingReply() }, ConfirmationState.ReplyPrepared],
      [reviewer, `/v1/confirmations/${idA}/reply/approval`, {}, ConfirmationState.Replied],
      [auditor, `/v1/confirmations/${idA}/auditor-acceptance`, {}, ConfirmationState.AuditorAccepted],
    ];
    for (const [caller, url, body, state] of steps) {
      const res = await gw.post(caller, url, body);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).to.equal(200);
      expect(res.body.state).to.equal(state);
    }
    await recovery;
  });

  it('SSE gives each tenant its own events in ledger order, with heartbeats', async function () {
    await until('the firm stream sees the auditor acceptance', () => firmStream.events.some((e) => e.data.ids.includes(idA) && e.data.state === ConfirmationState.AuditorAccepted));
    const firm = firmStream.events.map((e) => e.data);
    expect(firmStream.events.map((e) => e.id)).to.deep.equal(firm.map((e) => e.sequence));
    expect(firm.map((e) => e.sequence)).to.deep.equal(range(firm[0]?.sequence ?? 1, (firm[0]?.sequence ?? 1) + firm.length - 1));
    expect(firm.filter((e) => e.ids.includes(idA)).map((e) => e.state)).to.deep.equal([
      ConfirmationState.Issued,
      ConfirmationState.Authorized,
      ConfirmationState.Accepted,
      ConfirmationState.ReplyPrepared,
      ConfirmationState.Replied,
      ConfirmationState.AuditorAccepted,
    ]);
    expect(firm.filter((e) => e.ids.includes(idB)).map((e) => e.state)).to.deep.equal([ConfirmationState.Issued]);
    for (const e of firm) {
      expect(e.transactionId).to.match(/^[0-9a-f]{64}$/);
      expect(Number(e.blockNumber)).to.be.greaterThan(0);
      expect(Date.parse(e.timestamp)).to.be.greaterThan(Date.parse('2026-01-01'));
      // Ids and states only: no letter content, account numbers or ciphertext.
      expect(Object.keys(e).sort()).to.satisfy((keys: string[]) => keys.every((k) => ['sequence', 'type', 'ids', 'state', 'action', 'originalId', 'engagementId', 'transactionId', 'blockNumber', 'timestamp'].includes(k)));
    }
    // Block order: each event's block is at or after the previous one's.
    const blocks = firm.map((e) => BigInt(e.blockNumber));
    blocks.forEach((b, i) => expect(i === 0 || b >= (blocks[i - 1] as bigint)).to.equal(true));
    // The stream and the JSON list agree.
    const listed = (await gw.allEvents(auditor)).filter((e) => e.sequence >= (firm[0]?.sequence ?? 1));
    expect(listed.map((e) => e.transactionId)).to.deep.equal(firm.map((e) => e.transactionId));
    expect(firmStream.heartbeats).to.be.greaterThan(0);

    // The bank becomes a party at authorization: it sees A from there on, and never B.
    await until('the bank stream sees the auditor acceptance', () => bankStream.events.some((e) => e.data.state === ConfirmationState.AuditorAccepted && e.data.ids.includes(idA)));
    const bank = bankStream.events.map((e) => e.data);
    expect(bank.filter((e) => e.ids.includes(idA)).map((e) => e.state)).to.deep.equal([
      ConfirmationState.Authorized,
      ConfirmationState.Accepted,
      ConfirmationState.ReplyPrepared,
      ConfirmationState.Replied,
      ConfirmationState.AuditorAccepted,
    ]);
  });

  it('another tenant’s request ids never reach a tenant (SSE, list, webhook)', async function () {
    const bankAll = JSON.stringify(await gw.allEvents(officer));
    expect(bankAll).to.contain(idA);
    expect(bankAll).not.to.contain(idB);
    expect(JSON.stringify(bankStream.events)).not.to.contain(idB);
    const regulatorAll = JSON.stringify(await gw.allEvents(regulator));
    expect(regulatorAll).not.to.contain(run);
    expect(JSON.stringify(regulatorStream.events)).not.to.contain(run);
    await until('the bank webhook got the auditor acceptance', () => bankHook.requests.some((r) => r.body.includes(idA) && r.body.includes(ConfirmationState.AuditorAccepted)));
    expect(bankHook.requests.map((r) => r.body).join('\n')).not.to.contain(idB);
    for (const r of bankHook.requests) expect((await verify(r)).type).to.match(/^Confirmation/);
  });

  it('the receiver that was down gets every event exactly once, in order, each signature verifying against the JWKS', async function () {
    const firmEvents = await gw.allEvents(auditor);
    const last = firmEvents.at(-1)?.sequence as number;
    await until('the firm receiver accepted the newest event', () => firmHook.accepted(firmWebhookId).includes(last));
    const accepted = firmHook.accepted(firmWebhookId);
    const first = accepted[0] as number;
    expect(accepted).to.deep.equal(range(first, last));
    // Delivery began with the first event recorded after the webhook was created.
    expect(firmEvents.filter((e) => e.sequence >= first).some((e) => e.ids.includes(idA) && e.state === ConfirmationState.Issued)).to.equal(true);
    for (const r of firmHook.requests.filter((x) => x.answered < 300)) {
      const event = await verify(r);
      expect(event).to.deep.equal(firmEvents.find((e) => e.sequence === r.sequence));
    }
    const attempts = (await gw.get(auditor, `/v1/webhooks/${firmWebhookId}/deliveries`)).body as Array<{ sequence: number; attempt: number; outcome: string; httpStatus?: number; error?: string }>;
    const failed = attempts.filter((a) => a.outcome === 'failed');
    expect(failed.some((a) => /ECONNREFUSED|fetch failed/.test(a.error ?? ''))).to.equal(true);
    expect(failed.some((a) => a.httpStatus === 503)).to.equal(true);
    expect(failed.every((a) => a.sequence === first)).to.equal(true);
    expect((await gw.get(auditor, `/v1/webhooks/${firmWebhookId}/dead-letters`)).body).to.deep.equal([]);
    const hook = await gw.get(auditor, `/v1/webhooks/${firmWebhookId}`);
    expect(hook.body).to.include({ cursor: last, attempts: 0 });
  });

  it('SSE replays what a client missed from Last-Event-ID; the JSON list pages', async function () {
    const all = await gw.allEvents(auditor);
    const from = all[all.length - 3]?.sequence as number;
    const resumed = await stream(auditor, from);
    await until('the resumed stream caught up', () => resumed.events.length >= 2);
    expect(resumed.events.map((e) => e.id)).to.deep.equal(all.filter((e) => e.sequence > from).map((e) => e.sequence));
    const page = await gw.get(auditor, `/v1/events?after=${from - 1}&limit=1`);
    expect(page.body.events.map((e: TenantEventJson) => e.sequence)).to.deep.equal([from]);
    expect(page.body.next).to.equal(from);
    const typed = await gw.get(auditor, '/v1/events?type=ConfirmationsIssued');
    expect(typed.body.events).to.deep.equal([]);
    const badId = await checkedRequest(gw.app.getHttpServer()).get('/v1/events/stream').set('Authorization', `Bearer ${await gw.token(auditor, 'GET', '/v1/events/stream')}`).set('Last-Event-ID', 'abc');
    expect(badId.status).to.equal(400);
  });

  it('after the retry limit an event is dead-lettered, and can be redelivered', async function () {
    deadHook.mode = 'failing';
    const last = (await gw.allEvents(auditor)).at(-1)?.sequence as number;
    const created = await gw.post(auditor, '/v1/webhooks', { url: deadHook.url, fromSequence: last });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as string;
    await until('the event is dead-lettered', async () => ((await gw.get(auditor, `/v1/webhooks/${id}/dead-letters`)).body as unknown[]).length === 1);
    const [letter] = (await gw.get(auditor, `/v1/webhooks/${id}/dead-letters`)).body as Array<{ sequence: number; attempts: number; lastError: string; event: TenantEventJson }>;
    expect(letter).to.include({ sequence: last, attempts: gw.config.events.webhookMaxAttempts, lastError: 'HTTP 503' });
    expect(letter?.event.sequence).to.equal(last);
    expect(deadHook.requests.map((r) => r.attempt)).to.deep.equal(range(1, gw.config.events.webhookMaxAttempts));
    expect((await gw.get(auditor, `/v1/webhooks/${id}`)).body).to.include({ cursor: last, attempts: 0 });
    const metrics = (await checkedRequest(gw.app.getHttpServer()).get('/metrics')).text;
    expect(metrics).to.match(/^econfirm_gateway_webhook_dead_letters_total 1$/m);
    expect(metrics).to.match(/^econfirm_gateway_events_recorded_total\{type="ConfirmationChanged"\} [1-9]/m);
    expect(metrics).to.match(/^econfirm_gateway_event_stream_connected 1$/m);

    const stillDown = await gw.post(auditor, `/v1/webhooks/${id}/dead-letters/${last}/redeliver`);
    expect(stillDown.status).to.equal(502);
    expect(stillDown.body.error.code).to.equal('WEBHOOK_DELIVERY_FAILED');
    deadHook.mode = 'up';
    const redelivered = await gw.post(auditor, `/v1/webhooks/${id}/dead-letters/${last}/redeliver`);
    expect(redelivered.status, JSON.stringify(redelivered.body)).to.equal(200);
    expect(redelivered.body).to.include({ sequence: last, delivered: true });
    expect(deadHook.accepted(id)).to.deep.equal([last]);
    await verify(deadHook.requests.at(-1) as Received);
    const after = (await gw.get(auditor, `/v1/webhooks/${id}/dead-letters`)).body as Array<{ redeliveredAt?: string }>;
    expect(after[0]).to.have.property('redeliveredAt');
    expect((await gw.post(auditor, `/v1/webhooks/${id}/dead-letters/${last + 5}/redeliver`)).status).to.equal(404);
    expect((await gw.send('delete', auditor, `/v1/webhooks/${id}`)).status).to.equal(204);
  });

  it('a webhook replays from a sequence, in order', async function () {
    const last = (await gw.allEvents(auditor)).at(-1)?.sequence as number;
    const from = Math.max(1, last - 3);
    const before = firmHook.requests.length;
    const replay = await gw.post(auditor, `/v1/webhooks/${firmWebhookId}/replay`, { fromSequence: from });
    expect(replay.status, JSON.stringify(replay.body)).to.equal(200);
    expect(replay.body.cursor).to.equal(from - 1);
    await until('the replay reached the newest event', () => firmHook.requests.slice(before).some((r) => r.sequence === last));
    expect(firmHook.requests.slice(before).map((r) => r.sequence)).to.deep.equal(range(from, last));
    // A well-formed value refused against what the gateway holds: 422 INVALID_ARGUMENT (common/src/errors/error-codes.ts).
    const beyond = await gw.post(auditor, `/v1/webhooks/${firmWebhookId}/replay`, { fromSequence: last + 10 });
    expect([beyond.status, beyond.body.error.code]).to.deep.equal([422, 'INVALID_ARGUMENT']);
  });

  it('a batch issue reaches the firm and the client as one event, and no one else', async function () {
    const batchIds = [1, 2, 3].map((n) => `CF-${run}-BATCH-${n}`);
    const engagement = demoEngagement(`ENG-${run}-BATCH`);
    const recipients = await withLedger('operator', 'admin', async (admin) => {
      const registry = new RegistryClient(admin);
      // Sealed to firm and client only: the bank is added at each letter's authorization.
      return Promise.all(['FIRM1', 'CLIENT1'].map(async (id) => recipientOf(await registry.get(id))));
    });
    const requests = await Promise.all(
      batchIds.map(async (id) => ({ id, kind: 'bank-form-1', formId: 'bank-letter-2020', addresseeId: 'BANK1', feePayer: 'client', letter: await seal(bankLetter(distinctiveAccountNumber()), recipients) })),
    );
    const issued = await withLedger('firm1', 'auditor1', (ledger) => submitAndWait(ledger.contract('confirmation'), 'IssueBatch', { arguments: [JSON.stringify({ engagement, requests })] }));
    for (const caller of [auditor, clientSigner]) {
      await until('the batch event is listed', async () => (await gw.allEvents(caller)).some((e) => e.transactionId === issued.transactionId));
      const batch = (await gw.allEvents(caller)).filter((e) => e.transactionId === issued.transactionId);
      expect(batch.map((e) => [e.type, e.ids, e.state, e.engagementId])).to.deep.equal([['ConfirmationsIssued', batchIds, ConfirmationState.Issued, engagement.id]]);
    }
    expect(JSON.stringify(await gw.allEvents(officer))).not.to.contain(`${run}-BATCH`);
    expect(JSON.stringify(await gw.allEvents(regulator))).not.to.contain(`${run}-BATCH`);
  });

  it('a gateway restart on the same database neither loses nor repeats an event', async function () {
    const beforeEvents = await gw.allEvents(auditor);
    const last = beforeEvents.at(-1)?.sequence as number;
    await until('the firm receiver is caught up', () => firmHook.accepted(firmWebhookId).at(-1) === last);
    const receivedBefore = firmHook.requests.length;
    await gw.stop();
    // While the gateway is down the ledger moves on: the firm recalls B.
    const recall = await withLedger('firm1', 'auditor1', (ledger) => submitAndWait(ledger.contract('confirmation'), 'Recall', { arguments: [idB, 'issued in error'] }));
    await gw.start();
    firmStream = await stream(auditor, last);
    await until('the recall reached the firm stream', () => firmStream.events.some((e) => e.data.state === ConfirmationState.Recalled));
    const afterEvents = await gw.allEvents(auditor);
    expect(afterEvents.slice(0, beforeEvents.length)).to.deep.equal(beforeEvents);
    const added = afterEvents.slice(beforeEvents.length);
    expect(added.map((e) => [e.sequence, e.ids, e.state, e.transactionId])).to.deep.equal([[last + 1, [idB], ConfirmationState.Recalled, recall.transactionId]]);
    expect(new Set(afterEvents.map((e) => e.transactionId)).size).to.equal(afterEvents.length);
    expect(afterEvents.map((e) => e.sequence)).to.deep.equal(range(1, afterEvents.length));
    await until('the receiver got the recall', () => firmHook.accepted(firmWebhookId).includes(last + 1));
    const sinceRestart = firmHook.requests.slice(receivedBefore);
    expect(sinceRestart.map((r) => [r.sequence, r.answered])).to.deep.equal([[last + 1, 204]]);
    await verify(sinceRestart[0] as Received);
    // The bank cannot read B (never authorized): its outbox did not grow.
    expect(JSON.stringify(await gw.allEvents(officer))).not.to.contain(idB);
  });

  it('when the listener’s peer goes away it reconnects with backoff and still misses nothing', async function () {
    const status = async () => (await gw.get(auditor, '/v1/events/status')).body as { connected: boolean; reconnects: number; lastSequence: number; checkpoint?: { blockNumber: string } };
    const before = await status();
    expect(before.connected).to.equal(true);
    // The listener reads through firm1's peer (the first tenant with a reading identity): stop that peer process.
    const pid = Number(readFileSync(path.join(networkDir(), 'run', 'firm1.pid'), 'utf8').trim());
    process.kill(pid, 'SIGTERM');
    try {
      await until('the listener noticed', async () => (await status()).reconnects > before.reconnects, 60_000);
      // The ledger moves on without firm1's peer (two other orgs endorse): the operator re-sets the calendar.
      const set = await withLedger('operator', 'admin', async (admin) => {
        const calendar = Buffer.from(await admin.contract('confirmation').evaluateTransaction('GetWorkCalendar')).toString('utf8');
        return submitAndWait(admin.contract('confirmation'), 'SetWorkCalendar', { arguments: [calendar] });
      });
      // Bring the peer back the way an operator would (up.sh starts what is not running).
      networkScript('up.sh');
      await until('the calendar event arrived', async () => (await gw.allEvents(auditor)).some((e) => e.transactionId === set.transactionId), 120_000);
      const events = await gw.allEvents(auditor);
      expect(events.filter((e) => e.transactionId === set.transactionId).map((e) => [e.sequence, e.type, e.ids])).to.deep.equal([[before.lastSequence + 1, 'CalendarSet', ['work-calendar']]]);
      expect(events.map((e) => e.sequence)).to.deep.equal(range(1, events.length));
      const after = await status();
      expect(after.connected).to.equal(true);
      expect(after.reconnects).to.be.greaterThan(before.reconnects);
      // Registry/calendar events are public: every tenant gets them, the regulator too.
      expect((await gw.allEvents(regulator)).map((e) => e.transactionId)).to.include(set.transactionId);
    } finally {
      networkScript('up.sh');
    }
  });
});
