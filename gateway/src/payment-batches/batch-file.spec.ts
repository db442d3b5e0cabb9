import { expect } from 'chai';
import { Workbook } from 'exceljs';
import { templateCsv } from '../bulk/letter-template';
import type { SheetLimits } from '../bulk/sheet-limits';
import { readCsv, readXlsx } from '../bulk/table-reader';
import { BATCH_TEMPLATE, minorUnits, readBatchLines } from './batch-file';

const limits: SheetLimits = { maxRows: 5000, maxCells: 100_000, maxUncompressedBytes: 8 * 1024 * 1024 };
const csv = (...lines: string[]): Uint8Array => new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);

describe('payment-batch import file', () => {
  it('converts yuan with at most 2 decimals to fen exactly, by string arithmetic', () => {
    expect(minorUnits('3500')).to.deep.equal({ minor: '350000' });
    expect(minorUnits('3500.5')).to.deep.equal({ minor: '350050' });
    expect(minorUnits('3500.05')).to.deep.equal({ minor: '350005' });
    expect(minorUnits('0.01')).to.deep.equal({ minor: '1' });
    expect(minorUnits('0.10')).to.deep.equal({ minor: '10' });
    // 0.1 + 0.2 and 1.005 are where floating point goes wrong; here they are digits.
    expect(minorUnits('1.005')).to.have.property('problem').that.matches(/more than 2 decimals/);
    expect(minorUnits('0.29')).to.deep.equal({ minor: '29' });
    expect(minorUnits('9999999999999999.99')).to.deep.equal({ minor: '999999999999999999' });
    expect(minorUnits('10000000000000000.00')).to.have.property('problem').that.matches(/too large/);
    for (const bad of ['-1', '+1', '1,000.00', '1e3', '1.', '.5', '01', ' 1', '¥1', '1.2.3', 'NaN']) expect(minorUnits(bad), bad).to.have.property('problem').that.matches(/not an amount/);
    expect(minorUnits('0')).to.deep.equal({ problem: 'must be positive' });
    expect(minorUnits('0.00')).to.deep.equal({ problem: 'must be positive' });
    expect(minorUnits('')).to.deep.equal({ problem: 'required' });
  });

  it('the template is the header row payeeReference,amount', () => {
    expect(templateCsv(BATCH_TEMPLATE)).to.equal('payeeReference,amount\r\n');
  });

  it('reads a good CSV into lines in file order, amounts in fen', async () => {
    const sheet = await readCsv(csv('payeeReference,amount', '6217 0001,3500.00', '6217 0002,12.5', '', '"6217, 0003",0.07'), limits);
    expect(readBatchLines(sheet, 5000)).to.deep.equal({
      issues: [],
      lines: [
        { line: 2, payeeReference: '6217 0001', amountMinor: '350000' },
        { line: 3, payeeReference: '6217 0002', amountMinor: '1250' },
        { line: 5, payeeReference: '6217, 0003', amountMinor: '7' },
      ],
    });
  });

  it('refuses a file with every bad line and its reason, and keeps no line', async () => {
    const long = 'x'.repeat(65);
    const sheet = await readCsv(
      csv('PayeeReference,Amount', 'A-1,100', ',5', 'A-3,1.005', 'A-1,7', `${long},1`, 'A-6,-3', 'A-7,0', 'A-8,1,extra', 'A-9,1e3'),
      limits,
    );
    const { lines, issues } = readBatchLines(sheet, 5000);
    expect(lines).to.deep.equal([]);
    expect(issues.map((i) => `${i.line} ${i.field}: ${i.problem}`)).to.deep.equal([
      '3 payeeReference: required',
      '4 amount: 1.005 has more than 2 decimals: it is not a whole number of fen',
      '5 payeeReference: the same payee as line 2: a payee is paid once per batch',
      '6 payeeReference: longer than 64 characters',
      '7 amount: not an amount: digits with at most 2 decimals, e.g. 3500.00 (no sign, separator or exponent)',
      '8 amount: must be positive',
      '9 (beyond the header): the row has more cells than the header has columns',
      '10 amount: not an amount: digits with at most 2 decimals, e.g. 3500.00 (no sign, separator or exponent)',
    ]);
  });

  it('refuses an unknown or missing column, an empty file, and more payees than a batch holds', async () => {
    const wrong = readBatchLines(await readCsv(csv('payee,amount', 'A,1'), limits), 5000);
    expect(wrong.issues.map((i) => `${i.line} ${i.field}: ${i.problem}`)).to.deep.equal(['1 payee: is not a column of the payment-batch template', '1 payeeReference: required column missing']);
    const empty = readBatchLines(await readCsv(csv('payeeReference,amount'), limits), 5000);
    expect(empty.issues[0]?.problem).to.match(/header row only/);
    const three = readBatchLines(await readCsv(csv('payeeReference,amount', 'A,1', 'B,1', 'C,1'), limits), 2);
    expect(three.issues).to.deep.equal([{ line: 1, field: 'file', problem: '3 payees: one batch holds at most 2' }]);
  });

  it('reads an XLSX: numeric cells as the digits Excel shows, text cells as written', async () => {
    const workbook = new Workbook();
    const sheet = workbook.addWorksheet('payees');
    sheet.addRow(['payeeReference', 'amount']);
    sheet.addRow(['6217 0001', 3500.5]);
    sheet.addRow(['6217 0002', '0.29']);
    sheet.addRow([62170003, 1234.56]);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    expect(readBatchLines(await readXlsx(bytes, limits), 5000).lines).to.deep.equal([
      { line: 2, payeeReference: '6217 0001', amountMinor: '350050' },
      { line: 3, payeeReference: '6217 0002', amountMinor: '29' },
      { line: 4, payeeReference: '62170003', amountMinor: '123456' },
    ]);
  });
});
