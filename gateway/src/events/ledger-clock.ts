import { evaluate } from '@econfirm/sdk';
import type { Network } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';

/** The channel's height on the peer: the number of the next block to be committed. */
export async function chainHeight(network: Network): Promise<bigint> {
  const bytes = await evaluate(network.getContract('qscc'), 'GetChainInfo', [network.getName()]);
  return BigInt(common.BlockchainInfo.deserializeBinary(bytes).getHeight());
}

/**
 * The timestamp a committed transaction carries in its channel header (set by the client at
 * proposal time and checked by the endorsers' time window) — the time the ledger itself records.
 */
export async function transactionTimestamp(network: Network, transactionId: string): Promise<string> {
  const bytes = await evaluate(network.getContract('qscc'), 'GetTransactionByID', [network.getName(), transactionId]);
  const envelope = peer.ProcessedTransaction.deserializeBinary(bytes).getTransactionenvelope();
  if (!envelope) throw new Error(`transaction ${transactionId} has no envelope`);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const header = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
  const ts = header.getTimestamp();
  if (!ts) throw new Error(`transaction ${transactionId} has no timestamp`);
  return new Date(ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1_000_000)).toISOString();
}
