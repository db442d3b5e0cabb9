import { AMOUNT_MINOR } from '@econfirm/common';
import { checkColumns, type RowIssue } from '../bulk/letter-assembly';
import type { Sheet } from '../bulk/table-reader';

/**
 * The file of a payment-batch import (POST /v1/payment-batches/import): one row per payee, read
 * by the bulk table reader (bulk/table-reader.ts) and checked here row by row, so that a bad file
 * is refused with every bad line and nothing is settled.
 */

export const PAYEE_REFERENCE = 'payeeReference';
export const AMOUNT = 'amount';

/** As SettlePaymentBatchDto's lines (dto/payment-batch.dto.ts): what one payee is paid. */
const PAYEE_REFERENCE_MAX = 64;

export const BATCH_TEMPLATE = {
  kind: 'payment-batch',
  columns: [
    { name: PAYEE_REFERENCE, required: true, description: "the payee's account (a farmer's card number), 1-64 characters; once per file; only a salted hash reaches the ledger" },
    { name: AMOUNT, required: true, description: 'the amount paid, in the major unit (yuan) with at most 2 decimals: 3500, 3500.5, 3500.50; no sign, thousands separator or exponent' },
  ],
} as const;

/** One payee's line as the create route takes it (PaymentLineDto), with the file line it came from. */
export interface BatchFileLine {
  line: number;
  payeeReference: string;
  amountMinor: string;
}

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * An amount in the major unit as written (`3500.5`) in integer minor units (`350050`), by string
 * arithmetic — no floating point touches it; or why it cannot be one: more than 2 decimals, not a
 * plain decimal, zero, or over AMOUNT_MINOR's 18 digits.
 */
export function minorUnits(text: string): { minor: string } | { problem: string } {
  const match = DECIMAL.exec(text);
  if (!match) return { problem: text === '' ? 'required' : 'not an amount: digits with at most 2 decimals, e.g. 3500.00 (no sign, separator or exponent)' };
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > 2) return { problem: `${text} has more than 2 decimals: it is not a whole number of fen` };
  const minor = `${whole}${fraction.padEnd(2, '0')}`.replace(/^0+(?=\d)/, '');
  if (minor === '0') return { problem: 'must be positive' };
  if (!AMOUNT_MINOR.test(minor)) return { problem: 'too large: at most 18 digits in fen' };
  return { minor };
}

/**
 * The rows of the file as batch lines, or every problem with its line and column: the header (the
 * template's columns, none unknown), each payee reference (present, at most 64 characters, not
 * repeated in the file: a payee is paid once per batch), each amount (minorUnits). `maxLines` is
 * the ledger's bound (MAX_BATCH_LINES); the reader stops before it, this says so if it did not.
 */
export function readBatchLines(sheet: Sheet, maxLines: number): { lines: BatchFileLine[]; issues: RowIssue[] } {
  const { issues, rename } = checkColumns(sheet, BATCH_TEMPLATE);
  if (issues.length > 0) return { lines: [], issues };
  if (sheet.rows.length === 0) return { lines: [], issues: [{ line: sheet.headerLine, field: 'file', problem: 'no payees: the file has a header row only' }] };
  if (sheet.rows.length > maxLines) return { lines: [], issues: [{ line: sheet.headerLine, field: 'file', problem: `${sheet.rows.length} payees: one batch holds at most ${maxLines}` }] };
  const lines: BatchFileLine[] = [];
  const firstLineOf = new Map<string, number>();
  for (const row of sheet.rows) {
    const before = issues.length;
    if (row.cells['(beyond the header)'] !== undefined) issues.push({ line: row.line, field: '(beyond the header)', problem: 'the row has more cells than the header has columns' });
    const cells: Record<string, string> = {};
    for (const [given, value] of Object.entries(row.cells)) {
      const name = rename.get(given);
      if (name) cells[name] = value;
    }
    const payee = cells[PAYEE_REFERENCE] ?? '';
    const first = firstLineOf.get(payee);
    if (payee === '') issues.push({ line: row.line, field: PAYEE_REFERENCE, problem: 'required' });
    else if (payee.length > PAYEE_REFERENCE_MAX) issues.push({ line: row.line, field: PAYEE_REFERENCE, problem: `longer than ${PAYEE_REFERENCE_MAX} characters` });
    else if (first !== undefined) issues.push({ line: row.line, field: PAYEE_REFERENCE, problem: `the same payee as line ${first}: a payee is paid once per batch` });
    else firstLineOf.set(payee, row.line);
    const amount = minorUnits(cells[AMOUNT] ?? '');
    if ('problem' in amount) issues.push({ line: row.line, field: AMOUNT, problem: amount.problem });
    if (issues.length === before && 'minor' in amount) lines.push({ line: row.line, payeeReference: payee, amountMinor: amount.minor });
  }
  return { lines: issues.length > 0 ? [] : lines, issues };
}
