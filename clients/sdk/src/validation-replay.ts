import { common } from '@hyperledger/fabric-protos';
import type { KeyVersion, ParsedBlock, ParsedTransaction } from './block-parser';

const MVCC_READ_CONFLICT = 'MVCC_READ_CONFLICT';

const versionText = (v: KeyVersion | undefined): string => (v ? `${v.blockNumber}:${v.transactionNumber}` : 'absent');

/**
 * Recomputes the one validation code the blocks let anyone recompute: the MVCC check of point reads
 * (Fabric's validator, core/ledger/kvledger/txmgmt/validation). Nothing signs the TRANSACTIONS_FILTER
 * metadata that says which transactions are VALID, so a peer could flip a code and every signature
 * would still hold. Replaying the read-write sets from the genesis block — the versions each VALID
 * transaction wrote, in block order, earlier transactions of the same block included — tells:
 * - a transaction recorded VALID whose read saw another version than the ledger held;
 * - a transaction recorded MVCC_READ_CONFLICT whose every read held (the conflict is invented).
 * Range-query (phantom) reads are not replayed; nor are codes of other kinds (policy failures…).
 * Only meaningful from block 0: the state must be complete.
 */
export class ValidationReplay {
  private readonly versions = new Map<string, KeyVersion>();

  /** What is wrong with the block's recorded codes (empty: all agree); then its VALID writes are applied. */
  apply(block: ParsedBlock): string[] {
    const problems: string[] = [];
    block.transactions.forEach((tx, index) => {
      if (tx.type !== common.HeaderType.ENDORSER_TRANSACTION) return;
      if (!tx.isValid && tx.validation !== MVCC_READ_CONFLICT) return;
      const stale = this.staleRead(tx);
      if (tx.isValid && stale) problems.push(`transaction ${index} (${tx.transactionId}): recorded VALID, but its read of ${stale} (replay of the read-write sets)`);
      if (tx.validation === MVCC_READ_CONFLICT && !stale) problems.push(`transaction ${index} (${tx.transactionId}): recorded MVCC_READ_CONFLICT, but every read held (replay of the read-write sets)`);
      if (tx.isValid) this.write(tx, { blockNumber: block.number, transactionNumber: BigInt(index) });
    });
    return problems;
  }

  private staleRead(tx: ParsedTransaction): string | undefined {
    for (const action of tx.actions) {
      for (const set of action.readWriteSets) {
        for (const read of set.reads) {
          const held = this.versions.get(`${set.namespace}\u0000${read.key}`);
          if (versionText(held) !== versionText(read.version)) return `${set.namespace}/${read.key} saw version ${versionText(read.version)} where the ledger had ${versionText(held)}`;
        }
        for (const collection of set.collections) {
          for (const read of collection.reads) {
            const key = Buffer.from(read.keyHash).toString('hex');
            const held = this.versions.get(`${set.namespace}\u0000${collection.collection}\u0000${key}`);
            if (versionText(held) !== versionText(read.version)) return `${set.namespace}/${collection.collection}/#${key.slice(0, 16)} saw version ${versionText(read.version)} where the ledger had ${versionText(held)}`;
          }
        }
      }
    }
    return undefined;
  }

  private write(tx: ParsedTransaction, version: KeyVersion): void {
    for (const action of tx.actions) {
      for (const set of action.readWriteSets) {
        for (const write of set.writes) {
          const key = `${set.namespace}\u0000${write.key}`;
          if (write.isDelete) this.versions.delete(key);
          else this.versions.set(key, version);
        }
        for (const collection of set.collections) {
          for (const write of collection.writes) {
            const key = `${set.namespace}\u0000${collection.collection}\u0000${Buffer.from(write.keyHash).toString('hex')}`;
            if (write.isDelete || write.isPurge) this.versions.delete(key);
            else this.versions.set(key, version);
          }
        }
      }
    }
  }
}
