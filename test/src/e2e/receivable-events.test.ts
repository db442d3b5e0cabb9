import { validateGatewayConfig } from '@econfirm/gateway';
import { expect } from 'chai';
import { randomInt } from 'node:crypto';
import { E2E_TENANTS, TestGateway, type Caller } from '../support/gateway';
import { ensureDemoInstitutions, type HeldInstitution } from '../support/institutions';
import { uniqueName } from '../support/network';
import { receivableTenants } from '../support/receivables';

interface EventJson {
  sequence: number;
  type: string;
  ids: string[];
  state?: string;
  action?: string;
}

/**
 * ReceivableChanged and PaymentBatchSettled through the gateway on the real network: a
 * receivable's steps reach its obligor, its holders and the regulator (a new holder from the
 * transfer on), a batch's settlement its payer, its bank and the regulator; a bank or firm that is
 * no party gets nothing, and no payload carries an amount.
 */
describe('gateway e2e: receivable and payment-batch events to the parties and the regulator only', function () {
  this.timeout(240_000);
  const run = uniqueName('rev');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const amount = `${7_000_000_000 + randomInt(900_000_000)}`;
  const id = `RCV-${run}`;
  const batchId = `PB-${run}`;
  let gw: TestGateway;
  let core: HeldInstitution;
  let supB: HeldInstitution;
  let obligor: Caller, supplierA: Caller, supplierB: Caller, officer: Caller, regulator: Caller, auditor: Caller, admin: Caller;

  async function eventsOf(caller: Caller, type: string, about: string): Promise<EventJson[]> {
    const out: EventJson[] = [];
    for (let after = 0; ; ) {
      const res = await gw.get(caller, `/v1/events?after=${after}&limit=500&type=${type}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const page = res.body as { events: EventJson[] };
      out.push(...page.events.filter((e) => e.ids.includes(about)));
      if (page.events.length === 0) return out;
      after = page.events[page.events.length - 1]?.sequence ?? after;
    }
  }

  async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'BANK1', 'REGULATOR');
    const parties = await receivableTenants(tag);
    ({ core, supB } = parties);
    const defaults = validateGatewayConfig({ dbPath: 'x.db', networkDescriptorPath: 'n.json', keysDir: 'k', tenants: [{ id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' }] }).events;
    gw = await TestGateway.start({ tenants: [...E2E_TENANTS, ...parties.tenants], events: { ...defaults, enabled: true, reconnectBackoffMs: 100 } });
    ({ officer, regulator, auditor } = gw.demoCallers());
    obligor = gw.custodial('core', parties.identities.core);
    supplierA = gw.custodial('supa', parties.identities.supa);
    supplierB = gw.custodial('supb', parties.identities.supb);
    admin = gw.custodial('operator', 'admin');
    const url = `/v1/receivables/limits/${core.record.id}`;
    const limit = await gw.http().put(url).set('Authorization', await gw.bearer(admin, 'PUT', url)).send({ amountMinor: (BigInt(amount) * 2n).toString(), currency: 'CNY' });
    expect(limit.status, JSON.stringify(limit.body)).to.equal(200);
  });

  after(async () => {
    await gw?.close();
  });

  it('registration, confirmation and transfer reach the obligor, the holders and the regulator; the new holder from the transfer; no other bank or firm', async function () {
    const today = new Date().toISOString().slice(0, 10);
    const registered = await gw.post(supplierA, '/v1/receivables', {
      id, obligorId: core.record.id, amountMinor: amount, currency: 'CNY', issueDate: today, maturityDate: today, contractNumber: `HT-${tag}`, invoiceNumbers: [`INV-${tag}`], goods: '钢材',
    });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    expect((await gw.post(obligor, `/v1/receivables/${id}/confirmation`)).status).to.equal(200);
    const moved = await gw.post(supplierA, `/v1/receivables/${id}/transfer`, { toId: supB.record.id });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    const steps = ['registered', 'confirmed', 'transferred'];
    for (const [who, caller] of [['obligor', obligor], ['first holder', supplierA], ['regulator', regulator]] as const) {
      const events = await until(`${who}'s events`, () => eventsOf(caller, 'ReceivableChanged', id), (e) => e.length >= 3);
      expect(events.map((e) => e.state), who).to.deep.equal(steps);
      expect(JSON.stringify(events)).not.to.contain(amount);
    }
    const newHolder = await until("the new holder's events", () => eventsOf(supplierB, 'ReceivableChanged', id), (e) => e.some((x) => x.state === 'transferred'));
    expect(newHolder.map((e) => e.state)).to.include('transferred');
    // Everyone concerned has the last step: the router has passed its block, and gave the others nothing.
    expect(await eventsOf(officer, 'ReceivableChanged', id)).to.deep.equal([]);
    expect(await eventsOf(auditor, 'ReceivableChanged', id)).to.deep.equal([]);
  });

  it('a settled batch reaches its payer, its bank and the regulator; not a supplier', async function () {
    const lines = Array.from({ length: 5 }, (_, i) => ({ payeeReference: `6217 ${tag.slice(-6)} ${i}`, amountMinor: String(100_000 + randomInt(500_000)) }));
    const settled = await gw.post(officer, '/v1/payment-batches', { id: batchId, payerId: core.record.id, currency: 'CNY', instructionReference: `ZL-${tag}`, lines });
    expect(settled.status, JSON.stringify(settled.body)).to.equal(201);
    for (const [who, caller] of [['payer', obligor], ['bank', officer], ['regulator', regulator]] as const) {
      const events = await until(`${who}'s batch event`, () => eventsOf(caller, 'PaymentBatchSettled', batchId), (e) => e.length >= 1);
      expect(events.map((e) => e.type), who).to.deep.equal(['PaymentBatchSettled']);
    }
    expect(await eventsOf(supplierA, 'PaymentBatchSettled', batchId)).to.deep.equal([]);
    expect(await eventsOf(auditor, 'PaymentBatchSettled', batchId)).to.deep.equal([]);
  });
});
