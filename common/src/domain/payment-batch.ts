import { canonicalJson } from '../json/canonical-json';
import { saltedHash, sha256Hex } from '../crypto/salted-hash';
import { EncryptedContent } from './confirmation';

/**
 * Batch payments (批量代付; chaincode/README.md, "Payment batches"): a bank pays many payees for a
 * payer in one transaction — a produce buyer paying hundreds of farmers. Each payee's amount is
 * private to the payer, the payee and the bank; the ledger keeps one salted hash per line, the
 * count, and a salted hash of the total the regulator opens from the sealed `summary`.
 */

/** One payee's line as the bank's software holds it (transient map only, never in a block). */
export interface PaymentLineOpening {
  /** Salted hash the bank gives the payee for its account (a farmer's card number), PAYEE_REF. */
  payeeRef: string;
  /** Integer minor units, positive (AMOUNT_MINOR). */
  amount: string;
  salt: string;
}

/** Transient `lines` of SettlePaymentBatch. */
export interface PaymentBatchOpenings {
  lines: PaymentLineOpening[];
  /** Salt of `totalHash`. */
  totalSalt: string;
}

export interface PaymentBatchInput {
  /** Made by the bank's software (REQUEST_ID format); the batch's idempotency key on the ledger. */
  id: string;
  payerId: string;
  currency: string;
  /** Number of lines (payments), in the clear: the regulator's volume figure. */
  count: number;
  /** `paymentBatchTotalHash(total, count, currency, totalSalt)`. */
  totalHash: string;
  /** Salted hash of the payer's signed payment instruction (kept by the bank). */
  instructionHash: string;
  /** Sealed to the payer, the bank and the regulators: `{ total, count, currency, salt }`. */
  summary: EncryptedContent;
  /** Sealed to the payer and the bank: every line with its salt. */
  lines: EncryptedContent;
}

export interface PaymentBatchRecord extends PaymentBatchInput {
  bankId: string;
  /** `paymentLineHash` of each line in the order given: a payee holding its line checks it is here. */
  lineHashes: string[];
  /** `paymentBatchRequestHash`: a resubmission under the same batch id must match it. */
  requestHash: string;
  settledBy: string;
  settledAt: string;
}

/** What a payee (or anyone shown its line) checks against `lineHashes`. */
export function paymentLineHash(line: PaymentLineOpening): string {
  return saltedHash({ payeeRef: line.payeeRef, amount: line.amount }, line.salt);
}

/** The commitment to a batch's total: the regulator opens it with the salt from `summary`. */
export function paymentBatchTotalHash(total: string, count: number, currency: string, salt: string): string {
  return saltedHash({ total, count, currency }, salt);
}

/**
 * The settlement's fingerprint for idempotency: what moves money (id, payer, bank, currency, count,
 * the total's and every line's hash, the instruction) — not the sealed copies, whose ciphertext
 * differs each time they are sealed. The same lines with the same salts are the same batch.
 */
export function paymentBatchRequestHash(input: PaymentBatchInput, bankId: string, lineHashes: readonly string[]): string {
  const { summary: _summary, lines: _lines, ...settlement } = input;
  return sha256Hex(canonicalJson({ settlement, bankId, lineHashes }));
}
