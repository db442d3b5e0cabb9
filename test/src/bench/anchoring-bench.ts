import { EVIDENCE_ANCHOR_ABI } from '@econfirm/common';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder, Contract, hexlify, keccak256, randomBytes } from 'ethers';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { anchorerWallet, evmDeployment, evmProvider } from '../support/evm';

/**
 * The cost of public anchoring on the EVM development node network/up.sh starts (issue 15 §4):
 * one anchor transaction per batch, whatever its size — so gas per piece of evidence falls as
 * batches grow — plus what a third party pays to check one proof on chain (isEvidenceAnchored, a
 * view call: gas estimated, nothing spent) and the proof it must carry. Batches of random leaves,
 * anchored by the deployment's anchorer exactly as the gateway's service does. Writes
 * test/bench/results/anchoring.json.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SIZES = [1, 8, 64, 256, 1024];

async function main(): Promise<void> {
  const deployment = evmDeployment();
  const provider = evmProvider(deployment);
  const wallet = anchorerWallet(provider, deployment);
  const contract = new Contract(deployment.address, [...EVIDENCE_ANCHOR_ABI, 'function isEvidenceAnchored(bytes32 evidenceHash, bytes32[] proof, bytes32 root) view returns (bool)'], wallet);
  const batches = [];
  try {
    for (const size of SIZES) {
      const leaves = Array.from({ length: size }, () => hexlify(randomBytes(32)));
      const t0 = performance.now();
      const tree = StandardMerkleTree.of(leaves.map((l): [string] => [l]), ['bytes32']);
      const treeMs = performance.now() - t0;
      const ledgerRef = keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'uint64', 'string'], ['econfirm', 1n, hexlify(randomBytes(32)).slice(2)]));
      // The uri the service writes (its length is part of the cost).
      const uri = `econfirm:econfirm/anchor/${tree.root}`;
      const sent = (await contract.getFunction('anchor')(tree.root, ledgerRef, uri)) as { wait(): Promise<{ gasUsed: bigint; status: number }> };
      const receipt = await sent.wait();
      if (receipt.status !== 1) throw new Error(`the anchor of a batch of ${size} reverted`);
      const proof = tree.getProof(0);
      const checkGas = await contract.getFunction('isEvidenceAnchored').estimateGas((tree.at(0) as [string])[0], proof, tree.root);
      batches.push({
        items: size,
        anchorGas: Number(receipt.gasUsed),
        gasPerItem: Number((Number(receipt.gasUsed) / size).toFixed(1)),
        proofHashes: proof.length,
        proofBytes: proof.length * 32,
        treeBuildMs: Number(treeMs.toFixed(2)),
        onChainProofCheckGas: Number(checkGas),
      });
    }
  } finally {
    provider.destroy();
  }
  const report = {
    benchmark: 'anchoring',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    chain: { chainId: deployment.chainId, node: 'Hardhat 3 development node (EDR)', contract: deployment.address },
    note: 'one EvidenceAnchor.anchor(root, ledgerRef, uri) per batch: gas does not grow with the batch, so gas per item falls as 1/n; onChainProofCheckGas = eth_estimateGas of isEvidenceAnchored for one leaf (a free view call for a verifier; what a contract would pay to check a proof)',
    batches,
  };
  const dir = path.join(REPO_ROOT, 'test', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'anchoring.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
