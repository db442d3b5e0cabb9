import { valuesOf } from './enum';
import { PublicJwk } from './institution';

export const ConfirmationKind = {
  BankForm1: 'bank-form-1',
  BankForm2: 'bank-form-2',
  CapitalVerification: 'capital-verification',
  Receivable: 'receivable',
  Payable: 'payable',
} as const;
export type ConfirmationKind = (typeof ConfirmationKind)[keyof typeof ConfirmationKind];
export const CONFIRMATION_KINDS = valuesOf(ConfirmationKind);

/** Bank letters go to a bank or a branch; receivable/payable letters to the counterparty enterprise. */
export function isBankLetter(kind: ConfirmationKind): boolean {
  return kind === ConfirmationKind.BankForm1 || kind === ConfirmationKind.BankForm2 || kind === ConfirmationKind.CapitalVerification;
}

export const ConfirmationState = {
  /** Issued by the firm, awaiting the client's authorization (and fee consent). */
  Issued: 'issued',
  ClientRefused: 'client-refused',
  /** Authorized by the client: delivered to the responder, the reply clock runs. */
  Authorized: 'authorized',
  /** The responder accepted the letter as compliant. */
  Accepted: 'accepted',
  Returned: 'returned',
  /** A bank officer prepared the reply; a different reviewer must approve it. */
  ReplyPrepared: 'reply-prepared',
  Replied: 'replied',
  AuditorAccepted: 'auditor-accepted',
  Recalled: 'recalled',
  /** Superseded by a linked follow-up request. */
  Resent: 'resent',
  AlternativeProcedure: 'alternative-procedure',
} as const;
export type ConfirmationState = (typeof ConfirmationState)[keyof typeof ConfirmationState];
export const CONFIRMATION_STATES = valuesOf(ConfirmationState);

export const ReturnReason = {
  NonStandardForm: 'NON_STANDARD_FORM',
  FeeNotAuthorized: 'FEE_NOT_AUTHORIZED',
  SealMismatch: 'SEAL_MISMATCH',
  MissingData: 'MISSING_DATA',
  Other: 'OTHER',
} as const;
export type ReturnReason = (typeof ReturnReason)[keyof typeof ReturnReason];
export const RETURN_REASONS = valuesOf(ReturnReason);

export const ReplyConclusion = { Agrees: 'agrees', Disagrees: 'disagrees' } as const;
export type ReplyConclusion = (typeof ReplyConclusion)[keyof typeof ReplyConclusion];
export const REPLY_CONCLUSIONS = valuesOf(ReplyConclusion);

export const FeePayer = { Client: 'client', Firm: 'firm' } as const;
export type FeePayer = (typeof FeePayer)[keyof typeof FeePayer];
export const FEE_PAYERS = valuesOf(FeePayer);

/** Why an alternative procedure was needed; derived by the ledger, not claimed by the firm. */
export const AlternativeTrigger = { ClientRefused: 'client-refused', Returned: 'returned', Overdue: 'overdue' } as const;
export type AlternativeTrigger = (typeof AlternativeTrigger)[keyof typeof AlternativeTrigger];

export const AlternativeProcedureCode = {
  SubsequentReceipts: 'SUBSEQUENT_RECEIPTS',
  BankStatements: 'BANK_STATEMENTS',
  VisitInPerson: 'VISIT_IN_PERSON',
  SupportingDocuments: 'SUPPORTING_DOCUMENTS',
  Other: 'OTHER',
} as const;
export type AlternativeProcedureCode = (typeof AlternativeProcedureCode)[keyof typeof AlternativeProcedureCode];
export const ALTERNATIVE_PROCEDURE_CODES = valuesOf(AlternativeProcedureCode);

/**
 * Encrypted content: a JWE in General JSON Serialization (multi-recipient) as a string, and the
 * salted SHA-256 of the plaintext (see saltedHash). The salt travels inside the JWE.
 */
export interface EncryptedContent {
  ciphertext: string;
  contentHash: string;
}

export interface Engagement {
  id: string;
  clientId: string;
  periodStart: string;
  periodEnd: string;
  asOfDate: string;
}

/** One letter of Issue / IssueBatch; the firm is the caller's, never an argument. */
export interface LetterInput {
  id: string;
  kind: ConfirmationKind;
  formId: string;
  addresseeId: string;
  feePayer: FeePayer;
  letter: EncryptedContent;
}

export interface IssueInput extends LetterInput {
  engagement: Engagement;
}

export interface IssueBatchInput {
  engagement: Engagement;
  requests: LetterInput[];
}

export interface ResendInput {
  id: string;
  originalId: string;
  /** Defaults to the original's addressee; must be the same responder institution. */
  addresseeId?: string;
  letter: EncryptedContent;
}

export interface AuthorizeInput {
  feeConsent: boolean;
  /** Optional sha256 hex of the client's JWS over the letter's contentHash. */
  signatureHash?: string;
  /** The letter's JWE with the responder's (and addressed branch's) current key appended: delivery seals it to them. */
  letterCiphertext: string;
}

export interface AuditorAcceptInput {
  /** The reply's JWE with the client's current key appended: acceptance seals it to the client. */
  replyCiphertext: string;
}

export interface ReplyInput {
  conclusion: ReplyConclusion;
  ciphertext: string;
  contentHash: string;
  /** sha256 hex of the responder's compact JWS (ES256) over its reply. */
  signatureHash: string;
  /** The responder's signing key id used for that JWS; must be its current signing key. */
  signingKid: string;
}

export interface AlternativeProcedureInput {
  procedure: AlternativeProcedureCode;
  /** Salted hash of the working paper documenting the procedure. */
  workpaperHash: string;
}

export interface Act {
  by: string;
  at: string;
}

export interface Reply extends EncryptedContent {
  conclusion: ReplyConclusion;
  signatureHash: string;
  signingKid: string;
  preparedBy: string;
  preparedAt: string;
  approvedBy?: string;
  approvedAt?: string;
}

export interface ConfirmationRequest {
  docType: 'confirmation';
  id: string;
  kind: ConfirmationKind;
  formId: string;
  firmId: string;
  engagementId: string;
  clientId: string;
  periodStart: string;
  periodEnd: string;
  asOfDate: string;
  /** The registry institution named on the letter (a bank, a branch or an enterprise). */
  addresseeId: string;
  /** Who answers: the addressee, or the bank of an addressed branch. */
  responderId: string;
  feePayer: FeePayer;
  state: ConfirmationState;
  letter: EncryptedContent;
  issued: Act;
  authorizationDueAt: string;
  authorization?: Act & { feeConsent: boolean; signatureHash?: string };
  refusal?: Act & { reason: string };
  /** Set at authorization: from then on the responder sees the request. */
  sentAt?: string;
  replyDueAt?: string;
  acceptance?: Act;
  return?: Act & { reasonCode: ReturnReason; note?: string };
  reply?: Reply;
  lastReplyRejection?: Act & { reason: string };
  auditorAcceptance?: Act;
  recall?: Act & { reason: string };
  followUpOf?: string;
  followUpId?: string;
  attempt: number;
  alternativeProcedure?: Act & AlternativeProcedureInput & { trigger: AlternativeTrigger };
  updatedAt: string;
}

/** What a read returns: the record as the caller may see it, with `overdue` derived at read time. */
export type ConfirmationView = ConfirmationRequest & { overdue: boolean };

/** Working-day calendar and deadlines, admin-set; every date is a local date at `utcOffsetMinutes`. */
export interface WorkCalendar {
  /** Days of the week off, 0 = Sunday. */
  weekendDays: number[];
  /** Public holidays (YYYY-MM-DD). */
  holidays: string[];
  /** Weekend days that are working days (China's adjusted working days). */
  extraWorkdays: string[];
  utcOffsetMinutes: number;
  authorizationWorkingDays: number;
  replyWorkingDays: number;
  /**
   * Drill and sandbox channels only: deadlines as elapsed seconds from the transaction instead of
   * working days, so a training exercise (or a test run) sees requests fall overdue in minutes.
   * Absent on production channels; GetWorkCalendar shows whichever rule is in force.
   */
  elapsedDeadlines?: ElapsedDeadlines;
}

export interface ElapsedDeadlines {
  authorizationSeconds: number;
  replySeconds: number;
}

export const DEFAULT_WORK_CALENDAR: WorkCalendar = {
  weekendDays: [0, 6],
  holidays: [],
  extraWorkdays: [],
  utcOffsetMinutes: 480,
  authorizationWorkingDays: 10,
  replyWorkingDays: 10,
};

/** One committed version of a request, as the evidence trail lists it. */
export interface EvidenceStep {
  txId: string;
  timestamp: string;
  state: ConfirmationState;
}

/**
 * The working-paper evidence of one request (clients/evidence/README.md): the request with every act (who, when),
 * the trail of committed transactions, and the responder's signing key that verifies the reply's JWS.
 */
export interface ConfirmationEvidence {
  confirmation: ConfirmationView;
  trail: EvidenceStep[];
  responderSigningKey?: { kid: string; alg: string; jwk: PublicJwk };
}
