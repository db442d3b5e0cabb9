import { Inject, Injectable } from '@nestjs/common';
import type { ConfirmationKind, Engagement, FeePayer, IssueBatchInput, LetterContent } from '@econfirm/common';
import type { DatabaseSync } from 'node:sqlite';
import { AtRestCipher } from '../database/at-rest-cipher';
import { DATABASE } from '../database/database.module';
import { applyMigrations, inTransaction } from '../database/migrations';
import { BULK_MIGRATIONS } from './bulk.migrations';
import type { AssembledLetter, RowIssue } from './letter-assembly';

/** rejected: a row failed validation, nothing written. queued/running: chunks being applied. */
export type JobStatus = 'rejected' | 'queued' | 'running' | 'completed' | 'failed';
/** pending: plaintext kept until sealed; sealed: payload fixed (ids and hashes), maybe sent; applied: on the ledger. */
export type ChunkStatus = 'pending' | 'sealed' | 'applied' | 'failed';
export type LetterStatus = 'pending' | 'issued' | 'failed';

export interface BulkJob {
  id: string;
  tenantId: string;
  credentialId: string;
  kind: ConfirmationKind;
  formId: string;
  engagement: Engagement;
  fileName: string;
  format: string;
  status: JobStatus;
  rowCount: number;
  letterCount: number;
  chunkCount: number;
  issues: RowIssue[];
  error?: { code: string; message: string };
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
}

export interface BulkLetterRecord {
  seq: number;
  line: number;
  lines: number[];
  letterRef: string;
  requestId: string;
  addresseeId: string;
  feePayer: FeePayer;
  chunk: number;
  status: LetterStatus;
  contentHash?: string;
  content?: LetterContent;
}

export interface BulkChunk {
  chunk: number;
  status: ChunkStatus;
  payload?: IssueBatchInput;
  attempts: number;
  recovered: boolean;
  transactionId?: string;
  error?: string;
}

interface JobRow {
  id: string;
  tenant_id: string;
  credential_id: string;
  kind: string;
  form_id: string;
  engagement: string;
  file_name: string;
  format: string;
  status: string;
  row_count: number;
  letter_count: number;
  chunk_count: number;
  issues: string;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

interface LetterRow {
  seq: number;
  line: number;
  lines: string;
  letter_ref: string;
  request_id: string;
  addressee_id: string;
  fee_payer: string;
  chunk: number;
  status: string;
  content_hash: string | null;
  content: string | null;
}

interface ChunkRow {
  chunk: number;
  status: string;
  payload: string | null;
  attempts: number;
  recovered: number;
  transaction_id: string | null;
  error: string | null;
}

/** What an upload knows of its job before the store records it. */
export type NewJob = Pick<BulkJob, 'id' | 'tenantId' | 'credentialId' | 'kind' | 'formId' | 'engagement' | 'fileName' | 'format' | 'rowCount'>;

/** Request id of a letter: derived from (job, first line), so a re-sent chunk carries the same ids. */
export function bulkRequestId(jobId: string, line: number): string {
  return `BK-${jobId}-L${line}`;
}

/**
 * Jobs, their letters and chunk progress in the gateway's SQLite database. A letter's content
 * is kept only until its chunk is sealed, and meanwhile sealed to the job's tenant
 * (database/at-rest-cipher.ts), never readable in the file; from then on only the sealed payload
 * (ciphertext and salted hashes, exactly what goes to the ledger) is kept, so a re-send is
 * byte-identical.
 */
@Injectable()
export class BulkJobsStore {
  constructor(
    @Inject(DATABASE) private readonly db: DatabaseSync,
    private readonly cipher: AtRestCipher,
  ) {
    applyMigrations(db, 'bulk', BULK_MIGRATIONS);
    // Letters queued before sealing began are sealed now (secure_delete overwrites the old bytes).
    const legacy = db
      .prepare("SELECT l.request_id, j.tenant_id, l.content FROM bulk_letters l JOIN bulk_jobs j ON j.id = l.job_id WHERE l.content IS NOT NULL AND l.content NOT LIKE 'v1.%'")
      .all() as Array<{ request_id: string; tenant_id: string; content: string }>;
    const reseal = db.prepare('UPDATE bulk_letters SET content = ? WHERE request_id = ?');
    for (const row of legacy) reseal.run(this.sealLetter(row.tenant_id, row.request_id, JSON.parse(row.content) as unknown), row.request_id);
  }

  private sealLetter(tenantId: string, requestId: string, content: unknown): string {
    return this.cipher.sealJson(tenantId, `bulk_letters:${requestId}`, content);
  }

  private static job(row: JobRow): BulkJob {
    return {
      id: row.id,
      tenantId: row.tenant_id,
      credentialId: row.credential_id,
      kind: row.kind as ConfirmationKind,
      formId: row.form_id,
      engagement: JSON.parse(row.engagement) as Engagement,
      fileName: row.file_name,
      format: row.format,
      status: row.status as JobStatus,
      rowCount: row.row_count,
      letterCount: row.letter_count,
      chunkCount: row.chunk_count,
      issues: JSON.parse(row.issues) as RowIssue[],
      ...(row.error ? { error: JSON.parse(row.error) as BulkJob['error'] } : {}),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    };
  }

  /** A job refused at validation: recorded with its issues, no letters. */
  reject(job: NewJob, issues: RowIssue[]): BulkJob {
    const now = new Date().toISOString();
    this.db
      .prepare(`INSERT INTO bulk_jobs (id, tenant_id, credential_id, kind, form_id, engagement, file_name, format, status, row_count, letter_count, chunk_count, issues, created_at, updated_at, finished_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'rejected', ?, 0, 0, ?, ?, ?, ?)`)
      .run(job.id, job.tenantId, job.credentialId, job.kind, job.formId, JSON.stringify(job.engagement), job.fileName, job.format, job.rowCount, JSON.stringify(issues), now, now, now);
    return this.get(job.id) as BulkJob;
  }

  /** A validated job: its letters split into chunks of `batchSize`, all in one transaction. */
  enqueue(job: NewJob, letters: AssembledLetter[], batchSize: number): BulkJob {
    const now = new Date().toISOString();
    const chunkCount = Math.ceil(letters.length / batchSize);
    inTransaction(this.db, () => {
      this.db
        .prepare(`INSERT INTO bulk_jobs (id, tenant_id, credential_id, kind, form_id, engagement, file_name, format, status, row_count, letter_count, chunk_count, issues, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, '[]', ?, ?)`)
        .run(job.id, job.tenantId, job.credentialId, job.kind, job.formId, JSON.stringify(job.engagement), job.fileName, job.format, job.rowCount, letters.length, chunkCount, now, now);
      const insertLetter = this.db.prepare(`INSERT INTO bulk_letters (job_id, seq, line, lines, letter_ref, request_id, addressee_id, fee_payer, chunk, status, content)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`);
      for (const letter of letters) {
        const requestId = bulkRequestId(job.id, letter.line);
        insertLetter.run(job.id, letter.seq, letter.line, JSON.stringify(letter.lines), letter.letterRef, requestId, letter.addresseeId, letter.feePayer, Math.floor(letter.seq / batchSize), this.sealLetter(job.tenantId, requestId, letter.content));
      }
      const insertChunk = this.db.prepare("INSERT INTO bulk_chunks (job_id, chunk, status) VALUES (?, ?, 'pending')");
      for (let chunk = 0; chunk < chunkCount; chunk++) insertChunk.run(job.id, chunk);
    });
    return this.get(job.id) as BulkJob;
  }

  get(id: string): BulkJob | undefined {
    const row = this.db.prepare('SELECT * FROM bulk_jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? BulkJobsStore.job(row) : undefined;
  }

  listForTenant(tenantId: string, limit: number): BulkJob[] {
    return (this.db.prepare('SELECT * FROM bulk_jobs WHERE tenant_id = ? ORDER BY created_at DESC LIMIT ?').all(tenantId, limit) as unknown as JobRow[]).map(BulkJobsStore.job);
  }

  /** Jobs a restart must resume, oldest first. */
  unfinished(): BulkJob[] {
    return (this.db.prepare("SELECT * FROM bulk_jobs WHERE status IN ('queued', 'running') ORDER BY created_at").all() as unknown as JobRow[]).map(BulkJobsStore.job);
  }

  setStatus(id: string, status: JobStatus, error?: { code: string; message: string }): void {
    const now = new Date().toISOString();
    const finished = status === 'completed' || status === 'failed' ? now : null;
    this.db.prepare('UPDATE bulk_jobs SET status = ?, error = ?, updated_at = ?, finished_at = COALESCE(?, finished_at) WHERE id = ?').run(status, error ? JSON.stringify(error) : null, now, finished, id);
  }

  letters(jobId: string, chunk?: number): BulkLetterRecord[] {
    const tenantId = this.get(jobId)?.tenantId ?? '';
    const rows = (chunk === undefined
      ? this.db.prepare('SELECT * FROM bulk_letters WHERE job_id = ? ORDER BY seq').all(jobId)
      : this.db.prepare('SELECT * FROM bulk_letters WHERE job_id = ? AND chunk = ? ORDER BY seq').all(jobId, chunk)) as unknown as LetterRow[];
    return rows.map((row) => ({
      seq: row.seq,
      line: row.line,
      lines: JSON.parse(row.lines) as number[],
      letterRef: row.letter_ref,
      requestId: row.request_id,
      addresseeId: row.addressee_id,
      feePayer: row.fee_payer as FeePayer,
      chunk: row.chunk,
      status: row.status as LetterStatus,
      ...(row.content_hash ? { contentHash: row.content_hash } : {}),
      ...(row.content ? { content: this.cipher.openJson(tenantId, `bulk_letters:${row.request_id}`, row.content) as LetterContent } : {}),
    }));
  }

  chunks(jobId: string): BulkChunk[] {
    return (this.db.prepare('SELECT * FROM bulk_chunks WHERE job_id = ? ORDER BY chunk').all(jobId) as unknown as ChunkRow[]).map((row) => ({
      chunk: row.chunk,
      status: row.status as ChunkStatus,
      ...(row.payload ? { payload: JSON.parse(row.payload) as IssueBatchInput } : {}),
      attempts: row.attempts,
      recovered: row.recovered === 1,
      ...(row.transaction_id ? { transactionId: row.transaction_id } : {}),
      ...(row.error ? { error: row.error } : {}),
    }));
  }

  /** The sealed payload is fixed before the first send; the plaintext is erased in the same transaction. */
  sealed(jobId: string, chunk: number, payload: IssueBatchInput): void {
    inTransaction(this.db, () => {
      this.db.prepare("UPDATE bulk_chunks SET status = 'sealed', payload = ? WHERE job_id = ? AND chunk = ?").run(JSON.stringify(payload), jobId, chunk);
      const setHash = this.db.prepare('UPDATE bulk_letters SET content_hash = ?, content = NULL WHERE request_id = ?');
      for (const request of payload.requests) setHash.run(request.letter.contentHash, request.id);
    });
  }

  attempted(jobId: string, chunk: number, error?: string): void {
    this.db.prepare('UPDATE bulk_chunks SET attempts = attempts + 1, error = ? WHERE job_id = ? AND chunk = ?').run(error ?? null, jobId, chunk);
  }

  /** On the ledger: the letters marked issued. The sealed payload stays (ciphertext only, as on the ledger) for the audit trail. */
  applied(jobId: string, chunk: number, outcome: { transactionId?: string; recovered: boolean }): void {
    inTransaction(this.db, () => {
      this.db
        .prepare("UPDATE bulk_chunks SET status = 'applied', error = NULL, transaction_id = ?, recovered = ? WHERE job_id = ? AND chunk = ?")
        .run(outcome.transactionId ?? null, outcome.recovered ? 1 : 0, jobId, chunk);
      this.db.prepare("UPDATE bulk_letters SET status = 'issued' WHERE job_id = ? AND chunk = ?").run(jobId, chunk);
      this.db.prepare('UPDATE bulk_jobs SET updated_at = ? WHERE id = ?').run(new Date().toISOString(), jobId);
    });
  }

  chunkFailed(jobId: string, chunk: number, error: string): void {
    inTransaction(this.db, () => {
      this.db.prepare("UPDATE bulk_chunks SET status = 'failed', error = ? WHERE job_id = ? AND chunk = ?").run(error, jobId, chunk);
      this.db.prepare("UPDATE bulk_letters SET status = 'failed' WHERE job_id = ? AND chunk = ?").run(jobId, chunk);
    });
  }

  /** A failed job back in the queue: failed chunks are sent again, with their sealed payload when they have one. */
  requeue(jobId: string): void {
    inTransaction(this.db, () => {
      this.db.prepare("UPDATE bulk_chunks SET status = CASE WHEN payload IS NULL THEN 'pending' ELSE 'sealed' END, error = NULL WHERE job_id = ? AND status = 'failed'").run(jobId);
      this.db.prepare("UPDATE bulk_letters SET status = 'pending' WHERE job_id = ? AND status = 'failed'").run(jobId);
      this.db.prepare("UPDATE bulk_jobs SET status = 'queued', error = NULL, finished_at = NULL, updated_at = ? WHERE id = ?").run(new Date().toISOString(), jobId);
    });
  }
}
