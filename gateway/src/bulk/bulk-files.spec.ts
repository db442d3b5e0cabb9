import { BALANCE_CONFIRMATION_2020, BANK_LETTER_2020, ConfirmationKind, type Engagement } from '@econfirm/common';
import { expect } from 'chai';
import { Workbook } from 'exceljs';
import { assembleLetters } from './letter-assembly';
import { csvField, letterTemplate, templateCsv } from './letter-template';
import { SheetLimitError, type SheetLimits } from './sheet-limits';
import { detectFormat, readCsv, readXlsx, UnreadableFileError } from './table-reader';

const limits = (maxRows: number, more: Partial<SheetLimits> = {}): SheetLimits => ({ maxRows, maxCells: 100_000, maxUncompressedBytes: 8 * 1024 * 1024, ...more });

const engagement: Engagement = { id: 'ENG-1', clientId: 'CLIENT1', periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' };
const form1 = letterTemplate(ConfirmationKind.BankForm1, BANK_LETTER_2020);
const headerCells = 'Li Wei,BANK1,BANK1 Shanghai,FIRM1,0001-8888,SEAL-1,Zhang San,2026-01-05';
const headerColumns = 'header.replyContact,header.bank,header.branch,header.auditFirm,header.feeDebitAccount,header.clientSealRef,header.handler,header.date';
const depositCols = 'section,accountName,accountNo,currency,rate,type,balance,inCashPool,startDate,endDate,restricted,remarks';

/** A CSV with the Form 1 columns used here (a subset: derived header fields left out). */
function csv(rows: string[]): Uint8Array {
  const header = `letterRef,addresseeId,feePayer,struck,${headerColumns},${depositCols}`;
  return new TextEncoder().encode([header, ...rows].join('\r\n') + '\r\n');
}

const deposit = (ref: string, account: string, balance = '1000.00'): string =>
  `${ref},BANK1-SH,client,,${headerCells},deposits,East China Mfg,${account},CNY,0.35%,current,${balance},no,none,none,no,none`;

describe('bulk templates', () => {
  it('derive letter and item columns from the form definition', () => {
    const names = form1.columns.map((c) => c.name);
    expect(names.slice(0, 4)).to.deep.equal(['letterRef', 'addresseeId', 'feePayer', 'struck']);
    expect(names).to.include.members(['header.bank', 'section', 'accountNo', 'borrower', 'netBalance']);
    expect(form1.columns.find((c) => c.name === 'balance')?.sections).to.include.members(['deposits', 'loans']);
    expect(form1.columns.find((c) => c.name === 'header.asOfDate')?.required).to.equal(false);
    const form2 = letterTemplate(ConfirmationKind.BankForm2, BANK_LETTER_2020);
    expect(form2.itemRows).to.equal(false);
    expect(form2.columns.map((c) => c.name)).not.to.include('section');
    const receivable = letterTemplate(ConfirmationKind.Receivable, BALANCE_CONFIRMATION_2020);
    expect(receivable.columns.map((c) => c.name)).to.include.members(['header.counterparty', 'documentRef', 'amount', 'item']);
    expect(templateCsv(receivable).split('\r\n')[0]?.split(',')).to.deep.equal(receivable.columns.map((c) => c.name));
  });

  it('quote CSV fields per RFC 4180', () => {
    expect(csvField('a,b')).to.equal('"a,b"');
    expect(csvField('say "x"')).to.equal('"say ""x"""');
    expect(csvField('plain')).to.equal('plain');
  });
});

describe('bulk table reader', function () {
  this.timeout(20_000);
  it('reads CSV with a BOM, quoted fields spanning lines, and reports each record at its first line', async () => {
    const text = '\ufeffa,b\r\n1,"two\nlines"\r\n\r\n3,"x,""y"""\r\n';
    const sheet = (await readCsv(new TextEncoder().encode(text), limits(10)));
    expect(sheet.columns).to.deep.equal(['a', 'b']);
    expect(sheet.rows).to.deep.equal([
      { line: 2, cells: { a: '1', b: 'two\nlines' } },
      { line: 5, cells: { a: '3', b: 'x,"y"' } },
    ]);
  });

  it('refuses non-UTF-8 and unclosed quotes, and stops past the row limit', async () => {
    expect(await readCsv(Uint8Array.from([0x61, 0x0a, 0xff, 0xfe]), limits(10)).catch((e: unknown) => e)).to.be.instanceOf(UnreadableFileError).and.to.have.property('message').that.matches(/UTF-8/);
    expect(await readCsv(new TextEncoder().encode('a,b\n1,"open\n'), limits(10)).catch((e: unknown) => e)).to.be.instanceOf(UnreadableFileError).and.to.have.property('message').that.matches(/well-formed/);
    expect(await readCsv(new TextEncoder().encode('a\n1\n2\n3\n'), limits(2)).catch((e: unknown) => e)).to.be.instanceOf(SheetLimitError).and.to.have.property('message').that.matches(/more than 2 data rows/);
    expect(detectFormat(new TextEncoder().encode('a,b'), 'x.csv')).to.equal('csv');
    expect(() => detectFormat(new TextEncoder().encode('a,b'), 'x.xlsx')).to.throw(UnreadableFileError);
  });

  it('reads XLSX cells as text: dates ISO, percentages with %, numbers plain, booleans yes/no', async () => {
    const workbook = new Workbook();
    const ws = workbook.addWorksheet('letters');
    ws.addRow(['letterRef', 'startDate', 'rate', 'balance', 'restricted']);
    ws.addRow(['L-1', new Date(Date.UTC(2025, 0, 31)), 0.0035, 1234567.89, false]);
    ws.getCell('C2').numFmt = '0.00%';
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    expect(detectFormat(bytes, 'upload.bin')).to.equal('xlsx');
    const sheet = await readXlsx(bytes, limits(10));
    expect(sheet.rows).to.deep.equal([{ line: 2, cells: { letterRef: 'L-1', startDate: '2025-01-31', rate: '0.35%', balance: '1234567.89', restricted: 'no' } }]);
  });
});

describe('bulk letter assembly', () => {
  it('groups rows into letters, fills derived header fields and marks sections without rows "none"', async () => {
    const { letters, issues } = assembleLetters((await readCsv(csv([deposit('L-1', '6222000011112222'), deposit('L-1', '6222000011113333'), deposit('L-2', '6222000099990000')]), limits(100))), form1, BANK_LETTER_2020, engagement);
    expect(issues).to.deep.equal([]);
    expect(letters.map((l) => [l.letterRef, l.line, l.lines])).to.deep.equal([['L-1', 2, [2, 3]], ['L-2', 4, [4]]]);
    const first = letters[0]?.content;
    expect(first?.sections.deposits?.rows?.map((r) => r.accountNo)).to.deep.equal(['6222000011112222', '6222000011113333']);
    expect(first?.sections.loans).to.deep.equal({ status: 'none' });
    expect(first?.header).to.include({ letterNo: 'L-1', asOfDate: '2025-12-31', auditPeriod: '2025-01-01 to 2025-12-31', bank: 'BANK1' });
  });

  it('names the line and column of every bad cell and assembles nothing from a bad letter', async () => {
    const rows = [deposit('L-1', '6222000011112222'), deposit('L-2', '6222000011113333', '12.5.0'), deposit('L-3', '62220000')];
    rows[2] = (rows[2] as string).replace(',client,', ',nobody,');
    const { letters, issues } = assembleLetters((await readCsv(csv(rows), limits(100))), form1, BANK_LETTER_2020, engagement);
    expect(issues).to.deep.equal([
      { line: 3, field: 'balance', problem: 'not a valid amount' },
      { line: 4, field: 'feePayer', problem: 'must be client or firm' },
    ]);
    expect(letters.map((l) => l.letterRef)).to.deep.equal(['L-1']);
  });

  it('refuses conflicting letter cells, fields of another section, unknown sections, struck sections with rows', async () => {
    const conflicting = deposit('L-1', '6222000011113333').replace('BANK1-SH', 'BANK2');
    const loanField = deposit('L-2', '6222000011114444').replace(',deposits,', ',loans,');
    const unknown = deposit('L-3', '6222000011115555').replace(',deposits,', ',gold,');
    const struck = deposit('L-4', '6222000011116666').replace(',client,,', ',client,deposits;2,');
    const { issues } = assembleLetters((await readCsv(csv([deposit('L-1', '6222000011112222'), conflicting, loanField, unknown, struck]), limits(100))), form1, BANK_LETTER_2020, engagement);
    expect(issues.map((i) => `${i.line}:${i.field}`)).to.include.members(['3:addresseeId', '4:accountName', '4:accountNo', '5:section', '6:struck']);
    expect(issues.find((i) => i.line === 3)?.problem).to.equal('differs from line 2 of the same letter');
  });

  it('reports unknown and missing columns on the header line', async () => {
    const sheet = (await readCsv(new TextEncoder().encode('letterRef,addresseeId,colour\nL-1,BANK1,red\n'), limits(10)));
    const { issues } = assembleLetters(sheet, form1, BANK_LETTER_2020, engagement);
    expect(issues).to.deep.include({ line: 1, field: 'colour', problem: 'is not a column of the bank-form-1 template' });
    expect(issues).to.deep.include({ line: 1, field: 'feePayer', problem: 'required column missing' });
    expect(issues.every((i) => i.line === 1)).to.equal(true);
  });

  it('builds Form 2 letters with every section requested unless struck', async () => {
    const form2 = letterTemplate(ConfirmationKind.BankForm2, BANK_LETTER_2020);
    const text = `letterRef,addresseeId,feePayer,struck,${headerColumns}\nL-9,BANK1,firm,cashPooling;14,${headerCells}\n`;
    const { letters, issues } = assembleLetters((await readCsv(new TextEncoder().encode(text), limits(10))), form2, BANK_LETTER_2020, engagement);
    expect(issues).to.deep.equal([]);
    expect(letters[0]?.content.sections.deposits).to.deep.equal({ status: 'requested' });
    expect(letters[0]?.content.sections.cashPooling).to.deep.equal({ status: 'struck' });
    expect(letters[0]?.content.sections.other).to.deep.equal({ status: 'struck' });
  });
});
