import {
  AMOUNT_MINOR,
  CURRENCY_CODE,
  ErrorCode,
  INSTITUTION_ID,
  ISO_DATE,
  LedgerError,
  REASON_CODE,
  receivableAmountHash,
  ReceivableRegistrationInput,
  REQUEST_ID,
  SALT_HEX,
  SHA256_HEX,
} from '@econfirm/common';
import { FieldReader, invalid, parseJsonArgument } from '../validation/field-reader';

/** A trade is rarely invoiced on more than a few dozen invoices; the cap bounds lien-key reads. */
export const MAX_INVOICES = 50;
/** Parts of one split; each becomes a record with its own index entries. */
export const MAX_SPLIT_PARTS = 20;

/** An opening checked against its hash: the amount as an exact BigInt. */
export interface Opening {
  amount: bigint;
  salt: string;
}

/** The registration's fields before the registry lookups (receivable-contract.ts); `terms` still unchecked. */
export type RegistrationFields = Omit<ReceivableRegistrationInput, 'terms'> & { terms: FieldReader };

export function readRegistration(json: string): RegistrationFields {
  const input = parseJsonArgument(json, 'registration').allowOnly([
    'id', 'obligorId', 'currency', 'issueDate', 'maturityDate', 'amountHash', 'contractHash', 'invoiceHash', 'invoiceKeys', 'terms',
  ] satisfies (keyof ReceivableRegistrationInput)[]);
  const issueDate = input.string('issueDate', { pattern: ISO_DATE });
  const maturityDate = input.string('maturityDate', { pattern: ISO_DATE });
  if (maturityDate < issueDate) throw invalid('maturityDate', 'must not be before issueDate');
  const invoiceKeys = input.array('invoiceKeys', 1, MAX_INVOICES).map((key, i) => {
    if (typeof key !== 'string' || !SHA256_HEX.test(key)) throw invalid(`invoiceKeys[${i}]`, 'must be a lowercase SHA-256 hex (receivableInvoiceKey)');
    return key;
  });
  if (new Set(invoiceKeys).size !== invoiceKeys.length) throw invalid('invoiceKeys', 'names an invoice twice');
  return {
    id: input.string('id', { pattern: REQUEST_ID }),
    obligorId: input.string('obligorId', { pattern: INSTITUTION_ID }),
    currency: input.string('currency', { pattern: CURRENCY_CODE }),
    issueDate,
    maturityDate,
    amountHash: input.string('amountHash', { pattern: SHA256_HEX }),
    contractHash: input.string('contractHash', { pattern: SHA256_HEX }),
    invoiceHash: input.string('invoiceHash', { pattern: SHA256_HEX }),
    // Sorted: the lien keys are read in one order on every endorser, whatever order the client sent.
    invoiceKeys: [...invoiceKeys].sort(),
    terms: input.object('terms'),
  };
}

/**
 * `{amount, salt}` from a transient opening. `positive`: a receivable's or a payment's amount
 * (a limit or a total so far may be 0). Amounts are decimal strings of minor units, read as BigInt:
 * no floating point anywhere.
 */
export function readOpening(reader: FieldReader, positive: boolean): Opening {
  reader.allowOnly(['amount', 'salt']);
  const text = reader.string('amount', { pattern: AMOUNT_MINOR, maxLength: 18 });
  const amount = BigInt(text);
  if (positive && amount === 0n) throw invalid(reader.fieldPath('amount'), 'must be positive');
  return { amount, salt: reader.string('salt', { pattern: SALT_HEX }) };
}

/** Refuses an opening that is not of `hash` (INVALID_ARGUMENT, or `code` where a stale read is the likely cause). */
export function checkOpening(opening: Opening, hash: string, field: string, code: ErrorCode = ErrorCode.InvalidArgument): void {
  if (receivableAmountHash(opening.amount.toString(), opening.salt) !== hash) throw new LedgerError(code, `${field}: does not open the hash on the ledger`);
}

export interface ConfirmationFields {
  issued: FieldReader;
}

export function readConfirmation(json: string): ConfirmationFields {
  const input = parseJsonArgument(json, 'confirmation').allowOnly(['issued']);
  return { issued: input.object('issued') };
}

export interface ConfirmationOpeningFields {
  amount: Opening;
  limit: Opening;
  issued?: Opening;
  nextIssuedSalt: string;
}

export function readConfirmationOpenings(openings: FieldReader): ConfirmationOpeningFields {
  openings.allowOnly(['amount', 'limit', 'issued', 'nextIssuedSalt']);
  const issued = openings.optionalObject('issued');
  return {
    amount: readOpening(openings.object('amount'), true),
    limit: readOpening(openings.object('limit'), false),
    issued: issued ? readOpening(issued, false) : undefined,
    nextIssuedSalt: openings.string('nextIssuedSalt', { pattern: SALT_HEX }),
  };
}

export interface SplitPartFields {
  id: string;
  amountHash: string;
  terms: FieldReader;
}

export function readSplit(json: string): SplitPartFields[] {
  const input = parseJsonArgument(json, 'split').allowOnly(['parts']);
  const parts = input.array('parts', 2, MAX_SPLIT_PARTS).map((raw, i) => {
    const part = FieldReader.of(raw, `parts[${i}]`).allowOnly(['id', 'amountHash', 'terms']);
    return { id: part.string('id', { pattern: REQUEST_ID }), amountHash: part.string('amountHash', { pattern: SHA256_HEX }), terms: part.object('terms') };
  });
  if (new Set(parts.map((p) => p.id)).size !== parts.length) throw invalid('parts', 'names a part id twice');
  return parts;
}

export function readSplitOpenings(openings: FieldReader, partCount: number): { parent: Opening; parts: Opening[] } {
  openings.allowOnly(['parent', 'parts']);
  const parts = openings.array('parts', partCount, partCount);
  return {
    parent: readOpening(openings.object('parent'), true),
    parts: parts.map((raw, i) => readOpening(FieldReader.of(raw, openings.fieldPath(`parts[${i}]`)), true)),
  };
}

export function readTransfer(json: string): { toId: string; terms: FieldReader } {
  const input = parseJsonArgument(json, 'transfer').allowOnly(['toId', 'terms']);
  return { toId: input.string('toId', { pattern: INSTITUTION_ID }), terms: input.object('terms') };
}

export function readFinancingRequest(json: string): { bankId: string; terms: FieldReader } {
  const input = parseJsonArgument(json, 'request').allowOnly(['bankId', 'terms']);
  return { bankId: input.string('bankId', { pattern: INSTITUTION_ID }), terms: input.object('terms') };
}

export function readFinancing(json: string): { financingId: string } {
  const input = parseJsonArgument(json, 'financing').allowOnly(['financingId']);
  return { financingId: input.string('financingId', { pattern: REQUEST_ID }) };
}

export function readPayment(json: string): { paymentHash: string } {
  const input = parseJsonArgument(json, 'payment').allowOnly(['paymentHash']);
  return { paymentHash: input.string('paymentHash', { pattern: SHA256_HEX }) };
}

export function readRecourse(json: string): { againstId: string } {
  const input = parseJsonArgument(json, 'recourse').allowOnly(['againstId']);
  return { againstId: input.string('againstId', { pattern: INSTITUTION_ID }) };
}

/** Reasons are short codes: free text could carry names or amounts onto the channel. */
export function readReason(json: string, argument: string): { reason: string } {
  const input = parseJsonArgument(json, argument).allowOnly(['reason']);
  return { reason: input.string('reason', { pattern: REASON_CODE }) };
}

export function readLimit(json: string): { limitHash: string; limit: FieldReader; currency: string } {
  const input = parseJsonArgument(json, 'limit').allowOnly(['limitHash', 'limit', 'currency']);
  return { limitHash: input.string('limitHash', { pattern: SHA256_HEX }), currency: input.string('currency', { pattern: CURRENCY_CODE }), limit: input.object('limit') };
}
