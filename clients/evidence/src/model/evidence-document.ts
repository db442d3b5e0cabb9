import {
  canonicalJson,
  saltedHash,
  sha256Hex,
  type ConfirmationEvidence,
  type ConfirmationState,
  type ConfirmationView,
  type CrossCheckReport,
  type Institution,
  type PublicJwk,
} from '@econfirm/common';

/** Version tag of the canonical evidence JSON; a verifier refuses formats it does not know. */
export const EVIDENCE_FORMAT = 'econfirm-evidence/1';

/** A party as printed on the evidence (from the registry at generation time). */
export interface PartySummary {
  id: string;
  kind: string;
  mspId: string;
  nameZh: string;
  nameEn: string;
}

/** Who submitted a transaction, read from the committed block (the creator's certificate). */
export interface ActorFacts {
  mspId: string;
  subject: string;
  issuer: string;
  role?: string;
  institution?: string;
  /** sha256 hex of the creator's DER certificate. */
  certificateSha256: string;
}

/** One committed version of the request: the ledger's trail joined with the block it is in. */
export interface TimelineStep {
  state: ConfirmationState;
  at: string;
  txId: string;
  /** Decimal string (block numbers are uint64). */
  blockNumber: string;
  /** The peer's validation code for the transaction, e.g. VALID. */
  validationCode: string;
  actor: ActorFacts;
}

/** What the sealed payload held, with the on-ledger salted hash it reproduces. */
export interface SealedEvidence {
  content: unknown;
  salt: string;
  contentHash: string;
  /** sha256 hex of the JWE as on the ledger: binds the ciphertext without carrying it. */
  ciphertextSha256: string;
}

export interface ReplyEvidence extends SealedEvidence {
  conclusion: 'agrees' | 'disagrees';
  /** The responder's compact JWS over { confirmationId, conclusion, contentHash }. */
  signature: string;
  signatureHash: string;
  signingKid: string;
  /** The responder's registry signing key named by signingKid (from GetConfirmationEvidence). */
  signingKey: { kid: string; alg: string; jwk: PublicJwk };
  preparedBy: string;
  preparedAt: string;
  approvedBy?: string;
  approvedAt?: string;
}

/** The request record as the ledger holds it, ciphertexts replaced by their sha256 (in `letter`/`reply`). */
export type LedgerRecord = Omit<ConfirmationView, 'letter' | 'reply'>;

/**
 * The cross-check of the reply against the client's registrations on the same ledger (issue 14),
 * as the firm ran it when it generated the evidence: what was compared, against which ledger
 * height and transactions, and each exception (codes: common/src/crosscheck/cross-check.ts).
 */
export interface CrossCheckEvidence {
  checkedAt: string;
  asOfDate: string;
  comparedSections: string[];
  notCompared: Array<{ what: string; reason: string; code?: string; recordId?: string }>;
  records: Array<{ id: string; state: string; bankId: string; expected: boolean; notExpected?: string; matchedBy?: string }>;
  exceptions: Array<{ code: string; recordId?: string; message: string }>;
  counts: Record<string, number>;
  basis: CrossCheckReport['basis'];
  /** The summary transaction (crosscheck:RecordCrossCheck), when the firm recorded one. */
  recorded?: { txId: string; recordedAt: string };
}

/**
 * The canonical evidence of one confirmation (clients/evidence/README.md): everything a verifier needs to
 * recompute the ledger's hashes and to check who did what, when, in which block. Serialized with
 * canonicalJson; its sha256 is the evidence hash printed and carried in the QR code.
 */
export interface EvidenceDocument {
  format: typeof EVIDENCE_FORMAT;
  channel: string;
  generatedAt: string;
  generatedBy: PartySummary;
  parties: { firm: PartySummary; client: PartySummary; addressee: PartySummary; responder: PartySummary };
  record: LedgerRecord;
  letter: SealedEvidence;
  authorization?: { by: string; at: string; feeConsent: boolean; signatureHash?: string };
  reply?: ReplyEvidence;
  timeline: TimelineStep[];
  crossCheck?: CrossCheckEvidence;
}

export interface OpenedPayload {
  content: unknown;
  salt: string;
}

export interface EvidenceInput {
  channel: string;
  /** ISO time stamped on the evidence; part of the input so re-rendering is reproducible. */
  generatedAt: string;
  generatedBy: Institution | PartySummary;
  parties: { firm: Institution | PartySummary; client: Institution | PartySummary; addressee: Institution | PartySummary; responder: Institution | PartySummary };
  ledger: ConfirmationEvidence;
  letter: OpenedPayload;
  reply?: OpenedPayload & { signature: string };
  /** Block facts per txId of ledger.trail. */
  transactions: Record<string, { blockNumber: bigint | string; validationCode: string; actor: ActorFacts }>;
  /** The firm's cross-check of the reply, when it ran one (gateway/src/crosscheck). */
  crossCheck?: CrossCheckReport;
}

export class EvidenceInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EvidenceInputError';
  }
}

export function partySummary(p: Institution | PartySummary): PartySummary {
  return { id: p.id, kind: p.kind, mspId: p.mspId, nameZh: p.nameZh, nameEn: p.nameEn };
}

/**
 * Joins the ledger's evidence with the decrypted payloads and block facts, refusing anything that
 * does not reproduce the ledger's hashes: evidence is never printed for content the ledger does not hold.
 */
export function buildEvidenceDocument(input: EvidenceInput): EvidenceDocument {
  const { confirmation } = input.ledger;
  const { letter: ledgerLetter, reply: ledgerReply, ...record } = confirmation;
  if (saltedHash(input.letter.content, input.letter.salt) !== ledgerLetter.contentHash) {
    throw new EvidenceInputError('CONTENT_MISMATCH', `letter content of ${confirmation.id} does not reproduce the ledger's salted hash`);
  }
  const timeline = input.ledger.trail.map((step): TimelineStep => {
    const facts = input.transactions[step.txId];
    if (!facts) throw new EvidenceInputError('MISSING_TRANSACTION', `no block facts for transaction ${step.txId}`);
    return { state: step.state, at: step.timestamp, txId: step.txId, blockNumber: facts.blockNumber.toString(), validationCode: facts.validationCode, actor: facts.actor };
  });
  const doc: EvidenceDocument = {
    format: EVIDENCE_FORMAT,
    channel: input.channel,
    generatedAt: new Date(input.generatedAt).toISOString(),
    generatedBy: partySummary(input.generatedBy),
    parties: {
      firm: partySummary(input.parties.firm),
      client: partySummary(input.parties.client),
      addressee: partySummary(input.parties.addressee),
      responder: partySummary(input.parties.responder),
    },
    record: record as LedgerRecord,
    letter: { content: input.letter.content, salt: input.letter.salt, contentHash: ledgerLetter.contentHash, ciphertextSha256: sha256Hex(ledgerLetter.ciphertext) },
    timeline,
  };
  if (confirmation.authorization) doc.authorization = { ...confirmation.authorization };
  if (ledgerReply) {
    if (!input.reply) throw new EvidenceInputError('MISSING_REPLY', `the ledger holds a reply for ${confirmation.id}; its decrypted payload is required`);
    if (saltedHash(input.reply.content, input.reply.salt) !== ledgerReply.contentHash) {
      throw new EvidenceInputError('CONTENT_MISMATCH', `reply content of ${confirmation.id} does not reproduce the ledger's salted hash`);
    }
    if (sha256Hex(input.reply.signature) !== ledgerReply.signatureHash) {
      throw new EvidenceInputError('SIGNATURE_MISMATCH', `the reply JWS is not the one whose hash the ledger records for ${confirmation.id}`);
    }
    const key = input.ledger.responderSigningKey;
    if (!key || key.kid !== ledgerReply.signingKid) throw new EvidenceInputError('MISSING_KEY', `the responder key ${ledgerReply.signingKid} is not in the ledger evidence`);
    doc.reply = {
      content: input.reply.content,
      salt: input.reply.salt,
      contentHash: ledgerReply.contentHash,
      ciphertextSha256: sha256Hex(ledgerReply.ciphertext),
      conclusion: ledgerReply.conclusion,
      signature: input.reply.signature,
      signatureHash: ledgerReply.signatureHash,
      signingKid: ledgerReply.signingKid,
      signingKey: { kid: key.kid, alg: key.alg, jwk: key.jwk },
      preparedBy: ledgerReply.preparedBy,
      preparedAt: ledgerReply.preparedAt,
      ...(ledgerReply.approvedBy ? { approvedBy: ledgerReply.approvedBy } : {}),
      ...(ledgerReply.approvedAt ? { approvedAt: ledgerReply.approvedAt } : {}),
    };
  }
  if (input.crossCheck) doc.crossCheck = crossCheckEvidence(input.crossCheck, doc);
  // Round-trip through canonical JSON: refuses undefined/NaN/class instances and fixes the shape.
  return JSON.parse(canonicalJson(doc)) as EvidenceDocument;
}

/** The report as the evidence keeps it; it must be of this request and of the reply the ledger holds. */
function crossCheckEvidence(report: CrossCheckReport, doc: EvidenceDocument): CrossCheckEvidence {
  if (report.confirmationId !== doc.record.id || !doc.reply || report.basis.replyContentHash !== doc.reply.contentHash) {
    throw new EvidenceInputError('CONTENT_MISMATCH', `the cross-check is not of the reply the ledger holds for ${doc.record.id}`);
  }
  return {
    checkedAt: report.checkedAt,
    asOfDate: report.asOfDate,
    comparedSections: report.comparedSections,
    notCompared: report.notCompared,
    records: report.records.map((r) => ({ id: r.id, state: r.state, bankId: r.bankId, expected: r.expected, ...(r.notExpected ? { notExpected: r.notExpected } : {}), ...(r.matchedBy ? { matchedBy: r.matchedBy } : {}) })),
    exceptions: report.exceptions.map((e) => ({ code: e.code, ...(e.recordId ? { recordId: e.recordId } : {}), message: e.message })),
    counts: { ...report.counts } as Record<string, number>,
    basis: report.basis,
    ...(report.recorded ? { recorded: { txId: report.recorded.txId, recordedAt: report.recorded.recordedAt } } : {}),
  };
}

/**
 * What a verifier can tell of the cross-check section without the firm's access to the client's
 * registrations: it is about this reply (its hash and its transactions in the timeline), its
 * counts are its exceptions', and — online — its summary transaction is on the ledger.
 */
export function crossCheckProblems(doc: EvidenceDocument): string[] {
  const c = doc.crossCheck;
  if (!c) return [];
  const problems: string[] = [];
  if (!doc.reply || c.basis.replyContentHash !== doc.reply.contentHash) problems.push("the cross-check names another reply than the evidence's");
  const steps = new Set(doc.timeline.map((s) => s.txId));
  const foreign = c.basis.replyTxIds.filter((tx) => !steps.has(tx));
  if (foreign.length > 0) problems.push(`the cross-check's reply transactions ${foreign.join(', ')} are not in the timeline`);
  const counted: Record<string, number> = {};
  for (const e of c.exceptions) counted[e.code] = (counted[e.code] ?? 0) + 1;
  if (canonicalJson(counted) !== canonicalJson(c.counts)) problems.push("the cross-check's counts are not its exceptions'");
  return problems;
}

export function evidenceJson(doc: EvidenceDocument): string {
  return canonicalJson(doc);
}

export function evidenceHash(doc: EvidenceDocument): string {
  return sha256Hex(evidenceJson(doc));
}

/** The reply JWS payload the responder signs (shared-design.md). */
export function replySignaturePayload(confirmationId: string, conclusion: string, contentHash: string): string {
  return canonicalJson({ confirmationId, conclusion, contentHash });
}

/** Parses and shape-checks an evidence JSON taken from a PDF. */
export function parseEvidenceJson(text: string): EvidenceDocument {
  const value = JSON.parse(text) as Partial<EvidenceDocument>;
  if (value?.format !== EVIDENCE_FORMAT) throw new EvidenceInputError('UNKNOWN_FORMAT', `evidence format '${String(value?.format)}' is not ${EVIDENCE_FORMAT}`);
  if (typeof value.record?.id !== 'string' || !value.letter || !Array.isArray(value.timeline) || !value.generatedBy || !value.parties) {
    throw new EvidenceInputError('MALFORMED', 'evidence JSON lacks record, letter, timeline, generatedBy or parties');
  }
  return value as EvidenceDocument;
}
