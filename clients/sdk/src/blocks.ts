import type { Network } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { commitStatusName } from './ledger-call-error';
import { evaluate } from './submit';

export interface BlockTransaction {
  transactionId: string;
  /** The peer's validation verdict for this transaction, e.g. VALID or MVCC_READ_CONFLICT. */
  validation: string;
}

export interface BlockSummary {
  number: bigint;
  dataHashHex: string;
  previousHashHex: string;
  transactions: BlockTransaction[];
}

/** Index of the transaction validation flags in a block's metadata (common.BlockMetadataIndex). */
const TRANSACTIONS_FILTER = common.BlockMetadataIndex.TRANSACTIONS_FILTER;

/** Reads a committed block through the peer's system query chaincode (qscc) and lists its transactions. */
export async function readBlock(network: Network, blockNumber: bigint): Promise<BlockSummary> {
  const qscc = network.getContract('qscc');
  const bytes = await evaluate(qscc, 'GetBlockByNumber', [network.getName(), blockNumber.toString()]);
  return summarizeBlock(common.Block.deserializeBinary(bytes));
}

export function summarizeBlock(block: common.Block): BlockSummary {
  const header = block.getHeader();
  if (!header) {
    throw new Error('block has no header');
  }
  const flags = block.getMetadata()?.getMetadataList_asU8()[TRANSACTIONS_FILTER] ?? new Uint8Array();
  const transactions = (block.getData()?.getDataList_asU8() ?? []).map((envelopeBytes, index) => {
    const envelope = common.Envelope.deserializeBinary(envelopeBytes);
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
    return { transactionId: channelHeader.getTxId(), validation: commitStatusName(flags[index] ?? 255) };
  });
  return {
    number: BigInt(header.getNumber()),
    dataHashHex: Buffer.from(header.getDataHash_asU8()).toString('hex'),
    previousHashHex: Buffer.from(header.getPreviousHash_asU8()).toString('hex'),
    transactions,
  };
}
