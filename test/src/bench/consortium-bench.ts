import type { InstitutionKind } from '@econfirm/common';
import { RegistryClient, newInstitutionKeys, registrationInput, type LedgerSession } from '@econfirm/sdk';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshRegistrationId } from '../support/institutions';
import { REPO_ROOT, descriptor, withLedger } from '../support/network';
import { runLoad, timedRounds, type LoadResult } from './stats';

/**
 * Issue 19, "864 institutions on the channel": brings up `network/up.sh --consortium=<n>` from
 * nothing (BENCH_CONSORTIUM_SIZE banks and firms, default 864, plus the operator and the regulator)
 * on the network of its own that test/bench/run.sh gives it, and measures: the time to bring it up
 * and the genesis block's size; the time to admit one more organization by a config update signed
 * by the two admins the Application Admins policy asks (network/org.sh); every node's RSS; the
 * registry entries of every member institution (RegisterInstitution as the operator's admin, each
 * an endorsement and a commit: its latency is the per-transaction figure) and of
 * BENCH_CONSORTIUM_ENTERPRISES enterprises as clients (default 2,000; the 80,000 is this
 * variable); then registry reads as a member without a peer through the operator's peer — one
 * record, a first page, a page deep in the list by bookmark. Result:
 * test/bench/results/consortium.json. Not a test: nothing here asserts a number.
 */
const SIZE = Number(process.env.BENCH_CONSORTIUM_SIZE ?? 864);
const ENTERPRISES = Number(process.env.BENCH_CONSORTIUM_ENTERPRISES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONSORTIUM_CONCURRENCY ?? 10);
const ROUNDS = 5;
const PAGE = 100;

const round = (n: number) => Math.round(n * 10) / 10;

function networkDir(): string {
  const dir = process.env.ECONFIRM_NETWORK_DIR;
  // Never a developer's own network: up.sh from nothing wipes nothing, but this one must be the bench's.
  if (!dir || path.resolve(dir) === path.join(REPO_ROOT, '.network')) throw new Error('run through test/bench/run.sh (BENCH_ONLY_CONSORTIUM=1): it gives the benchmark a network directory of its own');
  return dir;
}

function script(name: string, ...args: string[]): string {
  return execFileSync(path.join(REPO_ROOT, 'network', name), args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** RSS (MB) of every node the network started, from its pid files. */
function nodeRss(): Record<string, number> {
  const run = path.join(networkDir(), 'run');
  const rss: Record<string, number> = {};
  for (const file of readdirSync(run).filter((f) => f.endsWith('.pid')).sort()) {
    const pid = readFileSync(path.join(run, file), 'utf8').trim();
    const status = `/proc/${pid}/status`;
    if (!existsSync(status)) continue;
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'))?.[1];
    if (kb) rss[file.replace(/\.pid$/, '')] = round(Number(kb) / 1024);
  }
  return rss;
}

const timed = (op: () => Promise<unknown>) => timedRounds(ROUNDS, op);

function register(admin: LedgerSession, id: string, kind: InstitutionKind, mspId: string, index: number): Promise<unknown> {
  const profile = { id, kind, mspId, nameZh: `联盟成员${index}`, nameEn: `Consortium member ${id}`, registrationId: freshRegistrationId(kind === 'bank' ? 'B' : '91') };
  return new RegistryClient(admin).register(registrationInput(profile, newInstitutionKeys(id)));
}

async function main(): Promise<void> {
  if (!Number.isInteger(SIZE) || SIZE < 3) throw new RangeError(`BENCH_CONSORTIUM_SIZE must be a whole number ≥ 3, not ${process.env.BENCH_CONSORTIUM_SIZE}`);
  const dir = networkDir();
  script('clean.sh');
  let started = performance.now();
  script('up.sh', `--consortium=${SIZE}`);
  const upSeconds = round((performance.now() - started) / 1000);
  const genesisBlockBytes = statSync(path.join(dir, 'channel', 'econfirm.block')).size;
  const orgs = descriptor().orgs;
  const rssAfterUp = nodeRss();

  // One more bank than up.sh made: the next number after the highest.
  const nextBank = Math.max(...orgs.map((o) => /^bank(\d+)$/.exec(o.key)?.[1]).filter((n): n is string => n !== undefined).map(Number)) + 1;
  const admitted = JSON.parse(script('org.sh', 'add', `bank${nextBank}`).trim().split('\n').pop() ?? '') as { mspId: string; configBlock: number; configBlockBytes: number; seconds: number };

  const members = descriptor().orgs.filter((o) => o.kind === 'bank' || o.kind === 'firm');
  const tag = Date.now().toString(36).toUpperCase();
  let memberRegistrations: LoadResult | undefined;
  let enterpriseRegistrations: LoadResult | undefined;
  await withLedger('operator', 'admin', async (admin) => {
    started = performance.now();
    memberRegistrations = await runLoad(CONCURRENCY, members.length, async (i) => {
      const org = members[i];
      // network.json says 'firm'; the registry's kind for an accounting firm is 'audit-firm'.
      const kind: InstitutionKind = org.kind === 'bank' ? 'bank' : 'audit-firm';
      await register(admin, org.key.toUpperCase(), kind, org.mspId, i);
    });
    enterpriseRegistrations = await runLoad(CONCURRENCY, ENTERPRISES, async (i) => {
      await register(admin, `ENT-${tag}-${i}`, 'client', 'OperatorMSP', i);
    });
  });

  // Registry reads as a member that runs no peer (the new bank's officer, through the operator's peer).
  const reader = `bank${nextBank}`;
  script('identity.sh', 'issue', reader, 'officer1', 'bank-officer');
  const reads = await withLedger(reader, 'officer1', async (ledger) => {
    const registry = new RegistryClient(ledger);
    const deep = async () => {
      let bookmark = '';
      for (let p = 0; p < 5; p++) bookmark = (await registry.list('', PAGE, bookmark)).bookmark;
      return registry.list('', PAGE, bookmark);
    };
    return {
      getOne: await timed(() => registry.get(members[members.length - 1].key.toUpperCase())),
      firstPage: await timed(() => registry.list('', PAGE)),
      firstPageOfBanks: await timed(() => registry.list('bank', PAGE)),
      // The sixth page, reached by five bookmarks (all six pages timed together).
      sixPagesByBookmark: await timed(deep),
    };
  }, 'operator');

  const result = {
    benchmark: 'consortium',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg().map(round) },
    network: { memberBanksAndFirms: SIZE, mspsOnChannel: orgs.length, peerOrgs: orgs.filter((o) => o.peers.length > 0).length, orderers: descriptor().orderers.length },
    upSeconds,
    genesisBlockBytes,
    rssMBAfterUp: rssAfterUp,
    admission: { ...admitted, mspsAfter: orgs.length + 1 },
    registry: { concurrency: CONCURRENCY, members: memberRegistrations, enterprises: enterpriseRegistrations, entries: members.length + ENTERPRISES },
    registryReads: { pageSize: PAGE, ...reads },
    rssMBAtEnd: nodeRss(),
  };
  const out = path.join(REPO_ROOT, 'test', 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'consortium.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
