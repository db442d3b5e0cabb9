import type { Network } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import { parseBlock, parseEnvelope, type ParsedBlock, type ParsedTransaction } from './block-parser';
import { evaluate, systemContract } from './submit';

/**
 * Blocks and transactions as the peer's system query chaincode (qscc) serves them to every channel
 * member, decoded by the one block parser (`block-parser.ts`).
 */

export interface ChainInfo {
  /** Blocks on the peer: the number of the next block to be committed. */
  height: bigint;
  currentBlockHash: Buffer;
  previousBlockHash: Buffer;
  /** The last block of the snapshot the peer joined the channel from (it serves no block up to it); absent for a peer that holds every block. */
  snapshotBlock?: bigint;
}

export async function chainInfo(network: Network): Promise<ChainInfo> {
  const info = common.BlockchainInfo.deserializeBinary(await evaluate(systemContract(network, 'qscc'), 'GetChainInfo', [network.getName()]));
  const snapshot = info.getBootstrappingsnapshotinfo();
  return {
    height: BigInt(info.getHeight()),
    currentBlockHash: Buffer.from(info.getCurrentblockhash_asU8()),
    previousBlockHash: Buffer.from(info.getPreviousblockhash_asU8()),
    ...(snapshot ? { snapshotBlock: BigInt(snapshot.getLastblockinsnapshot()) } : {}),
  };
}

/** The committed block `blockNumber`. */
export async function readBlock(network: Network, blockNumber: bigint | number): Promise<ParsedBlock> {
  return parseBlock(await evaluate(systemContract(network, 'qscc'), 'GetBlockByNumber', [network.getName(), blockNumber.toString()]));
}

/** The committed block that holds transaction `transactionId`. */
export async function readBlockOfTransaction(network: Network, transactionId: string): Promise<ParsedBlock> {
  return parseBlock(await evaluate(systemContract(network, 'qscc'), 'GetBlockByTxID', [network.getName(), transactionId]));
}

/** One committed transaction with the peer's validation code for it (qscc GetTransactionByID). */
export async function readTransaction(network: Network, transactionId: string): Promise<ParsedTransaction> {
  const processed = peer.ProcessedTransaction.deserializeBinary(await evaluate(systemContract(network, 'qscc'), 'GetTransactionByID', [network.getName(), transactionId]));
  const envelope = processed.getTransactionenvelope();
  if (!envelope) throw new Error(`transaction ${transactionId} has no envelope`);
  return parseEnvelope(envelope, processed.getValidationcode());
}
