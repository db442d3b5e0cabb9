import {
  canonicalJson,
  mortgageCertificateKey,
  MortgageAction,
  MortgageState,
  mortgageUnitKey,
  REGISTERED_MORTGAGE_STATES,
  Role,
  saltedHash,
  sha256Hex,
  type Institution,
  type MortgageEvidence,
  type MortgageRecord,
} from '@econfirm/common';
import { EvidenceInputError, partySummary, type ActorFacts, type OpenedPayload, type PartySummary } from './evidence-document';

/** Version tag of the registration certificate's canonical JSON (attachment evidence.json). */
export const MORTGAGE_CERTIFICATE_FORMAT = 'econfirm-mortgage-certificate/1';

/** States in which a registration has a certificate: registered, and every state after it (a prepared change or transfer leaves it registered as it was). */
export const CERTIFIED_STATES: readonly MortgageState[] = REGISTERED_MORTGAGE_STATES;

/** Who acts each step (chaincode/src/contracts/mortgage-contract.ts): the registry's registrar or reviewer, or the mortgagee's mortgage officer. */
export const STEP_ACTOR: Readonly<Record<MortgageAction, { role: Role; side: 'registry' | 'mortgagee' }>> = {
  [MortgageAction.File]: { role: Role.MortgageOfficer, side: 'mortgagee' },
  [MortgageAction.RequestDischarge]: { role: Role.MortgageOfficer, side: 'mortgagee' },
  [MortgageAction.PreRegister]: { role: Role.Registrar, side: 'registry' },
  [MortgageAction.Register]: { role: Role.Registrar, side: 'registry' },
  [MortgageAction.Reject]: { role: Role.Registrar, side: 'registry' },
  [MortgageAction.Change]: { role: Role.Registrar, side: 'registry' },
  [MortgageAction.Transfer]: { role: Role.Registrar, side: 'registry' },
  [MortgageAction.Discharge]: { role: Role.Registrar, side: 'registry' },
  [MortgageAction.Approve]: { role: Role.RegistryReviewer, side: 'registry' },
  [MortgageAction.Return]: { role: Role.RegistryReviewer, side: 'registry' },
};

/**
 * A sealed part of the registration (the application: unit number, location, names, amount; the
 * certificate: its number and matters) as the certificate carries it: always its ledger hashes,
 * and its opened content with the salt only when the certificate is issued to a party the content
 * is sealed to (bank, registry, mortgagor institutions). A regulator's or an auditor's copy
 * proves the registration without disclosing what was sealed away from them (BRIEF rule 4).
 */
export interface SealedPart {
  contentHash: string;
  /** sha256 hex of the JWE as on the ledger. */
  ciphertextSha256: string;
  disclosed: boolean;
  content?: unknown;
  salt?: string;
}

/** The registration as the ledger holds it, its sealed parts kept apart (in `application` / `certificate`). */
export type MortgageLedgerRecord = Omit<MortgageRecord, 'application' | 'certificate'>;

/** One committed version of the registration, joined with the block it is in. */
export interface CertificateStep {
  action: MortgageAction;
  state: MortgageState;
  at: string;
  txId: string;
  blockNumber: string;
  validationCode: string;
  actor: ActorFacts;
}

/**
 * The electronic registration certificate (不动产登记证明) of one mortgage registration, issued by
 * the registration centre: the record, its sealed parts, and every committed step with its block.
 * Serialized with canonicalJson and signed by the registry's evidence certificate (JWS + PAdES).
 */
export interface MortgageCertificateDocument {
  format: typeof MORTGAGE_CERTIFICATE_FORMAT;
  channel: string;
  generatedAt: string;
  /** The registration centre (the record's registry). */
  generatedBy: PartySummary;
  /** The institution the copy was made for (informative; what it discloses follows from it). */
  issuedTo: PartySummary;
  parties: { registry: PartySummary; mortgagee: PartySummary; mortgagors: PartySummary[] };
  record: MortgageLedgerRecord;
  application: SealedPart;
  certificate: SealedPart;
  timeline: CertificateStep[];
}

export interface MortgageCertificateInput {
  channel: string;
  generatedAt: string;
  generatedBy: Institution | PartySummary;
  issuedTo: Institution | PartySummary;
  parties: { registry: Institution | PartySummary; mortgagee: Institution | PartySummary; mortgagors: (Institution | PartySummary)[] };
  ledger: MortgageEvidence;
  /** The opened sealed parts, when the copy discloses them (absent: hashes only). */
  opened?: { application: OpenedPayload; certificate: OpenedPayload };
  /** Block facts per txId of ledger.trail. */
  transactions: Record<string, { blockNumber: bigint | string; validationCode: string; actor: ActorFacts }>;
}

/** A sealed part as a signed document carries it: its ledger hashes, and its opening when the copy discloses it (checked against the hash). */
export function sealedPart(sealed: { ciphertext: string; contentHash: string }, opened: OpenedPayload | undefined, what: string, id: string): SealedPart {
  const base = { contentHash: sealed.contentHash, ciphertextSha256: sha256Hex(sealed.ciphertext) };
  if (!opened) return { ...base, disclosed: false };
  if (saltedHash(opened.content, opened.salt) !== sealed.contentHash) {
    throw new EvidenceInputError('CONTENT_MISMATCH', `the ${what} of ${id} does not reproduce the ledger's salted hash`);
  }
  return { ...base, disclosed: true, content: opened.content, salt: opened.salt };
}

/**
 * Joins the ledger's record and trail with the opened content and the block facts; refuses a
 * record without a registration (no certificate was issued) and content that does not reproduce
 * the ledger's hashes: a certificate is never printed for what the ledger does not hold.
 */
export function buildMortgageCertificate(input: MortgageCertificateInput): MortgageCertificateDocument {
  const { mortgage, trail } = input.ledger;
  const { application, certificate, priority: _priority, ...record } = mortgage;
  if (!certificate || !CERTIFIED_STATES.includes(mortgage.state)) {
    throw new EvidenceInputError('CERTIFICATE_NOT_ISSUED', `mortgage ${mortgage.id} is ${mortgage.state}: no registration certificate was issued`);
  }
  if (trail.length !== mortgage.steps.length) {
    throw new EvidenceInputError('MISSING_TRANSACTION', `the ledger's trail of ${mortgage.id} has ${trail.length} versions for ${mortgage.steps.length} steps`);
  }
  const timeline = trail.map((version, i): CertificateStep => {
    const step = mortgage.steps[i];
    const facts = input.transactions[version.txId];
    if (!facts) throw new EvidenceInputError('MISSING_TRANSACTION', `no block facts for transaction ${version.txId}`);
    if (!step || step.state !== version.state) throw new EvidenceInputError('MISSING_TRANSACTION', `version ${i + 1} of ${mortgage.id} is not its step ${i + 1}`);
    return { action: step.action, state: step.state, at: step.at, txId: version.txId, blockNumber: facts.blockNumber.toString(), validationCode: facts.validationCode, actor: facts.actor };
  });
  const doc: MortgageCertificateDocument = {
    format: MORTGAGE_CERTIFICATE_FORMAT,
    channel: input.channel,
    generatedAt: new Date(input.generatedAt).toISOString(),
    generatedBy: partySummary(input.generatedBy),
    issuedTo: partySummary(input.issuedTo),
    parties: {
      registry: partySummary(input.parties.registry),
      mortgagee: partySummary(input.parties.mortgagee),
      mortgagors: input.parties.mortgagors.map(partySummary),
    },
    record,
    application: sealedPart(application, input.opened?.application, 'application', mortgage.id),
    certificate: sealedPart(certificate, input.opened?.certificate, 'certificate', mortgage.id),
    timeline,
  };
  return JSON.parse(canonicalJson(doc)) as MortgageCertificateDocument;
}

export function certificateJson(doc: MortgageCertificateDocument): string {
  return canonicalJson(doc);
}

export function certificateHash(doc: MortgageCertificateDocument): string {
  return sha256Hex(certificateJson(doc));
}

/** Parses and shape-checks a certificate JSON taken from a PDF. */
export function parseMortgageCertificateJson(text: string): MortgageCertificateDocument {
  const value = JSON.parse(text) as Partial<MortgageCertificateDocument>;
  if (value?.format !== MORTGAGE_CERTIFICATE_FORMAT) throw new EvidenceInputError('UNKNOWN_FORMAT', `certificate format '${String(value?.format)}' is not ${MORTGAGE_CERTIFICATE_FORMAT}`);
  const p = value.parties;
  if (typeof value.record?.id !== 'string' || !Array.isArray(value.timeline) || !value.generatedBy || !p?.registry || !p.mortgagee || !Array.isArray(p.mortgagors) || !value.application || !value.certificate || !Array.isArray(value.record.steps)) {
    throw new EvidenceInputError('MALFORMED', 'certificate JSON lacks record, parties, sealed parts or timeline');
  }
  return value as MortgageCertificateDocument;
}

function contentField(part: SealedPart, field: string): unknown {
  const content = part.content;
  return typeof content === 'object' && content !== null ? (content as Record<string, unknown>)[field] : undefined;
}

/**
 * What the disclosed content must say of the record it is sealed in: the certificate names this
 * registration, registry and mortgagee, and its number is the one whose ledger key the record holds;
 * the application's unit number is the unit the record's key names. Undisclosed parts: nothing.
 */
export function certificateContentProblems(doc: MortgageCertificateDocument): string[] {
  const problems: string[] = [];
  const r = doc.record;
  if (doc.certificate.disclosed) {
    for (const [field, expected] of [['mortgageId', r.id], ['registryId', r.registryId], ['mortgageeId', r.mortgageeId]] as const) {
      if (contentField(doc.certificate, field) !== expected) problems.push(`the certificate's ${field} is not the record's`);
    }
    const number = contentField(doc.certificate, 'certificateNumber');
    if (typeof number !== 'string' || mortgageCertificateKey(number) !== r.certificateKey) problems.push("the certificate number is not the one whose key the record holds");
  }
  if (doc.application.disclosed) {
    const unit = contentField(doc.application, 'unitNumber');
    if (typeof unit !== 'string' || mortgageUnitKey(unit) !== r.unitKey) problems.push("the unit number is not the one whose key the record holds");
  }
  return problems;
}
