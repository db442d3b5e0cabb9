import { randomInt } from 'node:crypto';
import { csvOf, type Cells } from './bulk-files';

/** `count` payees of a payment-batch import file (payeeReference,amount in yuan), the amounts in fen as the gateway converts them, and their total. */
export function payeeRows(count: number, tag: string): { rows: Cells[]; amountsMinor: string[]; totalMinor: string } {
  const rows: Cells[] = [];
  const amountsMinor: string[] = [];
  for (let i = 0; i < count; i++) {
    const fen = 10_000 + randomInt(5_000_000);
    // Written as a spreadsheet would: whole yuan, one decimal or two (12.5, 12.50 and 12 are all fine).
    const yuan = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`.replace(/\.00$/, '').replace(/(\.\d)0$/, '$1');
    rows.push({ payeeReference: `6217 ${tag.slice(-8)} ${String(i).padStart(4, '0')}`, amount: yuan });
    amountsMinor.push(String(fen));
  }
  return { rows, amountsMinor, totalMinor: amountsMinor.reduce((sum, a) => sum + BigInt(a), 0n).toString() };
}

export const PAYEE_COLUMNS = ['payeeReference', 'amount'];

export function payeeCsv(rows: Cells[]): Buffer {
  return csvOf(PAYEE_COLUMNS, rows);
}
