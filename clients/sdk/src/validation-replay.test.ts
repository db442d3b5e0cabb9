import { createHash } from 'node:crypto';
import { common, ledger } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import type { KeyRead, KeyVersion, NamespaceReadWriteSet, RangeQueryRead } from './block-parser';
import { compareKeys, rangeMerkleSummary, ValidationReplay, type ReplayBlock, type ReplayTransaction } from './validation-replay';

const NS = 'econfirm';
const v = (blockNumber: number, transactionNumber: number): KeyVersion => ({ blockNumber: BigInt(blockNumber), transactionNumber: BigInt(transactionNumber) });

function set(parts: Partial<Omit<NamespaceReadWriteSet, 'namespace'>>): NamespaceReadWriteSet {
  return { namespace: NS, reads: [], rangeQueries: [], writes: [], metadataWrites: [], collections: [], ...parts };
}

function tx(id: string, validation: string, rwset: NamespaceReadWriteSet): ReplayTransaction {
  return { transactionId: id, type: common.HeaderType.ENDORSER_TRANSACTION, validation, isValid: validation === 'VALID', actions: [{ readWriteSets: [rwset] }] };
}

const put = (...keys: string[]) => set({ writes: keys.map((key) => ({ key, isDelete: false, value: Buffer.from('x') })) });
const remove = (...keys: string[]) => set({ writes: keys.map((key) => ({ key, isDelete: true, value: new Uint8Array() })) });
const range = (startKey: string, endKey: string, reads: KeyRead[], itrExhausted = true): RangeQueryRead => ({ startKey, endKey, itrExhausted, reads });

/** A replay that has seen block 1 write `a1`, `a2` (tx 0) and `b1` (tx 1). */
function seeded(): ValidationReplay {
  const replay = new ValidationReplay();
  expect(replay.apply({ number: 1n, transactions: [tx('w0', 'VALID', put('a1', 'a2')), tx('w1', 'VALID', put('b1'))] })).to.deep.equal([]);
  return replay;
}

const block = (...transactions: ReplayTransaction[]): ReplayBlock => ({ number: 2n, transactions });
const sawA = [{ key: 'a1', version: v(1, 0) }, { key: 'a2', version: v(1, 0) }];

describe('ValidationReplay: the state validator replayed from the read-write sets', () => {
  it('a range that still holds agrees with VALID; a phantom recorded VALID is named', () => {
    expect(seeded().apply(block(tx('t0', 'VALID', set({ rangeQueries: [range('a', 'b', sawA)] }))))).to.deep.equal([]);
    // An earlier transaction of the same block adds a key inside the range.
    expect(seeded().apply(block(tx('t0', 'VALID', put('a3')), tx('t1', 'VALID', set({ rangeQueries: [range('a', 'b', sawA)] }))))).to.deep.equal([
      'transaction 1 (t1): recorded VALID, but its range read of econfirm ["a", "b") did not see key "a3" that the ledger had (replay of the read-write sets)',
    ]);
  });

  it('a key deleted from the range, or rewritten in it, is a phantom too', () => {
    expect(seeded().apply(block(tx('t0', 'VALID', remove('a2')), tx('t1', 'VALID', set({ rangeQueries: [range('a', 'b', sawA)] }))))).to.deep.equal([
      'transaction 1 (t1): recorded VALID, but its range read of econfirm ["a", "b") saw key "a2" that the ledger no longer had (replay of the read-write sets)',
    ]);
    expect(seeded().apply(block(tx('t0', 'VALID', put('a1')), tx('t1', 'VALID', set({ rangeQueries: [range('a', 'b', sawA)] }))))).to.deep.equal([
      'transaction 1 (t1): recorded VALID, but its range read of econfirm ["a", "b") saw key "a1" at version 1:0 where the ledger had 2:0 (replay of the read-write sets)',
    ]);
  });

  it('a range the chaincode left early ends at the last key it saw, inclusive; an empty end key runs to the namespace end', () => {
    const early = range('a', 'a1', [{ key: 'a1', version: v(1, 0) }], false);
    expect(seeded().apply(block(tx('t0', 'VALID', put('a2')), tx('t1', 'VALID', set({ rangeQueries: [early] }))))).to.deep.equal([]);
    expect(seeded().apply(block(tx('t0', 'VALID', set({ rangeQueries: [range('a', 'a1', [], true)] }))))).to.deep.equal([]);
    const all = range('', '', [...sawA, { key: 'b1', version: v(1, 1) }]);
    expect(seeded().apply(block(tx('t0', 'VALID', set({ rangeQueries: [all] }))))).to.deep.equal([]);
    expect(seeded().apply(block(tx('t0', 'VALID', put('z')), tx('t1', 'VALID', set({ rangeQueries: [all] }))))).to.have.length(1);
  });

  it('an invented phantom, and a phantom recorded as an MVCC conflict, are told', () => {
    expect(seeded().apply(block(tx('t0', 'PHANTOM_READ_CONFLICT', set({ rangeQueries: [range('a', 'b', sawA)] }))))).to.deep.equal([
      'transaction 0 (t0): recorded PHANTOM_READ_CONFLICT, but every read held (replay of the read-write sets)',
    ]);
    expect(seeded().apply(block(tx('t0', 'VALID', put('a3')), tx('t1', 'MVCC_READ_CONFLICT', set({ reads: [{ key: 'b1', version: v(1, 1) }], rangeQueries: [range('a', 'b', sawA)] }))))).to.deep.equal([
      'transaction 1 (t1): recorded MVCC_READ_CONFLICT, but its range read of econfirm ["a", "b") did not see key "a3" that the ledger had: PHANTOM_READ_CONFLICT (replay of the read-write sets)',
    ]);
    // Point reads are checked first: a stale read and a phantom together are an MVCC conflict, as Fabric records it.
    expect(seeded().apply(block(tx('t0', 'VALID', put('a3', 'b1')), tx('t1', 'MVCC_READ_CONFLICT', set({ reads: [{ key: 'b1', version: v(1, 1) }], rangeQueries: [range('a', 'b', sawA)] }))))).to.deep.equal([]);
    // A VALID transaction's writes count for the ranges after it; an invalid one's do not.
    expect(seeded().apply(block(tx('t0', 'MVCC_READ_CONFLICT', set({ reads: [{ key: 'b1', version: v(0, 0) }], writes: [{ key: 'a3', isDelete: false, value: Buffer.from('x') }] })), tx('t1', 'VALID', set({ rangeQueries: [range('a', 'b', sawA)] }))))).to.deep.equal([]);
  });

  it('point reads keep their messages: a stale read recorded VALID, an MVCC conflict whose reads all held', () => {
    expect(seeded().apply(block(tx('t0', 'VALID', set({ reads: [{ key: 'a1', version: v(0, 3) }] }))))).to.deep.equal([
      'transaction 0 (t0): recorded VALID, but its read of econfirm/a1 saw version 0:3 where the ledger had 1:0 (replay of the read-write sets)',
    ]);
    expect(seeded().apply(block(tx('t0', 'MVCC_READ_CONFLICT', set({ reads: [{ key: 'a1', version: v(1, 0) }] }))))).to.deep.equal([
      'transaction 0 (t0): recorded MVCC_READ_CONFLICT, but every read held (replay of the read-write sets)',
    ]);
  });

  it('codes the state validator does not decide are left alone', () => {
    expect(seeded().apply(block(tx('t0', 'ENDORSEMENT_POLICY_FAILURE', set({ reads: [{ key: 'a1', version: v(0, 3) }] }))))).to.deep.equal([]);
  });
});

describe('ValidationReplay: ranges summarised as Merkle hashes', () => {
  const sha = (data: Uint8Array) => createHash('sha256').update(data).digest();
  const leaf = (reads: KeyRead[]): Buffer => {
    const message = new ledger.rwset.kvrwset.QueryReads();
    message.setKvReadsList(reads.map((read) => {
      const kv = new ledger.rwset.kvrwset.KVRead();
      kv.setKey(read.key);
      const version = new ledger.rwset.kvrwset.Version();
      version.setBlockNum(Number(read.version?.blockNumber));
      version.setTxNum(Number(read.version?.transactionNumber));
      kv.setVersion(version);
      return kv;
    }));
    return sha(message.serializeBinary());
  };
  const reads = (n: number): KeyRead[] => Array.from({ length: n }, (_, i) => ({ key: `k${String(i).padStart(2, '0')}`, version: v(1, 0) }));

  it('is built as Fabric builds it: leaves of maxDegree + 1 results, levels combined past maxDegree hashes', () => {
    const r = reads(5);
    // Degree 2: leaves [r0..r2] and the leftover [r3, r4]; two hashes fit one level.
    expect(rangeMerkleSummary(r, 2)).to.deep.equal({ maxLevel: 1, maxLevelHashes: [leaf(r.slice(0, 3)), leaf(r.slice(3))] });
    // Nine results: three leaves, which is more than 2, so they combine into level 2.
    const nine = reads(9);
    const leaves = [leaf(nine.slice(0, 3)), leaf(nine.slice(3, 6)), leaf(nine.slice(6, 9))];
    expect(rangeMerkleSummary(nine, 2)).to.deep.equal({ maxLevel: 2, maxLevelHashes: [sha(Buffer.concat(leaves))] });
    // No more results than the degree: Fabric records the raw reads, no summary.
    expect(rangeMerkleSummary(reads(2), 2)).to.equal(undefined);
  });

  it('a summarised range that still holds agrees; one more key in it is a phantom', () => {
    const replay = new ValidationReplay();
    const keys = reads(5).map((r) => r.key);
    replay.apply({ number: 1n, transactions: [tx('w0', 'VALID', put(...keys))] });
    const summary = rangeMerkleSummary(reads(5), 2);
    const summarised: RangeQueryRead = { startKey: 'k', endKey: 'l', itrExhausted: true, merkle: { maxDegree: 2, maxLevel: summary?.maxLevel ?? 0, maxLevelHashes: summary?.maxLevelHashes ?? [] } };
    expect(replay.apply({ number: 2n, transactions: [tx('t0', 'VALID', set({ rangeQueries: [summarised] }))] })).to.deep.equal([]);
    expect(replay.apply({ number: 3n, transactions: [tx('t0', 'VALID', put('k99')), tx('t1', 'VALID', set({ rangeQueries: [summarised] }))] })).to.deep.equal([
      'transaction 1 (t1): recorded VALID, but its range read of econfirm ["k", "l") saw results whose Merkle summary (degree 2) differs from that of the 6 keys the ledger had (replay of the read-write sets)',
    ]);
  });
});

describe('compareKeys: the state database’s (UTF-8 byte) order', () => {
  it('puts U+FFFF below U+10000, where UTF-16 code units put it above, and a prefix first', () => {
    expect('\uffff' > '\u{10000}').to.equal(true);
    expect(compareKeys('\uffff', '\u{10000}')).to.be.lessThan(0);
    expect(Buffer.compare(Buffer.from('\uffff'), Buffer.from('\u{10000}'))).to.equal(-1);
    expect(compareKeys('a', 'a\u0000')).to.be.lessThan(0);
    expect(compareKeys('\u0000cf\u0000', '\u0000cf\u0000\u{10ffff}')).to.be.lessThan(0);
    expect(compareKeys('b', 'b')).to.equal(0);
  });
});
