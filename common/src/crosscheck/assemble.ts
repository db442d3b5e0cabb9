import { ConfirmationKind, ConfirmationState, isBankLetter } from '../domain/confirmation';
import { HistoryEntry } from '../domain/page';
import { LetterContent, ReplyContent } from '../forms/form-definition';
import { countByCode, CrossCheckException, CrossCheckReport, CrossCheckResult, NOT_COMPARED_CODES } from './cross-check';
import { crossCheckBalances } from './match-balances';
import { crossCheckMortgages, MortgageFact, unconfirmedMortgagees } from './match-mortgages';
import { crossCheckReceivables, ReceivableFact, unconfirmedLienHolders } from './match-receivables';
import { statedSection } from './stated-position';

/**
 * The reading-independent part of a cross-check: who reads the ledger (the gateway's tenant, the
 * SDK as one identity) differs, what is concluded from the same reading does not. Both the gateway
 * (gateway/src/crosscheck) and the SDK (clients/sdk/src/cross-check.ts, the CLI) build reports here.
 */

/** The request as far as a cross-check needs it. */
export interface CrossCheckRequest {
  id: string;
  kind: ConfirmationKind;
  state: ConfirmationState;
  firmId: string;
  engagementId: string;
  clientId: string;
  addresseeId: string;
  responderId: string;
  asOfDate: string;
}

/** What was read for the ledger side, once per client. */
export interface CrossCheckLedgerReading {
  /**
   * The client's registrations (ListMortgagesOfClient, under its mortgage grant); undefined when not
   * read: a receivable/payable confirmation is checked against receivables only, so it needs no
   * mortgage grant. A bank letter's report needs them.
   */
  mortgages?: MortgageFact[];
  /**
   * The client's receivables (ListReceivablesOfClient, under the client's receivable grant);
   * undefined when the client granted the firm no current access: the report then says
   * RECEIVABLE_ACCESS_NOT_GRANTED and compares no receivable, rather than refusing the mortgage half.
   */
  receivables?: ReceivableFact[];
  ledgerHeight: string;
  readAs: string;
  utcOffsetMinutes: number;
}

/**
 * Why a request cannot be cross-checked (yet); undefined when it can. Every kind can: a bank letter
 * against the client's registrations and financed receivables, a receivable or payable confirmation
 * against the receivables between the client and the counterparty.
 */
export function crossCheckNotReady(request: Pick<CrossCheckRequest, 'kind' | 'state'>): string | undefined {
  if (request.state !== ConfirmationState.AuditorAccepted) return `the reply is cross-checked once the auditor has accepted it; the request is ${request.state}`;
  return undefined;
}

/** A registration as the matcher takes it: its secured amount when the reader could open the application. */
export function mortgageFact(record: MortgageFact['record'], opened?: { currency: string; securedPrincipal?: string; maximumAmount?: string }): MortgageFact {
  const value = opened?.securedPrincipal ?? opened?.maximumAmount;
  return { record, ...(opened && value !== undefined ? { amount: { currency: opened.currency, value } } : {}) };
}

/** A receivable as the matcher takes it: its amount when the reader could open the sealed terms. */
export function receivableFact(record: ReceivableFact['record'], opened?: { amount: string }): ReceivableFact {
  return { record, ...(opened ? { amountMinor: opened.amount } : {}) };
}

/** Both halves in one result: each half's sections, records and exceptions side by side, counted once. */
const NOT_GRANTED = { what: 'receivables', reason: NOT_COMPARED_CODES.RECEIVABLE_ACCESS_NOT_GRANTED, code: 'RECEIVABLE_ACCESS_NOT_GRANTED' as const };

function merged(mortgages: CrossCheckResult, receivables: CrossCheckResult | undefined): CrossCheckResult {
  if (!receivables) return { ...mortgages, notCompared: [...mortgages.notCompared, NOT_GRANTED] };
  const exceptions = [...mortgages.exceptions, ...receivables.exceptions];
  const notCompared = [...mortgages.notCompared];
  // A struck section is one note, whichever half asked about it.
  for (const n of receivables.notCompared) if (!notCompared.some((m) => m.what === n.what)) notCompared.push(n);
  return {
    comparedSections: [...new Set([...mortgages.comparedSections, ...receivables.comparedSections])],
    notCompared,
    records: [...mortgages.records, ...receivables.records],
    exceptions,
    counts: countByCode(exceptions),
  };
}

export interface CrossCheckReplyReading {
  letter: LetterContent;
  reply: ReplyContent;
  replyContentHash: string;
  /** The request's key history (GetConfirmationHistory), any order. */
  history: ReadonlyArray<HistoryEntry<{ state: ConfirmationState }>>;
}

export function crossCheckReport(request: CrossCheckRequest, replyReading: CrossCheckReplyReading, ledger: CrossCheckLedgerReading, checkedAt: string): CrossCheckReport {
  const replyTxIds = replyReading.history
    .filter((h) => h.value?.state === ConfirmationState.Replied || h.value?.state === ConfirmationState.AuditorAccepted)
    .sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0))
    .map((h) => h.txId);
  return {
    confirmationId: request.id,
    engagementId: request.engagementId,
    clientId: request.clientId,
    responderId: request.responderId,
    asOfDate: request.asOfDate,
    checkedAt,
    ...checked(request, replyReading, ledger),
    basis: { ledgerHeight: ledger.ledgerHeight, replyTxIds, replyContentHash: replyReading.replyContentHash, readAs: ledger.readAs },
  };
}

/** The halves a request's kind is checked by: a bank letter's mortgages and financed receivables, a counterparty's balances. */
function checked(request: CrossCheckRequest, replyReading: CrossCheckReplyReading, ledger: CrossCheckLedgerReading): CrossCheckResult {
  const { letter, reply } = replyReading;
  const { asOfDate } = request;
  const { utcOffsetMinutes } = ledger;
  if (request.kind === ConfirmationKind.Receivable || request.kind === ConfirmationKind.Payable) {
    if (!ledger.receivables) return { comparedSections: [], notCompared: [NOT_GRANTED], records: [], exceptions: [], counts: {} };
    return crossCheckBalances({ kind: request.kind, letter, reply, clientId: request.clientId, responderId: request.responderId, asOfDate, utcOffsetMinutes, receivables: ledger.receivables });
  }
  if (!ledger.mortgages) throw new Error(`a bank letter's cross-check needs the client's registrations read (${request.id})`);
  const common = { letter, reply, replyingBankIds: [...new Set([request.responderId, request.addresseeId])], asOfDate, utcOffsetMinutes };
  const result = merged(
    crossCheckMortgages({ ...common, mortgages: ledger.mortgages }),
    ledger.receivables ? crossCheckReceivables({ ...common, clientId: request.clientId, receivables: ledger.receivables }) : undefined,
  );
  // Acceptance bills are the client's payables the bank accepted, but as bills: with no bill on the ledger, nothing to hold them against.
  if (!statedSection(letter, reply, 'acceptanceBills').confirmed) return result;
  return { ...result, notCompared: [...result.notCompared, { what: 'section acceptanceBills', reason: NOT_COMPARED_CODES.ACCEPTANCE_BILLS_NOT_ON_LEDGER, code: 'ACCEPTANCE_BILLS_NOT_ON_LEDGER' }] };
}

/** One letter of an engagement in the engagement report: checked, or why not. */
export interface EngagementLetterCheck {
  confirmationId: string;
  responderId: string;
  state: string;
  checked: boolean;
  reason?: string;
  counts?: CrossCheckReport['counts'];
}

export interface EngagementCrossCheck {
  engagementId: string;
  clientId: string;
  asOfDate: string;
  checkedAt: string;
  letters: EngagementLetterCheck[];
  /** Every letter's exceptions (with its confirmationId) and the engagement's own (MORTGAGEE_NOT_CONFIRMED, LIEN_HOLDER_NOT_CONFIRMED). */
  exceptions: Array<CrossCheckException & { confirmationId?: string }>;
  counts: CrossCheckReport['counts'];
  basis: { ledgerHeight: string; readAs: string };
}

/**
 * The engagement report from the firm's letters of one engagement — bank letters and receivable or
 * payable confirmations: each accepted one checked by `check` (the reader opens it), each other one
 * listed with why not, and the registrations and liens with banks none of the accepted bank
 * replies came from (a counterparty's reply confirms no bank).
 */
export async function engagementCrossCheck(
  requests: readonly CrossCheckRequest[],
  ledger: CrossCheckLedgerReading,
  check: (request: CrossCheckRequest) => Promise<CrossCheckReport>,
  checkedAt: string,
): Promise<EngagementCrossCheck> {
  const first = requests[0];
  if (!first) throw new Error('an engagement report needs at least one request');
  const letters: EngagementLetterCheck[] = [];
  const exceptions: EngagementCrossCheck['exceptions'] = [];
  const confirmedBanks = new Set<string>();
  for (const request of requests) {
    const base = { confirmationId: request.id, responderId: request.responderId, state: request.state };
    const reason = crossCheckNotReady(request);
    if (reason) {
      letters.push({ ...base, checked: false, reason });
      continue;
    }
    const report = await check(request);
    if (isBankLetter(request.kind)) confirmedBanks.add(request.responderId);
    letters.push({ ...base, checked: true, counts: report.counts });
    exceptions.push(...report.exceptions.map((e) => ({ ...e, confirmationId: request.id })));
  }
  if (ledger.mortgages) exceptions.push(...unconfirmedMortgagees(ledger.mortgages, [...confirmedBanks], first.asOfDate, ledger.utcOffsetMinutes));
  if (ledger.receivables) exceptions.push(...unconfirmedLienHolders(first.clientId, ledger.receivables, [...confirmedBanks], first.asOfDate, ledger.utcOffsetMinutes));
  return {
    engagementId: first.engagementId,
    clientId: first.clientId,
    asOfDate: first.asOfDate,
    checkedAt,
    letters,
    exceptions,
    counts: countByCode(exceptions),
    basis: { ledgerHeight: ledger.ledgerHeight, readAs: ledger.readAs },
  };
}
