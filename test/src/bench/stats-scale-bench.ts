import { evaluate, recipientOf, RegistryClient, seal, submitAndWait, type LedgerSession } from '@econfirm/sdk';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bankLetter, demoEngagement } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { distinctiveAccountNumber } from '../support/letters';
import { REPO_ROOT, session, uniqueName, withLedger } from '../support/network';
import { runLoad, timedRounds, type Timing } from './stats';

/**
 * Issue 18, "Regulator statistics and lists stay flat as the ledger grows": fills the ledger with
 * BENCH_STATS_SIZES requests (default 10,000 and 100,000; IssueBatch, 500 letters a transaction,
 * the chaincode's limit) and at each size times the regulator's GetRegulatorStats and the pages a
 * firm and the regulator read (ListConfirmationsByFirm from the start and deep into the list, by
 * bookmark; ListOverdueConfirmations), each as an evaluate on the caller's own peer. Every letter
 * carries one sealed content, sealed once (the ledger checks the recipients, not that contents
 * differ). Result: test/bench/results/stats-scale.json. Not a test: nothing here asserts a number.
 */
const SIZES = (process.env.BENCH_STATS_SIZES ?? '10000,100000').split(',').map(Number);
const BATCH = 500;
const ROUNDS = Number(process.env.BENCH_STATS_ROUNDS ?? 3);
const PAGE = 50;

interface SizeResult {
  requests: number;
  fillSeconds: number;
  lettersPerSecond: number;
  regulatorStats: Timing & { answerBytes: number };
  firstPageOfFirm: Timing;
  /** The page after BENCH_STATS_DEEP_PAGES pages of the firm's list, reached by bookmark. */
  deepPageOfFirm: Timing & { afterPages: number };
  overduePage: Timing;
}

const round = (n: number) => Math.round(n * 10) / 10;

const timed = (op: () => Promise<unknown>): Promise<Timing> => timedRounds(ROUNDS, op);

interface Page {
  records: unknown[];
  bookmark: string;
}

async function page(ledger: LedgerSession, transaction: 'ListConfirmationsByFirm' | 'ListOverdueConfirmations', args: string[]): Promise<Page> {
  return JSON.parse(Buffer.from(await evaluate(ledger.contract('confirmation'), transaction, args)).toString('utf8')) as Page;
}

async function main(): Promise<void> {
  if (SIZES.some((n) => !Number.isInteger(n) || n < BATCH)) throw new RangeError(`BENCH_STATS_SIZES must be whole numbers ≥ ${BATCH}, not ${process.env.BENCH_STATS_SIZES}`);
  await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'BANK1-SH', 'REGULATOR');
  const recipients = await withLedger('operator', 'admin', async (admin) => {
    const registry = new RegistryClient(admin);
    return Promise.all(['FIRM1', 'CLIENT1'].map(async (id) => recipientOf(await registry.get(id))));
  });
  const letter = await seal(bankLetter(distinctiveAccountNumber()), recipients);
  const run = uniqueName('S').toUpperCase();
  const auditor = session('firm1', 'auditor1');
  const regulator = session('regulator', 'regulator1');
  const results: SizeResult[] = [];
  let issued = 0;
  try {
    for (const size of [...SIZES].sort((a, b) => a - b)) {
      const batches = Math.ceil((size - issued) / BATCH);
      const first = issued / BATCH;
      const started = performance.now();
      const load = await runLoad(2, batches, async (b) => {
        const n = first + b;
        const requests = Array.from({ length: BATCH }, (_, i) => ({ id: `CF-${run}-${n}-${i}`, kind: 'bank-form-1', formId: 'bank-letter-2020', addresseeId: i % 2 ? 'BANK1' : 'BANK1-SH', feePayer: 'client', letter }));
        await submitAndWait(auditor.contract('confirmation'), 'IssueBatch', { arguments: [JSON.stringify({ engagement: demoEngagement(`ENG-${run}-${n}`), requests })] });
      });
      if (load.failures > 0) throw new Error(`${load.failures} of ${batches} batches failed: ${load.failureMessages.join(' | ')}`);
      issued += batches * BATCH;
      const fillSeconds = (performance.now() - started) / 1000;
      console.log(`${issued} requests of this run on the ledger (${round(fillSeconds)} s, ${round((batches * BATCH) / fillSeconds)} letters/s)`);

      let answerBytes = 0;
      const regulatorStats = await timed(async () => {
        answerBytes = (await evaluate(regulator.contract('confirmation'), 'GetRegulatorStats', [])).length;
      });
      const firstPageOfFirm = await timed(() => page(auditor, 'ListConfirmationsByFirm', ['FIRM1', String(PAGE), '']));
      const deepPages = Number(process.env.BENCH_STATS_DEEP_PAGES ?? 100);
      let bookmark = '';
      for (let i = 0; i < deepPages; i++) bookmark = (await page(auditor, 'ListConfirmationsByFirm', ['FIRM1', String(PAGE), bookmark])).bookmark;
      const deepPageOfFirm = { ...(await timed(() => page(auditor, 'ListConfirmationsByFirm', ['FIRM1', String(PAGE), bookmark]))), afterPages: deepPages };
      const overduePage = await timed(() => page(auditor, 'ListOverdueConfirmations', [String(PAGE), '']));
      const result: SizeResult = { requests: issued, fillSeconds: round(fillSeconds), lettersPerSecond: round((batches * BATCH) / fillSeconds), regulatorStats: { ...regulatorStats, answerBytes }, firstPageOfFirm, deepPageOfFirm, overduePage };
      console.log(JSON.stringify(result));
      results.push(result);
    }
  } finally {
    auditor.close();
    regulator.close();
  }
  // What the statistics read on this ledger: StartStatisticsIndex evaluated (nothing written) says
  // whether the row index was started before the ledger's first request (network/deploy.sh).
  const statisticsRead = await withLedger('operator', 'admin', async (admin) => {
    const answer = JSON.parse(Buffer.from(await evaluate(admin.contract('confirmation'), 'StartStatisticsIndex', [])).toString('utf8')) as { indexed: boolean; started: boolean };
    // `started` on a query: this evaluate would start it, so it is not started (and the ledger holds no request).
    return answer.indexed && !answer.started ? 'rows' : 'records';
  });
  const report = {
    benchmark: 'stats-scale',
    description: 'GetRegulatorStats and list pages (evaluates on the caller peer) as the ledger grows; requests of this run only are counted in `requests`, the ledger may hold more',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage1m: round(os.loadavg()[0] ?? 0) },
    pageSize: PAGE,
    rounds: ROUNDS,
    statisticsRead,
    results,
  };
  const dir = path.join(REPO_ROOT, 'test', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'stats-scale.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${path.join(dir, 'stats-scale.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
