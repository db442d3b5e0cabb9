import type { Contract, Network } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { PLATFORM_COLLECTION_MSPS, PLATFORM_CONTRACTS, platformReadOrg, type ContractName } from '@econfirm/common';

/**
 * The peers a call of a platform contract goes to (common PLATFORM_CONTRACTS; chaincode/README.md,
 * Need to know on the channel, step 2). A peer that is not a member of the platform collection —
 * a bank's or a firm's, the gateway peer of their tenants — holds only the hashes of its private
 * data and not the pseudonym key, so it can neither endorse a confirmation step nor answer a
 * read. Writes are endorsed by the members (`PLATFORM_COLLECTION_MSPS`); reads go to one member
 * org (`platformReadOrg`: the caller's own when it is one).
 */
export interface PlatformTargets {
  readonly endorse: readonly string[];
  readonly read: readonly string[];
  readonly network: Network;
}

const targets = new WeakMap<Contract, PlatformTargets>();

/** Marks a contract of `mspId`'s session as a platform contract when it is one (LedgerSession.contract). */
export function withPlatformTargets<T extends Contract>(contract: T, contractName: ContractName, mspId: string, network: Network): T {
  if (PLATFORM_CONTRACTS.includes(contractName)) {
    targets.set(contract, { endorse: PLATFORM_COLLECTION_MSPS, read: [platformReadOrg(mspId)], network });
  }
  return contract;
}

/** The targets of a platform contract, or undefined for every other contract (the gateway derives their plan). */
export function platformTargets(contract: Contract): PlatformTargets | undefined {
  return targets.get(contract);
}

/** How long a write waits for the read org's peer to have its block, and how often it looks. */
const READ_PEER_WAIT_MS = 5_000;
const READ_PEER_POLL_MS = 10;

/** The highest height each network's read peer was seen at: writes committed in one block ask once. */
const seenHeights = new WeakMap<Network, Map<string, bigint>>();

/** The read org's peer's height (the number of the next block it will commit); remembered. */
export async function platformHeight(platform: PlatformTargets): Promise<bigint> {
  const bytes = await platform.network.getContract('qscc').evaluate('GetChainInfo', { arguments: [platform.network.getName()], endorsingOrganizations: [...platform.read] });
  const height = BigInt(common.BlockchainInfo.deserializeBinary(bytes).getHeight());
  const seen = seenHeights.get(platform.network) ?? new Map<string, bigint>();
  const key = platform.read.join(',');
  if (height > (seen.get(key) ?? 0n)) seen.set(key, height);
  seenHeights.set(platform.network, seen);
  return height;
}

/** Whether the read org's peer is known to have committed `blockNumber` (from the heights seen; no call). */
export function knownCommitted(platform: PlatformTargets, blockNumber: bigint): boolean {
  return (seenHeights.get(platform.network)?.get(platform.read.join(',')) ?? 0n) > blockNumber;
}

/**
 * Waits (bounded) until the read org's peer has committed `blockNumber`. The commit status came
 * from the caller's gateway peer; a read right after the write goes to the read org's peer, which
 * commits the same block moments apart — without this a caller could read its own write's
 * previous state. Past the bound, or when the read peer cannot be asked, the write stands (it
 * committed: never reported as failed for this); a read may then be stale.
 */
export async function awaitReadPeer(platform: PlatformTargets, blockNumber: bigint): Promise<void> {
  for (const until = Date.now() + READ_PEER_WAIT_MS; !knownCommitted(platform, blockNumber); ) {
    try {
      if ((await platformHeight(platform)) > blockNumber) return;
    } catch {
      return;
    }
    if (Date.now() >= until) return;
    await new Promise((resolve) => setTimeout(resolve, READ_PEER_POLL_MS));
  }
}
