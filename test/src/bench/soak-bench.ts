import { createApiToken } from '@econfirm/sdk';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { agreeingReply, bankLetter, type Caller } from '../support/gateway';
import { ensureDemoInstitution } from '../support/institutions';
import { distinctiveAccountNumber } from '../support/letters';
import { REPO_ROOT, session, uniqueName } from '../support/network';
import { startForkedGateway, type ForkedGateway, type GatewayMemory, type Role } from './forked-gateway';
import { nodesRssMB } from './node-rss';

/**
 * The soak benchmark (issue 17 §2): BENCH_SOAK_MINUTES (default 30) of mixed load through a
 * gateway in its own process — letter lifecycles, lists and reads, evidence PDFs and their
 * verification, the event feed, and requests the gateway refuses (unknown ids, bad bodies, JSON
 * nested too deep, replayed tokens) — with the gateway's memory (RSS, heap before and after a full
 * collection, external, array buffers) and every network node's RSS sampled each minute.
 *
 * A leak shows as a heap that keeps growing *after* full collections; RSS alone also counts what
 * V8 keeps reserved and the verifier's worker threads, which come and go. The report gives the
 * slope of the heap after GC over the second half of the run (the first half warms caches up).
 * Result: test/bench/results/soak.json. Not a test: nothing here asserts a number.
 */
const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 30);
const CONCURRENCY = Number(process.env.BENCH_SOAK_CONCURRENCY ?? 4);
const SAMPLE_MS = Number(process.env.BENCH_SOAK_SAMPLE_SECONDS ?? 60) * 1000;
const MB = 2 ** 20;
/** BENCH_SOAK_HEAP_SNAPSHOTS=1: heap snapshots of the gateway at half time and at the end, to compare (test/bench/results/). */
const HEAP_SNAPSHOTS = process.env.BENCH_SOAK_HEAP_SNAPSHOTS === '1';
/** After the load: this long without requests, sampled every 30 s, to see what the gateway gives back (the verifier's idle workers exit after 60 s). */
const IDLE_SECONDS = Number(process.env.BENCH_SOAK_IDLE_SECONDS ?? 90);

const RESULTS = path.join(REPO_ROOT, 'test', 'bench', 'results');

interface Sample {
  minute: number;
  requests: number;
  failures: number;
  gateway: { rssMB: number; heapUsedMB: number; heapAfterGcMB: number; externalMB: number; arrayBuffersMB: number };
  nodesRssMB: Record<string, number>;
}

/** Counts by kind of request, and the unexpected answers (a refusal we provoke is expected). */
class Tally {
  requests = 0;
  failures = 0;
  readonly byKind = new Map<string, number>();
  readonly unexpected = new Map<string, number>();
  count(kind: string): void {
    this.requests++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }
  fail(message: string): void {
    this.failures++;
    const key = message.slice(0, 160);
    this.unexpected.set(key, (this.unexpected.get(key) ?? 0) + 1);
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function gatewayMB(m: GatewayMemory): Sample['gateway'] {
  return { rssMB: round(m.rssBytes / MB), heapUsedMB: round(m.heapUsedBytes / MB), heapAfterGcMB: round(m.heapUsedAfterGcBytes / MB), externalMB: round(m.externalBytes / MB), arrayBuffersMB: round(m.arrayBuffersBytes / MB) };
}

/** Least-squares slope (MB per minute) of y over x. */
function slope(points: ReadonlyArray<[number, number]>): number {
  if (points.length < 2) return Number.NaN;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return Math.round((num / den) * 1000) / 1000;
}

async function main(): Promise<void> {
  const run = uniqueName('SK').toUpperCase();
  const admin = session('operator', 'admin');
  try {
    for (const id of ['FIRM1', 'CLIENT1', 'BANK1']) await ensureDemoInstitution(admin, id);
  } finally {
    admin.close();
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'econfirm-soak-'));
  const gw = await startForkedGateway(dir, { registryCacheTtlMs: 30_000, events: true });
  const tally = new Tally();
  const samples: Sample[] = [];
  const snapshots: string[] = [];
  const idle: Array<{ secondsIdle: number; gateway: Sample['gateway'] }> = [];
  const started = Date.now();
  const deadline = started + MINUTES * 60_000;
  try {
    const load = Array.from({ length: CONCURRENCY }, (_, w) => worker(gw, tally, `${run}-${w}`, deadline));
    const sampler = (async () => {
      for (;;) {
        const memory = await gw.memory();
        const minute = Math.round((Date.now() - started) / 6000) / 10;
        const sample: Sample = { minute, requests: tally.requests, failures: tally.failures, gateway: gatewayMB(memory), nodesRssMB: nodesRssMB() };
        samples.push(sample);
        console.log(`soak minute ${minute}: ${sample.requests} requests (${sample.failures} unexpected); gateway rss ${sample.gateway.rssMB} MB, heap after GC ${sample.gateway.heapAfterGcMB} MB; peers ${JSON.stringify(sample.nodesRssMB)}`);
        if (HEAP_SNAPSHOTS && (snapshots.length === 0 ? minute >= MINUTES / 2 : Date.now() >= deadline)) {
          mkdirSync(RESULTS, { recursive: true });
          snapshots.push(await gw.heapSnapshot(path.join(RESULTS, `soak-${snapshots.length === 0 ? 'half' : 'end'}.heapsnapshot`)));
        }
        if (Date.now() >= deadline) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(SAMPLE_MS, Math.max(0, deadline - Date.now()))));
      }
    })();
    await Promise.all([...load, sampler]);
    for (const end = Date.now() + IDLE_SECONDS * 1000; Date.now() < end; ) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, end - Date.now())));
      const memory = await gw.memory();
      idle.push({ secondsIdle: Math.round((Date.now() - deadline) / 1000), gateway: gatewayMB(memory) });
      console.log(`soak idle ${idle.at(-1)?.secondsIdle} s: gateway rss ${idle.at(-1)?.gateway.rssMB} MB, heap after GC ${idle.at(-1)?.gateway.heapAfterGcMB} MB`);
    }
  } finally {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const secondHalf = samples.filter((s) => s.minute >= MINUTES / 2);
  const report = {
    benchmark: 'soak',
    description: `${MINUTES} min of mixed load at concurrency ${CONCURRENCY} through a gateway process: lifecycles (6 commits), lists and reads, evidence PDF + its verification + 1 MiB of garbage verified every 4th letter, the event feed, refused requests; memory each ${SAMPLE_MS / 1000} s`,
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg().map(round) },
    requests: tally.requests,
    byKind: Object.fromEntries(tally.byKind),
    unexpected: Object.fromEntries(tally.unexpected),
    gatewayHeapAfterGcSlopeMBPerMinuteSecondHalf: slope(secondHalf.map((s) => [s.minute, s.gateway.heapAfterGcMB])),
    gatewayRssSlopeMBPerMinuteSecondHalf: slope(secondHalf.map((s) => [s.minute, s.gateway.rssMB])),
    heapSnapshots: snapshots,
    samples,
    idle,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, 'soak.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`soak: heap after GC ${report.gatewayHeapAfterGcSlopeMBPerMinuteSecondHalf} MB/min, rss ${report.gatewayRssSlopeMBPerMinuteSecondHalf} MB/min over the second half; wrote ${path.join(RESULTS, 'soak.json')}`);
}

interface Answer {
  status: number;
  body: Buffer;
}

/** One load worker: letter after letter until the deadline, each with the reads and refusals around it. */
async function worker(gw: ForkedGateway, tally: Tally, prefix: string, deadline: number): Promise<void> {
  const call = async (role: Role, method: string, url: string, init: { json?: unknown; raw?: Buffer; type?: string; token?: string } = {}): Promise<Answer & { token: string }> => {
    const caller: Caller = gw.callers[role];
    const token = init.token ?? (await createApiToken(caller.credentialId, caller.privateJwk, { audience: gw.audience, method, url: `${gw.publicUrl}${url}` }));
    const body = init.raw ?? (init.json === undefined ? undefined : Buffer.from(JSON.stringify(init.json)));
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body) headers['content-type'] = init.type ?? 'application/json';
    const res = await fetch(`${gw.base}${url}`, { method, headers, body });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()), token };
  };
  /** A call whose answer must be `expected`; a stale read (the next org's peer a block behind) is retried. */
  const expect = async (kind: string, expected: number | readonly number[] | '2xx', role: Role, method: string, url: string, init: Parameters<typeof call>[3] = {}): Promise<Answer | undefined> => {
    for (let attempt = 1; ; attempt++) {
      tally.count(kind);
      const answer = await call(role, method, url, init);
      if (expected === '2xx' ? answer.status >= 200 && answer.status < 300 : typeof expected === 'number' ? answer.status === expected : expected.includes(answer.status)) return answer;
      const code = (() => {
        try {
          return (JSON.parse(answer.body.toString('utf8')) as { error?: { code?: string } }).error?.code;
        } catch {
          return undefined;
        }
      })();
      if ((code === 'INVALID_STATE_TRANSITION' || code === 'NOT_FOUND') && attempt < 10) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      tally.fail(`${kind}: ${answer.status} ${code ?? answer.body.toString('utf8').slice(0, 80)}`);
      return undefined;
    }
  };
  const engagement = { id: `ENG-${prefix}`, clientId: 'CLIENT1', periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' };
  for (let i = 0; Date.now() < deadline; i++) {
    const id = `CF-${prefix}-${i}`;
    const issued = await expect('issue', '2xx', 'auditor', 'POST', '/v1/confirmations', { json: { id, kind: 'bank-form-1', engagement, addresseeId: 'BANK1', feePayer: 'client', letter: bankLetter(distinctiveAccountNumber()) } });
    if (!issued) continue;
    const steps: Array<[string, Role, string, unknown]> = [
      ['authorize', 'client', `/v1/confirmations/${id}/authorization`, { feeConsent: true }],
      ['accept', 'officer', `/v1/confirmations/${id}/acceptance`, {}],
      ['prepareReply', 'officer', `/v1/confirmations/${id}/reply`, { content: agreeingReply() }],
      ['approveReply', 'reviewer', `/v1/confirmations/${id}/reply/approval`, {}],
      ['auditorAccept', 'auditor', `/v1/confirmations/${id}/auditor-acceptance`, {}],
    ];
    let finished = true;
    for (const [kind, role, url, json] of steps) {
      if (!(await expect(kind, '2xx', role, 'POST', url, { json }))) {
        finished = false;
        break;
      }
    }
    await expect('list', '2xx', 'auditor', 'GET', `/v1/confirmations?engagementId=${engagement.id}&pageSize=20`);
    await expect('read', '2xx', 'client', 'GET', `/v1/confirmations/${id}`);
    await expect('events', '2xx', 'auditor', 'GET', '/v1/events?limit=20');
    if (finished && i % 4 === 0) {
      const pdf = await expect('evidencePdf', '2xx', 'auditor', 'GET', `/v1/confirmations/${id}/evidence.pdf`);
      if (pdf) await expect('verify', '2xx', 'regulator', 'POST', '/v1/evidence/verify', { raw: pdf.body, type: 'application/pdf' });
      // What grew the heap when the fuzzer sent it to the main thread (issue 17 §2): 1 MiB of garbage behind a PDF header.
      const garbage = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(MB)]);
      await expect('verifyGarbage', [200, 422], 'auditor', 'POST', '/v1/evidence/verify?offline=true', { raw: garbage, type: 'application/pdf' });
    }
    // What a hostile or careless caller sends: each refused, each leaving nothing behind.
    await expect('unknownId', 404, 'auditor', 'GET', `/v1/confirmations/CF-${prefix}-NONE-${i}`);
    await expect('badBody', 400, 'auditor', 'POST', '/v1/confirmations', { json: { id, kind: 'no-such-kind' } });
    await expect('deepJson', 400, 'auditor', 'POST', '/v1/confirmations', { raw: Buffer.from('['.repeat(2000) + ']'.repeat(2000)) });
    const once = await call('auditor', 'GET', '/v1/me');
    tally.count('me');
    await expect('replayedToken', 401, 'auditor', 'GET', '/v1/me', { token: once.token });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
