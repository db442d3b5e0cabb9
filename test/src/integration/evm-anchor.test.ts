import { expect } from 'chai';
import { EVIDENCE_ANCHOR_ABI } from '@econfirm/common';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder, Interface, keccak256, randomBytes, hexlify } from 'ethers';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { anchorContract, anchorerWallet, evmDeployment, evmProvider } from '../support/evm';
import { REPO_ROOT } from '../support/network';

function randomRoot(): string {
  const hashes = [hexlify(randomBytes(32)), hexlify(randomBytes(32))];
  return StandardMerkleTree.of(hashes.map((h): [string] => [h]), ['bytes32']).root;
}

const ledgerRef = (txId: string): string => keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'uint64', 'string'], ['econfirm', 7n, txId]));

/** The EVM development node network/up.sh starts, and EvidenceAnchor as it deployed it. */
describe('EVM development node and EvidenceAnchor deployment', function () {
  this.timeout(60_000);
  const deployment = evmDeployment();
  const provider = evmProvider(deployment);
  after(() => provider.destroy());

  it('answers JSON-RPC with the recorded chain id and has the contract at the recorded address', async () => {
    expect((await provider.getNetwork()).chainId.toString()).to.equal(deployment.chainId);
    expect(await provider.getCode(deployment.address)).to.have.length.greaterThan(2);
  });

  it('the ABI econfirm calls is the compiled contract\'s', () => {
    const artifact = JSON.parse(readFileSync(path.join(REPO_ROOT, 'contracts/artifacts/contracts/EvidenceAnchor.sol/EvidenceAnchor.json'), 'utf8')) as { abi: never[] };
    const compiled = new Interface(artifact.abi);
    for (const fragment of new Interface(EVIDENCE_ANCHOR_ABI).fragments) {
      const name = 'name' in fragment ? String(fragment.name) : '';
      const ours = fragment.format('full');
      const theirs = fragment.type === 'event' ? compiled.getEvent(name) : fragment.type === 'error' ? compiled.getError(name) : compiled.getFunction(name);
      expect(theirs?.format('full'), name).to.equal(ours);
    }
  });

  it('the anchorer holds ANCHORER_ROLE and the admin does not', async () => {
    const contract = anchorContract(provider, deployment);
    const role = (await contract.getFunction('ANCHORER_ROLE')()) as string;
    expect(await contract.getFunction('hasRole')(role, deployment.anchorer)).to.equal(true);
    expect(await contract.getFunction('hasRole')(role, deployment.admin)).to.equal(false);
  });

  it('the anchorer\'s key from its file anchors a root, recorded with the block time', async () => {
    const wallet = anchorerWallet(provider, deployment);
    expect(wallet.address).to.equal(deployment.anchorer);
    const contract = anchorContract(wallet, deployment);
    const root = randomRoot();
    const receipt = await ((await contract.getFunction('anchor')(root, ledgerRef('tx-ok'), 'econfirm:test')) as { wait(): Promise<{ blockNumber: number; status: number }> }).wait();
    expect(receipt.status).to.equal(1);
    const block = await provider.getBlock(receipt.blockNumber);
    const anchored = (await contract.getFunction('anchorOf')(root)) as { timestamp: bigint; anchorer: string };
    expect(anchored.anchorer).to.equal(deployment.anchorer);
    expect(anchored.timestamp).to.equal(BigInt(block?.timestamp ?? -1));
  });

  for (const who of ['an account of the node without the role', 'the admin itself'] as const) {
    it(`refuses ${who} with AnchorUnauthorized and records nothing`, async () => {
      const signer = who === 'the admin itself' ? await provider.getSigner(deployment.admin) : await provider.getSigner(2);
      const contract = anchorContract(signer, deployment);
      const root = randomRoot();
      const refusal = await (contract.getFunction('anchor')(root, ledgerRef('tx-refused'), '') as Promise<unknown>).then(
        () => undefined,
        (err: unknown) => err,
      );
      const data = (refusal as { data?: string } | undefined)?.data;
      expect(data, 'revert data').to.be.a('string');
      const decoded = new Interface(EVIDENCE_ANCHOR_ABI).parseError(data as string);
      expect(decoded?.name).to.equal('AnchorUnauthorized');
      expect(decoded?.args[0]).to.equal(await signer.getAddress());
      expect(await anchorContract(provider, deployment).getFunction('isAnchored')(root)).to.equal(false);
    });
  }
});
