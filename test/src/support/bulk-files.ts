import { distinctiveAccountNumber } from './letters';

/** One row of a bulk-issuance file: column name → cell text. */
export type Cells = Record<string, string>;

export const BANK_HEADER: Cells = {
  'header.bank': 'Bank One', 'header.branch': 'Shanghai branch', 'header.auditFirm': 'Firm One CPA', 'header.replyContact': 'Li Wei, 021-5555-0101',
  'header.feeDebitAccount': '6222 0000 1111', 'header.clientSealRef': 'SEAL-2025-01', 'header.handler': 'Zhang San', 'header.date': '2026-01-05',
};

export function engagementFields(id: string): Cells {
  return { engagementId: id, clientId: 'CLIENT1', periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' };
}

/** Form 1 rows: each letter one or two deposits, every third one a loan too. */
export function bankRows(count: number, accounts: string[]): Cells[] {
  const rows: Cells[] = [];
  for (let i = 0; i < count; i++) {
    const letter: Cells = { letterRef: `BL-${i + 1}`, addresseeId: i % 2 === 0 ? 'BANK1' : 'BANK1-SH', feePayer: 'client', ...BANK_HEADER };
    const account = distinctiveAccountNumber();
    accounts.push(account);
    rows.push({ ...letter, section: 'deposits', accountName: 'East China Mfg', accountNo: account, currency: 'CNY', rate: '0.35%', type: 'current', balance: `${1000 + i}.50`, inCashPool: 'no', startDate: 'none', endDate: 'none', restricted: 'no', remarks: 'none' });
    if (i % 2 === 1) rows.push({ letterRef: letter.letterRef as string, section: '1', accountName: 'East China Mfg', accountNo: `${account}9`, currency: 'USD', rate: '0.1%', type: 'time', balance: '20000', inCashPool: 'no', startDate: '2025-03-01', endDate: '2026-03-01', restricted: 'yes', remarks: 'pledged' });
    if (i % 3 === 0) rows.push({ letterRef: letter.letterRef as string, section: 'loans', borrower: 'East China Mfg', loanAccount: `LN-${account}`, currency: 'CNY', balance: '500000', startDate: '2025-01-15', maturityDate: '2026-01-15', rate: '3.45%', collateral: 'none' });
  }
  return rows;
}

/** A CSV file (UTF-8, CRLF, RFC 4180 quoting) of `rows` under the header `columns`. */
export function csvOf(columns: string[], rows: Cells[]): Buffer {
  const quote = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return Buffer.from([columns.join(','), ...rows.map((r) => columns.map((c) => quote(r[c] ?? '')).join(','))].join('\r\n') + '\r\n', 'utf8');
}
