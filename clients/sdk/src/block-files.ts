import { common } from '@hyperledger/fabric-protos';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ChainChecker, type ChainReport, type TrustAnchor } from './ledger-integrity';

/** Reads protobuf varints and length-prefixed bytes (proto.Buffer's EncodeVarint / EncodeRawBytes). */
class Reader {
  constructor(
    private readonly bytes: Buffer,
    public at: number,
    private readonly end: number,
  ) {}

  varint(): number | undefined {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.at >= this.end) return undefined;
      const byte = this.bytes[this.at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      if (shift > 49) throw new Error(`block file: no varint at offset ${this.at}`);
    }
  }

  raw(): Buffer {
    const length = this.varint();
    if (length === undefined || this.at + length > this.end) throw new Error(`block file: a field at offset ${this.at} runs past its block`);
    const value = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }
}

/**
 * One block as Fabric's block store serializes it (common/ledger/blkstorage/block_serialization.go):
 * header (number, data hash, previous hash), the envelopes (count, each length-prefixed), the
 * metadata entries (count, each length-prefixed) — not the protobuf encoding of common.Block.
 */
function storedBlock(bytes: Buffer, start: number, end: number): common.Block {
  const r = new Reader(bytes, start, end);
  const header = new common.BlockHeader();
  header.setNumber(r.varint() ?? 0);
  header.setDataHash(r.raw());
  header.setPreviousHash(r.raw());
  const data = new common.BlockData();
  const envelopes: Uint8Array[] = [];
  for (let n = r.varint() ?? 0; n > 0; n--) envelopes.push(r.raw());
  data.setDataList(envelopes);
  const metadata = new common.BlockMetadata();
  const entries: Uint8Array[] = [];
  for (let n = r.varint() ?? 0; n > 0; n--) entries.push(r.raw());
  metadata.setMetadataList(entries);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return block;
}

/**
 * A peer's block files read without the network: Fabric's block store appends each block as its
 * length (a varint) and its stored form to `blockfile_NNNNNN` under
 * `ledgersData/chains/chains/<channel>/`. A copy of them is what an auditor takes away from a peer
 * (no identity, no connection), the input hyperledger-labs/blockchain-verifier reads too.
 */
export function* blocksInFile(bytes: Buffer): Generator<common.Block, { trailingBytes: number }> {
  let at = 0;
  while (at < bytes.length) {
    const r = new Reader(bytes, at, bytes.length);
    const length = r.varint();
    // A block being appended when the file was copied: not a block yet.
    if (length === undefined || r.at + length > bytes.length) return { trailingBytes: bytes.length - at };
    yield storedBlock(bytes, r.at, r.at + length);
    at = r.at + length;
  }
  return { trailingBytes: 0 };
}

/** The block files of a folder in their order (blockfile_000000, _000001, …), or the one file given. */
export function blockFilePaths(source: string): string[] {
  if (!statSync(source).isDirectory()) return [source];
  const files = readdirSync(source).filter((f) => /^blockfile_\d{6}$/.test(f)).sort();
  if (files.length === 0) throw new Error(`no blockfile_NNNNNN in ${source}`);
  return files.map((f) => path.join(source, f));
}

/**
 * The chain check of ledger-integrity.ts on copied block files: every hash, link, orderer
 * signature and VALID transaction's signatures, from the genesis block on — whose ordering and
 * member CAs it takes as it finds them, so pin its hash (`anchor`) to know it is the channel's.
 * Without a peer there is no current block hash to meet: `anchoredToPeerHeight` is false.
 */
export function verifyBlockFiles(source: string, options: { anchor?: TrustAnchor } = {}): ChainReport {
  const checker = new ChainChecker(0n, undefined, { orderers: new Map(), members: new Map() }, options.anchor);
  let count = 0;
  let channel = '';
  let trailingBytes = 0;
  for (const file of blockFilePaths(source)) {
    const blocks = blocksInFile(readFileSync(file));
    for (let next = blocks.next(); ; next = blocks.next()) {
      if (next.done) {
        trailingBytes += next.value.trailingBytes;
        break;
      }
      if (count === 0) channel = channelOf(next.value);
      checker.add(next.value);
      count += 1;
    }
  }
  if (count === 0) throw new RangeError(`no complete block in ${source}`);
  const last = (count - 1).toString();
  const { anchor } = options;
  if (anchor && anchor.block > BigInt(last)) checker.breaks.push({ block: anchor.block.toString(), reason: `the trust anchor's block is not in the files (they end at block ${last})` });
  const anchorBroken = anchor !== undefined && checker.breaks.some((b) => b.block === anchor.block.toString() && /trust anchor/.test(b.reason));
  return {
    channel,
    height: count.toString(),
    fromBlock: '0',
    toBlock: last,
    blocksChecked: count,
    transactionsByValidation: Object.fromEntries(Object.entries(checker.transactionsByValidation).sort(([a], [b]) => a.localeCompare(b))),
    transactionsChecked: checker.transactionsChecked,
    activityByDay: checker.activityByDay,
    validationReplayed: checker.validationReplayed,
    breaks: checker.breaks,
    anchoredToPeerHeight: false,
    ...(anchor ? { trustAnchor: { block: anchor.block.toString(), headerHash: anchor.headerHash.toString('hex'), matched: !anchorBroken } } : {}),
    checkpoint: { block: last, headerHash: (checker.lastHeaderHash ?? Buffer.alloc(0)).toString('hex') },
    ...(trailingBytes > 0 ? { partialTailBytes: trailingBytes } : {}),
  };
}

function channelOf(block: common.Block): string {
  const envelope = common.Envelope.deserializeBinary((block.getData()?.getDataList_asU8() ?? [])[0] ?? new Uint8Array());
  const header = common.Payload.deserializeBinary(envelope.getPayload_asU8()).getHeader();
  return header ? common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()).getChannelId() : '';
}
