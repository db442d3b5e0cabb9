import type { InstitutionProfile } from '@econfirm/common';
import { chainInfo, newInstitutionKeys, registrationInput, submitAndWait, verifyBlockFiles, verifyChain, type ChainReport } from '@econfirm/sdk';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { networkDir } from '../support/institutions';
import { REPO_ROOT, descriptor, session, uniqueName } from '../support/network';
import { runLoad } from './stats';

/**
 * The regulator's ledger audit on a long chain (issue 16, "Fast"): builds a chain of at least
 * BENCH_AUDIT_BLOCKS blocks (default 10,000; the network is started with
 * ECONFIRM_BATCH_MAX_MESSAGES=1 by test/bench/run.sh, one transaction per block), then runs the
 * whole audit from the genesis block twice — online through the peer's qscc (`verifyChain`, what
 * GET /v1/ledger/integrity and `econfirm ledger verify` do) and offline on a copy of the peer's block
 * files (`verifyBlockFiles`, `econfirm ledger verify --block-files`) — each in a child process of
 * its own, so that its peak RSS is its own and not the chain builder's.
 *
 * hyperledger-labs/blockchain-verifier is not run beside it: it is not published to npm (nor to any
 * registry the project installs from), and CI's machine installs only from registries. The result
 * says so instead of printing a ratio.
 */

interface AuditRun {
  mode: 'online' | 'offline';
  seconds: number;
  blocks: number;
  transactions: number;
  blocksPerSecond: number;
  transactionsPerSecond: number;
  maxRssMiB: number;
  breaks: number;
  validationReplayed: boolean;
}

function summary(mode: AuditRun['mode'], report: ChainReport, seconds: number): AuditRun {
  const transactions = Object.values(report.transactionsByValidation).reduce((a, b) => a + b, 0);
  return {
    mode,
    seconds: round(seconds),
    blocks: report.blocksChecked,
    transactions,
    blocksPerSecond: round(report.blocksChecked / seconds),
    transactionsPerSecond: round(transactions / seconds),
    // process.resourceUsage().maxRSS is in KiB (getrusage's ru_maxrss on Linux).
    maxRssMiB: round(process.resourceUsage().maxRSS / 1024),
    breaks: report.breaks.length,
    validationReplayed: report.validationReplayed,
  };
}

/** Child: the whole online audit, as the regulator, in pages of the gateway's size; prints one AuditRun. */
async function auditOnline(): Promise<void> {
  const ledger = session('regulator', 'regulator1');
  try {
    const started = performance.now();
    // One call from block 0 over the whole chain: the validation replay and the endorsement
    // policies need every block from genesis in one checker (ledger-integrity.ts).
    const height = (await chainInfo(ledger.network)).height;
    const report = await verifyChain(ledger.network, { from: 0n, maxBlocks: Number(height) });
    console.log(JSON.stringify(summary('online', report, (performance.now() - started) / 1000)));
  } finally {
    ledger.close();
  }
}

/** Child: the offline audit of copied block files; prints one AuditRun. */
function auditOffline(dir: string): void {
  const started = performance.now();
  const report = verifyBlockFiles(dir);
  console.log(JSON.stringify(summary('offline', report, (performance.now() - started) / 1000)));
}

function child(...args: string[]): AuditRun {
  const run = spawnSync(process.execPath, [__filename, ...args], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`audit ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  const line = run.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as AuditRun;
}

/** Registry writes at concurrency 10 until the chain is `target` blocks high. */
async function buildChain(target: number): Promise<{ height: number; seconds: number; writes: number }> {
  const ledger = session('operator', 'admin');
  const contract = ledger.contract('registry');
  const keys = newInstitutionKeys('BENCH');
  const run = uniqueName('A').toUpperCase();
  const started = performance.now();
  let writes = 0;
  try {
    for (let height = Number((await chainInfo(ledger.network)).height); height < target; height = Number((await chainInfo(ledger.network)).height)) {
      const batch = Math.min(1000, target - height);
      const result = await runLoad(10, batch, async (i) => {
        const profile: InstitutionProfile = {
          id: `${run}-${writes + i}`,
          kind: 'enterprise',
          mspId: 'OperatorMSP',
          nameZh: '审计基准企业',
          nameEn: 'Audit Benchmark Enterprise',
          registrationId: '91310000BENCH0002',
        };
        await submitAndWait(contract, 'RegisterInstitution', { arguments: [JSON.stringify(registrationInput(profile, keys))] });
      });
      writes += batch;
      if (result.failures > 0) console.log(`  ${result.failures} of ${batch} writes failed: ${result.failureMessages.join(' | ')}`);
      console.log(`  chain at ${height + batch - result.failures}+ blocks (${result.perSecond} writes/s)`);
    }
    return { height: Number((await chainInfo(ledger.network)).height), seconds: round((performance.now() - started) / 1000), writes };
  } finally {
    ledger.close();
  }
}

async function main(): Promise<void> {
  const target = Number(process.env.BENCH_AUDIT_BLOCKS ?? 10_000);
  if (!Number.isInteger(target) || target < 10) throw new RangeError(`BENCH_AUDIT_BLOCKS must be a whole number ≥ 10, not ${process.env.BENCH_AUDIT_BLOCKS}`);
  console.log(`building a chain of ${target} blocks`);
  const chain = await buildChain(target);
  console.log(`chain: ${chain.height} blocks from ${chain.writes} writes in ${chain.seconds} s`);

  const online = child('--online');
  console.log(`online audit: ${online.blocks} blocks in ${online.seconds} s (${online.blocksPerSecond} blocks/s), max RSS ${online.maxRssMiB} MiB, ${online.breaks} breaks`);

  // A copy, as an auditor takes it away; the regulator's peer is the one the audit reads online too.
  const copy = mkdtempSync(path.join(os.tmpdir(), 'econfirm-audit-bench-'));
  try {
    cpSync(path.join(networkDir(), 'nodes', 'regulator', 'data', 'ledgersData', 'chains', 'chains', descriptor().channel), copy, { recursive: true });
    const offline = child('--offline', copy);
    console.log(`offline audit: ${offline.blocks} blocks in ${offline.seconds} s (${offline.blocksPerSecond} blocks/s), max RSS ${offline.maxRssMiB} MiB, ${offline.breaks} breaks`);
    const report = {
      benchmark: 'ledger-audit',
      description: 'the whole audit from block 0 (hashes, links, orderer signatures, creator and endorsement signatures, validation replay, endorsement policies) online through qscc and offline on copied block files, each in its own process',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage1m: round(os.loadavg()[0] ?? 0) },
      chain: { ...chain, transactionsPerBlock: 'at most 1 (ECONFIRM_BATCH_MAX_MESSAGES)' },
      results: [online, offline],
      blockchainVerifier: { compared: false, reason: 'hyperledger-labs/blockchain-verifier is not published to npm or another registry this project installs from (compared once by hand: README, "Side by side with blockchain-verifier")' },
    };
    const dir = path.join(REPO_ROOT, 'test', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'ledger-audit.json');
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    console.log(`wrote ${file}`);
    if (online.breaks + offline.breaks > 0) throw new Error('the audit found breaks in a chain nobody tampered with');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

const [mode, arg] = process.argv.slice(2);
const work = mode === '--online' ? auditOnline() : mode === '--offline' && arg ? Promise.resolve(auditOffline(arg)) : main();
work.catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
