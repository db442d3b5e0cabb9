import { createHash } from 'node:crypto';
import { common, ledger } from '@hyperledger/fabric-protos';
import type { KeyRead, KeyVersion, MetadataEntry, NamespaceReadWriteSet, RangeQueryRead } from './block-parser';
import { VALIDATION_PARAMETER, type KeyLevelParameters } from './endorsement-policy';

const VALID = 'VALID';
const MVCC_READ_CONFLICT = 'MVCC_READ_CONFLICT';
const PHANTOM_READ_CONFLICT = 'PHANTOM_READ_CONFLICT';
/** The codes Fabric's state validator decides (core/ledger/kvledger/txmgmt/validation/validator.go `validateTx`). */
const REPLAYED_CODES: ReadonlySet<string> = new Set([VALID, MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT]);

/** The part of a block the replay reads; a `ParsedBlock` is one. */
export interface ReplayBlock {
  number: bigint;
  transactions: readonly ReplayTransaction[];
}

export interface ReplayTransaction {
  transactionId: string;
  type: number;
  validation: string;
  isValid: boolean;
  actions: readonly { readWriteSets: readonly NamespaceReadWriteSet[] }[];
}

/** What the replay makes of one transaction: the code Fabric's validator would give, and why. */
type Verdict = { code: typeof VALID } | { code: typeof MVCC_READ_CONFLICT | typeof PHANTOM_READ_CONFLICT; reason: string };

const versionText = (v: KeyVersion | undefined): string => (v ? `${v.blockNumber}:${v.transactionNumber}` : 'absent');

/**
 * Keys in the order the peer's state database ranges over them: LevelDB compares the UTF-8 bytes,
 * which is code-point order; JavaScript's `<` compares UTF-16 code units, which puts U+E000–U+FFFF
 * after the surrogates of U+10000 and above (and a composite key's range ends at U+10FFFF). Moving
 * the surrogates above the rest of the BMP gives code-point order without encoding either key.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const rank = (c: number): number => (c >= 0xd800 ? (c >= 0xe000 ? c - 0x800 : c + 0x2000) : c);
    return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** The first index of `keys` (sorted by compareKeys) whose key is not below `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys(keys[middle] as string, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

/**
 * The Merkle summary a simulating peer records for a range of more than `maxDegree` results, built
 * as Fabric's RangeQueryResultsHelper builds it (core/ledger/kvledger/txmgmt/rwsetutil/
 * query_results_helper.go): each `maxDegree + 1` results, serialized as a kvrwset.QueryReads, hash
 * to a leaf; a level holding more than `maxDegree` hashes hashes their concatenation one level up;
 * at the end the leftovers are carried up to the highest level, which is itself combined once more
 * if it still holds more than `maxDegree`. Undefined when no leaf was ever made (≤ maxDegree results):
 * the simulation then recorded the raw reads, so a recorded summary cannot match.
 */
export function rangeMerkleSummary(results: readonly KeyRead[], maxDegree: number): { maxLevel: number; maxLevelHashes: Buffer[] } | undefined {
  const tree = new Map<number, Buffer[]>();
  let maxLevel = 1;
  const at = (level: number): Buffer[] => {
    let hashes = tree.get(level);
    if (!hashes) tree.set(level, (hashes = []));
    return hashes;
  };
  const combined = (hashes: readonly Buffer[]): Buffer => sha256(Buffer.concat(hashes));
  const addLeaf = (leaf: Buffer): void => {
    at(1).push(leaf);
    for (let level = 1; at(level).length > maxDegree; level++) {
      const up = combined(at(level));
      tree.delete(level);
      at(level + 1).push(up);
      maxLevel = Math.max(maxLevel, level + 1);
    }
  };
  const leafOf = (reads: readonly KeyRead[]): Buffer => {
    const message = new ledger.rwset.kvrwset.QueryReads();
    message.setKvReadsList(reads.map((read) => {
      const kv = new ledger.rwset.kvrwset.KVRead();
      kv.setKey(read.key);
      if (read.version) {
        const version = new ledger.rwset.kvrwset.Version();
        version.setBlockNum(Number(read.version.blockNumber));
        version.setTxNum(Number(read.version.transactionNumber));
        kv.setVersion(version);
      }
      return kv;
    }));
    return sha256(message.serializeBinary());
  };
  let pending: KeyRead[] = [];
  for (const result of results) {
    pending.push(result);
    if (pending.length > maxDegree) {
      addLeaf(leafOf(pending));
      pending = [];
    }
  }
  if (maxLevel === 1 && at(1).length === 0) return undefined;
  if (pending.length > 0) addLeaf(leafOf(pending));
  for (let level = 1; level < maxLevel; level++) {
    const hashes = at(level);
    if (hashes.length === 0) continue;
    const up = hashes.length === 1 ? (hashes[0] as Buffer) : combined(hashes);
    tree.delete(level);
    at(level + 1).push(up);
  }
  if (at(maxLevel).length > maxDegree) {
    const top = combined(at(maxLevel));
    tree.delete(maxLevel);
    maxLevel += 1;
    at(maxLevel).push(top);
  }
  return { maxLevel, maxLevelHashes: at(maxLevel) };
}

function rangeText(namespace: string, range: RangeQueryRead): string {
  const end = range.endKey === '' ? 'the end' : JSON.stringify(range.endKey);
  return `${namespace} [${JSON.stringify(range.startKey)}, ${end}${range.itrExhausted ? ')' : ']'}`;
}

/**
 * Recomputes the validation codes the blocks let anyone recompute: Fabric's state validator
 * (core/ledger/kvledger/txmgmt/validation/validator.go `validateTx`) — for each namespace in order,
 * the MVCC check of the point reads, then the phantom check of the ranges iterated (re-run over the
 * state as it is, compared key by key and version by version, or by their Merkle summary), then the
 * MVCC check of the private (hashed) reads. Nothing signs the TRANSACTIONS_FILTER metadata that says
 * which transactions are VALID, so a peer could flip a code and every signature would still hold.
 * Replaying the read-write sets from the genesis block — the versions each VALID transaction wrote,
 * in block order, earlier transactions of the same block included — tells a transaction recorded
 * VALID that Fabric would have refused, and one recorded MVCC_READ_CONFLICT or PHANTOM_READ_CONFLICT
 * whose conflict is invented (or of the other kind). Codes of other kinds (endorsement policy
 * failures…) are decided before the state validator and are not replayed here. Only meaningful from
 * block 0: the state must be complete. Ranges over private data are not validated by Fabric either.
 */
export class ValidationReplay implements KeyLevelParameters {
  private readonly versions = new Map<string, KeyVersion>();
  /** Each key's VALIDATION_PARAMETER metadata (its key-level endorsement policy), where it has one. */
  private readonly parameters = new Map<string, Uint8Array>();

  /** The key-level policy of a key in the state as replayed so far (a private key by its hash, hex), as Fabric's validator reads it from the committed state. */
  validationParameter(namespace: string, key: string, collection?: string): Uint8Array | undefined {
    return this.parameters.get(collection === undefined ? `${namespace}\u0000${key}` : `${namespace}\u0000${collection}\u0000${key}`);
  }
  /** Each namespace's public keys in state, in the database's order: where the ranges are re-run. */
  private readonly keys = new Map<string, string[]>();

  /** What is wrong with the block's recorded codes (empty: all agree); then its VALID writes are applied. */
  apply(block: ReplayBlock): string[] {
    const problems: string[] = [];
    block.transactions.forEach((tx, index) => {
      if (tx.type !== common.HeaderType.ENDORSER_TRANSACTION || !REPLAYED_CODES.has(tx.validation)) return;
      const verdict = this.verdict(tx);
      const recorded = tx.validation;
      if (verdict.code !== recorded) {
        const at = `transaction ${index} (${tx.transactionId})`;
        if (verdict.code === VALID) problems.push(`${at}: recorded ${recorded}, but every read held (replay of the read-write sets)`);
        else if (recorded === VALID) problems.push(`${at}: recorded VALID, but its ${verdict.reason} (replay of the read-write sets)`);
        else problems.push(`${at}: recorded ${recorded}, but its ${verdict.reason}: ${verdict.code} (replay of the read-write sets)`);
      }
      if (tx.isValid) this.write(tx, { blockNumber: block.number, transactionNumber: BigInt(index) });
    });
    return problems;
  }

  private verdict(tx: ReplayTransaction): Verdict {
    for (const action of tx.actions) {
      for (const set of action.readWriteSets) {
        const stale = this.stalePointRead(set);
        if (stale) return { code: MVCC_READ_CONFLICT, reason: `read of ${stale}` };
        for (const range of set.rangeQueries) {
          const phantom = this.phantom(set.namespace, range);
          if (phantom) return { code: PHANTOM_READ_CONFLICT, reason: `range read of ${rangeText(set.namespace, range)} ${phantom}` };
        }
        const staleHashed = this.staleHashedRead(set);
        if (staleHashed) return { code: MVCC_READ_CONFLICT, reason: `read of ${staleHashed}` };
      }
    }
    return { code: VALID };
  }

  private stalePointRead(set: NamespaceReadWriteSet): string | undefined {
    for (const read of set.reads) {
      const held = this.versions.get(`${set.namespace}\u0000${read.key}`);
      if (versionText(held) !== versionText(read.version)) return `${set.namespace}/${read.key} saw version ${versionText(read.version)} where the ledger had ${versionText(held)}`;
    }
    return undefined;
  }

  private staleHashedRead(set: NamespaceReadWriteSet): string | undefined {
    for (const collection of set.collections) {
      for (const read of collection.reads) {
        const key = Buffer.from(read.keyHash).toString('hex');
        const held = this.versions.get(`${set.namespace}\u0000${collection.collection}\u0000${key}`);
        if (versionText(held) !== versionText(read.version)) return `${set.namespace}/${collection.collection}/#${key.slice(0, 16)} saw version ${versionText(read.version)} where the ledger had ${versionText(held)}`;
      }
    }
    return undefined;
  }

  /** The range as the ledger holds it now: keys from startKey to endKey (inclusive when the chaincode stopped early). */
  private rangeNow(namespace: string, range: RangeQueryRead): KeyRead[] {
    const keys = this.keys.get(namespace) ?? [];
    const results: KeyRead[] = [];
    for (let i = lowerBound(keys, range.startKey); i < keys.length; i++) {
      const key = keys[i] as string;
      if (range.endKey !== '') {
        const order = compareKeys(key, range.endKey);
        if (order > 0 || (order === 0 && range.itrExhausted)) break;
      }
      results.push({ key, version: this.versions.get(`${namespace}\u0000${key}`) as KeyVersion });
    }
    return results;
  }

  /** How the range differs from what the simulation saw (Fabric's rangeQueryResultsValidator / rangeQueryHashValidator), or undefined. */
  private phantom(namespace: string, range: RangeQueryRead): string | undefined {
    const now = this.rangeNow(namespace, range);
    if (range.merkle) {
      const summary = rangeMerkleSummary(now, range.merkle.maxDegree);
      const same = summary !== undefined && summary.maxLevel === range.merkle.maxLevel && summary.maxLevelHashes.length === range.merkle.maxLevelHashes.length
        && summary.maxLevelHashes.every((hash, i) => hash.equals(range.merkle?.maxLevelHashes[i] as Uint8Array));
      return same ? undefined : `saw results whose Merkle summary (degree ${range.merkle.maxDegree}) differs from that of the ${now.length} keys the ledger had`;
    }
    const seen = range.reads ?? [];
    for (const [i, read] of seen.entries()) {
      const held = now[i];
      if (!held) return `saw key ${JSON.stringify(read.key)} that the ledger no longer had`;
      if (held.key !== read.key) return `saw key ${JSON.stringify(read.key)} where the ledger had ${JSON.stringify(held.key)}`;
      if (versionText(held.version) !== versionText(read.version)) return `saw key ${JSON.stringify(read.key)} at version ${versionText(read.version)} where the ledger had ${versionText(held.version)}`;
    }
    const extra = now[seen.length];
    return extra ? `did not see key ${JSON.stringify(extra.key)} that the ledger had` : undefined;
  }

  private write(tx: ReplayTransaction, version: KeyVersion): void {
    for (const action of tx.actions) {
      for (const set of action.readWriteSets) {
        let keys = this.keys.get(set.namespace);
        if (!keys) this.keys.set(set.namespace, (keys = []));
        for (const write of set.writes) {
          const key = `${set.namespace}\u0000${write.key}`;
          const at = lowerBound(keys, write.key);
          const present = keys[at] === write.key;
          if (write.isDelete) {
            this.versions.delete(key);
            this.parameters.delete(key);
            if (present) keys.splice(at, 1);
          } else {
            this.versions.set(key, version);
            if (!present) keys.splice(at, 0, write.key);
          }
        }
        for (const write of set.metadataWrites) this.writeMetadata(`${set.namespace}\u0000${write.key}`, write.entries, version);
        for (const collection of set.collections) {
          for (const write of collection.writes) {
            const key = `${set.namespace}\u0000${collection.collection}\u0000${Buffer.from(write.keyHash).toString('hex')}`;
            if (write.isDelete || write.isPurge) {
              this.versions.delete(key);
              this.parameters.delete(key);
            } else this.versions.set(key, version);
          }
          for (const write of collection.metadataWrites) this.writeMetadata(`${set.namespace}\u0000${collection.collection}\u0000${Buffer.from(write.keyHash).toString('hex')}`, write.entries, version);
        }
      }
    }
  }

  /**
   * A metadata write as Fabric's state validator applies it (core/ledger/kvledger/txmgmt/validation/
   * tx_ops.go): it replaces the key's metadata (no entries: removes it) and gives the key this
   * transaction's version; on a key that does not exist (never written, or deleted by this same
   * transaction) it is dropped. A value write alone keeps the metadata; a delete removes both.
   */
  private writeMetadata(key: string, entries: readonly MetadataEntry[], version: KeyVersion): void {
    if (!this.versions.has(key)) return;
    this.versions.set(key, version);
    const parameter = entries.find((e) => e.name === VALIDATION_PARAMETER)?.value;
    if (parameter && parameter.length > 0) this.parameters.set(key, parameter);
    else this.parameters.delete(key);
  }
}
