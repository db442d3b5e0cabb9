/** The gateway's answers as the portal reads them (its confirmation DTOs; only the members the portal shows). */

export interface Principal {
  tenantId: string;
  institutionId: string;
  orgKey: string;
  identityName: string;
  mspId: string;
  role: string;
  credentialId: string;
  custody: string;
}

// The letter and reply shapes are the domain's own: type-only, so the browser loads nothing for them.
import type { LetterContent, ReplyContent } from '@econfirm/common';
export type { LetterContent, ReplyContent, ReplyDifference, Row, SectionContent } from '@econfirm/common';

export interface Act {
  by: string;
  at: string;
}

/** A record as lists show it (content sealed). */
export interface ConfirmationRecord {
  id: string;
  kind: string;
  formId: string;
  firmId: string;
  engagementId: string;
  clientId: string;
  addresseeId: string;
  responderId: string;
  feePayer: string;
  state: string;
  overdue: boolean;
  asOfDate: string;
  periodStart: string;
  periodEnd: string;
  issued: Act;
  authorizationDueAt: string;
  replyDueAt?: string;
  refusal?: Act & { reason: string };
  return?: Act & { reasonCode: string; note?: string };
  recall?: Act & { reason: string };
  lastReplyRejection?: Act & { reason: string };
  /** A resent request's original, and the original's follow-up. */
  followUpOf?: string;
  followUpId?: string;
  alternativeProcedure?: Act & { procedure: string; workpaperHash: string; trigger: string };
  updatedAt: string;
}

/** What the gateway could open for the caller's tenant. */
export interface Sealed<T> {
  readable: 'decrypted' | 'not-addressed' | 'no-key' | 'failed';
  content?: T;
  contentHash: string;
}

export interface ReplyView extends Sealed<ReplyContent> {
  conclusion: 'agrees' | 'disagrees';
  preparedBy: string;
  preparedAt: string;
  approvedBy?: string;
  approvedAt?: string;
  signatureValid?: boolean;
}

/** GET /v1/confirmations/{id}: the caller's own content decrypted. */
export interface Confirmation extends ConfirmationRecord {
  letter: Sealed<LetterContent>;
  reply?: ReplyView;
}

export interface ConfirmationPage {
  records: ConfirmationRecord[];
  bookmark: string;
  fetchedRecordsCount: number;
}

export interface HistoryEntry {
  txId: string;
  timestamp: string;
  isDelete: boolean;
  value: ConfirmationRecord | null;
}

/** A bulk issuance job (GET /v1/bulk/jobs/{id}). */
export interface BulkJob {
  id: string;
  status: 'rejected' | 'queued' | 'running' | 'completed' | 'failed';
  kind: string;
  formId: string;
  engagement: { id?: string; clientId?: string };
  fileName: string;
  format: string;
  rows: number;
  progress: { letters: number; issued: number; chunks: number; chunksApplied: number; chunksRecovered: number };
  issues: RowIssue[];
  error?: { code?: string; message?: string };
  createdAt: string;
  finishedAt?: string;
}

/** What a batch's `lines` holds, sealed for the payer and the bank (gateway payment-batches.service.ts SealedBatchLines). */
export interface PaymentBatchLines {
  lines: { payeeReference: string; amount: string }[];
  instruction: { reference: string };
}

/** A settled payment batch (PaymentBatchDto): the summary opened for payer, bank and regulator, the lines for payer and bank. */
export interface PaymentBatch {
  id: string;
  payerId: string;
  bankId: string;
  currency: string;
  count: number;
  totalHash: string;
  summary: Sealed<{ total: string; count: number; currency: string; salt: string }>;
  lines: Sealed<PaymentBatchLines>;
  settledBy: string;
  settledAt: string;
}

/** GET /v1/payment-batches: one page of the caller's batches (the regulator's: one party's). */
export interface PaymentBatchPage {
  records: PaymentBatch[];
  bookmark: string;
  fetchedRecordsCount: number;
}

/** Where a payment-batch import stands (GET /v1/payment-batches/imports/{key}). */
export interface PaymentBatchImportProgress {
  key: string;
  stage: string;
  fileName: string;
  batchId?: string;
  lines?: number;
  totalMinor?: string;
  transactionId?: string;
  error?: { code: string; message: string };
  startedAt: string;
  updatedAt: string;
}

/** Why a line of an upload was refused. */
export interface RowIssue {
  line: number;
  field: string;
  problem: string;
}

/** One letter of a bulk job (GET /v1/bulk/jobs/{id}/letters). */
export interface BulkLetter {
  line: number;
  letterRef: string;
  requestId: string;
  addresseeId: string;
  status: 'pending' | 'issued' | 'failed';
}

/** GET /v1/ledger/integrity (the sdk's ChainReport). */
export interface ChainReport {
  height: string;
  blocksChecked: number;
  transactionsByValidation: Record<string, number>;
  transactionsChecked: number;
  activityByDay: Array<{ day: string; blocks: number; transactions: number }>;
  validationReplayed: boolean;
  breaks: Array<{ block: string; reason: string }>;
  anchoredToPeerHeight: boolean;
  trustAnchor?: { block: string; headerHash: string; matched: boolean };
  checkpoint: { block: string; headerHash: string };
  nextFromBlock?: string;
}
