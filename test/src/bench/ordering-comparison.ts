import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/network';
import type { LoadResult } from './stats';

/**
 * BFT against Raft ordering, from the two baseline runs of the same `npm run bench` (same machine,
 * same plan, one network at a time): `fabric-baseline.json` (3 Raft orderers of one org) and
 * `fabric-baseline-bft.json` (4 SmartBFT orderers of 4 orgs). Prints the table the README quotes
 * and writes `ordering-comparison.json` with each concurrency's ratio BFT ÷ Raft.
 */
interface Baseline {
  at: string;
  machine: unknown;
  network: unknown;
  results: LoadResult[];
}

const dir = path.join(REPO_ROOT, 'test', 'bench', 'results');
const read = (name: string): Baseline => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Baseline;
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

const raft = read('fabric-baseline.json');
const bft = read('fabric-baseline-bft.json');
const rows = raft.results.map((r) => {
  const b = bft.results.find((x) => x.concurrency === r.concurrency);
  if (!b) throw new Error(`no BFT result at concurrency ${r.concurrency}`);
  return {
    concurrency: r.concurrency,
    raft: { perSecond: r.perSecond, p50Ms: r.p50Ms, p99Ms: r.p99Ms, failures: r.failures },
    bft: { perSecond: b.perSecond, p50Ms: b.p50Ms, p99Ms: b.p99Ms, failures: b.failures },
    bftOverRaft: { throughput: round(b.perSecond / r.perSecond), p50: round(b.p50Ms / r.p50Ms), p99: round(b.p99Ms / r.p99Ms) },
  };
});
console.log('| concurrency | Raft tx/s | BFT tx/s | Raft p50 / p99 | BFT p50 / p99 | BFT ÷ Raft tx/s |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.concurrency} | ${r.raft.perSecond} | ${r.bft.perSecond} | ${r.raft.p50Ms} / ${r.raft.p99Ms} ms | ${r.bft.p50Ms} / ${r.bft.p99Ms} ms | ${r.bftOverRaft.throughput} |`);
}
const file = path.join(dir, 'ordering-comparison.json');
writeFileSync(file, JSON.stringify({ benchmark: 'ordering-comparison', description: 'registry write, submit-to-commit: SmartBFT (4 orderers, 4 orgs) against Raft (3 orderers, 1 org)', raft: { at: raft.at, network: raft.network }, bft: { at: bft.at, network: bft.network }, machine: bft.machine, results: rows }, null, 2) + '\n');
console.log(`wrote ${file}`);
