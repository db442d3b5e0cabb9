import { sha256Hex } from '@econfirm/common';
import { validateGatewayConfig } from '@econfirm/gateway';
import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { E2E_TENANTS, TestGateway, type Caller, type RegistryCallers } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { uniqueName } from '../support/network';

interface EventJson {
  type: string;
  ids: string[];
  state?: string;
  action?: string;
}

/**
 * MortgageChanged events through the gateway on the real network: each step of a registration
 * reaches the outboxes (GET /v1/events, webhooks) of its parties — the mortgagee bank, the
 * registration centre, the mortgagor client — and of the regulator, and not the audit firm, even
 * while the client grants the firm its registrations. Payloads carry id, state and action only.
 */
describe('gateway e2e: mortgage events to the parties and the regulator only', function () {
  this.timeout(180_000);
  const run = uniqueName('mev');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const id = `MTG-${run}`;
  const amount = `${3_000_000 + (Number.parseInt(sha256Hex(run).slice(0, 5), 16) % 900_000)}.19`;
  let gw: TestGateway;
  let officer: Caller, clientSigner: Caller, regulator: Caller, auditor: Caller, registrar: Caller;
  let registry: RegistryCallers;
  let receiver: http.Server;
  const delivered: string[] = [];

  async function mortgageEvents(caller: Caller): Promise<EventJson[]> {
    const out: EventJson[] = [];
    for (let after = 0; ; ) {
      const res = await gw.get(caller, `/v1/events?after=${after}&limit=500&type=MortgageChanged`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const page = res.body as { events: (EventJson & { sequence: number })[]; next?: number };
      out.push(...page.events.filter((e) => e.ids.includes(id)));
      if (page.events.length === 0) return out;
      after = page.events[page.events.length - 1]?.sequence ?? after;
    }
  }

  async function until(what: string, done: () => Promise<boolean> | boolean): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR', 'MREG1');
    const defaults = validateGatewayConfig({ dbPath: 'x.db', networkDescriptorPath: 'n.json', keysDir: 'k', tenants: [{ id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' }] }).events;
    gw = await TestGateway.start({
      tenants: [...E2E_TENANTS, { id: 'mreg1', institutionId: 'MREG1', orgKey: 'operator' }],
      events: { ...defaults, enabled: true, reconnectBackoffMs: 100, webhookBackoffMs: 100, webhookEgress: { allowPrivateNetworks: false, allowedHosts: ['127.0.0.0/8'] } },
    });
    ({ mortgageOfficer: officer, clientSigner, regulator, auditor } = gw.demoCallers());
    registry = gw.registryCallers();
    ({ registrar } = registry);
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        delivered.push(Buffer.concat(chunks).toString('utf8'));
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = await gw.post(officer, '/v1/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['MortgageChanged'] });
    expect(hook.status, JSON.stringify(hook.body)).to.equal(201);
    // The firm may read the client's registrations (a cross-check), and still is told of no step.
    expect((await gw.post(clientSigner, '/v1/mortgages/auditor-access', { firmId: 'FIRM1', validUntil: '2099-12-31' })).status).to.equal(201);
  });

  after(async () => {
    const revoke = '/v1/mortgages/auditor-access/FIRM1';
    if (gw) await gw.http().delete(revoke).set('Authorization', await gw.bearer(clientSigner, 'DELETE', revoke));
    await gw?.close();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  });

  it('lists MortgageChanged among the event types of the OpenAPI document', async function () {
    const doc = await gw.http().get('/openapi.json');
    expect(JSON.stringify(doc.body.components.schemas.TenantEventDto)).to.contain('MortgageChanged');
  });

  it('filing and registration reach the bank, the registry, the client and the regulator, in order; not the firm', async function () {
    const filed = await gw.post(officer, '/v1/mortgages', {
      id, registryId: 'MREG1', unitNumber: `310115 003003 GB${tag.slice(-5)} F${tag.slice(-8)}`, location: '上海市浦东新区事件路3号', propertyType: 'residential',
      mortgageType: 'ordinary', securedPrincipal: amount, currency: 'CNY', debtTermStart: '2026-01-01', debtTermEnd: '2036-01-01',
      mortgagors: [{ name: '华东制造股份有限公司', institutionId: 'CLIENT1' }], consentHash: sha256Hex(run),
    });
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    expect((await gw.registryStep(registry, `/v1/mortgages/${id}/registration`, { certificateNumber: `沪(2026)浦东新区不动产证明第${tag.slice(-9)}号` })).status).to.equal(200);
    const expected = [['FileMortgageApplication', 'applied'], ['RegisterMortgage', 'registration-in-review'], ['ApproveMortgageStep', 'registered']];
    for (const [who, caller] of [['bank', officer], ['registry', registrar], ['client', clientSigner], ['regulator', regulator]] as const) {
      let events: EventJson[] = [];
      await until(`${who}'s three events`, async () => (events = await mortgageEvents(caller)).length >= 3);
      expect(events.map((e) => [e.action, e.state]), who).to.deep.equal(expected);
      for (const e of events) {
        expect(Object.keys(e).sort(), who).to.deep.equal(['action', 'blockNumber', 'ids', 'sequence', 'state', 'timestamp', 'transactionId', 'type']);
        expect(JSON.stringify(e)).not.to.contain(amount);
      }
    }
    // Every party has its events, so the router has passed the three blocks: the firm got none of them.
    expect(await mortgageEvents(auditor)).to.deep.equal([]);
  });

  it("the bank's webhook for MortgageChanged delivers them", async function () {
    await until('three webhook deliveries', () => delivered.filter((body) => body.includes(id)).length >= 3);
    expect(delivered.filter((body) => body.includes(id)).every((body) => body.includes('MortgageChanged') && !body.includes(amount))).to.equal(true);
  });
});
