import { valuesOf } from '../domain/enum';
import { EncryptedContent } from '../domain/confirmation';

/**
 * Cross-checks (issue 14): an accepted bank reply reconciled against the records the same ledger
 * holds about the client, and an accepted customer's or supplier's reply against the receivables
 * between the two. Run where the reply's plaintext is: the firm's gateway tenant or SDK
 * (match-mortgages.ts is the pure part). This file is the vocabulary every side shares: the
 * exception codes (stable: the regulator counts them, the portal and the PDF print them), the
 * report's shape, and the summary that reaches the ledger (counts only, sealed to firm and regulator).
 */

/** What a ledger record is: a mortgage registration, or a receivable (financed by a bank, or between the client and a counterparty). */
export const CrossCheckSource = { Mortgage: 'mortgage', Receivable: 'receivable' } as const;
export type CrossCheckSource = (typeof CrossCheckSource)[keyof typeof CrossCheckSource];

/**
 * The exception codes (DOMAIN §4.8: each is investigated; none is netted against another). Each
 * names the ledger record kind it concerns, so the receivable half adds its own codes
 * (e.g. LIEN_NOT_IN_REPLY, FINANCED_RECEIVABLE_NOT_IN_DISCOUNTED_BILLS) beside these.
 */
export const CROSS_CHECK_EXCEPTIONS = {
  MORTGAGE_NOT_IN_REPLY: {
    kind: 'not-in-reply',
    when: "an active registration (client as mortgagor, the replying bank as mortgagee, registered by the as-of date) that no row of the reply's loans or guarantees names",
  },
  MORTGAGE_NOT_ON_LEDGER: {
    kind: 'not-on-ledger',
    when: 'a reply row states mortgage collateral (抵押 / mortgage / 不动产) that names no registration of the client on the ledger, and no unnamed registration of the bank fits its term',
  },
  MORTGAGEE_NOT_REPLYING_BANK: {
    kind: 'other-mortgagee',
    when: 'a reply row names a registration whose mortgagee on the ledger is another bank',
  },
  MORTGAGE_NOT_ACTIVE: {
    kind: 'differs',
    when: 'a reply row names a registration that did not encumber at the as-of date (discharged by then, registered after it, or never registered)',
  },
  TERM_MISMATCH: {
    kind: 'differs',
    when: "the row's dates do not fit the registration's debt term (ordinary: start and maturity equal it; maximum-amount: within it; a guarantee's expiry equals its end)",
  },
  AMOUNT_MISMATCH: {
    kind: 'differs',
    when: "the row's currency, or a guarantee's balance, differs from the registration's secured amount (compared only where the firm can open the registration's sealed content)",
  },
  MORTGAGEE_NOT_CONFIRMED: {
    kind: 'not-confirmed',
    when: 'engagement report: the client has an active registration with a bank to which the engagement has no accepted bank reply',
  },
  FINANCED_RECEIVABLE_NOT_IN_REPLY: {
    kind: 'not-in-reply',
    when: "a receivable the client holds on which the replying bank held the lien at the end of the as-of date, that no row of the reply's discounted bills or loans names",
  },
  OWED_RECEIVABLE_NOT_IN_REPLY: {
    kind: 'not-in-reply',
    when: "a receivable the client owes (its obligor: the client's payable, held by a supplier) on which the replying bank held the lien at the end of the as-of date, that no row of the reply's other items (14: contingent liabilities) names",
  },
  RECEIVABLE_NOT_ON_LEDGER: {
    kind: 'not-on-ledger',
    when: 'a discounted-bill or loan row states a financed receivable (应收账款 / 债权凭证 / 保理 / receivable / factoring) that names no receivable the client holds on the ledger, or an other-items row one that names no receivable the client owes',
  },
  LIEN_HOLDER_NOT_REPLYING_BANK: {
    kind: 'other-lien-holder',
    when: 'a reply row names a receivable the client holds or owes whose lien on the ledger is held by another bank',
  },
  RECEIVABLE_NOT_FINANCED: {
    kind: 'differs',
    when: "a reply row names a receivable the client holds or owes that carried no lien of the replying bank at the end of the as-of date (never financed, financed after it, or released by then: paid)",
  },
  RECEIVABLE_DATE_MISMATCH: {
    kind: 'differs',
    when: "a discounted-bill row's due date differs from the receivable's maturity date",
  },
  RECEIVABLE_AMOUNT_MISMATCH: {
    kind: 'differs',
    when: "a discounted-bill row's currency differs from the receivable's, or its face amount from the receivable's amount; an other-items row's currency or amount from the owed receivable's (compared only where the firm can open the receivable's sealed terms)",
  },
  LIEN_HOLDER_NOT_CONFIRMED: {
    kind: 'not-confirmed',
    when: 'engagement report: a receivable the client holds or owes carried, at the as-of date, the lien of a bank to which the engagement has no accepted bank reply',
  },
  RECEIVABLE_BALANCE_NOT_STATED: {
    kind: 'not-in-reply',
    when: "receivable/payable confirmation: a receivable outstanding between the client and the responder at the end of the as-of date (obligor-confirmed, not closed, held by the creditor side), while the reply's balances state no balance, or only zero balances, in its currency",
  },
  RECEIVABLE_BALANCE_MISMATCH: {
    kind: 'differs',
    when: "receivable/payable confirmation: a balance row names an outstanding receivable (ledger id or invoice number) and states another currency, or another amount than the receivable's (compared only where the firm can open the receivable's sealed terms)",
  },
  RECEIVABLE_BALANCES_BELOW_LEDGER: {
    kind: 'differs',
    when: "receivable/payable confirmation: the balances stated in a currency total less than the outstanding receivables in it on the ledger (compared only where the firm can open every one of them)",
  },
  RECEIVABLE_NOT_OUTSTANDING: {
    kind: 'differs',
    when: 'receivable/payable confirmation: a balance row names a receivable between the two parties that was not outstanding at the as-of date (not yet confirmed, closed, or held by another party by then)',
  },
} as const satisfies Record<string, { kind: string; when: string }>;

export type CrossCheckCode = keyof typeof CROSS_CHECK_EXCEPTIONS;
export const CROSS_CHECK_CODES = Object.keys(CROSS_CHECK_EXCEPTIONS) as CrossCheckCode[];
export type CrossCheckKind = (typeof CROSS_CHECK_EXCEPTIONS)[CrossCheckCode]['kind'];

/** The reply sections a mortgage is expected in: the loans it secures, or the client's guarantees in the bank's favour. */
export const MORTGAGE_SECTIONS = ['loans', 'guaranteesByClient'] as const;

/**
 * The sections of a receivable/payable confirmation (balance-confirmation-2020) a receivable
 * between the client and the counterparty is expected in: its balances, and its other items for a
 * receivable stated there as a note (a voucher, 债权凭证) when a row names it.
 */
export const BALANCE_SECTIONS = ['balances', 'otherItems'] as const;

/**
 * The reply sections a financed receivable is expected in: the discounted bills (the bank bought or
 * discounted it: 8. 已贴现未到期) and the loans (a receivable pledged for a loan, named in its
 * collateral cell). The 2020 form has no section of its own for pledged receivables.
 */
export const RECEIVABLE_SECTIONS = ['discountedBills', 'loans'] as const;

/**
 * The reply sections a receivable the client owes is expected in when a bank held the lien on it
 * (the bank financed the client's supplier against the client's payable: supply-chain financing,
 * DOMAIN §5). The 2020 form has no section for it: it is no loan of the client (2), no guarantee
 * (6), no bill (7–9: the ledger's receivables are vouchers, 债权凭证, not bills), and the client
 * owes the bank on it at maturity — a liability only section 14 ("Other: … contingent
 * liabilities") can state, in its item, description, currency and amount (no date column:
 * OWED_RECEIVABLE_TERMS_NOT_ASKED).
 */
export const OWED_RECEIVABLE_SECTIONS = ['other'] as const;

/**
 * Comparisons that could not be made, with a stable code where the report must say so per record:
 * never a guess in place of a value the firm may not open.
 */
export const NOT_COMPARED_CODES = {
  RECEIVABLE_AMOUNT_NOT_COMPARABLE: "the receivable's amount is sealed to its obligor, creditors, holder and bank, not to the firm: its amount was not compared",
  RECEIVABLE_ACCESS_NOT_GRANTED: 'the client has granted the firm no current access to its receivables: no receivable was compared',
  RECEIVABLE_FINANCING_NOT_ASKED: "the balance confirmation form has no place for a receivable's financing: whether the counterparty's reply reflects the bank's lien on it was not compared",
  OWED_RECEIVABLE_TERMS_NOT_ASKED: "the bank letter has no section for the financing of the client's payables; section 14 (other), where the bank states it, has no date or counterparty column: the owed receivable's maturity and holder were not compared",
  ACCEPTANCE_BILLS_NOT_ON_LEDGER: "the ledger keeps no bills (bank acceptance bills are not recorded here; its receivables are vouchers, not bills): the reply's acceptance bills (7) were not compared with anything",
} as const;
export type NotComparedCode = keyof typeof NOT_COMPARED_CODES;
export const NOT_COMPARED_CODE_LIST = Object.keys(NOT_COMPARED_CODES) as NotComparedCode[];

/** Something the check did not compare, and why. */
export interface NotCompared {
  what: string;
  reason: string;
  code?: NotComparedCode;
  /** The ledger record concerned, if one. */
  recordId?: string;
}

export const NotExpectedReason = {
  OtherMortgagee: 'other-mortgagee',
  Discharged: 'discharged-by-as-of-date',
  RegisteredLater: 'registered-after-as-of-date',
  NotRegistered: 'not-registered',
  /** Receivables: the client holds it but no bank held a lien on it at the as-of date. */
  NotFinanced: 'not-financed',
  FinancedLater: 'financed-after-as-of-date',
  LienReleased: 'lien-released-by-as-of-date',
  OtherLienHolder: 'other-lien-holder',
  /** Receivable/payable confirmations: the obligor had not confirmed it by the as-of date (registered, or registered later). */
  NotConfirmed: 'not-confirmed-by-as-of-date',
  /** Cancelled, rejected, paid, split into parts or closed by recourse by the as-of date: nothing owed on it then. */
  Closed: 'closed-by-as-of-date',
  /** Held at the as-of date by a party other than the creditor side of the letter (transferred away). */
  OtherHolder: 'other-holder-at-as-of-date',
} as const;
export type NotExpectedReason = (typeof NotExpectedReason)[keyof typeof NotExpectedReason];
export const NOT_EXPECTED_REASONS = valuesOf(NotExpectedReason);

/** A cell or a ledger field, shown as text on each side of an exception. */
export type Shown = Record<string, string>;

/** Where in the reply: the section key and the row of the bank's stated position (null: a difference under a "none" section). */
export interface ReplyPlace {
  section: string;
  row: number | null;
  /** rows: the letter's row the bank agreed to or corrected; reply: a row the bank filled (Form 2); difference: an unlisted item it stated. */
  origin: 'letter' | 'reply' | 'difference';
}

export interface CrossCheckException {
  code: CrossCheckCode;
  source: CrossCheckSource;
  message: string;
  /** The ledger record concerned, if any. */
  recordId?: string;
  /** The reply row concerned, if any. */
  place?: ReplyPlace;
  /** Both sides, as each states them. */
  ledger?: Shown;
  reply?: Shown;
}

/** A ledger record considered, and what was concluded about it. */
export interface CrossCheckRecord {
  source: CrossCheckSource;
  id: string;
  state: string;
  bankId: string;
  expected: boolean;
  notExpected?: NotExpectedReason;
  /** How the reply named it, when it did. */
  matchedBy?: 'certificate-number' | 'unit-number' | 'record-id' | 'debt-term' | 'financing-id' | 'invoice-number';
  place?: ReplyPlace;
  /** Whether the firm could open the record's sealed amount (else amounts are not compared). */
  amountReadable: boolean;
  shown: Shown;
}

export interface CrossCheckResult {
  /** Sections of the reply that were compared, and those that could not be (struck: not confirmed). */
  comparedSections: string[];
  notCompared: NotCompared[];
  records: CrossCheckRecord[];
  exceptions: CrossCheckException[];
  counts: Partial<Record<CrossCheckCode, number>>;
}

/** The report the gateway serves: the result, what it was run on, and where its summary is on the ledger. */
export interface CrossCheckReport extends CrossCheckResult {
  confirmationId: string;
  engagementId: string;
  clientId: string;
  responderId: string;
  asOfDate: string;
  checkedAt: string;
  basis: {
    /** The channel height when the records were read: the check saw the ledger up to block height-1. */
    ledgerHeight: string;
    /** The transactions that made the reply the bank's and the auditor's (ApproveReply, AuditorAccept). */
    replyTxIds: string[];
    replyContentHash: string;
    /** The transactions that read the records (ListMortgagesOfClient, ListReceivablesOfClient) ran as this identity under the client's grants. */
    readAs: string;
  };
  /** The latest summary transaction (counts only, sealed) recorded for the request, if any. */
  recorded?: { txId: string; recordedAt: string; blockNumber?: string };
}

/** Counts only, for the regulator: sealed to the firm and the regulator, recorded by RecordCrossCheck. */
export interface CrossCheckSummary {
  confirmationId: string;
  firmId: string;
  responderId: string;
  checkedAt: string;
  counts: Partial<Record<CrossCheckCode, number>>;
  /** SHA-256 of the canonical report (the firm can show which report it summarises). */
  reportHash: string;
}

export function countByCode(exceptions: readonly CrossCheckException[]): Partial<Record<CrossCheckCode, number>> {
  const counts: Partial<Record<CrossCheckCode, number>> = {};
  for (const code of CROSS_CHECK_CODES) {
    const n = exceptions.filter((e) => e.code === code).length;
    if (n > 0) counts[code] = n;
  }
  return counts;
}

/**
 * What the ledger keeps of a cross-check (chaincode contract `crosscheck`): routing the request
 * already shows (firm, responder) and the summary sealed to the firm and every regulator — so a
 * member reading blocks learns that a check was recorded, never its counts.
 */
export interface CrossCheckLedgerRecord {
  docType: 'cross-check';
  confirmationId: string;
  firmId: string;
  responderId: string;
  /** CrossCheckSummary, sealed (JWE) to the firm and each active regulator. */
  summary: EncryptedContent;
  recordedBy: string;
  recordedAt: string;
  /** The transaction that recorded this version (the same on every endorser). */
  txId: string;
}

/** What the regulator sees: counts of exceptions by bank and code, from the sealed summaries on the ledger. Never amounts. */
export interface CrossCheckStatistics {
  checks: number;
  /** Summaries the regulator's key could not open (sealed before its key rotated, or not to it). */
  unreadable: number;
  counts: Partial<Record<CrossCheckCode, number>>;
  byBank: Array<{ bankId: string; checks: number; withExceptions: number; counts: Partial<Record<CrossCheckCode, number>> }>;
  /** Receivable/payable confirmations: the same counts by replying customer or supplier (a responder that is no bank). */
  byCounterparty: Array<{ responderId: string; checks: number; withExceptions: number; counts: Partial<Record<CrossCheckCode, number>> }>;
}

/**
 * Sums the summaries by responder and code (the latest summary of each request counts once): banks
 * under `byBank`, other responders (a customer's or supplier's reply) under `byCounterparty`, as
 * `isBank` tells from the registry; every summary in the totals.
 */
export function crossCheckStatistics(summaries: readonly CrossCheckSummary[], unreadable: number, isBank: (responderId: string) => boolean): CrossCheckStatistics {
  const add = (into: Partial<Record<CrossCheckCode, number>>, from: Partial<Record<CrossCheckCode, number>>) => {
    for (const code of CROSS_CHECK_CODES) if (from[code]) into[code] = (into[code] ?? 0) + (from[code] ?? 0);
  };
  const responders = new Map<string, { responderId: string; checks: number; withExceptions: number; counts: Partial<Record<CrossCheckCode, number>> }>();
  const counts: Partial<Record<CrossCheckCode, number>> = {};
  for (const s of summaries) {
    const responder = responders.get(s.responderId) ?? { responderId: s.responderId, checks: 0, withExceptions: 0, counts: {} };
    responder.checks += 1;
    if (CROSS_CHECK_CODES.some((code) => (s.counts[code] ?? 0) > 0)) responder.withExceptions += 1;
    add(responder.counts, s.counts);
    add(counts, s.counts);
    responders.set(s.responderId, responder);
  }
  const sorted = [...responders.values()].sort((a, b) => (a.responderId < b.responderId ? -1 : a.responderId > b.responderId ? 1 : 0));
  return {
    checks: summaries.length,
    unreadable,
    counts,
    byBank: sorted.filter((r) => isBank(r.responderId)).map(({ responderId, ...rest }) => ({ bankId: responderId, ...rest })),
    byCounterparty: sorted.filter((r) => !isBank(r.responderId)),
  };
}
