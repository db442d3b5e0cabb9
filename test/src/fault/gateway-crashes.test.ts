import { expect } from 'chai';
import { evaluate } from '@econfirm/sdk';
import { readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ensureDemoInstitutions } from '../support/institutions';
import { bankRows, csvOf, engagementFields } from '../support/bulk-files';
import { uniqueName, withLedger } from '../support/network';
import { FaultGateway } from './support/fault-gateway';
import { LifecycleLoad } from './support/lifecycle-load';
import { sleep, underLoad } from './support/scenario';

/** SIGKILL the gateway process, leave it dead a moment, start it again with scripts/gateway.sh. */
async function crashGateway(gateway: FaultGateway): Promise<void> {
  await gateway.kill();
  expect(gateway.pid()).to.equal(undefined);
  await sleep(2000);
  await gateway.start();
}

/** A webhook receiver that takes its time (deliveries are in flight when the gateway dies) and keeps every delivery. */
class SlowReceiver {
  readonly received: Array<{ sequence: number; webhookId: string; body: string }> = [];
  private server?: http.Server;

  async listen(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        setTimeout(() => {
          this.received.push({ sequence: Number(req.headers['econfirm-event-sequence']), webhookId: String(req.headers['econfirm-webhook-id']), body: Buffer.concat(chunks).toString('utf8') });
          res.statusCode = 204;
          res.end();
        }, 150);
      });
    });
    await new Promise<void>((resolve) => (this.server as http.Server).listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/econfirm/events`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

interface JobView {
  id: string;
  status: string;
  progress: { letters: number; issued: number; chunks: number; chunksApplied: number; chunksRecovered: number };
}

/**
 * Fault suite, the gateway itself: SIGKILL (no shutdown hook, SQLite mid-write) while letters
 * are in flight, while a 200-letter bulk job runs and while webhooks are being delivered; then
 * scripts/gateway.sh starts it again. Nothing acknowledged is lost or done twice, the job ends
 * with each letter issued once, every event reaches the receiver at least once, in order, under
 * the same sequence and body.
 */
describe('fault: the gateway is SIGKILLed and restarted', function () {
  this.timeout(480_000);
  const gateway = new FaultGateway();
  const auditor = 'firm1.auditor1';

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'BANK1-SH', 'REGULATOR');
    await gateway.start();
    // Smaller bulk chunks (the job is mid-way for longer) and quick webhook retries.
    await gateway.stop();
    const file = path.join(gateway.dir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { bulk?: object; events?: object };
    config.bulk = { ...config.bulk, batchSize: 10 };
    config.events = { ...config.events, webhookBackoffMs: 200, webhookMaxBackoffMs: 2000 };
    writeFileSync(file, JSON.stringify(config, null, 2));
    await gateway.start();
  });

  after(async function () {
    if (gateway.pid() === undefined) await gateway.start();
    await gateway.stop();
  });

  it('in the middle of letter lifecycles: a retry under the same Idempotency-Key finds each request once', async function () {
    await underLoad(gateway, 'gateway-lifecycles', () => crashGateway(gateway));
  });

  it('in the middle of a 200-letter bulk job: it resumes and issues each letter exactly once', async function () {
    const engagementId = `ENG-${uniqueName('flt-bulk')}`;
    const columns = (await gateway.request(auditor, 'GET', '/v1/bulk/templates/bank-form-1.csv')).body as string;
    const form = new FormData();
    for (const [k, v] of Object.entries({ kind: 'bank-form-1', ...engagementFields(engagementId) })) form.append(k, v);
    form.append('file', new Blob([csvOf(columns.trim().split(','), bankRows(200, []))], { type: 'text/csv' }), 'letters.csv');
    const upload = await gateway.upload(auditor, '/v1/bulk/jobs', form, { 'Idempotency-Key': `${engagementId}:upload` });
    expect(upload.status, JSON.stringify(upload.body)).to.equal(202);
    const jobId = (upload.body as JobView).id;
    const job = async (): Promise<JobView> => (await gateway.request(auditor, 'GET', `/v1/bulk/jobs/${jobId}`)).body as JobView;
    const deadline = Date.now() + 120_000;
    let seen = await job();
    while (seen.progress.chunksApplied < 3 && Date.now() < deadline) {
      await sleep(200);
      seen = await job();
    }
    expect(seen.status, JSON.stringify(seen)).to.equal('running');
    const faultAt = Date.now();
    await crashGateway(gateway);
    const healedAt = Date.now();
    for (;;) {
      seen = await job();
      if (seen.status === 'completed' || seen.status === 'failed' || Date.now() > healedAt + 240_000) break;
      await sleep(500);
    }
    console.log(`      fault report: ${JSON.stringify({ scenario: 'gateway-bulk', faultSeconds: (healedAt - faultAt) / 1000, finishedAfterHealSeconds: (Date.now() - healedAt) / 1000, progress: seen.progress })}`);
    expect(seen.status, JSON.stringify(seen)).to.equal('completed');
    expect(seen.progress).to.include({ letters: 200, issued: 200 });
    const letters = (await gateway.request(auditor, 'GET', `/v1/bulk/jobs/${jobId}/letters`)).body as Array<{ requestId: string }>;
    expect(new Set(letters.map((l) => l.requestId)).size).to.equal(200);
    // Each on the ledger, issued by exactly one transaction, read from the firm's peer.
    const issuedBy = await withLedger('firm1', 'auditor1', async (ledger) => {
      const counts: number[] = [];
      for (const { requestId } of letters) {
        const history = JSON.parse(Buffer.from(await evaluate(ledger.contract('confirmation'), 'GetConfirmationHistory', [requestId])).toString('utf8')) as Array<{ txId: string; value: { state: string } | null }>;
        counts.push(new Set(history.filter((h) => h.value?.state === 'issued').map((h) => h.txId)).size);
      }
      return counts;
    });
    expect(issuedBy.filter((n) => n !== 1), 'letters not issued exactly once').to.deep.equal([]);
    // The same upload again (same key) answers the same job: no second one.
    const again = await gateway.upload(auditor, '/v1/bulk/jobs', form, { 'Idempotency-Key': `${engagementId}:upload` });
    expect((again.body as JobView).id).to.equal(jobId);
  });

  it('in the middle of webhook deliveries: every event arrives at least once, in order, with a stable sequence and body', async function () {
    const receiver = new SlowReceiver();
    const url = await receiver.listen();
    try {
      const created = await gateway.request(auditor, 'POST', '/v1/webhooks', { url, description: 'fault suite' });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const webhookId = (created.body as { id: string }).id;
      const load = new LifecycleLoad(gateway, uniqueName('flt-hook'), { workers: 2, retrySeconds: 120 }).start();
      let records;
      try {
        await load.waitAcknowledged(4, 0, 120);
        const deadline = Date.now() + 60_000;
        while (receiver.received.length < 2 && Date.now() < deadline) await sleep(100);
        await crashGateway(gateway);
        await load.waitAcknowledged(4, Date.now(), 180);
      } finally {
        records = await load.stop();
      }
      // Every acknowledged step of the load is an event of the firm's: wait until each has arrived.
      const wanted = records.filter((r) => r.outcome === 'acknowledged').map((r) => `${r.letterId} ${r.state}`);
      const arrived = (): Set<string> =>
        new Set(receiver.received.filter((d) => d.webhookId === webhookId).map((d) => JSON.parse(d.body) as { ids: string[]; state?: string }).flatMap((e) => e.ids.map((id) => `${id} ${e.state ?? ''}`)));
      const until = Date.now() + 120_000;
      while (wanted.some((w) => !arrived().has(w)) && Date.now() < until) await sleep(500);
      expect(wanted.filter((w) => !arrived().has(w)), 'acknowledged steps whose event never arrived').to.deep.equal([]);
      const mine = receiver.received.filter((d) => d.webhookId === webhookId);
      // Stable dedup keys: a sequence delivered twice carries the same body both times.
      const bodies = new Map<number, string>();
      for (const d of mine) {
        if (bodies.has(d.sequence)) expect(d.body, `sequence ${d.sequence} redelivered with another body`).to.equal(bodies.get(d.sequence));
        bodies.set(d.sequence, d.body);
      }
      // In order: first arrivals ascend, with no gap from the first to the last.
      const first: number[] = [];
      for (const d of mine) if (!first.includes(d.sequence)) first.push(d.sequence);
      expect(first).to.deep.equal([...first].sort((a, b) => a - b));
      expect(first).to.deep.equal(Array.from({ length: first.length }, (_, i) => (first[0] as number) + i));
      console.log(`      fault report: ${JSON.stringify({ scenario: 'gateway-webhooks', deliveries: mine.length, events: first.length, redelivered: mine.length - first.length })}`);
    } finally {
      await receiver.close();
    }
  });
});
