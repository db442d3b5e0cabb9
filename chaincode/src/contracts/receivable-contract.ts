import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  AuditorReceivableAccess,
  canonicalJson,
  ErrorCode,
  Institution,
  INSTITUTION_ID,
  InstitutionKind,
  isOneOf,
  LedgerError,
  MOVABLE_RECEIVABLE_STATES,
  RECEIVABLE_STATES,
  ReceivableAction,
  ReceivableAncestor,
  receivableAmountHash,
  ReceivableEvidence,
  ReceivableIssuedTotal,
  ReceivableLimit,
  ReceivableRecord,
  ReceivableState,
  ReceivableTrailStep,
  Role,
} from '@econfirm/common';
import { forbidden, InstitutionCaller, requireAdmin, requireInstitutionCaller } from '../auth/caller';
import { emitEvent, EventName } from '../events';
import { readValidUntil } from '../models/mortgage-input';
import { readSealed } from '../models/sealing';
import {
  checkOpening,
  readConfirmation,
  readConfirmationOpenings,
  readFinancing,
  readFinancingRequest,
  readLimit,
  readPayment,
  readReason,
  readRecourse,
  readRegistration,
  readSplit,
  readSplitOpenings,
  readTransfer,
} from '../models/receivable-input';
import { activeInstitution, activeRegulators, institutionsOf } from '../state/institution-store';
import { readIndexPage } from '../state/ledger';
import {
  allReceivables,
  deleteAuditorReceivableAccess,
  findReceivable,
  readAuditorReceivableAccess,
  readInvoiceLien,
  readIssuedTotal,
  readLimit as readLimitRecord,
  readReceivableLien,
  ReceivableIndex,
  receivableExists,
  receivableHistory,
  receivableParties,
  releaseLiens,
  saveReceivable,
  writeAuditorReceivableAccess,
  writeIssuedTotal,
  writeLiens,
  writeLimit,
} from '../state/receivable-store';
import { computeReceivableStats } from '../stats/receivable-stats';
import { txTimeIso } from '../state/tx-time';
import { checkString, invalid } from '../validation/field-reader';
import { parsePageSize } from '../validation/paging';
import { readTransientJson } from '../validation/transient';

export const RECEIVABLE_CONTRACT = 'receivable';

const S = ReceivableState;
const A = ReceivableAction;
const ENTERPRISE_KINDS = [InstitutionKind.Enterprise, InstitutionKind.Client];
const READER_ROLES = [Role.ClientSigner, Role.BankOfficer, Role.BankReviewer, Role.Regulator];
/** Those who act once a receivable is due: its holder, or the bank holding the lien. */
const CREDITOR_ROLES = [Role.ClientSigner, Role.BankOfficer];
const LIVE = [S.Confirmed, S.Transferred, S.FinancingRequested, S.Financed];

/** The states each action may start from (chaincode/README.md, "Receivable contract"). */
const FROM: Readonly<Record<ReceivableAction, readonly ReceivableState[]>> = {
  [A.Register]: [],
  [A.SplitFrom]: [],
  [A.Cancel]: [S.Registered],
  [A.Confirm]: [S.Registered],
  [A.Reject]: [S.Registered],
  [A.Split]: MOVABLE_RECEIVABLE_STATES,
  [A.Transfer]: MOVABLE_RECEIVABLE_STATES,
  [A.RequestFinancing]: MOVABLE_RECEIVABLE_STATES,
  [A.WithdrawFinancing]: [S.FinancingRequested],
  [A.DeclineFinancing]: [S.FinancingRequested],
  [A.Finance]: [S.FinancingRequested],
  [A.Mature]: LIVE,
  [A.Pay]: [S.Matured, S.Overdue],
  [A.MarkOverdue]: [S.Matured],
  [A.Default]: [S.Overdue],
  [A.Recourse]: [S.Defaulted],
};

function requireFrom(record: ReceivableRecord, action: ReceivableAction): void {
  if (!FROM[action].includes(record.state)) {
    throw new LedgerError(ErrorCode.InvalidStateTransition, `cannot ${action} receivable ${record.id}: it is ${record.state}`);
  }
}

/** A stranger's refusal is word for word the one for an unknown id: ids cannot be probed. */
function hidden(id: string): LedgerError {
  return new LedgerError(ErrorCode.NotFound, `receivable ${id} does not exist`);
}

function today(ctx: Context): string {
  return txTimeIso(ctx).slice(0, 10);
}

/** Where a receivable goes back to when a financing request ends without a lien. */
function movableState(record: ReceivableRecord): ReceivableState {
  return record.holders.length > 1 ? S.Transferred : S.Confirmed;
}

/** The record without the bank it asked for financing (a request withdrawn, declined or lapsed). */
function withoutBank(record: ReceivableRecord): ReceivableRecord {
  const { bankId: _bankId, ...rest } = record;
  return rest;
}

function lienOf(record: ReceivableRecord): string | undefined {
  return record.lien && !record.lien.releasedAt ? record.lien.bankId : undefined;
}

/**
 * Receivables (应收账款电子债权凭证): the supplier registers what the core enterprise owes it, the
 * obligor confirms within the limit the platform set for it, and the holder splits, transfers or
 * finances it; at maturity the obligor pays the holder or the lien bank. Amounts exist on the
 * ledger only as salted hashes; the rules that need them (sums of a split, the obligor's limit)
 * are checked against openings in the transient map. At most one active lien per receivable and
 * per invoice, decided by lien keys every financing reads and writes (MVCC), never by a query.
 */
@Info({ title: 'ReceivableContract', description: 'receivables: confirmation, split, transfer, financing, payment' })
export class ReceivableContract extends Contract {
  constructor() {
    super(RECEIVABLE_CONTRACT);
  }

  // ---- the platform ---------------------------------------------------------------------------

  /** The operator sets (or changes) the ceiling of an obligor's confirmed total. */
  @Transaction()
  @Returns('string')
  public async SetReceivableLimit(ctx: Context, obligorId: string, limitJson: string): Promise<string> {
    const caller = requireAdmin(ctx);
    checkString(obligorId, 'obligorId', { pattern: INSTITUTION_ID, maxLength: 64 });
    const obligor = await activeInstitution(ctx, obligorId, 'obligorId', ENTERPRISE_KINDS);
    const input = readLimit(limitJson);
    const limit: ReceivableLimit = {
      obligorId,
      currency: input.currency,
      limitHash: input.limitHash,
      limit: readSealed(input.limit, [obligor, ...(await activeRegulators(ctx))]),
      setBy: caller.identityId,
      at: txTimeIso(ctx),
    };
    await writeLimit(ctx, limit);
    emitEvent(ctx, EventName.ReceivableLimitSet, { obligorId });
    return canonicalJson(limit);
  }

  // ---- the supplier and later holders -----------------------------------------------------------

  @Transaction()
  @Returns('string')
  public async RegisterReceivable(ctx: Context, registrationJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const fields = readRegistration(registrationJson);
    if (fields.issueDate > today(ctx)) throw invalid('issueDate', `is after the transaction date ${today(ctx)}`);
    if (fields.obligorId === caller.institution.id) throw invalid('obligorId', 'a creditor cannot be its own obligor');
    if (await receivableExists(ctx, fields.id)) throw new LedgerError(ErrorCode.AlreadyExists, `receivable ${fields.id} already exists`);
    const obligor = await activeInstitution(ctx, fields.obligorId, 'obligorId', ENTERPRISE_KINDS);
    const terms = readSealed(fields.terms, [caller.institution, obligor]);
    const record: ReceivableRecord = {
      ...fields,
      terms,
      rootId: fields.id,
      originalCreditorId: caller.institution.id,
      holderId: caller.institution.id,
      holders: [caller.institution.id],
      state: S.Registered,
      steps: [{ action: A.Register, state: S.Registered, by: caller.identityId, at: txTimeIso(ctx) }],
    };
    await saveReceivable(ctx, record);
    emitEvent(ctx, EventName.ReceivableChanged, { id: record.id, state: record.state, action: A.Register });
    return canonicalJson(record);
  }

  @Transaction()
  @Returns('string')
  public async CancelReceivable(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const record = await this.ownRecord(ctx, caller, id, (r) => [r.originalCreditorId]);
    requireFrom(record, A.Cancel);
    return this.move(ctx, caller, record, A.Cancel, { ...record, state: S.Cancelled });
  }

  /**
   * Closes the receivable into parts whose amounts sum exactly to it (transient `openings`:
   * `{parent, parts[]}`, each `{amount, salt}` opening the hashes). The parts keep the root, the
   * obligor, the dates, the currency and the references; each part's terms are sealed anew.
   */
  @Transaction()
  @Returns('string')
  public async SplitReceivable(ctx: Context, id: string, splitJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const record = await this.ownRecord(ctx, caller, id, (r) => [r.holderId]);
    requireFrom(record, A.Split);
    const parts = readSplit(splitJson);
    const openings = readSplitOpenings(readTransientJson(ctx, 'openings'), parts.length);
    checkOpening(openings.parent, record.amountHash, 'openings.parent');
    parts.forEach((part, i) => checkOpening(openings.parts[i], part.amountHash, `openings.parts[${i}]`));
    const sum = openings.parts.reduce((total, opening) => total + opening.amount, 0n);
    if (sum !== openings.parent.amount) throw invalid('split.parts', "the parts' amounts do not sum exactly to the receivable's");
    const sealedTo = await this.sealedTo(ctx, record);
    const at = txTimeIso(ctx);
    const children: ReceivableRecord[] = [];
    for (const part of parts) {
      if (part.id === record.id || (await receivableExists(ctx, part.id))) throw new LedgerError(ErrorCode.AlreadyExists, `receivable ${part.id} already exists`);
      children.push({
        ...this.carriedOn(record),
        id: part.id,
        parentId: record.id,
        amountHash: part.amountHash,
        terms: readSealed(part.terms, sealedTo),
        steps: [{ action: A.SplitFrom, state: record.state, by: caller.identityId, at }],
      });
    }
    // Written only once every part passed: a refusal writes nothing.
    for (const child of children) await saveReceivable(ctx, child);
    return this.move(ctx, caller, record, A.Split, { ...record, state: S.Split, childIds: parts.map((p) => p.id) });
  }

  @Transaction()
  @Returns('string')
  public async TransferReceivable(ctx: Context, id: string, transferJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const record = await this.ownRecord(ctx, caller, id, (r) => [r.holderId]);
    requireFrom(record, A.Transfer);
    const { toId, terms } = readTransfer(transferJson);
    if (toId === record.holderId) throw invalid('transfer.toId', 'is the holder already');
    if (toId === record.obligorId) throw invalid('transfer.toId', 'the obligor cannot hold its own debt');
    await activeInstitution(ctx, toId, 'transfer.toId', ENTERPRISE_KINDS);
    const next: ReceivableRecord = { ...record, holderId: toId, holders: [...record.holders, toId], state: S.Transferred };
    return this.move(ctx, caller, record, A.Transfer, { ...next, terms: readSealed(terms, await this.sealedTo(ctx, next)) });
  }

  /** Locks the receivable (no split, no transfer) for one bank's decision; `terms` re-sealed to include it. */
  @Transaction()
  @Returns('string')
  public async RequestReceivableFinancing(ctx: Context, id: string, requestJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const record = await this.ownRecord(ctx, caller, id, (r) => [r.holderId]);
    requireFrom(record, A.RequestFinancing);
    const { bankId, terms } = readFinancingRequest(requestJson);
    await activeInstitution(ctx, bankId, 'request.bankId', [InstitutionKind.Bank]);
    // Early word to the holder; FinanceReceivable decides, reading the same keys.
    await this.refuseLiened(ctx, record);
    const next: ReceivableRecord = { ...record, bankId, state: S.FinancingRequested };
    return this.move(ctx, caller, record, A.RequestFinancing, { ...next, terms: readSealed(terms, await this.sealedTo(ctx, next)) });
  }

  @Transaction()
  @Returns('string')
  public async WithdrawReceivableFinancing(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const record = await this.ownRecord(ctx, caller, id, (r) => [r.holderId]);
    requireFrom(record, A.WithdrawFinancing);
    return this.move(ctx, caller, record, A.WithdrawFinancing, { ...withoutBank(record), state: movableState(record) });
  }

  // ---- the obligor ------------------------------------------------------------------------------

  /**
   * The obligor confirms the debt. Transient `openings`: the receivable's amount, the obligor's
   * limit, its issued total so far (absent the first time) and the new total's salt; the new total
   * must not pass the limit. `issued` (argument): the new total sealed to the obligor and the
   * regulators, so the obligor's software can open it next time.
   */
  @Transaction()
  @Returns('string')
  public async ConfirmReceivable(ctx: Context, id: string, confirmationJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const record = await this.ownRecord(ctx, caller, id, (r) => [r.obligorId]);
    requireFrom(record, A.Confirm);
    const { issued: sealedIssued } = readConfirmation(confirmationJson);
    const openings = readConfirmationOpenings(readTransientJson(ctx, 'openings'));
    const limit = await readLimitRecord(ctx, record.obligorId);
    if (!limit) throw new LedgerError(ErrorCode.LimitExceeded, `the platform has set no limit for ${record.obligorId}`);
    if (limit.currency !== record.currency) throw new LedgerError(ErrorCode.LimitExceeded, `the limit of ${record.obligorId} is in ${limit.currency}, the receivable in ${record.currency}`);
    checkOpening(openings.amount, record.amountHash, 'openings.amount');
    checkOpening(openings.limit, limit.limitHash, 'openings.limit', ErrorCode.Conflict);
    const current = await readIssuedTotal(ctx, record.obligorId);
    if (current) {
      if (!openings.issued) throw new LedgerError(ErrorCode.Conflict, 'openings.issued: the obligor has confirmed before; open its issued total');
      checkOpening(openings.issued, current.issuedHash, 'openings.issued', ErrorCode.Conflict);
    } else if (openings.issued) {
      throw new LedgerError(ErrorCode.Conflict, 'openings.issued: the obligor has no issued total yet');
    }
    const total = (openings.issued?.amount ?? 0n) + openings.amount.amount;
    if (total > openings.limit.amount) throw new LedgerError(ErrorCode.LimitExceeded, `confirming ${id} would take the issued total of ${record.obligorId} past its limit`);
    const at = txTimeIso(ctx);
    const issued: ReceivableIssuedTotal = {
      obligorId: record.obligorId,
      issuedHash: receivableAmountHash(total.toString(), openings.nextIssuedSalt),
      issued: readSealed(sealedIssued, [caller.institution, ...(await activeRegulators(ctx))]),
      confirmations: (current?.confirmations ?? 0) + 1,
      at,
    };
    await writeIssuedTotal(ctx, issued);
    return this.move(ctx, caller, record, A.Confirm, { ...record, state: S.Confirmed, confirmedAt: at, confirmedBy: caller.identityId });
  }

  @Transaction()
  @Returns('string')
  public async RejectReceivable(ctx: Context, id: string, rejectionJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const record = await this.ownRecord(ctx, caller, id, (r) => [r.obligorId]);
    requireFrom(record, A.Reject);
    const { reason } = readReason(rejectionJson, 'rejection');
    return this.move(ctx, caller, record, A.Reject, { ...record, state: S.Rejected, reason });
  }

  /** The obligor paid: the lien bank for a financed part (the lien is released), else the holder. */
  @Transaction()
  @Returns('string')
  public async RecordReceivablePayment(ctx: Context, id: string, paymentJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const record = await this.ownRecord(ctx, caller, id, (r) => [r.obligorId]);
    requireFrom(record, A.Pay);
    const { paymentHash } = readPayment(paymentJson);
    const at = txTimeIso(ctx);
    const lienBank = lienOf(record);
    const payment = { paymentHash, payeeId: lienBank ?? record.holderId, at };
    if (!lienBank || !record.lien) return this.move(ctx, caller, record, A.Pay, { ...record, state: S.Paid, payment });
    await releaseLiens(ctx, record);
    return this.move(ctx, caller, record, A.Pay, { ...record, state: S.Paid, payment, lien: { ...record.lien, releasedAt: at } });
  }

  // ---- the bank -------------------------------------------------------------------------------

  /**
   * The requested bank finances: it takes the receivable's lien key and each invoice's. Of two
   * banks financing receivables that share an invoice at the same moment, Fabric's MVCC check
   * commits one; the other's retry is refused LIEN_EXISTS.
   */
  @Transaction()
  @Returns('string')
  public async FinanceReceivable(ctx: Context, id: string, financingJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.BankOfficer]);
    const record = await this.ownRecord(ctx, caller, id, (r) => (r.bankId ? [r.bankId] : []));
    requireFrom(record, A.Finance);
    const { financingId } = readFinancing(financingJson);
    await this.refuseLiened(ctx, record);
    const at = txTimeIso(ctx);
    await writeLiens(ctx, record, { receivableId: record.id, bankId: caller.institution.id, financingId });
    return this.move(ctx, caller, record, A.Finance, {
      ...record,
      state: S.Financed,
      lien: { bankId: caller.institution.id, financingId, at, by: caller.identityId },
    });
  }

  @Transaction()
  @Returns('string')
  public async DeclineReceivableFinancing(ctx: Context, id: string, declineJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.BankOfficer]);
    const record = await this.ownRecord(ctx, caller, id, (r) => (r.bankId ? [r.bankId] : []));
    requireFrom(record, A.DeclineFinancing);
    const { reason } = readReason(declineJson, 'decline');
    return this.move(ctx, caller, record, A.DeclineFinancing, { ...withoutBank(record), state: movableState(record), reason });
  }

  // ---- maturity, default, recourse --------------------------------------------------------------

  /** On or after the maturity date, by the obligor, the holder or the lien bank. A pending financing request lapses. */
  @Transaction()
  @Returns('string')
  public async MatureReceivable(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, CREDITOR_ROLES);
    const record = await this.ownRecord(ctx, caller, id, (r) => [r.obligorId, r.holderId, ...(lienOf(r) ? [lienOf(r) as string] : [])]);
    requireFrom(record, A.Mature);
    if (today(ctx) < record.maturityDate) throw new LedgerError(ErrorCode.InvalidStateTransition, `cannot ${A.Mature} receivable ${id}: it matures on ${record.maturityDate}`);
    const next = record.state === S.FinancingRequested ? withoutBank(record) : record;
    return this.move(ctx, caller, record, A.Mature, { ...next, state: S.Matured });
  }

  /** After the maturity date without payment, by the holder or the lien bank. */
  @Transaction()
  @Returns('string')
  public async MarkReceivableOverdue(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, CREDITOR_ROLES);
    const record = await this.ownRecord(ctx, caller, id, (r) => this.creditor(r));
    requireFrom(record, A.MarkOverdue);
    if (today(ctx) <= record.maturityDate) throw new LedgerError(ErrorCode.InvalidStateTransition, `cannot ${A.MarkOverdue} receivable ${id}: it is due on ${record.maturityDate}`);
    return this.move(ctx, caller, record, A.MarkOverdue, { ...record, state: S.Overdue });
  }

  @Transaction()
  @Returns('string')
  public async DefaultReceivable(ctx: Context, id: string, defaultJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, CREDITOR_ROLES);
    const record = await this.ownRecord(ctx, caller, id, (r) => this.creditor(r));
    requireFrom(record, A.Default);
    const { reason } = readReason(defaultJson, 'default');
    return this.move(ctx, caller, record, A.Default, { ...record, state: S.Defaulted, reason });
  }

  /** The creditor turns to an earlier holder in the chain (the lien bank: to any holder, the one it financed included). */
  @Transaction()
  @Returns('string')
  public async RecordReceivableRecourse(ctx: Context, id: string, recourseJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, CREDITOR_ROLES);
    const record = await this.ownRecord(ctx, caller, id, (r) => this.creditor(r));
    requireFrom(record, A.Recourse);
    const { againstId } = readRecourse(recourseJson);
    const earlier = caller.institution.id === lienOf(record) ? record.holders : record.holders.slice(0, -1);
    if (!earlier.includes(againstId)) throw invalid('recourse.againstId', `${againstId} is no earlier holder of receivable ${id}`);
    return this.move(ctx, caller, record, A.Recourse, { ...record, state: S.Recourse, recourseAgainstId: againstId });
  }

  // ---- the client's auditors --------------------------------------------------------------------

  /**
   * The client lets its audit firm's auditors list the receivables it is party to, until
   * `validUntil` (for the cross-check of bank replies against financed receivables). Granting
   * again replaces the date. Amounts stay sealed to the parties: the grant opens no terms.
   */
  @Transaction()
  @Returns('string')
  public async GrantAuditorReceivableAccess(ctx: Context, accessJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    const { validUntil, reader } = readValidUntil(accessJson, today(ctx));
    reader.allowOnly(['firmId', 'validUntil']);
    const firmId = reader.string('firmId', { pattern: INSTITUTION_ID });
    await activeInstitution(ctx, firmId, 'access.firmId', [InstitutionKind.AuditFirm]);
    const access: AuditorReceivableAccess = { clientId: caller.institution.id, firmId, validUntil, grantedBy: caller.identityId, at: txTimeIso(ctx) };
    await writeAuditorReceivableAccess(ctx, access);
    return canonicalJson(access);
  }

  /** The client withdraws its firm's access (a no-op when none was granted). */
  @Transaction()
  @Returns('string')
  public async RevokeAuditorReceivableAccess(ctx: Context, firmId: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner]);
    checkString(firmId, 'firmId', { pattern: INSTITUTION_ID, maxLength: 64 });
    await deleteAuditorReceivableAccess(ctx, caller.institution.id, firmId);
    return canonicalJson({ clientId: caller.institution.id, firmId, revoked: true });
  }

  // ---- reads ------------------------------------------------------------------------------------

  @Transaction(false)
  @Returns('string')
  public async GetReceivable(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, READER_ROLES);
    const record = await findReceivable(ctx, id);
    if (!record || !this.mayRead(caller, record)) throw hidden(id);
    return canonicalJson(record);
  }

  /**
   * The voucher's ledger facts (clients/evidence, "The receivable voucher"), for those who read the
   * record: it, the transaction of each committed version (oldest first), and each ancestor by
   * split up to the root with its versions — the chain of holders back to the root with the
   * transactions that made it (the blocks hold them for every channel member alike).
   */
  @Transaction(false)
  @Returns('string')
  public async GetReceivableEvidence(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, READER_ROLES);
    checkString(id, 'id', { maxLength: 128 });
    const record = await findReceivable(ctx, id);
    if (!record || !this.mayRead(caller, record)) throw hidden(id);
    const ancestors: ReceivableAncestor[] = [];
    for (let parentId = record.parentId; parentId; ) {
      const parent = await findReceivable(ctx, parentId);
      if (!parent) throw new LedgerError(ErrorCode.NotFound, `ancestor ${parentId} of receivable ${id} does not exist`);
      ancestors.push({ id: parent.id, holders: parent.holders, childIds: parent.childIds ?? [], steps: parent.steps, trail: await this.trail(ctx, parent.id) });
      parentId = parent.parentId;
    }
    const evidence: ReceivableEvidence = { receivable: record, trail: await this.trail(ctx, id), ancestors };
    return canonicalJson(evidence);
  }

  /** Records the caller's institution is or was party to (obligor, holder, bank), optionally in one state. */
  @Transaction(false)
  @Returns('string')
  public async ListReceivables(ctx: Context, state: string, pageSize: string, bookmark: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner, Role.BankOfficer, Role.BankReviewer]);
    return this.page(ctx, caller.institution.id, state, pageSize, bookmark);
  }

  /** An institution's receivables, for the regulator. */
  @Transaction(false)
  @Returns('string')
  public async ListReceivablesOfParty(ctx: Context, partyId: string, state: string, pageSize: string, bookmark: string): Promise<string> {
    await requireInstitutionCaller(ctx, [Role.Regulator]);
    checkString(partyId, 'partyId', { pattern: INSTITUTION_ID, maxLength: 64 });
    return this.page(ctx, partyId, state, pageSize, bookmark);
  }

  /**
   * A client's receivables (as obligor, holder past or present): for an auditor of a firm the
   * client granted current access (GrantAuditorReceivableAccess), and for the regulator.
   */
  @Transaction(false)
  @Returns('string')
  public async ListReceivablesOfClient(ctx: Context, clientId: string, pageSize: string, bookmark: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Auditor, Role.Regulator]);
    checkString(clientId, 'clientId', { pattern: INSTITUTION_ID, maxLength: 64 });
    if (caller.role === Role.Auditor) {
      const access = await readAuditorReceivableAccess(ctx, clientId, caller.institution.id);
      if (!access || access.validUntil < today(ctx)) throw forbidden(`${clientId} has not granted ${caller.institution.id} current access to its receivables`);
    }
    return this.page(ctx, clientId, '', pageSize, bookmark);
  }

  /** The limit and the issued total (both sealed) of an obligor: for the obligor itself and the regulator. */
  @Transaction(false)
  @Returns('string')
  public async GetReceivableLimit(ctx: Context, obligorId: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.ClientSigner, Role.Regulator]);
    checkString(obligorId, 'obligorId', { pattern: INSTITUTION_ID, maxLength: 64 });
    if (caller.role !== Role.Regulator && caller.institution.id !== obligorId) throw forbidden(`only ${obligorId} and the regulator see its limit`);
    const limit = await readLimitRecord(ctx, obligorId);
    if (!limit) throw new LedgerError(ErrorCode.NotFound, `no limit is set for ${obligorId}`);
    return canonicalJson({ limit, issued: (await readIssuedTotal(ctx, obligorId)) ?? null });
  }

  /**
   * The regulator's statistics: states, owed parts, the financed share, liens by bank, past due by
   * obligor — from the records' clear fields, never amounts (stats/receivable-stats.ts).
   */
  @Transaction(false)
  @Returns('string')
  public async GetReceivableStatistics(ctx: Context): Promise<string> {
    await requireInstitutionCaller(ctx, [Role.Regulator]);
    return canonicalJson(computeReceivableStats(await allReceivables(ctx), txTimeIso(ctx)));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async page(ctx: Context, partyId: string, state: string, pageSize: string, bookmark: string): Promise<string> {
    if (state !== '' && !isOneOf(RECEIVABLE_STATES, state)) throw invalid('state', `must be one of ${RECEIVABLE_STATES.join(', ')}`);
    const prefix = state === '' ? [partyId] : [partyId, state];
    const page = await readIndexPage(ctx, ReceivableIndex.ByPartyState, prefix, parsePageSize(pageSize), bookmark, ([, , id]) => findReceivable(ctx, id));
    return canonicalJson(page);
  }

  /** The committed versions of a record, oldest first. */
  private async trail(ctx: Context, id: string): Promise<ReceivableTrailStep[]> {
    return (await receivableHistory(ctx, id))
      .filter((entry) => entry.value !== null)
      .map((entry) => {
        const value = entry.value as ReceivableRecord;
        return { txId: entry.txId, timestamp: entry.timestamp, state: value.state, holderId: value.holderId };
      })
      .reverse();
  }

  private async move(ctx: Context, caller: InstitutionCaller, previous: ReceivableRecord, action: ReceivableAction, next: ReceivableRecord): Promise<string> {
    const record: ReceivableRecord = { ...next, steps: [...previous.steps, { action, state: next.state, by: caller.identityId, at: txTimeIso(ctx) }] };
    await saveReceivable(ctx, record, previous);
    const payload: Record<string, string | string[]> = { id: record.id, state: record.state, action };
    if (record.childIds && action === A.Split) payload.parts = record.childIds;
    emitEvent(ctx, EventName.ReceivableChanged, payload);
    return canonicalJson(record);
  }

  /** What a part of a split inherits: everything but its id, amount, terms, history and what happened to the parent since. */
  private carriedOn(record: ReceivableRecord): ReceivableRecord {
    const { childIds: _childIds, reason: _reason, ...rest } = record;
    return rest;
  }

  /** The parties a record's terms must be sealed to: the obligor, the original creditor, the holder and its bank. */
  private sealedTo(ctx: Context, record: ReceivableRecord): Promise<Institution[]> {
    const ids = [record.obligorId, record.originalCreditorId, record.holderId, ...(record.bankId ? [record.bankId] : [])];
    return institutionsOf(ctx, [...new Set(ids)]);
  }

  private creditor(record: ReceivableRecord): string[] {
    const lienBank = lienOf(record);
    return lienBank ? [record.holderId, lienBank] : [record.holderId];
  }

  /** Refuses when the receivable or one of its invoices carries an active lien, whoever holds it. */
  private async refuseLiened(ctx: Context, record: ReceivableRecord): Promise<void> {
    if (await readReceivableLien(ctx, record.id)) throw new LedgerError(ErrorCode.LienExists, `receivable ${record.id} already carries an active lien`);
    for (const invoiceKey of record.invoiceKeys) {
      // Which receivable or bank holds it is not said: that would tell one bank of another's customer.
      if (await readInvoiceLien(ctx, invoiceKey)) throw new LedgerError(ErrorCode.LienExists, `an invoice of receivable ${record.id} is already financed`);
    }
  }

  /** The record when the caller's institution is one that `sides` names; a reader otherwise FORBIDDEN, anyone else NOT_FOUND. */
  private async ownRecord(ctx: Context, caller: InstitutionCaller, id: string, sides: (r: ReceivableRecord) => string[]): Promise<ReceivableRecord> {
    checkString(id, 'id', { maxLength: 128 });
    const record = await findReceivable(ctx, id);
    if (!record) throw hidden(id);
    if (!sides(record).includes(caller.institution.id)) {
      if (this.mayRead(caller, record)) throw forbidden(`${caller.institution.id} may not do this to receivable ${id}`);
      throw hidden(id);
    }
    return record;
  }

  private mayRead(caller: InstitutionCaller, record: ReceivableRecord): boolean {
    return caller.role === Role.Regulator || receivableParties(record).includes(caller.institution.id);
  }
}
