import {
  canonicalJson,
  OWED_RECEIVABLE_STATES,
  ReceivableAction,
  receivableAmountHash,
  receivableInvoiceKey,
  ReceivableState,
  Role,
  saltedHash,
  sha256Hex,
  type Institution,
  type ReceivableEvidence,
  type ReceivableRecord,
  type ReceivableStep,
  type ReceivableTrailStep,
} from '@econfirm/common';
import { EvidenceInputError, partySummary, type ActorFacts, type OpenedPayload, type PartySummary } from './evidence-document';
import { sealedPart, type SealedPart } from './mortgage-certificate';

/** Version tag of the voucher's canonical JSON (attachment evidence.json). */
export const RECEIVABLE_VOUCHER_FORMAT = 'econfirm-receivable-voucher/1';

/**
 * States in which a receivable is a voucher (电子债权凭证): the obligor confirmed it. Registered,
 * rejected and cancelled receivables never were one (VOUCHER_NOT_ISSUED). The owed states of the
 * regulator's statistics (common/src/domain/receivable-stats.ts) and the split one, whose parts carry it on.
 */
export const VOUCHER_STATES: readonly ReceivableState[] = [...OWED_RECEIVABLE_STATES, ReceivableState.Split];

/**
 * Who acts each step (chaincode/src/contracts/receivable-contract.ts): the role, and which party
 * the submitter's institution must be — the original creditor, the obligor, the holder *before*
 * the step, the bank that finances, or any party of the receivable (maturity and after).
 */
export const VOUCHER_STEP_ACTOR: Readonly<Record<ReceivableAction, { roles: readonly Role[]; side: 'creditor' | 'obligor' | 'holder' | 'bank' | 'party' }>> = {
  [ReceivableAction.Register]: { roles: [Role.ClientSigner], side: 'creditor' },
  [ReceivableAction.Cancel]: { roles: [Role.ClientSigner], side: 'creditor' },
  [ReceivableAction.Confirm]: { roles: [Role.ClientSigner], side: 'obligor' },
  [ReceivableAction.Reject]: { roles: [Role.ClientSigner], side: 'obligor' },
  [ReceivableAction.Pay]: { roles: [Role.ClientSigner], side: 'obligor' },
  [ReceivableAction.Split]: { roles: [Role.ClientSigner], side: 'holder' },
  [ReceivableAction.SplitFrom]: { roles: [Role.ClientSigner], side: 'holder' },
  [ReceivableAction.Transfer]: { roles: [Role.ClientSigner], side: 'holder' },
  [ReceivableAction.RequestFinancing]: { roles: [Role.ClientSigner], side: 'holder' },
  [ReceivableAction.WithdrawFinancing]: { roles: [Role.ClientSigner], side: 'holder' },
  [ReceivableAction.Finance]: { roles: [Role.BankOfficer], side: 'bank' },
  [ReceivableAction.DeclineFinancing]: { roles: [Role.BankOfficer], side: 'bank' },
  [ReceivableAction.Mature]: { roles: [Role.ClientSigner, Role.BankOfficer], side: 'party' },
  [ReceivableAction.MarkOverdue]: { roles: [Role.ClientSigner, Role.BankOfficer], side: 'party' },
  [ReceivableAction.Default]: { roles: [Role.ClientSigner, Role.BankOfficer], side: 'party' },
  [ReceivableAction.Recourse]: { roles: [Role.ClientSigner, Role.BankOfficer], side: 'party' },
};

/** The receivable as the ledger holds it, its sealed terms kept apart (in `terms`). */
export type VoucherLedgerRecord = Omit<ReceivableRecord, 'terms'>;

/** One committed step of the chain (the receivable's own, or an ancestor's up to its split), joined with its block. */
export interface VoucherStep {
  /** The record the step wrote: this receivable, or an ancestor. */
  receivableId: string;
  action: ReceivableAction;
  state: ReceivableState;
  at: string;
  /** The holder after the step. */
  holderId: string;
  txId: string;
  blockNumber: string;
  validationCode: string;
  actor: ActorFacts;
}

/** An ancestor by split (parent first, the root last): its chain of holders and children as its split committed them. */
export interface VoucherAncestor {
  id: string;
  holders: string[];
  childIds: string[];
}

/**
 * The receivable voucher (电子债权凭证) and its chain of holders back to the root (流转路径), as one
 * institution that may read it on the ledger issues it: the record, its split lineage, every
 * committed step (ancestors' first) with its block, the lien. Serialized with canonicalJson and
 * signed by the issuing institution's evidence certificate (JWS + PAdES).
 */
export interface ReceivableVoucherDocument {
  format: typeof RECEIVABLE_VOUCHER_FORMAT;
  channel: string;
  generatedAt: string;
  /** The institution that issued and signed this copy: a party of the receivable or the regulator. */
  generatedBy: PartySummary;
  parties: { obligor: PartySummary; originalCreditor: PartySummary; holders: PartySummary[]; bank?: PartySummary };
  record: VoucherLedgerRecord;
  /**
   * The sealed terms: always their ledger hashes; the opened content (amount and its salt, invoice
   * and contract numbers) only in a copy for an institution they are sealed to (obligor, original
   * creditor, holder, bank). The regulator's or a former holder's copy proves the voucher by the
   * ledger's hashes alone (BRIEF rule 4).
   */
  terms: SealedPart;
  lineage: { ancestors: VoucherAncestor[] };
  /** Oldest first: the root's steps up to its split, …, the parent's up to its split, then this receivable's. */
  timeline: VoucherStep[];
}

export interface ReceivableVoucherInput {
  channel: string;
  generatedAt: string;
  generatedBy: Institution | PartySummary;
  parties: { obligor: Institution | PartySummary; originalCreditor: Institution | PartySummary; holders: (Institution | PartySummary)[]; bank?: Institution | PartySummary };
  ledger: ReceivableEvidence;
  /** The terms opened with the issuer's key, when the copy discloses them (absent: hashes only). */
  opened?: OpenedPayload;
  /** Block facts per txId of the trails. */
  transactions: Record<string, { blockNumber: bigint | string; validationCode: string; actor: ActorFacts }>;
}

/** The bank a receivable names: the lien holder, else the bank asked for financing. */
export function voucherBankId(record: Pick<ReceivableRecord, 'lien' | 'bankId'>): string | undefined {
  return record.lien?.bankId ?? record.bankId;
}

/** Everyone the record names (as the chaincode's readers): obligor, every holder, the bank. */
export function voucherParties(record: Pick<ReceivableRecord, 'obligorId' | 'holders' | 'lien' | 'bankId'>): string[] {
  const bank = voucherBankId(record);
  return [...new Set([record.obligorId, ...record.holders, ...(bank ? [bank] : [])])];
}

/** The institutions the terms are sealed to (chaincode `sealedTo`): only their copies disclose them. */
export function voucherTermsRecipients(record: Pick<ReceivableRecord, 'obligorId' | 'originalCreditorId' | 'holderId' | 'bankId'>): string[] {
  return [...new Set([record.obligorId, record.originalCreditorId, record.holderId, ...(record.bankId ? [record.bankId] : [])])];
}

function joinSteps(receivableId: string, steps: readonly ReceivableStep[], trail: readonly ReceivableTrailStep[], transactions: ReceivableVoucherInput['transactions']): VoucherStep[] {
  if (trail.length !== steps.length) throw new EvidenceInputError('MISSING_TRANSACTION', `the ledger's trail of ${receivableId} has ${trail.length} versions for ${steps.length} steps`);
  return trail.map((version, i) => {
    const step = steps[i];
    const facts = transactions[version.txId];
    if (!facts) throw new EvidenceInputError('MISSING_TRANSACTION', `no block facts for transaction ${version.txId}`);
    if (!step || step.state !== version.state) throw new EvidenceInputError('MISSING_TRANSACTION', `version ${i + 1} of ${receivableId} is not its step ${i + 1}`);
    return { receivableId, action: step.action, state: step.state, at: step.at, holderId: version.holderId, txId: version.txId, blockNumber: facts.blockNumber.toString(), validationCode: facts.validationCode, actor: facts.actor };
  });
}

/**
 * Joins the ledger's record, trail and ancestors with the opened terms and the block facts;
 * refuses a receivable the obligor never confirmed (no voucher was issued) and terms that do not
 * open the ledger's amount hash: a voucher is never printed for what the ledger does not hold.
 */
export function buildReceivableVoucher(input: ReceivableVoucherInput): ReceivableVoucherDocument {
  const { receivable, trail, ancestors } = input.ledger;
  const { terms, ...record } = receivable;
  if (!VOUCHER_STATES.includes(receivable.state)) {
    throw new EvidenceInputError('VOUCHER_NOT_ISSUED', `receivable ${receivable.id} is ${receivable.state}: the obligor has not confirmed it, no voucher exists`);
  }
  const timeline: VoucherStep[] = [];
  for (const ancestor of [...ancestors].reverse()) timeline.push(...joinSteps(ancestor.id, ancestor.steps, ancestor.trail, input.transactions));
  timeline.push(...joinSteps(receivable.id, receivable.steps, trail, input.transactions));
  if (input.opened) {
    const content = input.opened.content as { amount?: unknown; salt?: unknown } | null;
    if (typeof content?.amount !== 'string' || typeof content.salt !== 'string' || receivableAmountHash(content.amount, content.salt) !== receivable.amountHash) {
      throw new EvidenceInputError('CONTENT_MISMATCH', `the terms of ${receivable.id} do not open the ledger's amount hash`);
    }
  }
  const doc: ReceivableVoucherDocument = {
    format: RECEIVABLE_VOUCHER_FORMAT,
    channel: input.channel,
    generatedAt: new Date(input.generatedAt).toISOString(),
    generatedBy: partySummary(input.generatedBy),
    parties: {
      obligor: partySummary(input.parties.obligor),
      originalCreditor: partySummary(input.parties.originalCreditor),
      holders: input.parties.holders.map(partySummary),
      ...(input.parties.bank ? { bank: partySummary(input.parties.bank) } : {}),
    },
    record,
    terms: sealedPart(terms, input.opened, 'terms', receivable.id),
    lineage: { ancestors: ancestors.map((a) => ({ id: a.id, holders: a.holders, childIds: a.childIds })) },
    timeline,
  };
  return JSON.parse(canonicalJson(doc)) as ReceivableVoucherDocument;
}

export function voucherJson(doc: ReceivableVoucherDocument): string {
  return canonicalJson(doc);
}

export function voucherHash(doc: ReceivableVoucherDocument): string {
  return sha256Hex(voucherJson(doc));
}

/** Parses and shape-checks a voucher JSON taken from a PDF. */
export function parseReceivableVoucherJson(text: string): ReceivableVoucherDocument {
  const value = JSON.parse(text) as Partial<ReceivableVoucherDocument>;
  if (value?.format !== RECEIVABLE_VOUCHER_FORMAT) throw new EvidenceInputError('UNKNOWN_FORMAT', `voucher format '${String(value?.format)}' is not ${RECEIVABLE_VOUCHER_FORMAT}`);
  const p = value.parties;
  const r = value.record;
  if (typeof r?.id !== 'string' || !Array.isArray(r.steps) || !Array.isArray(r.holders) || !Array.isArray(value.timeline) || !value.generatedBy || !p?.obligor || !p.originalCreditor || !Array.isArray(p.holders) || !value.terms || !Array.isArray(value.lineage?.ancestors)) {
    throw new EvidenceInputError('MALFORMED', 'voucher JSON lacks record, parties, terms, lineage or timeline');
  }
  return value as ReceivableVoucherDocument;
}

/** The chain of holders the steps make: the holder after each step, consecutive repeats dropped. */
export function holdersOfTimeline(timeline: readonly VoucherStep[]): string[] {
  const holders: string[] = [];
  for (const step of timeline) if (holders[holders.length - 1] !== step.holderId) holders.push(step.holderId);
  return holders;
}

/**
 * What the voucher must say of itself, checkable without the ledger: disclosed terms open the
 * record's amount hash, invoice numbers are the ones whose lien keys the record holds (and the
 * invoice hash, when the salt is given); the lineage runs from the parent to the root, each
 * ancestor's split naming the next; the timeline starts at the root's registration and makes
 * exactly the record's chain of holders; the parties printed are the record's.
 */
export function voucherContentProblems(doc: ReceivableVoucherDocument): string[] {
  const problems: string[] = [];
  const r = doc.record;
  if (doc.terms.disclosed) {
    const t = (doc.terms.content ?? {}) as { amount?: unknown; salt?: unknown; invoiceNumbers?: unknown; invoiceSalt?: unknown; contractNumber?: unknown; contractSalt?: unknown };
    if (typeof t.amount !== 'string' || !/^[1-9][0-9]*$/.test(t.amount) || typeof t.salt !== 'string' || receivableAmountHash(t.amount, t.salt) !== r.amountHash) {
      problems.push('the amount (integer minor units) does not open the amount hash the record holds');
    }
    if (t.invoiceNumbers !== undefined) {
      if (!Array.isArray(t.invoiceNumbers) || t.invoiceNumbers.some((n) => typeof n !== 'string' || !r.invoiceKeys.includes(receivableInvoiceKey(n)))) problems.push("the invoice numbers are not the ones whose lien keys the record holds");
      else if (typeof t.invoiceSalt === 'string' && saltedHash(t.invoiceNumbers, t.invoiceSalt) !== r.invoiceHash) problems.push('the invoice numbers do not open the invoice hash the record holds');
    }
    if (typeof t.contractNumber === 'string' && typeof t.contractSalt === 'string' && saltedHash(t.contractNumber, t.contractSalt) !== r.contractHash) problems.push('the contract number does not open the contract hash the record holds');
  }
  const ancestors = doc.lineage.ancestors;
  if ((ancestors[0]?.id ?? undefined) !== r.parentId) problems.push('the lineage does not start at the parent the record names');
  if ((ancestors[ancestors.length - 1]?.id ?? r.id) !== r.rootId) problems.push('the lineage does not end at the root the record names');
  ancestors.forEach((a, i) => {
    const child = i === 0 ? r.id : ancestors[i - 1]?.id;
    if (!child || !a.childIds.includes(child)) problems.push(`ancestor ${a.id} was not split into ${child ?? '—'}`);
  });
  const first = doc.timeline[0];
  if (!first || first.receivableId !== r.rootId || first.action !== ReceivableAction.Register) problems.push("the timeline does not start with the root's registration");
  if (canonicalJson(holdersOfTimeline(doc.timeline)) !== canonicalJson(r.holders)) problems.push("the holders after each step are not the record's chain of holders");
  if (r.holders[r.holders.length - 1] !== r.holderId) problems.push('the holder is not the last of the chain of holders');
  const own = doc.timeline.filter((s) => s.receivableId === r.id);
  if (own.length !== r.steps.length || own.some((s, i) => s.action !== r.steps[i]?.action || s.state !== r.steps[i]?.state || s.at !== r.steps[i]?.at)) problems.push("the timeline's steps of the receivable are not the record's steps");
  const p = doc.parties;
  if (p.obligor.id !== r.obligorId || p.originalCreditor.id !== r.originalCreditorId) problems.push('the obligor or original creditor printed is not the record’s');
  if (canonicalJson(p.holders.map((h) => h.id)) !== canonicalJson(r.holders)) problems.push('the holders printed are not the record’s');
  if ((p.bank?.id ?? undefined) !== voucherBankId(r)) problems.push('the bank printed is not the record’s');
  return problems;
}
