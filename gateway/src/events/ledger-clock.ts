import { chainInfo, readTransaction } from '@econfirm/sdk';
import type { Network } from '@hyperledger/fabric-gateway';

/** The channel's height on the peer: the number of the next block to be committed. */
export async function chainHeight(network: Network): Promise<bigint> {
  return (await chainInfo(network)).height;
}

/**
 * The timestamp a committed transaction carries in its channel header (set by the client at
 * proposal time and checked by the endorsers' time window) — the time the ledger itself records.
 */
export async function transactionTimestamp(network: Network, transactionId: string): Promise<string> {
  const { timestamp } = await readTransaction(network, transactionId);
  if (!timestamp) throw new Error(`transaction ${transactionId} has no timestamp`);
  return timestamp.toISOString();
}
