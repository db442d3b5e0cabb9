import { AMOUNT_MINOR, CURRENCY_CODE, INSTITUTION_ID, PaymentBatchInput, PaymentLineOpening, REQUEST_ID, SALT_HEX, SHA256_HEX } from '@econfirm/common';
import { FieldReader, invalid, parseJsonArgument } from '../validation/field-reader';

/** One transaction's worth: the produce buyers of seed 000 pay a few thousand farmers per batch. */
export const MAX_BATCH_LINES = 5000;

export type BatchFields = Omit<PaymentBatchInput, 'summary' | 'lines'> & { summary: FieldReader; lines: FieldReader };

export function readBatch(json: string): BatchFields {
  const input = parseJsonArgument(json, 'batch').allowOnly([
    'id', 'payerId', 'currency', 'count', 'totalHash', 'instructionHash', 'summary', 'lines',
  ] satisfies (keyof PaymentBatchInput)[]);
  return {
    id: input.string('id', { pattern: REQUEST_ID }),
    payerId: input.string('payerId', { pattern: INSTITUTION_ID }),
    currency: input.string('currency', { pattern: CURRENCY_CODE }),
    count: input.integer('count', 1, MAX_BATCH_LINES),
    totalHash: input.string('totalHash', { pattern: SHA256_HEX }),
    instructionHash: input.string('instructionHash', { pattern: SHA256_HEX }),
    summary: input.object('summary'),
    lines: input.object('lines'),
  };
}

export interface BatchOpeningFields {
  lines: (PaymentLineOpening & { value: bigint })[];
  totalSalt: string;
}

/** Transient `lines`: `{lines: [{payeeRef, amount, salt}], totalSalt}`; `count` lines exactly. */
export function readBatchOpenings(openings: FieldReader, count: number): BatchOpeningFields {
  openings.allowOnly(['lines', 'totalSalt']);
  const lines = openings.array('lines', count, count).map((raw, i) => {
    const line = FieldReader.of(raw, openings.fieldPath(`lines[${i}]`)).allowOnly(['payeeRef', 'amount', 'salt']);
    const amount = line.string('amount', { pattern: AMOUNT_MINOR, maxLength: 18 });
    if (amount === '0') throw invalid(line.fieldPath('amount'), 'must be positive');
    return { payeeRef: line.string('payeeRef', { pattern: SHA256_HEX }), amount, salt: line.string('salt', { pattern: SALT_HEX }), value: BigInt(amount) };
  });
  return { lines, totalSalt: openings.string('totalSalt', { pattern: SALT_HEX }) };
}
