import type { Checkpoint } from '@hyperledger/fabric-gateway';
import type { DatabaseSync } from 'node:sqlite';

/** Where the chaincode-event stream resumes: after `transactionId` in `blockNumber` (or at the block's start). */
export interface CheckpointPosition {
  blockNumber: bigint;
  transactionId?: string;
}

/**
 * The fabric-gateway Checkpoint of the gateway's event listener, persisted in SQLite (table
 * `event_checkpoints`, created by the events module's migrations). Written only inside the same
 * SQLite transaction that records the event in the tenants' outboxes, so "event recorded" and
 * "checkpoint past it" are one fact: a restart neither skips nor repeats an event.
 */
export class SqliteCheckpoint implements Checkpoint {
  constructor(
    private readonly db: DatabaseSync,
    /** One stream per channel + chaincode. */
    readonly stream: string,
  ) {}

  position(): CheckpointPosition | undefined {
    const row = this.db.prepare('SELECT block_number, transaction_id FROM event_checkpoints WHERE stream = ?').get(this.stream) as
      | { block_number: string; transaction_id: string | null }
      | undefined;
    if (!row) return undefined;
    return { blockNumber: BigInt(row.block_number), ...(row.transaction_id ? { transactionId: row.transaction_id } : {}) };
  }

  getBlockNumber(): bigint | undefined {
    return this.position()?.blockNumber;
  }

  getTransactionId(): string | undefined {
    return this.position()?.transactionId;
  }

  /** Records that everything up to and including `transactionId` of `blockNumber` is processed. Call inside the outbox transaction. */
  advanceTo(blockNumber: bigint, transactionId: string): void {
    this.write(blockNumber, transactionId);
  }

  /** Records where to begin when nothing has been read yet (the block after the ledger's height at first start). */
  startAt(blockNumber: bigint): void {
    this.write(blockNumber, null);
  }

  private write(blockNumber: bigint, transactionId: string | null): void {
    this.db
      .prepare(`INSERT INTO event_checkpoints (stream, block_number, transaction_id, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (stream) DO UPDATE SET block_number = excluded.block_number, transaction_id = excluded.transaction_id, updated_at = excluded.updated_at`)
      .run(this.stream, blockNumber.toString(), transactionId, new Date().toISOString());
  }
}
