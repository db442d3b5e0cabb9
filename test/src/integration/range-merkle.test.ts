import { rangeMerkleSummary, type KeyRead } from '@econfirm/sdk';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/network';

/**
 * The ledger audit's phantom check rebuilds the Merkle summary a peer records for a range of more
 * than 50 results (clients/sdk/src/validation-replay.ts `rangeMerkleSummary`). Held here against
 * Fabric's own RangeQueryResultsHelper at the pinned commit (network/fabric-build/rangehash, built
 * from the module graph network/install-fabric.sh builds the peer from), not against our reading
 * of it: the same results must give byte-identical summaries at every degree and count around the
 * level boundaries.
 */
describe('range-query Merkle summaries: ours against Fabric’s rwsetutil', function () {
  this.timeout(300_000);
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-rangehash-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('agree for degrees 2, 3, 7 and 50 (the peer’s) at every count up to past two levels', () => {
    const binary = path.join(work, 'rangehash');
    execFileSync('go', ['build', '-mod=readonly', '-o', binary, './rangehash'], { cwd: path.join(REPO_ROOT, 'network', 'fabric-build'), stdio: ['ignore', 'inherit', 'inherit'] });
    const reads = (n: number, seed: number): KeyRead[] => Array.from({ length: n }, (_, i) => ({
      key: `\u0000inst~msp\u0000Bank1MSP\u0000INST-${String(seed * 1000 + i).padStart(6, '0')}\u0000`,
      version: { blockNumber: BigInt(3 + ((i * 7 + seed) % 40)), transactionNumber: BigInt((i * 3) % 5) },
    }));
    const cases: { maxDegree: number; reads: KeyRead[] }[] = [];
    for (const maxDegree of [2, 3, 7]) for (let n = 0; n <= (maxDegree + 1) ** 3 + 2; n++) cases.push({ maxDegree, reads: reads(n, maxDegree) });
    for (const n of [0, 1, 50, 51, 52, 101, 102, 103, 2550, 2601, 2602, 2652]) cases.push({ maxDegree: 50, reads: reads(n, 50) });
    const input = JSON.stringify(cases.map((c) => ({ maxDegree: c.maxDegree, reads: c.reads.map((r) => ({ key: r.key, block: Number(r.version?.blockNumber), tx: Number(r.version?.transactionNumber) })) })));
    const fabric = JSON.parse(execFileSync(binary, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as { raw: number; maxLevel?: number; maxLevelHashes?: string[] }[];
    expect(fabric).to.have.length(cases.length);
    let summarised = 0;
    cases.forEach((c, i) => {
      const theirs = fabric[i];
      const ours = rangeMerkleSummary(c.reads, c.maxDegree);
      const label = `degree ${c.maxDegree}, ${c.reads.length} results`;
      if (theirs?.maxLevel === undefined) {
        expect(ours, `${label}: Fabric records raw reads`).to.equal(undefined);
        return;
      }
      summarised++;
      expect(ours, label).to.not.equal(undefined);
      expect({ maxLevel: ours?.maxLevel, maxLevelHashes: ours?.maxLevelHashes.map((h) => h.toString('hex')) }, label).to.deep.equal({ maxLevel: theirs.maxLevel, maxLevelHashes: theirs.maxLevelHashes });
    });
    expect(summarised, 'most cases are summarised').to.be.greaterThan(cases.length / 2);
  });
});
