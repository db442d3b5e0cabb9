import { ReceivableState } from './receivable';

/**
 * The regulator's view of the receivable ledger (issue 13: volumes, financed share, overdue),
 * computed by the chaincode from what the records carry in the clear — states, parties, maturity
 * dates, liens — never from amounts, which stay sealed to the parties
 * (chaincode/src/stats/receivable-stats.ts).
 */

/** States of a receivable that is owed: confirmed by its obligor and not closed by a split. */
export const OWED_RECEIVABLE_STATES: readonly ReceivableState[] = [
  ReceivableState.Confirmed,
  ReceivableState.Transferred,
  ReceivableState.FinancingRequested,
  ReceivableState.Financed,
  ReceivableState.Matured,
  ReceivableState.Paid,
  ReceivableState.Overdue,
  ReceivableState.Defaulted,
  ReceivableState.Recourse,
];

/** Owed states in which the obligor has not paid yet and may still be on time. */
export const UNPAID_RECEIVABLE_STATES: readonly ReceivableState[] = [
  ReceivableState.Confirmed,
  ReceivableState.Transferred,
  ReceivableState.FinancingRequested,
  ReceivableState.Financed,
  ReceivableState.Matured,
];

export interface ReceivablePartCounts {
  /** Owed receivables (OWED_RECEIVABLE_STATES): each part of a split counts, the split one does not. */
  parts: number;
  /** Parts a bank financed (took the lien on), whether the lien was released since or not. */
  financed: number;
  /** Parts past their maturity date and not paid, or marked overdue or defaulted. */
  pastDue: number;
  paid: number;
}

export interface ObligorReceivableStats extends ReceivablePartCounts {
  obligorId: string;
}

export interface BankReceivableStats {
  bankId: string;
  /** Parts the bank financed. */
  financed: number;
  /** Liens the bank holds now (not released by a payment). */
  activeLiens: number;
  /** Financing requests waiting for the bank. */
  requested: number;
}

export interface ReceivableStats extends ReceivablePartCounts {
  /** The transaction time the figures are as of (its UTC date decides what is past due). */
  asOf: string;
  /** Every record, split ones, registered and refused ones included. */
  total: number;
  byState: Record<ReceivableState, number>;
  /** financed / parts (0 without parts), two decimals. */
  financedShare: number;
  /** pastDue / parts (0 without parts), two decimals. */
  pastDueRate: number;
  activeLiens: number;
  /** Per obligor (core enterprise), by id. */
  obligors: ObligorReceivableStats[];
  /** Per bank that was asked for or gave financing, by id. */
  banks: BankReceivableStats[];
}
