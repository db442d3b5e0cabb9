import { parse } from 'csv-parse/sync';
import { Workbook, type CellValue } from 'exceljs';

/** One data row of an uploaded sheet: its line (CSV) or row number (XLSX), cells by column name. */
export interface SheetRow {
  line: number;
  cells: Record<string, string>;
}

export interface Sheet {
  format: UploadFormat;
  /** Column names as written in the header row (trimmed). */
  columns: string[];
  headerLine: number;
  rows: SheetRow[];
}

export type UploadFormat = 'csv' | 'xlsx';

/** A file that cannot be read as a table at all (not a per-row problem). */
export class UnreadableFileError extends Error {
  constructor(
    message: string,
    readonly line = 0,
  ) {
    super(message);
  }
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** The upload's format: by content (XLSX is a zip), else by name; anything else is read as CSV. */
export function detectFormat(bytes: Uint8Array, fileName = ''): UploadFormat {
  if (ZIP_MAGIC.every((b, i) => bytes[i] === b)) return 'xlsx';
  if (/\.xlsx$/i.test(fileName)) throw new UnreadableFileError('the file is named .xlsx but is not an XLSX workbook');
  return 'csv';
}

function isBlankRow(cells: Record<string, string>): boolean {
  return Object.values(cells).every((v) => v === '');
}

function toRows(header: string[], records: Array<{ line: number; values: string[] }>, maxRows: number): SheetRow[] {
  const rows: SheetRow[] = [];
  for (const record of records) {
    const cells: Record<string, string> = {};
    header.forEach((name, i) => {
      if (name !== '') cells[name] = (record.values[i] ?? '').trim();
    });
    const extra = record.values.slice(header.length).some((v) => v.trim() !== '');
    if (extra) cells['(beyond the header)'] = record.values.slice(header.length).join(',');
    if (isBlankRow(cells)) continue;
    rows.push({ line: record.line, cells });
    if (rows.length > maxRows) throw new TooManyRowsError(maxRows);
  }
  return rows;
}

export class TooManyRowsError extends Error {
  constructor(readonly maxRows: number) {
    super(`the file has more than ${maxRows} data rows`);
  }
}

/** RFC 4180 CSV, UTF-8 (a BOM is allowed), the first line the header. Lines are 1-based file lines. */
export function readCsv(bytes: Uint8Array, maxRows: number): Sheet {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UnreadableFileError('the CSV file is not UTF-8 text');
  }
  let parsed: Array<{ record: string[]; info: { lines: number } }>;
  try {
    parsed = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: false }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    const line = Number((err as { lines?: unknown }).lines ?? 0);
    throw new UnreadableFileError(`not a well-formed CSV file: ${(err as Error).message}`, Number.isFinite(line) ? line : 0);
  }
  // A record's first line: one after the previous record's last (quoted fields may span lines).
  let previousEnd = 0;
  const records = parsed.map(({ record, info }) => {
    const line = previousEnd + 1;
    previousEnd = info.lines;
    return { line, values: record };
  });
  const headerRecord = records.shift();
  if (!headerRecord) throw new UnreadableFileError('the file is empty: the first line must name the columns');
  const columns = headerRecord.values.map((v) => v.trim());
  return { format: 'csv', columns, headerLine: headerRecord.line, rows: toRows(columns, records, maxRows) };
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A spreadsheet cell as the text a CSV would have carried (dates ISO, percentages with %). */
export function cellText(value: CellValue, numFmt = ''): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (numFmt.includes('%')) return `${Number((value * 100).toPrecision(12))}%`;
    return String(value);
  }
  if (value instanceof Date) return isoDate(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return value.result === undefined ? '' : cellText(value.result as CellValue, numFmt);
    if ('error' in value) return String(value.error);
  }
  return String(value as unknown);
}

/** The first worksheet of an XLSX workbook, row 1 the header. Lines are the sheet's row numbers. */
export async function readXlsx(bytes: Uint8Array, maxRows: number): Promise<Sheet> {
  const workbook = new Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (err) {
    throw new UnreadableFileError(`not a readable XLSX workbook: ${(err as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.actualRowCount === 0) throw new UnreadableFileError('the workbook has no worksheet with rows');
  if (sheet.actualRowCount - 1 > maxRows) throw new TooManyRowsError(maxRows);
  const records: Array<{ line: number; values: string[] }> = [];
  let header: { line: number; values: string[] } | undefined;
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values: string[] = [];
    for (let col = 1; col <= row.cellCount; col++) {
      const cell = row.getCell(col);
      values.push(cellText(cell.value, cell.numFmt ?? ''));
    }
    if (!header) header = { line: rowNumber, values };
    else records.push({ line: rowNumber, values });
  });
  if (!header) throw new UnreadableFileError('the worksheet has no header row');
  const columns = header.values.map((v) => v.trim());
  return { format: 'xlsx', columns, headerLine: header.line, rows: toRows(columns, records, maxRows) };
}

export async function readSheet(bytes: Uint8Array, fileName: string, maxRows: number): Promise<Sheet> {
  return detectFormat(bytes, fileName) === 'xlsx' ? readXlsx(bytes, maxRows) : readCsv(bytes, maxRows);
}
