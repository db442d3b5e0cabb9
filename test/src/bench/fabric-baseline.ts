import type { InstitutionProfile } from '@econfirm/common';
import { newInstitutionKeys, registrationInput, submitAndWait } from '@econfirm/sdk';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, descriptor, session, uniqueName } from '../support/network';
import { runLoad, type LoadResult } from './stats';

/**
 * The raw Fabric ceiling every later benchmark is reported against: a small registry write
 * (one key plus one index key, endorsed by two orgs) submitted straight through
 * @hyperledger/fabric-gateway and timed from submit to commit status, at concurrency 1, 10, 50.
 * On a BFT network (`up.sh --bft`) the same plan writes `fabric-baseline-bft.json` beside the Raft
 * one, and `ordering-comparison.ts` sets the two side by side (test/bench/run.sh runs both).
 */
const PLAN: ReadonlyArray<{ concurrency: number; operations: number }> = [
  { concurrency: 1, operations: Number(process.env.BENCH_OPS_C1 ?? 100) },
  { concurrency: 10, operations: Number(process.env.BENCH_OPS_C10 ?? 500) },
  { concurrency: 50, operations: Number(process.env.BENCH_OPS_C50 ?? 1000) },
];

async function main(): Promise<void> {
  const ledger = session('operator', 'admin');
  const contract = ledger.contract('registry');
  const keys = newInstitutionKeys('BENCH');
  const run = uniqueName('B').toUpperCase();
  const results: LoadResult[] = [];
  try {
    for (const step of PLAN) {
      const result = await runLoad(step.concurrency, step.operations, async (i) => {
        const profile: InstitutionProfile = {
          id: `${run}-${step.concurrency}-${i}`,
          kind: 'enterprise',
          mspId: 'OperatorMSP',
          nameZh: '基准测试企业',
          nameEn: 'Benchmark Enterprise',
          registrationId: '91310000BENCH0001',
        };
        await submitAndWait(contract, 'RegisterInstitution', { arguments: [JSON.stringify(registrationInput(profile, keys))] });
      });
      console.log(`concurrency ${result.concurrency}: ${result.perSecond} tx/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.failures} failed${result.failures ? ` (${result.failureMessages.join(' | ')})` : ''}`);
      results.push(result);
    }
  } finally {
    ledger.close();
  }
  const consensus = descriptor().consensus ?? 'raft';
  const report = {
    benchmark: 'fabric-baseline',
    consensus,
    description: 'registry write submitted through fabric-gateway, submit-to-commit latency',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    network: { consensus, orderers: descriptor().orderers.length, orderingOrgs: new Set(descriptor().orderers.map((o) => o.mspId)).size, peerOrgs: descriptor().orgs.filter((o) => o.peers.length > 0).length, endorsement: '2 of 4 peer orgs' },
    results,
  };
  const dir = path.join(REPO_ROOT, 'test', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  // The Raft file keeps its name: every later benchmark is reported against it.
  const file = path.join(dir, consensus === 'bft' ? 'fabric-baseline-bft.json' : 'fabric-baseline.json');
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
