import type { Network } from '@hyperledger/fabric-gateway';
import { chainInfo, readBlock } from './blocks';
import { blockHeaderHash } from './ledger-integrity';

/** One peer's view of the chain, as it serves it. */
export interface PeerChain {
  peer: string;
  height: string;
  /** The header hash of block `commonHeight - 1` as this peer serves it. */
  headerHashAtCommon: string;
  /** The peer joined the channel from a snapshot ending at this block (network/snapshot.sh): it serves no block up to it. */
  snapshotBlock?: string;
}

export interface PeerAgreement {
  /** The lowest height any peer serves: the blocks every peer should hold alike. */
  commonHeight: string;
  peers: PeerChain[];
  /** Every peer serves the same header at the common height — so, by the hash links, the same blocks before it. */
  agree: boolean;
  /** Peers serving fewer blocks than the highest, with how many fewer (a peer behind, or one withholding blocks). */
  behind: Array<{ peer: string; blocks: string }>;
}

/**
 * Compares what several peers serve (issue 16: "compare several peers"): each one's height and the
 * header hash of the last block all of them hold. Equal header hashes at one height mean equal
 * chains up to it (each header hashes its predecessor's), so one full verifyChain against any of
 * them audits all that agree. A peer behind is reported, not failed: peers commit at their own pace.
 */
export async function comparePeers(peers: ReadonlyArray<{ name: string; network: Network }>): Promise<PeerAgreement> {
  if (peers.length === 0) throw new RangeError('no peer to compare');
  const infos = await Promise.all(peers.map(async ({ network }) => chainInfo(network)));
  const heights = infos.map((i) => i.height);
  const common = heights.reduce((a, b) => (b < a ? b : a));
  const highest = heights.reduce((a, b) => (b > a ? b : a));
  const chains = await Promise.all(
    peers.map(async ({ name, network }, i) => {
      const info = infos[i] as (typeof infos)[number];
      // A peer at the common height names its last block's header hash itself: a peer joined from
      // a snapshot serves no block up to the snapshot's last one, yet knows that block's hash.
      const atCommon = info.height === common ? info.currentBlockHash : blockHeaderHash((await readBlock(network, common - 1n)).header);
      return {
        peer: name,
        height: info.height.toString(),
        headerHashAtCommon: atCommon.toString('hex'),
        ...(info.snapshotBlock !== undefined ? { snapshotBlock: info.snapshotBlock.toString() } : {}),
      };
    }),
  );
  return {
    commonHeight: common.toString(),
    peers: chains,
    agree: chains.every((c) => c.headerHashAtCommon === chains[0]?.headerHashAtCommon),
    behind: chains.filter((c) => BigInt(c.height) < highest).map((c) => ({ peer: c.peer, blocks: (highest - BigInt(c.height)).toString() })),
  };
}
