import { mortgageCertificateKey, MortgageType, REGISTERED_MORTGAGE_STATES, mortgageUnitKey, type MortgageView } from '../domain/mortgage';
import { LetterContent, ReplyContent } from '../forms/form-definition';
import { NONE } from '../forms/validate-content';
import {
  countByCode,
  CrossCheckCode,
  CrossCheckException,
  CrossCheckRecord,
  CrossCheckResult,
  CrossCheckSource,
  MORTGAGE_SECTIONS,
  NotExpectedReason,
  Shown,
} from './cross-check';
import { cellReferences, StatedItem, statedSection } from './stated-position';

/** What the firm read of one registration: the record, and its secured amount when it could open the sealed application. */
export interface MortgageFact {
  record: Pick<MortgageView, 'id' | 'state' | 'mortgageeId' | 'mortgageType' | 'debtTermStart' | 'debtTermEnd' | 'unitKey'> &
    Partial<Pick<MortgageView, 'certificateKey' | 'registeredAt' | 'dischargedAt'>>;
  amount?: { currency: string; value: string };
}

export interface MortgageCrossCheckInput {
  letter: LetterContent;
  reply: ReplyContent;
  /** The replying bank and its branches: a registration with any of them is the bank's to state. */
  replyingBankIds: readonly string[];
  /** The letter's as-of date (函证基准日): what encumbered at the end of that day is expected. */
  asOfDate: string;
  /** The work calendar's offset: the as-of date is a local date. */
  utcOffsetMinutes?: number;
  mortgages: readonly MortgageFact[];
}


/** A row that states mortgage collateral, whether or not it names the registration. */
const MORTGAGE_WORDS = /抵押|mortgage|不动产/i;

type MatchedBy = NonNullable<CrossCheckRecord['matchedBy']>;

function present(value: string | undefined): value is string {
  return value !== undefined && value !== NONE && value.trim() !== '';
}

/** An amount cell as an integer of ten-thousandths, so "8000000" equals "8000000.00" (no floating point). */
function scaled(value: string): bigint | undefined {
  const m = /^(-?)([0-9]+)(?:\.([0-9]{1,4}))?$/.exec(value.trim());
  if (!m) return undefined;
  const n = BigInt(`${m[2]}${(m[3] ?? '').padEnd(4, '0')}`);
  return m[1] === '-' ? -n : n;
}

function reference(item: StatedItem, fact: MortgageFact): MatchedBy | undefined {
  const refs = Object.values(item.cells).flatMap(cellReferences);
  const { record } = fact;
  if (record.certificateKey && refs.some((r) => mortgageCertificateKey(r) === record.certificateKey)) return 'certificate-number';
  if (refs.some((r) => mortgageUnitKey(r) === record.unitKey)) return 'unit-number';
  if (refs.includes(record.id)) return 'record-id';
  return undefined;
}

function ledgerSide(fact: MortgageFact): Shown {
  const r = fact.record;
  return {
    id: r.id,
    mortgagee: r.mortgageeId,
    state: r.state,
    mortgageType: r.mortgageType,
    debtTermStart: r.debtTermStart,
    debtTermEnd: r.debtTermEnd,
    ...(r.registeredAt ? { registeredAt: r.registeredAt } : {}),
    ...(r.dischargedAt ? { dischargedAt: r.dischargedAt } : {}),
    ...(fact.amount ? { currency: fact.amount.currency, [r.mortgageType === MortgageType.Ordinary ? 'securedPrincipal' : 'maximumAmount']: fact.amount.value } : {}),
  };
}

function replySide(item: StatedItem): Shown {
  return { section: item.place.section, row: item.place.row === null ? 'unlisted' : String(item.place.row), ...item.cells };
}

/** The differences between a row's dates and the registration's debt term (empty: they fit). */
function termDifferences(item: StatedItem, fact: MortgageFact): string[] {
  const { cells } = item;
  const { debtTermStart, debtTermEnd, mortgageType } = fact.record;
  const out: string[] = [];
  if (item.place.section === 'guaranteesByClient') {
    if (present(cells.expiryDate) && cells.expiryDate !== debtTermEnd) out.push(`expiry ${cells.expiryDate} ≠ debt term end ${debtTermEnd}`);
    return out;
  }
  if (mortgageType === MortgageType.Ordinary) {
    if (present(cells.startDate) && cells.startDate !== debtTermStart) out.push(`start ${cells.startDate} ≠ debt term start ${debtTermStart}`);
    if (present(cells.maturityDate) && cells.maturityDate !== debtTermEnd) out.push(`maturity ${cells.maturityDate} ≠ debt term end ${debtTermEnd}`);
  } else {
    // A maximum-amount mortgage secures every loan within its determination period.
    if (present(cells.startDate) && cells.startDate < debtTermStart) out.push(`start ${cells.startDate} before the debt term ${debtTermStart}–${debtTermEnd}`);
    if (present(cells.maturityDate) && cells.maturityDate > debtTermEnd) out.push(`maturity ${cells.maturityDate} after the debt term ${debtTermStart}–${debtTermEnd}`);
  }
  return out;
}

function amountDifferences(item: StatedItem, fact: MortgageFact): string[] {
  const amount = fact.amount;
  if (!amount) return [];
  const { cells } = item;
  const out: string[] = [];
  if (present(cells.currency) && cells.currency !== amount.currency) out.push(`currency ${cells.currency} ≠ ${amount.currency}`);
  const balance = present(cells.balance) ? scaled(cells.balance) : undefined;
  const secured = scaled(amount.value);
  if (balance === undefined || secured === undefined) return out;
  if (item.place.section === 'guaranteesByClient' && balance !== secured) out.push(`guaranteed ${cells.balance} ≠ secured ${amount.value}`);
  if (item.place.section === 'loans' && fact.record.mortgageType === MortgageType.MaximumAmount && balance > secured) {
    out.push(`balance ${cells.balance} above the maximum secured amount ${amount.value}`);
  }
  return out;
}

/** The end of the as-of date (a local date at `utcOffsetMinutes`), in epoch milliseconds. */
export function endOfAsOfDate(asOfDate: string, utcOffsetMinutes = 0): number {
  return Date.parse(`${asOfDate}T00:00:00Z`) + 86_400_000 - utcOffsetMinutes * 60_000;
}

/** When a registration was not encumbering at `asOfEnd` (endOfAsOfDate), why; undefined when it was. */
export function notActiveReason(fact: MortgageFact, asOfEnd: number): NotExpectedReason | undefined {
  const r = fact.record;
  // A change, transfer or discharge awaiting the registry reviewer leaves the record registered.
  if (!REGISTERED_MORTGAGE_STATES.includes(r.state) || !r.registeredAt) return NotExpectedReason.NotRegistered;
  if (Date.parse(r.registeredAt) >= asOfEnd) return NotExpectedReason.RegisteredLater;
  if (r.dischargedAt && Date.parse(r.dischargedAt) < asOfEnd) return NotExpectedReason.Discharged;
  return undefined;
}

function exception(code: CrossCheckCode, message: string, parts: Omit<CrossCheckException, 'code' | 'source' | 'message'>): CrossCheckException {
  return { code, source: CrossCheckSource.Mortgage, message, ...parts };
}

/**
 * The mortgage half of a cross-check: the client's registrations (as mortgagor) against what the
 * replying bank stated in its loans and its guarantees in the bank's favour. Pure: the caller
 * reads the records (with the client's grant) and opens the reply; this decides.
 *
 * A row names a registration by certificate number, unit number or ledger id (compared through
 * the ledger's keys, so the firm needs no plaintext it was not given); a row that states mortgage
 * collateral without naming one is paired with an unnamed registration of the bank whose debt
 * term it fits. What is left over on either side is an exception; so is every named pair whose
 * bank, state, dates or amounts do not fit.
 */
export function crossCheckMortgages(input: MortgageCrossCheckInput): CrossCheckResult {
  const asOfEnd = endOfAsOfDate(input.asOfDate, input.utcOffsetMinutes);
  const sections = MORTGAGE_SECTIONS.map((key) => statedSection(input.letter, input.reply, key));
  const compared = sections.filter((s) => s.confirmed);
  const items = compared.flatMap((s) => s.items);
  const exceptions: CrossCheckException[] = [];
  const notCompared: CrossCheckResult['notCompared'] = sections
    .filter((s) => !s.confirmed)
    .map((s) => ({ what: `section ${s.key}`, reason: 'struck on the letter: the bank confirmed nothing there' }));
  const sealedCount = input.mortgages.filter((m) => !m.amount).length;
  if (sealedCount > 0) {
    notCompared.push({ what: 'amounts', reason: `${sealedCount} registration(s) have their amount sealed to bank, registry and mortgagor only: dates, bank and state compared, amounts not` });
  }

  const records: CrossCheckRecord[] = input.mortgages.map((fact) => {
    const inactive = notActiveReason(fact, asOfEnd);
    const ours = input.replyingBankIds.includes(fact.record.mortgageeId);
    const notExpected = inactive ?? (ours ? undefined : NotExpectedReason.OtherMortgagee);
    return {
      source: CrossCheckSource.Mortgage,
      id: fact.record.id,
      state: fact.record.state,
      bankId: fact.record.mortgageeId,
      expected: notExpected === undefined,
      ...(notExpected ? { notExpected } : {}),
      amountReadable: fact.amount !== undefined,
      shown: ledgerSide(fact),
    };
  });

  const named = new Set<StatedItem>();
  input.mortgages.forEach((fact, index) => {
    const record = records[index];
    for (const item of items) {
      const by = reference(item, fact);
      if (!by) continue;
      named.add(item);
      if (!record.matchedBy) Object.assign(record, { matchedBy: by, place: item.place });
      const sides = { recordId: fact.record.id, place: item.place, ledger: ledgerSide(fact), reply: replySide(item) };
      if (!input.replyingBankIds.includes(fact.record.mortgageeId)) {
        exceptions.push(exception('MORTGAGEE_NOT_REPLYING_BANK', `the reply names ${fact.record.id}, whose mortgagee on the ledger is ${fact.record.mortgageeId}`, sides));
        continue;
      }
      const inactive = notActiveReason(fact, asOfEnd);
      if (inactive) {
        exceptions.push(exception('MORTGAGE_NOT_ACTIVE', `the reply names ${fact.record.id}, which did not encumber at ${input.asOfDate} (${inactive})`, sides));
        continue;
      }
      const term = termDifferences(item, fact);
      if (term.length > 0) exceptions.push(exception('TERM_MISMATCH', `${fact.record.id}: ${term.join('; ')}`, sides));
      const amount = amountDifferences(item, fact);
      if (amount.length > 0) exceptions.push(exception('AMOUNT_MISMATCH', `${fact.record.id}: ${amount.join('; ')}`, sides));
    }
  });

  // Rows stating mortgage collateral without naming a registration: paired by debt term with an expected, unnamed one.
  for (const item of items.filter((i) => !named.has(i) && Object.values(i.cells).some((v) => MORTGAGE_WORDS.test(v)))) {
    const index = input.mortgages.findIndex((fact, i) => records[i].expected && !records[i].matchedBy && termDifferences(item, fact).length === 0);
    if (index >= 0) {
      Object.assign(records[index], { matchedBy: 'debt-term', place: item.place });
      const amount = amountDifferences(item, input.mortgages[index]);
      if (amount.length > 0) {
        exceptions.push(exception('AMOUNT_MISMATCH', `${records[index].id}: ${amount.join('; ')}`, { recordId: records[index].id, place: item.place, ledger: records[index].shown, reply: replySide(item) }));
      }
      continue;
    }
    exceptions.push(exception('MORTGAGE_NOT_ON_LEDGER', `${item.place.section} row ${item.place.row ?? '(unlisted)'} states mortgage collateral that matches no registration of the client`, { place: item.place, reply: replySide(item) }));
  }

  if (compared.length > 0) {
    for (const record of records.filter((r) => r.expected && !r.matchedBy)) {
      exceptions.push(exception('MORTGAGE_NOT_IN_REPLY', `${record.id} (mortgagee ${record.bankId}, ${record.state}) is on the ledger but in none of the reply's ${compared.map((s) => s.key).join(' or ')}`, { recordId: record.id, ledger: record.shown }));
    }
  } else if (records.some((r) => r.expected)) {
    notCompared.push({ what: 'completeness', reason: 'every mortgage section was struck: registrations the bank holds were not asked about' });
  }

  return { comparedSections: compared.map((s) => s.key), notCompared, records, exceptions, counts: countByCode(exceptions) };
}


/**
 * The engagement's view: registrations that encumbered at the as-of date with a bank from which
 * the engagement has no accepted reply — no letter can have caught them (ISA 505: the auditor
 * chooses whom to confirm with; a bank holding the client's property as collateral is one).
 */
export function unconfirmedMortgagees(mortgages: readonly MortgageFact[], confirmedBankIds: readonly string[], asOfDate: string, utcOffsetMinutes = 0): CrossCheckException[] {
  const asOfEnd = endOfAsOfDate(asOfDate, utcOffsetMinutes);
  return mortgages
    .filter((fact) => notActiveReason(fact, asOfEnd) === undefined && !confirmedBankIds.includes(fact.record.mortgageeId))
    .map((fact) => exception('MORTGAGEE_NOT_CONFIRMED', `${fact.record.id} encumbered at ${asOfDate} with ${fact.record.mortgageeId}, from which this engagement has no accepted bank reply`, {
      recordId: fact.record.id,
      ledger: ledgerSide(fact),
    }));
}
