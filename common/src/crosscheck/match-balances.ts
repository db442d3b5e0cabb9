import { ConfirmationKind } from '../domain/confirmation';
import { ReceivableAction, receivableInvoiceKey, ReceivableState } from '../domain/receivable';
import { LetterContent, ReplyContent } from '../forms/form-definition';
import {
  BALANCE_SECTIONS,
  countByCode,
  CrossCheckCode,
  CrossCheckException,
  CrossCheckRecord,
  CrossCheckResult,
  CrossCheckSource,
  NotCompared,
  NOT_COMPARED_CODES,
  NotExpectedReason,
  Shown,
} from './cross-check';
import { endOfAsOfDate } from './match-mortgages';
import { lienAt, major, present, ReceivableFact, receivableLedgerSide, replySide, toMinor } from './match-receivables';
import { cellReferences, StatedItem, statedSection } from './stated-position';

export interface BalanceCrossCheckInput {
  /** Receivable: the client is the creditor, the responder (its customer) the obligor. Payable: the reverse. */
  kind: typeof ConfirmationKind.Receivable | typeof ConfirmationKind.Payable;
  letter: LetterContent;
  reply: ReplyContent;
  clientId: string;
  responderId: string;
  asOfDate: string;
  utcOffsetMinutes?: number;
  /** The client's receivables as holder and as obligor (ListReceivablesOfClient): those between the two parties are picked here. */
  receivables: readonly ReceivableFact[];
}

/** States in which nothing is owed on the record itself: withdrawn, refused, paid, carried on by its parts, or closed by recourse. */
const CLOSED_STATES: readonly string[] = [ReceivableState.Cancelled, ReceivableState.Rejected, ReceivableState.Paid, ReceivableState.Split, ReceivableState.Recourse];

/**
 * The receivable as it stood at `asOfEnd`: its state after the last step before then and the holder
 * then (the chain less the holders later transfers added); undefined when it did not exist yet.
 * A record read without its steps stands as read.
 */
export function receivableAt(fact: ReceivableFact, asOfEnd: number): { state: string; holderId: string } | undefined {
  const { steps, holders, holderId, state } = fact.record;
  if (!steps) return { state, holderId };
  const before = steps.filter((s) => Date.parse(s.at) < asOfEnd);
  const last = before[before.length - 1];
  if (!last) return undefined;
  const laterTransfers = steps.filter((s) => s.action === ReceivableAction.Transfer && Date.parse(s.at) >= asOfEnd).length;
  const chain = holders ?? [holderId];
  return { state: last.state, holderId: chain[chain.length - 1 - laterTransfers] ?? holderId };
}

/** Why a receivable between the two parties was owed nothing to the creditor side at the as-of date; undefined when it was outstanding. */
function notOutstanding(fact: ReceivableFact, creditorId: string, asOfEnd: number): NotExpectedReason | undefined {
  const then = receivableAt(fact, asOfEnd);
  if (!then || then.state === ReceivableState.Registered) return NotExpectedReason.NotConfirmed;
  if (CLOSED_STATES.includes(then.state)) return NotExpectedReason.Closed;
  if (then.holderId !== creditorId) return NotExpectedReason.OtherHolder;
  return undefined;
}

/** A row names a receivable by its ledger id, or by one of its invoices' numbers (compared through the ledger's invoice keys). */
function reference(item: StatedItem, fact: ReceivableFact): 'record-id' | 'invoice-number' | undefined {
  const refs = Object.values(item.cells).flatMap(cellReferences);
  if (refs.includes(fact.record.id)) return 'record-id';
  const keys = fact.record.invoiceKeys ?? [];
  // An invoice number may stand behind a label (发票 3100261130 12345678): its digits and letters with their spacing.
  const numbers = refs.map((r) => r.replace(/[^0-9A-Za-z\s]/g, ' ').trim()).filter((r) => r !== '');
  if (keys.length > 0 && [...refs, ...numbers].some((r) => keys.includes(receivableInvoiceKey(r)))) return 'invoice-number';
  return undefined;
}

/** A row's amount in minor units of `currency`: 0 for "none", undefined when it is no amount of that currency. */
function rowMinor(item: StatedItem, currency: string): bigint | undefined {
  if (!present(item.cells.amount)) return 0n;
  return toMinor(item.cells.amount, currency);
}

function exception(code: CrossCheckCode, message: string, parts: Omit<CrossCheckException, 'code' | 'source' | 'message'>): CrossCheckException {
  return { code, source: CrossCheckSource.Receivable, message, ...parts };
}

/**
 * The receivable/payable half (balance-confirmation-2020): the receivables the same ledger holds
 * between the client and the replying counterparty — for a receivable confirmation those the
 * responder owes and the client held at the end of the as-of date, for a payable confirmation those
 * the client owes and the responder held — against the balances the counterparty stated. Pure.
 *
 * Expected: obligor-confirmed by the as-of date and not closed by then (cancelled, rejected, paid,
 * split, recourse: nothing owed on the record), held by the creditor side then. A reply stating no
 * balance (or only zero) in the receivable's currency is RECEIVABLE_BALANCE_NOT_STATED. A row names
 * a receivable by ledger id or invoice number; its amount is compared where the firm opened the
 * terms (else RECEIVABLE_AMOUNT_NOT_COMPARABLE), and so is each currency's total against the
 * outstanding receivables in it. A customer may owe the client more than the ledger holds (trade
 * credit off the platform): a stated total above the ledger's is no exception, one below it is.
 *
 * Financing: the form has no place for a receivable's assignment or pledge (a row's description is
 * free text, and a pledge need not be notified to the obligor), so an active lien is not charged
 * to the reply: the report says RECEIVABLE_FINANCING_NOT_ASKED for it, and the bank letter's
 * cross-check is where a financed receivable is compared.
 */
export function crossCheckBalances(input: BalanceCrossCheckInput): CrossCheckResult {
  const asOfEnd = endOfAsOfDate(input.asOfDate, input.utcOffsetMinutes);
  const [creditorId, obligorId] = input.kind === ConfirmationKind.Receivable ? [input.clientId, input.responderId] : [input.responderId, input.clientId];
  const sections = BALANCE_SECTIONS.map((key) => statedSection(input.letter, input.reply, key));
  const [balances] = sections;
  const compared = sections.filter((s) => s.confirmed);
  const items = compared.flatMap((s) => s.items);
  const exceptions: CrossCheckException[] = [];
  const notCompared: NotCompared[] = sections
    .filter((s) => !s.confirmed)
    .map((s) => ({ what: `section ${s.key}`, reason: 'struck on the letter: the counterparty confirmed nothing there' }));

  // Between the two parties, the creditor side its holder at some point (a receivable it passed on is listed, not expected).
  const between = input.receivables.filter((f) => f.record.obligorId === obligorId && (f.record.holderId === creditorId || (f.record.holders ?? []).includes(creditorId)));
  const records: CrossCheckRecord[] = between.map((fact) => {
    const notExpected = notOutstanding(fact, creditorId, asOfEnd);
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

  // What the reply states per currency: every balance row, and an other-items row that names a receivable.
  const namesOne = (item: StatedItem) => between.some((f) => reference(item, f));
  const amountRows = items.filter((i) => i.place.section === 'balances' || namesOne(i));
  const statedIn = (currency: string): bigint => amountRows.filter((i) => i.cells.currency === currency).reduce((sum, i) => sum + (rowMinor(i, currency) ?? 0n), 0n);

  between.forEach((fact, index) => {
    const record = records[index];
    const { id, currency } = fact.record;
    const named = items.map((item) => ({ item, by: reference(item, fact) })).filter((n) => n.by !== undefined);
    const first = named[0];
    if (first?.by) Object.assign(record, { matchedBy: first.by, place: first.item.place });
    if (!record.expected) {
      for (const { item } of named) {
        exceptions.push(exception('RECEIVABLE_NOT_OUTSTANDING', `the reply states a balance on ${id}, which was not outstanding to ${creditorId} at ${input.asOfDate} (${record.notExpected})`, {
          recordId: id, place: item.place, ledger: record.shown, reply: replySide(item),
        }));
      }
      return;
    }
    if (fact.record.lien && !('reason' in lienAt(fact, asOfEnd))) {
      notCompared.push({ what: `financing of ${id} (lien of ${fact.record.lien.bankId})`, reason: NOT_COMPARED_CODES.RECEIVABLE_FINANCING_NOT_ASKED, code: 'RECEIVABLE_FINANCING_NOT_ASKED', recordId: id });
    }
    if (!balances.confirmed) return;
    const notStated = (why: string, item?: StatedItem) =>
      exceptions.push(exception('RECEIVABLE_BALANCE_NOT_STATED', `${id} (${fact.record.state}, due ${fact.record.maturityDate}) is outstanding on the ledger, but ${why}`, {
        recordId: id, ledger: record.shown, ...(item ? { place: item.place, reply: replySide(item) } : {}),
      }));
    if (first) {
      const { cells } = first.item;
      const stated = rowMinor(first.item, currency);
      if (stated === 0n) {
        notStated(`the row naming it states a zero balance`, first.item);
        return;
      }
      const differences: string[] = [];
      if (present(cells.currency) && cells.currency !== currency) differences.push(`currency ${cells.currency} ≠ ${currency}`);
      else if (fact.amountMinor !== undefined && stated !== BigInt(fact.amountMinor)) differences.push(`amount ${cells.amount} ≠ ${major(fact.amountMinor, currency)}`);
      if (differences.length > 0) {
        exceptions.push(exception('RECEIVABLE_BALANCE_MISMATCH', `${id}: ${differences.join('; ')}`, { recordId: id, place: first.item.place, ledger: record.shown, reply: replySide(first.item) }));
      }
    } else if (statedIn(currency) === 0n) {
      notStated(`the reply states no balance in ${currency}`);
      return;
    }
    if (fact.amountMinor === undefined) {
      notCompared.push({ what: `amount of ${id}`, reason: NOT_COMPARED_CODES.RECEIVABLE_AMOUNT_NOT_COMPARABLE, code: 'RECEIVABLE_AMOUNT_NOT_COMPARABLE', recordId: id });
    }
  });

  // Each currency's total, where every outstanding receivable in it could be opened.
  if (balances.confirmed) {
    const expected = between.filter((_, i) => records[i].expected);
    for (const currency of [...new Set(expected.map((f) => f.record.currency))]) {
      const inCurrency = expected.filter((f) => f.record.currency === currency);
      const stated = statedIn(currency);
      if (stated === 0n || inCurrency.some((f) => f.amountMinor === undefined)) continue;
      const onLedger = inCurrency.reduce((sum, f) => sum + BigInt(f.amountMinor ?? '0'), 0n);
      if (stated >= onLedger) continue;
      const ledger: Shown = { currency, outstanding: major(onLedger.toString(), currency), receivables: inCurrency.map((f) => f.record.id).join(', ') };
      exceptions.push(exception('RECEIVABLE_BALANCES_BELOW_LEDGER', `the balances stated in ${currency} total ${major(stated.toString(), currency)}, less than the ${major(onLedger.toString(), currency)} outstanding on the ledger`, {
        ledger, reply: { section: 'balances', currency, total: major(stated.toString(), currency) },
      }));
    }
  } else if (records.some((r) => r.expected)) {
    notCompared.push({ what: 'receivable completeness', reason: 'the balances were struck: the counterparty was not asked for them' });
  }

  return { comparedSections: compared.map((s) => s.key), notCompared, records, exceptions, counts: countByCode(exceptions) };
}
