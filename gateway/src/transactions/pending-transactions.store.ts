import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseSync } from 'node:sqlite';
import { AtRestCipher } from '../database/at-rest-cipher';
import { applyMigrations } from '../database/migrations';
import { OFFLINE_SIGNING_MIGRATIONS } from './pending-transactions.migrations';
import { DATABASE } from '../database/database.module';
import type { LedgerCall } from '../fabric/ledger-call';

export type PendingMode = 'submit' | 'evaluate';
export type PendingStage = 'proposed' | 'endorsed' | 'submitted' | 'committed' | 'evaluated' | 'failed';

/** An offline-signed transaction in flight: the unsigned bytes wait here for the caller's signatures. */
export interface PendingTransaction {
  transactionId: string;
  tenantId: string;
  credentialId: string;
  mode: PendingMode;
  call: LedgerCall;
  /** How the committed result is shown to the caller (see ResultPresenters). */
  presenter: string;
  /** Status code of the final answer (201 for an issue, 200 otherwise). */
  successStatus: number;
  stage: PendingStage;
  proposalBytes: Uint8Array;
  transactionBytes?: Uint8Array;
  /** The final answer (status + body), once committed, evaluated or failed. */
  outcome?: { status: number; body: unknown };
  createdAt: string;
  expiresAt: string;
}

interface Row {
  transaction_id: string;
  tenant_id: string;
  credential_id: string;
  mode: string;
  call_json: string;
  presenter: string;
  success_status: number;
  stage: string;
  proposal_bytes: Uint8Array;
  transaction_bytes: Uint8Array | null;
  outcome_json: string | null;
  created_at: string;
  expires_at: string;
}

/**
 * Offline proposals persist in SQLite: a gateway restart between the two signatures loses nothing.
 * Stored sealed to the tenant (database/at-rest-cipher.ts): the final answer, which may hold
 * decrypted content (the presenter opens letters and replies), and the call and the unsigned
 * proposal, which hold the transient map — a receivable or payment-batch step's amount openings,
 * amounts in the clear that no block records and no database file may either. The endorsed
 * transaction's bytes are kept as they are: Fabric leaves the transient map out of them.
 */
@Injectable()
export class PendingTransactionsStore {
  constructor(
    @Inject(DATABASE) private readonly db: DatabaseSync,
    private readonly cipher: AtRestCipher,
  ) {
    applyMigrations(db, 'offline-signing', OFFLINE_SIGNING_MIGRATIONS);
    // Answers recorded before sealing began are sealed now (secure_delete overwrites the old bytes).
    const legacy = db.prepare("SELECT transaction_id, tenant_id, outcome_json FROM pending_transactions WHERE outcome_json IS NOT NULL AND outcome_json NOT LIKE 'v1.%'").all() as Array<{ transaction_id: string; tenant_id: string; outcome_json: string }>;
    const reseal = db.prepare('UPDATE pending_transactions SET outcome_json = ? WHERE transaction_id = ?');
    for (const row of legacy) reseal.run(this.seal(row.tenant_id, row.transaction_id, JSON.parse(row.outcome_json) as unknown), row.transaction_id);
    // So are calls and proposals recorded before their sealing began (none held openings then).
    const plain = db.prepare("SELECT transaction_id, tenant_id, call_json, proposal_bytes FROM pending_transactions WHERE call_json NOT LIKE 'v1.%'").all() as Array<Pick<Row, 'transaction_id' | 'tenant_id' | 'call_json' | 'proposal_bytes'>>;
    const resealCall = db.prepare('UPDATE pending_transactions SET call_json = ?, proposal_bytes = ? WHERE transaction_id = ?');
    for (const row of plain) {
      resealCall.run(this.sealCall(row.tenant_id, row.transaction_id, JSON.parse(row.call_json) as LedgerCall), this.sealProposal(row.tenant_id, row.transaction_id, row.proposal_bytes), row.transaction_id);
    }
  }

  private seal(tenantId: string, transactionId: string, outcome: unknown): string {
    return this.cipher.sealJson(tenantId, `pending_transactions:${transactionId}`, outcome);
  }

  private sealCall(tenantId: string, transactionId: string, call: LedgerCall): string {
    return this.cipher.sealJson(tenantId, `pending_transactions:${transactionId}:call`, call);
  }

  /** The sealed proposal as UTF-8 bytes in the BLOB column (its first bytes `v1.`, never those of a protobuf message). */
  private sealProposal(tenantId: string, transactionId: string, proposal: Uint8Array): Buffer {
    return Buffer.from(this.cipher.sealJson(tenantId, `pending_transactions:${transactionId}:proposal`, Buffer.from(proposal).toString('base64')), 'utf8');
  }

  private openProposal(row: Row): Uint8Array {
    const stored = Buffer.from(row.proposal_bytes).toString('utf8');
    if (!AtRestCipher.isSealed(stored)) return new Uint8Array(row.proposal_bytes);
    return new Uint8Array(Buffer.from(this.cipher.openJson(row.tenant_id, `pending_transactions:${row.transaction_id}:proposal`, stored) as string, 'base64'));
  }

  insert(p: PendingTransaction): void {
    this.db
      .prepare(
        `INSERT INTO pending_transactions (transaction_id, tenant_id, credential_id, mode, call_json, presenter, success_status, stage,
           proposal_bytes, created_at, expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.transactionId, p.tenantId, p.credentialId, p.mode, this.sealCall(p.tenantId, p.transactionId, p.call), p.presenter, p.successStatus, p.stage,
        this.sealProposal(p.tenantId, p.transactionId, p.proposalBytes), p.createdAt, p.expiresAt, p.createdAt);
  }

  /** The pending transaction if it belongs to this tenant; another tenant's id reads as unknown. */
  find(transactionId: string, tenantId: string): PendingTransaction | undefined {
    const row = this.db.prepare('SELECT * FROM pending_transactions WHERE transaction_id = ? AND tenant_id = ?').get(transactionId, tenantId) as Row | undefined;
    if (!row) return undefined;
    return {
      transactionId: row.transaction_id,
      tenantId: row.tenant_id,
      credentialId: row.credential_id,
      mode: row.mode as PendingMode,
      call: (AtRestCipher.isSealed(row.call_json) ? this.cipher.openJson(row.tenant_id, `pending_transactions:${row.transaction_id}:call`, row.call_json) : JSON.parse(row.call_json)) as LedgerCall,
      presenter: row.presenter,
      successStatus: row.success_status,
      stage: row.stage as PendingStage,
      proposalBytes: this.openProposal(row),
      ...(row.transaction_bytes ? { transactionBytes: new Uint8Array(row.transaction_bytes) } : {}),
      ...(row.outcome_json ? { outcome: this.cipher.openJson(row.tenant_id, `pending_transactions:${row.transaction_id}`, row.outcome_json) as { status: number; body: unknown } } : {}),
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  endorsed(transactionId: string, transactionBytes: Uint8Array): void {
    this.db
      .prepare("UPDATE pending_transactions SET stage = 'endorsed', transaction_bytes = ?, updated_at = ? WHERE transaction_id = ?")
      .run(transactionBytes, new Date().toISOString(), transactionId);
  }

  /** Sent to ordering: from now on only its commit status is asked, never a second submission. */
  submitted(transactionId: string): void {
    this.db.prepare("UPDATE pending_transactions SET stage = 'submitted', updated_at = ? WHERE transaction_id = ?").run(new Date().toISOString(), transactionId);
  }

  finished(record: Pick<PendingTransaction, 'transactionId' | 'tenantId'>, stage: 'committed' | 'evaluated' | 'failed', outcome: { status: number; body: unknown }): void {
    this.db
      .prepare('UPDATE pending_transactions SET stage = ?, outcome_json = ?, updated_at = ? WHERE transaction_id = ?')
      .run(stage, this.seal(record.tenantId, record.transactionId, outcome), new Date().toISOString(), record.transactionId);
  }
}
