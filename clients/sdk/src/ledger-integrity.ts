import type { Network } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { parseBlock, type ParsedBlock } from './block-parser';
import { chainInfo, readBlock } from './blocks';
import { channelConfigAt, ordererMspCertificates } from './channel-config';

/**
 * The regulator's integrity check of the channel's chain, computed here from the blocks the peer
 * serves (qscc), not taken from the peer's word: each block's data hash is recomputed from its
 * transactions, each header hash is recomputed and must be the next block's previous hash, every
 * block after the genesis block must be signed by an ordering node (a certificate of an ordering
 * org's CA in the channel configuration in force at that block), and the last header must hash to the peer's
 * current block hash. A block altered on disk breaks the chain; a chain rewritten consistently
 * (hashes recomputed) lacks the orderers' signatures.
 */

/** DER length octets (short or long form). */
function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, value: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), derLength(value.length), value]);

function derUnsignedInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/** Fabric's block header bytes: DER SEQUENCE { INTEGER number, OCTET STRING previousHash, OCTET STRING dataHash }. */
export function blockHeaderBytes(header: common.BlockHeader): Buffer {
  return tlv(0x30, Buffer.concat([derUnsignedInteger(BigInt(header.getNumber())), tlv(0x04, Buffer.from(header.getPreviousHash_asU8())), tlv(0x04, Buffer.from(header.getDataHash_asU8()))]));
}

/** Fabric's block header hash: SHA-256 of its header bytes; the next block's previous hash. */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  return createHash('sha256').update(blockHeaderBytes(header)).digest();
}

/**
 * Whether an ordering node of the channel signed this block: a signature in the block's SIGNATURES
 * metadata over value ‖ signature header ‖ header bytes, by a certificate issued by a CA of an
 * ordering org's MSP (Raft's signature headers; the genesis block carries none).
 */
export function signedByOrderer(block: ParsedBlock, ordererCas: ReadonlyMap<string, readonly X509Certificate[]>): boolean {
  const { value, signatures } = block.ordererSignatures;
  const headerBytes = blockHeaderBytes(block.header);
  return signatures.some((signature) => {
    try {
      const cas = ordererCas.get(signature.creator.mspId) ?? [];
      const certificate = new X509Certificate(Buffer.from(signature.creator.idBytes));
      if (!cas.some((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey))) return false;
      const signed = Buffer.concat([value, signature.signatureHeader, headerBytes]);
      return verify('sha256', signed, certificate.publicKey, signature.signature);
    } catch {
      return false;
    }
  });
}

/** Fabric's block data hash: SHA-256 of the block's envelopes, concatenated. */
export function blockDataHash(block: common.Block): Buffer {
  const hash = createHash('sha256');
  for (const envelope of block.getData()?.getDataList_asU8() ?? []) hash.update(envelope);
  return hash.digest();
}

export interface ChainBreak {
  block: string;
  reason: string;
}

/**
 * Checks consecutive blocks as they come, holding none of them: numbers, data hashes, and the
 * previous-hash links (the first against the header hash of the block before, when given).
 */
export class ChainChecker {
  readonly breaks: ChainBreak[] = [];
  readonly transactionsByValidation: Record<string, number> = {};
  private number: bigint;

  constructor(
    firstNumber: bigint,
    /** The header hash of the last block added (or of the block before the first). */
    public lastHeaderHash?: Buffer,
    /**
     * The ordering orgs' CAs in force at the first block: every block after the genesis block must
     * carry an orderer's signature; a configuration block passed replaces them for the blocks after it.
     */
    private ordererCas?: ReadonlyMap<string, readonly X509Certificate[]>,
  ) {
    this.number = firstNumber;
  }

  add(block: common.Block): void {
    const n = (this.number++).toString();
    const header = block.getHeader();
    if (!header) {
      this.breaks.push({ block: n, reason: 'no header' });
      this.lastHeaderHash = undefined;
      return;
    }
    if (header.getNumber().toString() !== n) this.breaks.push({ block: n, reason: `the header says block ${header.getNumber()}` });
    if (!blockDataHash(block).equals(Buffer.from(header.getDataHash_asU8()))) this.breaks.push({ block: n, reason: "its data does not hash to the header's data hash" });
    if (this.lastHeaderHash && !this.lastHeaderHash.equals(Buffer.from(header.getPreviousHash_asU8()))) {
      this.breaks.push({ block: n, reason: 'its previous hash is not the hash of the block before' });
    }
    const parsed = parseBlock(block);
    if (this.ordererCas && n !== '0' && !signedByOrderer(parsed, this.ordererCas)) this.breaks.push({ block: n, reason: 'no valid signature of an ordering node of the channel' });
    for (const tx of parsed.transactions) this.transactionsByValidation[tx.validation] = (this.transactionsByValidation[tx.validation] ?? 0) + 1;
    this.lastHeaderHash = blockHeaderHash(header);
    if (this.ordererCas) {
      const config = parsed.config;
      if (config) this.ordererCas = ordererMspCertificates(config);
    }
  }
}

export interface ChainReport {
  channel: string;
  /** Blocks on the peer (the last is height - 1). */
  height: string;
  fromBlock: string;
  toBlock: string;
  blocksChecked: number;
  /** Transactions of the checked blocks by the peers' validation verdict (VALID, MVCC_READ_CONFLICT, …). */
  transactionsByValidation: Record<string, number>;
  /** Every inconsistency found; empty when the chain holds. */
  breaks: ChainBreak[];
  /** The checked range reaches the last block, whose header hashes to the peer's current block hash. */
  anchoredToPeerHeight: boolean;
  /** Where the next call goes on when the range was cut at `maxBlocks`. */
  nextFromBlock?: string;
}

/**
 * Checks blocks `from`..`to` (default: from the genesis block to the last) of the network's
 * channel, at most `maxBlocks` of them (default 2,000) per call: `nextFromBlock` says where to go on.
 */
export async function verifyChain(network: Network, range: { from?: bigint; to?: bigint; maxBlocks?: number } = {}): Promise<ChainReport> {
  const channel = network.getName();
  const block = async (n: bigint) => (await readBlock(network, n)).proto;
  const info = await chainInfo(network);
  const height = info.height;
  const last = height - 1n;
  const from = range.from ?? 0n;
  const wanted = range.to === undefined || range.to > last ? last : range.to;
  if (from < 0n || from > wanted) throw new RangeError(`no blocks in ${from}..${wanted} (height ${height})`);
  const to = wanted - from + 1n > BigInt(range.maxBlocks ?? 2000) ? from + BigInt(range.maxBlocks ?? 2000) - 1n : wanted;
  const before = from > 0n ? (await block(from - 1n)).getHeader() : undefined;
  // The orderers' CAs as configured before `from` (the genesis block itself configures the first ones).
  const cas = from > 0n ? ordererMspCertificates(await channelConfigAt(network, from - 1n)) : new Map<string, X509Certificate[]>();
  const checked = new ChainChecker(from, before ? blockHeaderHash(before) : undefined, cas);
  for (let n = from; n <= to; n++) checked.add(await block(n));
  const anchored = to === last && checked.lastHeaderHash !== undefined && checked.lastHeaderHash.equals(info.currentBlockHash);
  if (to === last && !anchored) checked.breaks.push({ block: to.toString(), reason: "its header does not hash to the peer's current block hash" });
  return {
    channel,
    height: height.toString(),
    fromBlock: from.toString(),
    toBlock: to.toString(),
    blocksChecked: Number(to - from + 1n),
    transactionsByValidation: Object.fromEntries(Object.entries(checked.transactionsByValidation).sort(([a], [b]) => a.localeCompare(b))),
    breaks: checked.breaks,
    anchoredToPeerHeight: anchored,
    ...(to < wanted ? { nextFromBlock: (to + 1n).toString() } : {}),
  };
}
