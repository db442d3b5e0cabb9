import { parse } from 'csv-parse';
import type { CellValue } from 'exceljs';
import { Readable } from 'node:stream';
import { SheetLimitError, type SheetLimits } from './sheet-limits';
import { BadZipError, checkXlsxBounds } from './xlsx-bounds';

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

/** Header and data rows as built; data rows over `maxRows` stop the reading. */
class RowCollector {
  private header: { line: number; values: string[] } | undefined;
  readonly rows: SheetRow[] = [];

  constructor(private readonly limits: SheetLimits) {}

  get headerRecord(): { line: number; values: string[] } | undefined {
    return this.header;
  }

  get columns(): string[] {
    return (this.header?.values ?? []).map((v) => v.trim());
  }

  add(line: number, values: string[]): void {
    if (!this.header) {
      this.header = { line, values };
      return;
    }
    const header = this.columns;
    const cells: Record<string, string> = {};
    header.forEach((name, i) => {
      if (name !== '') cells[name] = (values[i] ?? '').trim();
    });
    const extra = values.slice(header.length).some((v) => v.trim() !== '');
    if (extra) cells['(beyond the header)'] = values.slice(header.length).join(',');
    if (isBlankRow(cells)) return;
    this.rows.push({ line, cells });
    if (this.rows.length > this.limits.maxRows) throw SheetLimitError.rows(this.limits);
  }
}

const CSV_SLICE = 64 * 1024;

/**
 * RFC 4180 CSV, UTF-8 (a BOM is allowed), the first line the header. Lines are 1-based file lines.
 * Streamed through csv-parse one record at a time: blank lines are dropped as they come, and the
 * reading stops at the first record over `maxRows` data rows or `maxCells` fields in all.
 */
export async function readCsv(bytes: Uint8Array, limits: SheetLimits): Promise<Sheet> {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UnreadableFileError('the CSV file is not UTF-8 text');
  }
  const collector = new RowCollector(limits);
  // Fed in slices so that csv-parse holds one slice's records at a time (backpressure), not the file's.
  const slices = function* (): Generator<Buffer> {
    for (let at = 0; at < bytes.length; at += CSV_SLICE) yield Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(CSV_SLICE, bytes.length - at));
  };
  const parser = Readable.from(slices()).pipe(parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: false }));
  // A record's first line: one after the previous record's last (quoted fields may span lines).
  let previousEnd = 0;
  let cells = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = previousEnd + 1;
      previousEnd = info.lines;
      cells += record.length;
      if (cells > limits.maxCells) throw SheetLimitError.cells(limits);
      collector.add(line, record);
    }
  } catch (err) {
    if (err instanceof SheetLimitError) throw err;
    const line = Number((err as { lines?: unknown }).lines ?? 0);
    throw new UnreadableFileError(`not a well-formed CSV file: ${(err as Error).message}`, Number.isFinite(line) ? line : 0);
  } finally {
    parser.destroy();
  }
  const header = collector.headerRecord;
  if (!header) throw new UnreadableFileError('the file is empty: the first line must name the columns');
  return { format: 'csv', columns: collector.columns, headerLine: header.line, rows: collector.rows };
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

/**
 * The first worksheet of an XLSX workbook, row 1 the header. Lines are the sheet's row numbers.
 * The package is first checked against the bounds as it inflates (`checkXlsxBounds`): only a
 * workbook within them is handed to exceljs, which builds it whole.
 */
export async function readXlsx(bytes: Uint8Array, limits: SheetLimits): Promise<Sheet> {
  try {
    await checkXlsxBounds(bytes, limits);
  } catch (err) {
    if (err instanceof BadZipError) throw new UnreadableFileError(`not a readable XLSX workbook: ${err.message}`);
    throw err;
  }
  // exceljs is loaded here, on the first workbook, not when the gateway starts: it is about 7 MB
  // of heap (measured on Node 24) that a gateway which never reads an upload need not carry (issue 18).
  // import() of a CommonJS package: its `default` is its module.exports (named exports are guessed
  // by Node from the source, and exceljs' are not found).
  const { Workbook } = (await import('exceljs')).default;
  const workbook = new Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (err) {
    throw new UnreadableFileError(`not a readable XLSX workbook: ${(err as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.actualRowCount === 0) throw new UnreadableFileError('the workbook has no worksheet with rows');
  if (sheet.actualRowCount - 1 > limits.maxRows) throw SheetLimitError.rows(limits);
  const collector = new RowCollector(limits);
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values: string[] = [];
    for (let col = 1; col <= row.cellCount; col++) {
      const cell = row.getCell(col);
      values.push(cellText(cell.value, cell.numFmt ?? ''));
    }
    collector.add(rowNumber, values);
  });
  const header = collector.headerRecord;
  if (!header) throw new UnreadableFileError('the worksheet has no header row');
  return { format: 'xlsx', columns: collector.columns, headerLine: header.line, rows: collector.rows };
}

export async function readSheet(bytes: Uint8Array, fileName: string, limits: SheetLimits): Promise<Sheet> {
  return detectFormat(bytes, fileName) === 'xlsx' ? readXlsx(bytes, limits) : readCsv(bytes, limits);
}
