import type { InstitutionProfile, IssueInput, ReplyInput, TransactionName } from '@econfirm/common';
import { addRecipients, createApiToken, LedgerCallError, newInstitutionKeys, recipientOf, registrationInput, seal, sealReply, submitAndWait, type LedgerSession } from '@econfirm/sdk';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { agreeingReply, bankLetter, type Caller } from '../support/gateway';
import { ensureDemoInstitution, networkDir, type HeldInstitution } from '../support/institutions';
import { distinctiveAccountNumber } from '../support/letters';
import { descriptor, REPO_ROOT, session, uniqueName } from '../support/network';
import { nodeEnvironment, stackIdleMB } from './node-rss';
import { startForkedGateway, type ForkedGateway } from './forked-gateway';
import { percentile, runLoad, type LoadResult } from './stats';

/**
 * The gateway benchmark: confirmation lifecycles (issue → authorize → accept → prepare reply →
 * approve → auditor accept) per second and p50/p99 latency, per lifecycle and per call, through
 * the gateway over HTTP — beside, in the same run on the same network, the same lifecycle on raw
 * fabric-gateway (the caller seals and signs itself) and the foundation's raw baseline (one
 * registry write, submit to commit). Ratios gateway ÷ raw. Result: test/bench/results/gateway.json (or BENCH_RESULT_NAME.json).
 */
const PLAN: ReadonlyArray<{ concurrency: number; lifecycles: number; writes: number }> = [
  { concurrency: 1, lifecycles: Number(process.env.BENCH_LC_C1 ?? 20), writes: Number(process.env.BENCH_OPS_C1 ?? 50) },
  { concurrency: 10, lifecycles: Number(process.env.BENCH_LC_C10 ?? 100), writes: Number(process.env.BENCH_OPS_C10 ?? 300) },
  // Concurrency 50 (the memory goal's load) only when asked for: it is the longest series.
  ...(process.env.BENCH_LC_C50 ? [{ concurrency: 50, lifecycles: Number(process.env.BENCH_LC_C50), writes: Number(process.env.BENCH_OPS_C50 ?? 500) }] : []),
];

/**
 * How long the gateway is left alone before its idle memory is read (timers, first collections,
 * and its own reclaim after `memory.reclaimIdleSeconds`, 10 s by default, checked every 5 s:
 * gateway/src/memory/idle-reclaim.ts).
 */
const IDLE_SETTLE_MS = Number(process.env.BENCH_IDLE_SETTLE_MS ?? 20_000);
/** How often the gateway's RSS is sampled while a series runs through it. */
const RSS_SAMPLE_MS = 250;

/** The result's name: `gateway` on the benchmark network, `gateway-consortium` on the 864-member one (test/bench/run.sh). */
const RESULT_NAME = process.env.BENCH_RESULT_NAME ?? 'gateway';

/** The gateway's registry cache TTL (0 = off, to measure what the cache saves). */
const REGISTRY_CACHE_TTL_MS = Number(process.env.BENCH_REGISTRY_CACHE_TTL_MS ?? 30_000);

const STEPS = ['issue', 'authorize', 'accept', 'prepareReply', 'approveReply', 'auditorAccept'] as const;
type Step = (typeof STEPS)[number];

/** Latency samples per step of one measured series. */
class StepTimes {
  private readonly samples = new Map<Step, number[]>(STEPS.map((s) => [s, []]));
  /** Steps refused because the acting org's peer had not yet committed the previous step's block. */
  staleRetries = 0;

  /**
   * Times one step. Consecutive steps are taken by different orgs through their own peers, which
   * commit the same block a few ms apart: a step refused as stale (state not yet visible) is
   * retried after 50 ms, as any cross-org client must — counted, and inside the step's latency.
   */
  async time<T>(step: Step, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await work();
        this.samples.get(step)?.push(performance.now() - t0);
        return result;
      } catch (err) {
        if (!(err instanceof StaleState) || attempt >= 10) throw err;
        this.staleRetries++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  summary(): Record<Step, { p50Ms: number; p99Ms: number; calls: number }> {
    const round = (x: number): number => Math.round(x * 100) / 100;
    return Object.fromEntries(
      [...this.samples].map(([step, xs]) => [step, { calls: xs.length, p50Ms: round(percentile(xs, 50)), p99Ms: round(percentile(xs, 99)) }]),
    ) as Record<Step, { p50Ms: number; p99Ms: number; calls: number }>;
  }

  all(): number[] {
    return [...this.samples.values()].flat();
  }
}

/** A refusal that only means the acting peer lags one block behind. */
class StaleState extends Error {}

function isStaleCode(code: string | undefined): boolean {
  return code === 'INVALID_STATE_TRANSITION' || code === 'NOT_FOUND';
}

const ENGAGEMENT = (run: string): IssueInput['engagement'] => ({ id: `ENG-${run}`, clientId: 'CLIENT1', periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' });

/** Logs the first failure of a series (runLoad counts failures without saying why). */
function reporting(name: string, op: (i: number) => Promise<void>): (i: number) => Promise<void> {
  let reported = false;
  return async (i) => {
    try {
      await op(i);
    } catch (err) {
      if (!reported) console.error(`${name}: first failure: ${(err as Error).message}`);
      reported = true;
      throw err;
    }
  };
}

async function main(): Promise<void> {
  const run = uniqueName('GB').toUpperCase();
  const held = await withAdmin(async (admin) => {
    const out: Record<string, HeldInstitution> = {};
    for (const id of ['FIRM1', 'CLIENT1', 'BANK1']) out[id] = await ensureDemoInstitution(admin, id);
    return out;
  });
  const firm = held.FIRM1 as HeldInstitution;
  const client = held.CLIENT1 as HeldInstitution;
  const bank = held.BANK1 as HeldInstitution;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'econfirm-gw-bench-'));
  const gw = await startForkedGateway(dir, { registryCacheTtlMs: REGISTRY_CACHE_TTL_MS, events: false });
  const memory: Record<string, IdleMemory> = { idleAfterStart: await idleMemory(gw) };
  // The network and the gateway, all idle: issue 18's "whole small stack ≤ 1 GiB".
  const stackIdle = stackIdleMB(memory.idleAfterStart?.rssMB ?? Number.NaN);
  console.log(`stack idle: ${stackIdle.totalMB} MB (goal ≤ ${stackIdle.goalMB} MB: ${stackIdle.met ? 'met' : 'not met'}) ${JSON.stringify(stackIdle.nodesMB)}`);
  const ledgers = {
    auditor: session('firm1', 'auditor1'),
    client: session('operator', 'client1'),
    officer: session('bank1', 'officer1'),
    reviewer: session('bank1', 'reviewer1'),
    admin: session('operator', 'admin'),
  };
  const results: unknown[] = [];
  let stackIdleAfterRuns: ReturnType<typeof stackIdleMB> | undefined;
  try {
    const http = async (caller: Caller, step: Step, times: StepTimes, url: string, body: object = {}): Promise<Record<string, unknown>> =>
      times.time(step, async () => {
        const token = await createApiToken(caller.credentialId, caller.privateJwk, { audience: gw.audience, method: 'POST', url: `${gw.publicUrl}${url}` });
        const res = await fetch(`${gw.base}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const json = (await res.json()) as Record<string, unknown>;
        if (res.status >= 300) {
          const message = `${step} ${url}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`;
          throw isStaleCode((json as { error?: { code?: string } }).error?.code) ? new StaleState(message) : new Error(message);
        }
        return json;
      });

    const viaGateway = (times: StepTimes, prefix: string) => async (i: number): Promise<void> => {
      const id = `CF-${prefix}-${i}`;
      const c = gw.callers;
      await http(c.auditor, 'issue', times, '/v1/confirmations', { id, kind: 'bank-form-1', engagement: ENGAGEMENT(run), addresseeId: 'BANK1', feePayer: 'client', letter: bankLetter(distinctiveAccountNumber()) });
      await http(c.client, 'authorize', times, `/v1/confirmations/${id}/authorization`, { feeConsent: true });
      await http(c.officer, 'accept', times, `/v1/confirmations/${id}/acceptance`);
      await http(c.officer, 'prepareReply', times, `/v1/confirmations/${id}/reply`, { content: agreeingReply() });
      await http(c.reviewer, 'approveReply', times, `/v1/confirmations/${id}/reply/approval`);
      await http(c.auditor, 'auditorAccept', times, `/v1/confirmations/${id}/auditor-acceptance`);
    };

    const rawSubmit = async (ledger: LedgerSession, tx: TransactionName<'confirmation'>, args: string[]): Promise<void> => {
      try {
        await submitAndWait(ledger.contract('confirmation'), tx, { arguments: args });
      } catch (err) {
        throw err instanceof LedgerCallError && isStaleCode(err.code) ? new StaleState(err.message) : err;
      }
    };
    const submit = (ledger: LedgerSession, step: Step, times: StepTimes, tx: TransactionName<'confirmation'>, ...args: string[]) => times.time(step, () => rawSubmit(ledger, tx, args));

    const signingKey = { kid: bank.keys.signing.kid, jwk: bank.keys.signing.jwk, ...((bank.keys.signing as { x5c?: string[] }).x5c ? { x5c: (bank.keys.signing as { x5c?: string[] }).x5c } : {}) };
    const raw = (times: StepTimes, prefix: string) => async (i: number): Promise<void> => {
      const id = `CF-${prefix}-${i}`;
      // The raw caller does what the gateway does for it: seal the letter to firm and client, widen
      // it to the bank at authorization, sign and seal the reply, widen it to the client at acceptance.
      let letter = '';
      await times.time('issue', async () => {
        const input: IssueInput = {
          id, kind: 'bank-form-1', formId: 'bank-letter-2020', engagement: ENGAGEMENT(run), addresseeId: 'BANK1', feePayer: 'client',
          letter: await seal(bankLetter(distinctiveAccountNumber()), [recipientOf(firm.record), recipientOf(client.record)]),
        };
        letter = input.letter.ciphertext;
        return rawSubmit(ledgers.auditor, 'Issue', [JSON.stringify(input)]);
      });
      await times.time('authorize', async () => {
        const letterCiphertext = await addRecipients(letter, client.keys, [recipientOf(bank.record)]);
        return rawSubmit(ledgers.client, 'ClientAuthorize', [id, JSON.stringify({ feeConsent: true, letterCiphertext })]);
      });
      await submit(ledgers.officer, 'accept', times, 'BankAccept', id);
      let reply = '';
      await times.time('prepareReply', async () => {
        const sealed = await sealReply(id, 'agrees', agreeingReply(), [recipientOf(firm.record), recipientOf(bank.record)], signingKey);
        const input: ReplyInput = { conclusion: 'agrees', ciphertext: sealed.ciphertext, contentHash: sealed.contentHash, signatureHash: sealed.signatureHash, signingKid: sealed.signingKid };
        reply = sealed.ciphertext;
        return rawSubmit(ledgers.officer, 'PrepareReply', [id, JSON.stringify(input)]);
      });
      await submit(ledgers.reviewer, 'approveReply', times, 'ApproveReply', id);
      await times.time('auditorAccept', async () => {
        const replyCiphertext = await addRecipients(reply, firm.keys, [recipientOf(client.record)]);
        return rawSubmit(ledgers.auditor, 'AuditorAccept', [id, JSON.stringify({ replyCiphertext })]);
      });
    };

    const baselineKeys = newInstitutionKeys('BENCH');
    const registryWrite = (prefix: string) => async (i: number): Promise<void> => {
      const profile: InstitutionProfile = { id: `${prefix}-${i}`, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '基准测试企业', nameEn: 'Benchmark Enterprise', registrationId: '91310000BENCH0001' };
      await submitAndWait(ledgers.admin.contract('registry'), 'RegisterInstitution', { arguments: [JSON.stringify(registrationInput(profile, baselineKeys))] });
    };

    // Warm-up: connections, discovery, the gateway's sessions and registry caches.
    await viaGateway(new StepTimes(), `${run}-WG`)(0);
    await raw(new StepTimes(), `${run}-WR`)(0);
    memory.idleAfterWarmUp = await idleMemory(gw);

    for (const step of PLAN) {
      const baseline = await runLoad(step.concurrency, step.writes, reporting('baseline', registryWrite(`${run}-B${step.concurrency}`)));
      const rawTimes = new StepTimes();
      const rawLifecycle = await runLoad(step.concurrency, step.lifecycles, reporting('raw', raw(rawTimes, `${run}-R${step.concurrency}`)));
      const gwTimes = new StepTimes();
      const { result: gatewayLifecycle, peakRssBytes, cpuMs } = await sampledUsage(gw, () => runLoad(step.concurrency, step.lifecycles, reporting('gateway', viaGateway(gwTimes, `${run}-G${step.concurrency}`))));
      const callP50 = percentile(gwTimes.all(), 50);
      const ratio = (a: number, b: number): number => Math.round((a / b) * 1000) / 1000;
      const entry = {
        concurrency: step.concurrency,
        gateway: { ...series(gatewayLifecycle), peakRssMB: mib(peakRssBytes), cpuMsPerLifecycle: Math.round(cpuMs / Math.max(1, gatewayLifecycle.operations - gatewayLifecycle.failures)), staleRetries: gwTimes.staleRetries, callsPerSecond: Math.round(((gatewayLifecycle.perSecond * STEPS.length) * 100)) / 100, callP50Ms: Math.round(callP50 * 100) / 100, calls: gwTimes.summary() },
        rawLifecycle: { ...series(rawLifecycle), staleRetries: rawTimes.staleRetries, callP50Ms: Math.round(percentile(rawTimes.all(), 50) * 100) / 100, calls: rawTimes.summary() },
        fabricBaseline: { writes: baseline.operations, failures: baseline.failures, perSecond: baseline.perSecond, p50Ms: baseline.p50Ms, p99Ms: baseline.p99Ms },
        ratios: {
          lifecyclesPerSecondGatewayToRaw: ratio(gatewayLifecycle.perSecond, rawLifecycle.perSecond),
          lifecycleP50GatewayToRaw: ratio(gatewayLifecycle.p50Ms, rawLifecycle.p50Ms),
          lifecycleP99GatewayToRaw: ratio(gatewayLifecycle.p99Ms, rawLifecycle.p99Ms),
          callP50GatewayToBaselineWrite: ratio(callP50, baseline.p50Ms),
          callsPerSecondGatewayToBaselineWrites: ratio(gatewayLifecycle.perSecond * STEPS.length, baseline.perSecond),
        },
      };
      console.log(
        `concurrency ${step.concurrency}: gateway ${gatewayLifecycle.perSecond} lifecycles/s (p50 ${gatewayLifecycle.p50Ms} ms, p99 ${gatewayLifecycle.p99Ms} ms, ${gatewayLifecycle.failures} failed); ` +
          `raw ${rawLifecycle.perSecond} lifecycles/s (p50 ${rawLifecycle.p50Ms} ms); baseline write ${baseline.perSecond} tx/s (p50 ${baseline.p50Ms} ms); ` +
          `ratio lifecycles/s gateway:raw ${entry.ratios.lifecyclesPerSecondGatewayToRaw}; gateway peak RSS ${mib(peakRssBytes)} MiB`,
      );
      results.push(entry);
    }
    memory.idleAfterRuns = await idleMemory(gw);
    // The same sum once the load is over: Go's and V8's heaps grown under load stay resident.
    stackIdleAfterRuns = stackIdleMB(memory.idleAfterRuns.rssMB);
    console.log(`stack idle after the runs: ${stackIdleAfterRuns.totalMB} MB (goal ≤ ${stackIdleAfterRuns.goalMB} MB: ${stackIdleAfterRuns.met ? 'met' : 'not met'}) ${JSON.stringify(stackIdleAfterRuns.nodesMB)}`);
  } finally {
    for (const ledger of Object.values(ledgers)) ledger.close();
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const report = {
    benchmark: 'gateway',
    description:
      'confirmation lifecycle (Issue, ClientAuthorize, BankAccept, PrepareReply, ApproveReply, AuditorAccept: 6 commits) through the gateway over HTTP (JWT per call, content sealed/opened at the edge) vs. the same lifecycle on raw fabric-gateway (caller seals and signs) vs. the foundation baseline (one registry write), same run, same network',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    network: { dir: path.basename(networkDir()), members: descriptor().orgs.length, orderers: descriptor().orderers.length, peerOrgs: descriptor().orgs.filter((o) => o.peers.length > 0).length, endorsement: '2 of 4 peer orgs' },
    gateway: { process: 'its own Node process on the same machine, HTTP over loopback', nodeFlags: gw.nodeFlags, events: 'off', registryCacheTtlMs: REGISTRY_CACHE_TTL_MS },
    memory: {
      description: `the gateway process, idle ${IDLE_SETTLE_MS / 1000} s: RSS as it stands, then heap and external memory after a full collection; peakRssMB of each series is sampled every ${RSS_SAMPLE_MS} ms while it runs`,
      ...memory,
    },
    stackIdleAfterStart: { description: 'RSS of every node the network runs (its pid files) and of the gateway, idle after start, and their sum against issue 18\'s 1 GiB for the small stack', ...stackIdle },
    stackIdleAfterRuns: { description: `the same, idle ${IDLE_SETTLE_MS / 1000} s after the last series`, ...stackIdleAfterRuns },
    // What the Go nodes ran with (network/lib/common.sh FABRIC_GOGC), read from a peer's environment.
    fabricGoGc: nodeEnvironment('operator', 'GOGC') ?? 'Go default (100)',
    results,
  };
  const out = path.join(REPO_ROOT, 'test', 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, `${RESULT_NAME}.json`), JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${path.join(out, `${RESULT_NAME}.json`)}`);
}

interface IdleMemory {
  rssMB: number;
  heapUsedAfterGcMB: number;
  externalMB: number;
  arrayBuffersMB: number;
}

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** The gateway's memory once it has been left alone for IDLE_SETTLE_MS; the RSS is read before the collection that measures the heap. */
async function idleMemory(gw: ForkedGateway): Promise<IdleMemory> {
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  const { rssBytes: rss } = await gw.usage();
  const m = await gw.memory();
  const idle = { rssMB: mib(rss), heapUsedAfterGcMB: mib(m.heapUsedAfterGcBytes), externalMB: mib(m.externalBytes), arrayBuffersMB: mib(m.arrayBuffersBytes) };
  console.log(`gateway idle: RSS ${idle.rssMB} MiB, heap after GC ${idle.heapUsedAfterGcMB} MiB, external ${idle.externalMB} MiB`);
  return idle;
}

/**
 * `work`, the gateway's highest RSS while it ran and the CPU time the gateway process spent on it
 * (which the neighbours' load on a shared machine inflates less than the wall clock).
 */
async function sampledUsage<T>(gw: ForkedGateway, work: () => Promise<T>): Promise<{ result: T; peakRssBytes: number; cpuMs: number }> {
  const start = await gw.usage();
  let peakRssBytes = start.rssBytes;
  let running = true;
  const sampler = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, RSS_SAMPLE_MS));
      peakRssBytes = Math.max(peakRssBytes, (await gw.usage()).rssBytes);
    }
  })();
  let result: T;
  try {
    result = await work();
  } finally {
    running = false;
    await sampler;
  }
  const end = await gw.usage();
  return { result, peakRssBytes: Math.max(peakRssBytes, end.rssBytes), cpuMs: (end.cpuMicros - start.cpuMicros) / 1000 };
}

function series(result: LoadResult): Pick<LoadResult, 'operations' | 'failures' | 'seconds' | 'perSecond' | 'p50Ms' | 'p99Ms'> {
  return { operations: result.operations, failures: result.failures, seconds: result.seconds, perSecond: result.perSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms };
}

async function withAdmin<T>(work: (admin: LedgerSession) => Promise<T>): Promise<T> {
  const admin = session('operator', 'admin');
  try {
    return await work(admin);
  } finally {
    admin.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
