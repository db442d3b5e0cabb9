import type { ReceivableRecord } from '../domain/receivable';
import { LetterContent, ReplyContent } from '../forms/form-definition';
import { NONE } from '../forms/validate-content';
import {
  countByCode,
  CrossCheckCode,
  CrossCheckException,
  CrossCheckRecord,
  CrossCheckResult,
  CrossCheckSource,
  NotCompared,
  NOT_COMPARED_CODES,
  NotExpectedReason,
  OWED_RECEIVABLE_SECTIONS,
  RECEIVABLE_SECTIONS,
  Shown,
} from './cross-check';
import { endOfAsOfDate } from './match-mortgages';
import { cellReferences, StatedItem, statedSection } from './stated-position';

/** What the firm read of one receivable: the record, and its amount (minor units) when it could open the sealed terms. */
export interface ReceivableFact {
  record: Pick<ReceivableRecord, 'id' | 'state' | 'obligorId' | 'holderId' | 'currency' | 'issueDate' | 'maturityDate'> &
    Partial<Pick<ReceivableRecord, 'lien' | 'steps' | 'holders' | 'invoiceKeys'>>;
  /** Integer minor units (a decimal string), as the terms hold it. */
  amountMinor?: string;
}

export interface ReceivableCrossCheckInput {
  letter: LetterContent;
  reply: ReplyContent;
  /** The audited client: receivables it holds are its assets a bank may have financed, those it owes its payables a bank may have financed at the supplier's request. */
  clientId: string;
  /** The replying bank and its branches: a lien held by any of them is the bank's to state. */
  replyingBankIds: readonly string[];
  asOfDate: string;
  utcOffsetMinutes?: number;
  receivables: readonly ReceivableFact[];
}

/** A row that states a financed receivable, whether or not it names one. */
const RECEIVABLE_WORDS = /应收账款|债权凭证|保理|receivable|factoring/i;

/**
 * Minor-unit digits of the currencies whose digits are not 2 (ISO 4217). An amount in a currency
 * outside this table and not 2-digit would compare wrongly: every receivable on the ledger today is
 * CNY (2), and a currency with other digits belongs here.
 */
const MINOR_DIGITS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3, IQD: 3, LYD: 3 };

export function present(value: string | undefined): value is string {
  return value !== undefined && value !== NONE && value.trim() !== '';
}

/** A decimal amount cell as integer minor units of `currency`; undefined when it has more decimals than the currency or is no amount. */
export function toMinor(value: string, currency: string): bigint | undefined {
  const digits = MINOR_DIGITS[currency] ?? 2;
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(value.trim().replace(/,/g, ''));
  if (!m) return undefined;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return undefined;
  return BigInt(`${m[1]}${fraction.padEnd(digits, '0')}`);
}

/** The amount in minor units as a decimal of the currency's major unit, for showing beside the reply's cell. */
export function major(amountMinor: string, currency: string): string {
  const digits = MINOR_DIGITS[currency] ?? 2;
  if (digits === 0) return amountMinor;
  const padded = amountMinor.padStart(digits + 1, '0');
  return `${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** The bank whose lien was active at the end of the as-of date, or why none was. */
export function lienAt(fact: ReceivableFact, asOfEnd: number): { bankId: string } | { reason: NotExpectedReason } {
  const lien = fact.record.lien;
  if (!lien) return { reason: NotExpectedReason.NotFinanced };
  if (Date.parse(lien.at) >= asOfEnd) return { reason: NotExpectedReason.FinancedLater };
  if (lien.releasedAt && Date.parse(lien.releasedAt) < asOfEnd) return { reason: NotExpectedReason.LienReleased };
  return { bankId: lien.bankId };
}

export function receivableLedgerSide(fact: ReceivableFact): Shown {
  const r = fact.record;
  return {
    id: r.id,
    state: r.state,
    holder: r.holderId,
    obligor: r.obligorId,
    currency: r.currency,
    issueDate: r.issueDate,
    maturityDate: r.maturityDate,
    ...(r.lien ? { lienBank: r.lien.bankId, financingId: r.lien.financingId, financedAt: r.lien.at } : {}),
    ...(r.lien?.releasedAt ? { lienReleasedAt: r.lien.releasedAt } : {}),
    ...(fact.amountMinor !== undefined ? { amount: major(fact.amountMinor, r.currency) } : {}),
  };
}

export function replySide(item: StatedItem): Shown {
  return { section: item.place.section, row: item.place.row === null ? 'unlisted' : String(item.place.row), ...item.cells };
}

type MatchedBy = 'record-id' | 'financing-id';

/** A row names a receivable by its ledger id, or by the financing id its lien bank recorded (the bank's own reference). */
function reference(item: StatedItem, fact: ReceivableFact, replyingBankIds: readonly string[]): MatchedBy | undefined {
  const refs = Object.values(item.cells).flatMap(cellReferences);
  if (refs.includes(fact.record.id)) return 'record-id';
  const lien = fact.record.lien;
  // A financing id is one bank's reference: only the replying bank's names its own.
  if (lien && replyingBankIds.includes(lien.bankId) && refs.includes(lien.financingId)) return 'financing-id';
  return undefined;
}

function exception(code: CrossCheckCode, message: string, parts: Omit<CrossCheckException, 'code' | 'source' | 'message'>): CrossCheckException {
  return { code, source: CrossCheckSource.Receivable, message, ...parts };
}

/**
 * Which side of a receivable the client is on, and so where a bank letter states its financing:
 * one it holds (its asset, discounted or pledged: RECEIVABLE_SECTIONS) or one it owes (its
 * payable, financed at its supplier's request: OWED_RECEIVABLE_SECTIONS). Undefined for one it
 * passed on: another holder's asset, not the client's to have confirmed.
 */
type ClientSide = 'holds' | 'owes';

function sideOf(fact: ReceivableFact, clientId: string): ClientSide | undefined {
  if (fact.record.holderId === clientId) return 'holds';
  if (fact.record.obligorId === clientId) return 'owes';
  return undefined;
}

/** The currency and amount cells of a row against the receivable's (the amount only where the firm opened it); the differences, if any. */
function amountDifferences(currency: string | undefined, amount: string | undefined, amountLabel: string, fact: ReceivableFact): string[] {
  const out: string[] = [];
  if (present(currency) && currency !== fact.record.currency) out.push(`currency ${currency} ≠ ${fact.record.currency}`);
  if (present(amount) && fact.amountMinor !== undefined) {
    const stated = toMinor(amount, fact.record.currency);
    if (stated === undefined || stated !== BigInt(fact.amountMinor)) out.push(`${amountLabel} ${amount} ≠ amount ${major(fact.amountMinor, fact.record.currency)}`);
  }
  return out;
}

/**
 * The receivable half of a cross-check: the receivables the client holds or owes on which a bank
 * held the lien at the end of the as-of date, against what the replying bank stated — one the
 * client holds in its discounted bills (and, pledged for a loan, in a loan's collateral), one it
 * owes in its other items (14: the form's only place for it, OWED_RECEIVABLE_SECTIONS). Pure: the
 * caller reads the records (under the client's grant) and opens the reply; this decides.
 *
 * A row names a receivable by its ledger id or its lien's financing id; a row that states a
 * receivable without naming one matches nothing (RECEIVABLE_NOT_ON_LEDGER, and the receivable it
 * may mean stays FINANCED_RECEIVABLE_NOT_IN_REPLY or OWED_RECEIVABLE_NOT_IN_REPLY: both
 * investigated, neither guessed away). Amounts are compared only where the firm could open the
 * terms; otherwise the report says so with RECEIVABLE_AMOUNT_NOT_COMPARABLE, per receivable.
 */
export function crossCheckReceivables(input: ReceivableCrossCheckInput): CrossCheckResult {
  const asOfEnd = endOfAsOfDate(input.asOfDate, input.utcOffsetMinutes);
  const heldSections = RECEIVABLE_SECTIONS.map((key) => statedSection(input.letter, input.reply, key));
  const owedSections = OWED_RECEIVABLE_SECTIONS.map((key) => statedSection(input.letter, input.reply, key));
  const itemsOf = (sections: typeof heldSections) => sections.filter((s) => s.confirmed).flatMap((s) => s.items);
  const items: Record<ClientSide, StatedItem[]> = { holds: itemsOf(heldSections), owes: itemsOf(owedSections) };
  const exceptions: CrossCheckException[] = [];
  const notCompared: NotCompared[] = heldSections
    .filter((s) => !s.confirmed)
    .map((s) => ({ what: `section ${s.key}`, reason: 'struck on the letter: the bank confirmed nothing there' }));

  const parties = input.receivables.flatMap((fact) => {
    const side = sideOf(fact, input.clientId);
    return side ? [{ fact, side, lien: lienAt(fact, asOfEnd) }] : [];
  });
  const records: CrossCheckRecord[] = parties.map(({ fact, lien }) => {
    const notExpected = 'reason' in lien ? lien.reason : input.replyingBankIds.includes(lien.bankId) ? undefined : NotExpectedReason.OtherLienHolder;
    return {
      source: CrossCheckSource.Receivable,
      id: fact.record.id,
      state: fact.record.state,
      bankId: fact.record.lien?.bankId ?? '',
      expected: notExpected === undefined,
      ...(notExpected ? { notExpected } : {}),
      amountReadable: fact.amountMinor !== undefined,
      shown: receivableLedgerSide(fact),
    };
  });

  const named = new Set<StatedItem>();
  parties.forEach(({ fact, side, lien }, index) => {
    const record = records[index];
    for (const item of items[side]) {
      const by = reference(item, fact, input.replyingBankIds);
      if (!by) continue;
      named.add(item);
      if (!record.matchedBy) Object.assign(record, { matchedBy: by, place: item.place });
      const sides = { recordId: fact.record.id, place: item.place, ledger: receivableLedgerSide(fact), reply: replySide(item) };
      if (!('reason' in lien) && !input.replyingBankIds.includes(lien.bankId)) {
        exceptions.push(exception('LIEN_HOLDER_NOT_REPLYING_BANK', `the reply names ${fact.record.id}, whose lien on the ledger is held by ${lien.bankId}`, sides));
        continue;
      }
      if ('reason' in lien) {
        exceptions.push(exception('RECEIVABLE_NOT_FINANCED', `the reply names ${fact.record.id}, which carried no lien of the replying bank at ${input.asOfDate} (${lien.reason})`, sides));
        continue;
      }
      const { cells } = item;
      if (side === 'owes') {
        // What the client owes the bank at maturity is the receivable's amount: the row's amount is compared with it.
        const amount = amountDifferences(cells.currency, cells.amount, 'amount stated', fact);
        if (amount.length > 0) exceptions.push(exception('RECEIVABLE_AMOUNT_MISMATCH', `${fact.record.id}: ${amount.join('; ')}`, sides));
        continue;
      }
      // A loan's collateral names the receivable; its cells are the loan's, not the receivable's.
      if (item.place.section !== 'discountedBills') continue;
      if (present(cells.dueDate) && cells.dueDate !== fact.record.maturityDate) {
        exceptions.push(exception('RECEIVABLE_DATE_MISMATCH', `${fact.record.id}: due ${cells.dueDate} ≠ maturity ${fact.record.maturityDate}`, sides));
      }
      const amount = amountDifferences(cells.currency, cells.faceAmount, 'face', fact);
      if (amount.length > 0) exceptions.push(exception('RECEIVABLE_AMOUNT_MISMATCH', `${fact.record.id}: ${amount.join('; ')}`, sides));
    }
  });

  for (const side of ['holds', 'owes'] as const) {
    for (const item of items[side].filter((i) => !named.has(i) && Object.values(i.cells).some((v) => RECEIVABLE_WORDS.test(v)))) {
      exceptions.push(exception('RECEIVABLE_NOT_ON_LEDGER', `${item.place.section} row ${item.place.row ?? '(unlisted)'} states a financed receivable that names no receivable the client ${side === 'holds' ? 'holds' : 'owes'} on the ledger`, { place: item.place, reply: replySide(item) }));
    }
  }

  records.forEach((record, index) => {
    if (!record.matchedBy || !record.expected) return;
    if (!record.amountReadable) notCompared.push({ what: `amount of ${record.id}`, reason: NOT_COMPARED_CODES.RECEIVABLE_AMOUNT_NOT_COMPARABLE, code: 'RECEIVABLE_AMOUNT_NOT_COMPARABLE', recordId: record.id });
    if (parties[index].side === 'owes') notCompared.push({ what: `maturity and holder of ${record.id}`, reason: NOT_COMPARED_CODES.OWED_RECEIVABLE_TERMS_NOT_ASKED, code: 'OWED_RECEIVABLE_TERMS_NOT_ASKED', recordId: record.id });
  });

  const expectedOf = (side: ClientSide) => records.filter((r, i) => r.expected && parties[i].side === side);
  const heldCompared = heldSections.filter((s) => s.confirmed).map((s) => s.key);
  if (heldSections[0].confirmed) {
    for (const record of expectedOf('holds').filter((r) => !r.matchedBy)) {
      exceptions.push(exception('FINANCED_RECEIVABLE_NOT_IN_REPLY', `${record.id} (lien of ${record.bankId}, ${record.state}) is on the ledger but in none of the reply's ${heldCompared.join(' or ')}`, { recordId: record.id, ledger: record.shown }));
    }
  } else if (expectedOf('holds').length > 0) {
    notCompared.push({ what: 'receivable completeness', reason: 'the discounted bills were struck: receivables the bank financed were not asked about' });
  }
  const owedCompared = owedSections.filter((s) => s.confirmed).map((s) => s.key);
  if (owedCompared.length > 0) {
    for (const record of expectedOf('owes').filter((r) => !r.matchedBy)) {
      exceptions.push(exception('OWED_RECEIVABLE_NOT_IN_REPLY', `${record.id}, owed by the client to ${record.shown.holder} (lien of ${record.bankId}, ${record.state}), is on the ledger but in none of the reply's ${owedCompared.join(' or ')}`, { recordId: record.id, ledger: record.shown }));
    }
  } else if (expectedOf('owes').length > 0) {
    notCompared.push({ what: 'owed receivable completeness', reason: "the other items (14) were struck: receivables the client owes under the bank's lien were not asked about" });
  }

  // Receivables never financed are not the bank's to state: listed only when a row named one.
  const shownRecords = records.filter((r) => r.notExpected !== NotExpectedReason.NotFinanced || r.matchedBy);
  return { comparedSections: [...heldCompared, ...owedCompared], notCompared, records: shownRecords, exceptions, counts: countByCode(exceptions) };
}

/** The engagement's view: receivables the client holds or owes under the lien of a bank from which the engagement has no accepted reply. */
export function unconfirmedLienHolders(clientId: string, receivables: readonly ReceivableFact[], confirmedBankIds: readonly string[], asOfDate: string, utcOffsetMinutes = 0): CrossCheckException[] {
  const asOfEnd = endOfAsOfDate(asOfDate, utcOffsetMinutes);
  return receivables
    .filter((fact) => sideOf(fact, clientId) !== undefined)
    .flatMap((fact) => {
      const lien = lienAt(fact, asOfEnd);
      if ('reason' in lien || confirmedBankIds.includes(lien.bankId)) return [];
      return [exception('LIEN_HOLDER_NOT_CONFIRMED', `${fact.record.id} carried the lien of ${lien.bankId} at ${asOfDate}, from which this engagement has no accepted bank reply`, {
        recordId: fact.record.id,
        ledger: receivableLedgerSide(fact),
      })];
    });
}
