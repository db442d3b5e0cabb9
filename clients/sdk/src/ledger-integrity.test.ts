import { common } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import { blockDataHash, blockHeaderHash, ChainChecker } from './ledger-integrity';

function envelope(txId: string): Uint8Array {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setTxId(txId);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  return env.serializeBinary();
}

/** A block as an orderer cuts it: data hash over its envelopes, previous hash = the header hash before it, all VALID. */
function block(number: number, previousHash: Uint8Array, txIds: string[]): common.Block {
  const b = new common.Block();
  const data = new common.BlockData();
  data.setDataList(txIds.map(envelope));
  b.setData(data);
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previousHash);
  header.setDataHash(blockDataHash(b));
  b.setHeader(header);
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList([new Uint8Array(), new Uint8Array(), new Uint8Array(txIds.map(() => 0)), new Uint8Array(), new Uint8Array()]);
  b.setMetadata(metadata);
  return b;
}

function chain(): common.Block[] {
  const blocks: common.Block[] = [];
  let previous: Uint8Array = new Uint8Array();
  for (let n = 0; n < 3; n++) {
    const b = block(n, previous, [`tx${n}a`, `tx${n}b`]);
    blocks.push(b);
    previous = blockHeaderHash(b.getHeader() as common.BlockHeader);
  }
  return blocks;
}

function check(blocks: common.Block[]): ChainChecker {
  const checker = new ChainChecker(0n);
  for (const b of blocks) checker.add(b);
  return checker;
}

describe('ledger integrity: the chain of block hashes', function () {
  it('a consistent chain has no breaks and counts its transactions by verdict', function () {
    const checker = check(chain());
    expect(checker.breaks).to.deep.equal([]);
    expect(checker.transactionsByValidation).to.deep.equal({ VALID: 6 });
    expect(checker.lastHeaderHash).to.have.length(32);
  });

  it('a transaction replaced in a block: its data no longer hashes to its header', function () {
    const blocks = chain();
    (blocks[1] as common.Block).getData()?.setDataList([envelope('tx1a'), envelope('forged')]);
    expect(check(blocks).breaks).to.deep.equal([{ block: '1', reason: "its data does not hash to the header's data hash" }]);
  });

  it('a block rewritten with a matching data hash: the next block no longer links to it', function () {
    const blocks = chain();
    const forged = blocks[1] as common.Block;
    forged.getData()?.setDataList([envelope('forged')]);
    forged.getHeader()?.setDataHash(blockDataHash(forged));
    expect(check(blocks).breaks).to.deep.equal([{ block: '2', reason: 'its previous hash is not the hash of the block before' }]);
  });

  it('a block missing or out of order: its number is not the one expected', function () {
    const blocks = chain();
    expect(check([blocks[0] as common.Block, blocks[2] as common.Block]).breaks.map((b) => b.block)).to.deep.equal(['1', '1']);
  });

  it('the header hash covers number, previous hash and data hash', function () {
    const header = chain()[1]?.getHeader() as common.BlockHeader;
    const hash = blockHeaderHash(header).toString('hex');
    for (const change of [() => header.setNumber(7), () => header.setPreviousHash(new Uint8Array(32)), () => header.setDataHash(new Uint8Array(32))]) {
      const copy = common.BlockHeader.deserializeBinary(header.serializeBinary());
      const saved = header.serializeBinary();
      change();
      expect(blockHeaderHash(header).toString('hex')).not.to.equal(hash);
      header.setNumber(copy.getNumber());
      header.setPreviousHash(copy.getPreviousHash_asU8());
      header.setDataHash(copy.getDataHash_asU8());
      expect(Buffer.from(header.serializeBinary()).equals(Buffer.from(saved))).to.equal(true);
    }
  });
});
