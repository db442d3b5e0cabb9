import { saltedHash, sha256Hex } from '../crypto/salted-hash';
import { EncryptedContent } from './confirmation';
import { valuesOf } from './enum';

/**
 * Receivables (supply-chain finance, 应收账款电子债权凭证; chaincode/README.md, "Receivable contract")
 * as the `receivable` contract keeps them (chaincode/src/contracts/receivable-contract.ts).
 *
 * Amounts never reach a block in the clear. The record holds `amountHash`, a salted hash of the
 * amount (integer minor units, a decimal string); the amount and its salt are in the sealed
 * `terms` the parties open. A transaction whose rule needs amounts (confirmation against the
 * obligor's limit, a split) carries the *openings* (amount and salt) in the transient map, which
 * endorsing peers see but no block records; the chaincode checks each opening against the hash on
 * the ledger before it uses it.
 */

export const ReceivableState = {
  /** Registered by the supplier (the original creditor), awaiting the obligor's confirmation. */
  Registered: 'registered',
  /** The obligor (core enterprise) confirmed the debt: from here on the receivable may move. */
  Confirmed: 'confirmed',
  Rejected: 'rejected',
  /** Withdrawn by the creditor before confirmation. */
  Cancelled: 'cancelled',
  /** Closed: its children (whose amounts sum exactly to it) carry it on. */
  Split: 'split',
  /** Confirmed and passed on to another holder at least once; moves like `confirmed`. */
  Transferred: 'transferred',
  /** The holder asked a bank for financing: locked (no split, no transfer) until the bank acts. */
  FinancingRequested: 'financing-requested',
  /** The bank holds the lien. */
  Financed: 'financed',
  /** The maturity date has come: the obligor pays the holder, or the lien bank. */
  Matured: 'matured',
  Paid: 'paid',
  Overdue: 'overdue',
  Defaulted: 'defaulted',
  /** The holder or lien bank turned to an earlier creditor in the chain. Final. */
  Recourse: 'recourse',
} as const;
export type ReceivableState = (typeof ReceivableState)[keyof typeof ReceivableState];
export const RECEIVABLE_STATES = valuesOf(ReceivableState);

/** States in which the holder may split, transfer or ask for financing. */
export const MOVABLE_RECEIVABLE_STATES: readonly ReceivableState[] = [ReceivableState.Confirmed, ReceivableState.Transferred];

export const ReceivableAction = {
  Register: 'RegisterReceivable',
  Cancel: 'CancelReceivable',
  Confirm: 'ConfirmReceivable',
  Reject: 'RejectReceivable',
  Split: 'SplitReceivable',
  /** The step a child of a split starts with. */
  SplitFrom: 'SplitFrom',
  Transfer: 'TransferReceivable',
  RequestFinancing: 'RequestReceivableFinancing',
  WithdrawFinancing: 'WithdrawReceivableFinancing',
  DeclineFinancing: 'DeclineReceivableFinancing',
  Finance: 'FinanceReceivable',
  Mature: 'MatureReceivable',
  Pay: 'RecordReceivablePayment',
  MarkOverdue: 'MarkReceivableOverdue',
  Default: 'DefaultReceivable',
  Recourse: 'RecordReceivableRecourse',
} as const;
export type ReceivableAction = (typeof ReceivableAction)[keyof typeof ReceivableAction];

export interface ReceivableStep {
  action: ReceivableAction;
  state: ReceivableState;
  /** The certificate identity that acted. */
  by: string;
  at: string;
}

/** What the supplier registers. */
export interface ReceivableRegistrationInput {
  /** Made by the supplier's software (REQUEST_ID format). */
  id: string;
  /** The core enterprise that owes the amount. */
  obligorId: string;
  /** ISO 4217 (CURRENCY_CODE). */
  currency: string;
  issueDate: string;
  /** Promised payment date; never changes. */
  maturityDate: string;
  /** `receivableAmountHash(amountMinor, salt)`; amount and salt are in `terms`. */
  amountHash: string;
  /** Salted hash of the trade contract's reference (number, date). */
  contractHash: string;
  /** Salted hash of the invoice list. */
  invoiceHash: string;
  /**
   * `receivableInvoiceKey` of each invoice: the lien keys that keep an invoice from being financed
   * twice. Guessable like a mortgage unit key (chaincode/README.md, "Receivable contract").
   */
  invoiceKeys: string[];
  /**
   * Sealed to the creditor and the obligor: amount, currency, amount salt, contract and invoice
   * numbers with their salts, goods or services.
   */
  terms: EncryptedContent;
}

/** A value and its salt, as a party's software shows it to the chaincode (transient map only). */
export interface AmountOpening {
  amount: string;
  salt: string;
}

/**
 * Transient `openings` of ConfirmReceivable: the receivable's amount, the obligor's limit and its
 * issued total so far (absent before its first confirmation), and the salt of the new total.
 */
export interface ConfirmationOpenings {
  amount: AmountOpening;
  limit: AmountOpening;
  issued?: AmountOpening;
  nextIssuedSalt: string;
}

/** Public argument of ConfirmReceivable: the new issued total, sealed to the obligor and the regulators. */
export interface ReceivableConfirmationInput {
  issued: EncryptedContent;
}

export interface ReceivableSplitPart {
  id: string;
  amountHash: string;
  /** Sealed to the obligor, the original creditor and the holder. */
  terms: EncryptedContent;
}

export interface ReceivableSplitInput {
  parts: ReceivableSplitPart[];
}

/** Transient `openings` of SplitReceivable: the parent's amount and each part's, in the parts' order. */
export interface SplitOpenings {
  parent: AmountOpening;
  parts: AmountOpening[];
}

export interface ReceivableTransferInput {
  toId: string;
  /** Re-sealed so that the new holder can read them (the SDK's addRecipients). */
  terms: EncryptedContent;
}

export interface ReceivableFinancingRequestInput {
  bankId: string;
  /** Re-sealed to the bank as well. */
  terms: EncryptedContent;
}

export interface ReceivableFinancingInput {
  /** The bank's own reference of the financing (its loan or factoring contract). */
  financingId: string;
}

export interface ReceivableLien {
  bankId: string;
  financingId: string;
  at: string;
  by: string;
  /** Set when the obligor's payment to the bank released it. */
  releasedAt?: string;
}

export interface ReceivablePayment {
  /** Salted hash of the payment's bank reference. */
  paymentHash: string;
  /** Who was paid: the lien bank for a financed part, else the holder. */
  payeeId: string;
  at: string;
}

export interface ReceivableRecord extends ReceivableRegistrationInput {
  /** The receivable the obligor confirmed, from which this one was split (itself for a root). */
  rootId: string;
  parentId?: string;
  originalCreditorId: string;
  holderId: string;
  /** The chain of holders (流转路径), the original creditor first and the holder last. */
  holders: string[];
  state: ReceivableState;
  confirmedAt?: string;
  confirmedBy?: string;
  childIds?: string[];
  /** The bank the holder asked for financing (financing-requested) or that financed (financed and after). */
  bankId?: string;
  lien?: ReceivableLien;
  payment?: ReceivablePayment;
  recourseAgainstId?: string;
  reason?: string;
  steps: ReceivableStep[];
}

/**
 * The client's consent that its audit firm's auditors list the receivables it is party to until
 * `validUntil` (ISO date, inclusive, UTC): for the auditor's cross-checks of bank replies against
 * financed receivables (issue 14). The receivable contract's twin of AuditorMortgageAccess.
 */
export interface AuditorReceivableAccess {
  clientId: string;
  firmId: string;
  validUntil: string;
  grantedBy: string;
  at: string;
}

/** The platform's limit for an obligor's issued total, as the operator sets it. */
export interface ReceivableLimitInput {
  /** The limit's currency: receivables in another currency are not confirmed against it. */
  currency: string;
  /** `receivableAmountHash(limitMinor, salt)`. */
  limitHash: string;
  /** Sealed to the obligor and the regulators: `{ amount, salt }`. */
  limit: EncryptedContent;
}

export interface ReceivableLimit extends ReceivableLimitInput {
  obligorId: string;
  setBy: string;
  at: string;
}

/** The obligor's confirmed total so far: hash on the ledger, opening sealed to the obligor and regulators. */
export interface ReceivableIssuedTotal {
  obligorId: string;
  issuedHash: string;
  issued: EncryptedContent;
  /** Confirmations counted (not an amount). */
  confirmations: number;
  at: string;
}

/** The salted commitment to an amount in minor units: hex SHA-256 of canonical `{salt, value}`. */
export function receivableAmountHash(amountMinor: string, salt: string): string {
  return saltedHash(amountMinor, salt);
}

/**
 * The lien key of an invoice (its code and number, e.g. a VAT invoice's 12 + 8 digits). Spaces are
 * dropped and letters upper-cased, so one invoice written two ways is one key.
 */
export function receivableInvoiceKey(invoiceNumber: string): string {
  return sha256Hex(`econfirm/receivable-invoice/v1\n${invoiceNumber.replace(/\s+/g, '').toUpperCase()}`);
}

/** One committed version of a receivable (the peer's key history): the transaction that wrote it. */
export interface ReceivableTrailStep {
  txId: string;
  timestamp: string;
  state: ReceivableState;
  /** The holder that version names. */
  holderId: string;
}

/** A receivable this one descends from by a split, with the committed versions of it up to the split. */
export interface ReceivableAncestor {
  id: string;
  holders: string[];
  childIds: string[];
  steps: ReceivableStep[];
  trail: ReceivableTrailStep[];
}

/**
 * What the voucher (clients/evidence, "The receivable voucher") is made from: the record as a
 * party or the regulator reads it, every committed version of it oldest first, and its ancestors
 * by split (parent first, then up to the root), each with its versions: the chain of holders back
 * to the root (流转路径), each step with its transaction.
 */
export interface ReceivableEvidence {
  receivable: ReceivableRecord;
  trail: ReceivableTrailStep[];
  ancestors: ReceivableAncestor[];
}
