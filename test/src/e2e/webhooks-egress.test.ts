import { validateGatewayConfig, WebhookDelivery } from '@econfirm/gateway';
import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestGateway, type Caller } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';

/**
 * Webhook egress control on a gateway with the default policy (public receivers only, no
 * loopback): URLs that point inside are refused at registration, and a host name that resolves
 * inside is refused at delivery, the reason in the webhook's delivery log, then dead-lettered.
 */
describe('e2e: webhook egress control (SSRF)', function () {
  this.timeout(180_000);
  let gw: TestGateway;
  let auditor: Caller;
  let admin: Caller;
  let receiver: http.Server;
  let port = 0;
  let received = 0;

  before(async function () {
    await ensureDemoInstitutions('FIRM1');
    // The defaults of every events setting, then: events on (a real CalendarSet reaches the outbox),
    // quick retries, and the default egress policy (the support gateway allows loopback; this one does not).
    const defaults = validateGatewayConfig({ dbPath: 'x.db', networkDescriptorPath: 'n.json', keysDir: 'k', tenants: [{ id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' }] }).events;
    expect(defaults.webhookEgress).to.deep.equal({ allowPrivateNetworks: false, allowedHosts: [] });
    gw = await TestGateway.start({ events: { ...defaults, enabled: true, webhookMaxAttempts: 2, webhookBackoffMs: 200, webhookMaxBackoffMs: 400, webhookTimeoutMs: 3000 } });
    auditor = gw.custodial('firm1', 'auditor1');
    admin = gw.custodial('operator', 'admin');
    receiver = http.createServer((req, res) => {
      received++;
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });

  after(async function () {
    await gw?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const webhooks = async (): Promise<Array<{ id: string; url: string }>> => (await gw.get(auditor, '/v1/webhooks')).body as Array<{ id: string; url: string }>;

  it('refuses loopback, metadata, private, localhost and credential URLs with 422 WEBHOOK_URL_NOT_ALLOWED and stores nothing', async function () {
    const before = (await webhooks()).length;
    const refused: Array<[string, RegExp]> = [
      [`http://127.0.0.1:${port}/hook`, /127\.0\.0\.1 is a loopback address/],
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
      ['http://10.1.2.3/internal', /10\.1\.2\.3 is a private address/],
      ['http://[::ffff:127.0.0.1]:9443/metrics', /loopback/],
      [`http://localhost:${port}/hook`, /localhost is this machine/],
      ['http://user:pw@example.org/', /credentials/],
    ];
    for (const [url, reason] of refused) {
      const res = await gw.post(auditor, '/v1/webhooks', { url });
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).to.equal(422);
      expect(res.body.error.code).to.equal('WEBHOOK_URL_NOT_ALLOWED');
      expect(res.body.error.details.reason, url).to.match(reason);
    }
    expect((await webhooks()).length).to.equal(before);
  });

  it('refuses the same URLs when a webhook is changed, and keeps its URL', async function () {
    const created = await gw.post(auditor, '/v1/webhooks', { url: 'https://erp.firm1.example/econfirm/events', active: false });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as string;
    const patched = await gw.http().patch(`/v1/webhooks/${id}`).set('Authorization', await gw.bearer(auditor, 'PATCH', `/v1/webhooks/${id}`)).send({ url: 'http://169.254.169.254/latest/meta-data/' });
    expect(patched.status).to.equal(422);
    expect(patched.body.error.code).to.equal('WEBHOOK_URL_NOT_ALLOWED');
    expect((await gw.get(auditor, `/v1/webhooks/${id}`)).body.url).to.equal('https://erp.firm1.example/econfirm/events');
    expect((await gw.http().delete(`/v1/webhooks/${id}`).set('Authorization', await gw.bearer(auditor, 'DELETE', `/v1/webhooks/${id}`))).status).to.equal(204);
  });

  it('refuses at delivery a host name that resolves to loopback: the reason is in the delivery log, the event is dead-lettered, nothing is sent', async function () {
    // A name that is not a literal IP nor `localhost` passes registration; the attacker's DNS then
    // answers it with loopback. This gateway resolves through that DNS (any machine, no hosts entry).
    const name = 'rebind.attacker.example';
    gw.app.get(WebhookDelivery).hostLookup = (host, _options, callback) =>
      host === name ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    const created = await gw.post(auditor, '/v1/webhooks', { url: `http://${name}:${port}/hook`, events: ['CalendarSet'] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as string;

    // A real ledger event every tenant gets: the operator writes the calendar in force back.
    const calendar = (await gw.get(admin, '/v1/calendar')).body as Record<string, unknown>;
    const written = await gw.http().put('/v1/calendar').set('Authorization', await gw.bearer(admin, 'PUT', '/v1/calendar')).send(calendar);
    expect(written.status, JSON.stringify(written.body)).to.be.oneOf([200, 201]);

    type Attempt = { sequence: number; attempt: number; outcome: string; error?: string };
    type DeadLetter = { sequence: number; attempts: number; lastError: string };
    let deadLetters: DeadLetter[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      deadLetters = (await gw.get(auditor, `/v1/webhooks/${id}/dead-letters`)).body as DeadLetter[];
      if (deadLetters.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(deadLetters, 'dead-lettered after the attempt limit').to.have.length(1);
    expect(deadLetters[0]?.attempts).to.equal(2);
    const attempts = (await gw.get(auditor, `/v1/webhooks/${id}/deliveries`)).body as Attempt[];
    expect(attempts.map((a) => a.outcome)).to.deep.equal(['failed', 'failed']);
    for (const a of attempts) expect(a.error).to.match(new RegExp(`^egress refused: ${name} resolves to (127\\.[0-9.]+|::1): a loopback address, not an allowed receiver \\(WEBHOOK_URL_NOT_ALLOWED\\)$`));
    expect(deadLetters[0]?.lastError).to.match(/egress refused/);
    expect(received, 'the receiver on loopback got nothing').to.equal(0);
  });
});
