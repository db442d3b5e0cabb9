import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateGatewayConfig } from '../config/gateway-config';
import { AtRestCipher } from '../database/at-rest-cipher';
import { openDatabase } from '../database/database.module';
import type { EventBus } from '../events/event-bus';
import type { EventMetrics } from '../events/event-metrics';
import type { TenantEvent } from '../events/event-model';
import type { OutboxService } from '../events/outbox.service';
import { unitConfig } from '../testing/fixtures';
import { WebhookDelivery, type HostLookup } from './webhook-delivery.service';
import type { WebhookEgressSettings } from './webhook-egress';
import type { Webhook } from './webhook.store';

/** One POST through the real client against a receiver on 127.0.0.1 (outbox, bus and metrics are not used by `post`). */
describe('webhook delivery: the egress policy on the real HTTP client', function () {
  let server: http.Server;
  let port = 0;
  const seen: Array<{ host?: string; url?: string }> = [];
  let redirect = false;

  before(async function () {
    server = http.createServer((req, res) => {
      seen.push({ host: req.headers.host, url: req.url });
      req.resume();
      if (redirect) res.writeHead(302, { Location: `http://127.0.0.1:${port}/elsewhere` }).end();
      else res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(function () {
    server.close();
  });

  beforeEach(function () {
    seen.length = 0;
    redirect = false;
  });

  const delivery = (webhookEgress: Partial<WebhookEgressSettings>) => {
    const config = validateGatewayConfig({ dbPath: 'gw.db', networkDescriptorPath: 'n.json', keysDir: 'k', tenants: [{ id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' }], events: { webhookEgress, webhookTimeoutMs: 2000 } });
    return new WebhookDelivery(config, openDatabase(':memory:'), {} as OutboxService, {} as EventBus, {} as EventMetrics, new AtRestCipher(unitConfig().keysDir));
  };
  const hook = (url: string): Webhook => ({ id: 'wh_abcdefghijkl', tenantId: 'firm1', url, events: [], active: true, cursor: 0, attempts: 0, nextAttemptAt: 0, generation: 0, createdAt: '', updatedAt: '' });
  const event: TenantEvent = { sequence: 1, type: 'CalendarSet', ids: ['2025'], transactionId: 'tx1', blockNumber: '7', timestamp: '2026-01-01T00:00:00Z' };

  /** The attacker's DNS: a public-looking name that resolves to loopback. */
  const name = 'rebind.attacker.example';
  const attackerDns: HostLookup = (host, _options, callback) =>
    host === name ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
  const deliveryWithDns = (webhookEgress: Partial<WebhookEgressSettings>): WebhookDelivery => {
    const d = delivery(webhookEgress);
    d.hostLookup = attackerDns;
    return d;
  };

  it('a literal loopback URL is refused without connecting; allowed by a CIDR range, it is delivered', async function () {
    const refused = await delivery({}).post(hook(`http://127.0.0.1:${port}/hook`), event, 1);
    expect(refused).to.deep.equal({ ok: false, error: 'egress refused: 127.0.0.1 is a loopback address, not an allowed receiver (WEBHOOK_URL_NOT_ALLOWED)' });
    expect(seen).to.have.length(0);
    expect(await delivery({ allowedHosts: ['127.0.0.0/8'] }).post(hook(`http://127.0.0.1:${port}/hook`), event, 1)).to.deep.equal({ ok: true, httpStatus: 204 });
    expect(seen).to.have.length(1);
  });

  it('a host name resolving to loopback is refused after resolution; allowed, it connects to the vetted address with the Host header of the URL', async function () {
    const refused = await deliveryWithDns({}).post(hook(`http://${name}:${port}/hook`), event, 1);
    expect(refused.ok).to.equal(false);
    expect(refused.error).to.match(new RegExp(`^egress refused: ${name} resolves to 127\\.[0-9.]+: a loopback address`));
    expect(seen).to.have.length(0);
    const delivered = await deliveryWithDns({ allowedHosts: ['127.0.0.0/8', '::1'] }).post(hook(`http://${name}:${port}/hook`), event, 1);
    expect(delivered).to.deep.equal({ ok: true, httpStatus: 204 });
    expect(seen).to.deep.equal([{ host: `${name}:${port}`, url: '/hook' }]);
  });

  it('a redirect is not followed: the 3xx is a failed attempt and nothing else is requested', async function () {
    redirect = true;
    const result = await delivery({ allowedHosts: ['127.0.0.0/8'] }).post(hook(`http://127.0.0.1:${port}/hook`), event, 1);
    expect(result).to.deep.equal({ ok: false, httpStatus: 302 });
    expect(seen).to.deep.equal([{ host: `127.0.0.1:${port}`, url: '/hook' }]);
  });

  it('credentials in a stored URL are refused at delivery too', async function () {
    const result = await delivery({ allowedHosts: ['127.0.0.0/8'] }).post(hook(`http://u:p@127.0.0.1:${port}/hook`), event, 1);
    expect(result.error).to.match(/credentials/);
    expect(seen).to.have.length(0);
  });
});
