import { expect } from 'chai';
import { Workbook } from 'exceljs';
import { SheetLimitError, type SheetLimits } from './sheet-limits';
import { readCsv, readXlsx, UnreadableFileError } from './table-reader';

const LIMITS: SheetLimits = { maxRows: 10, maxCells: 100, maxUncompressedBytes: 1024 * 1024 };

async function workbookOf(fill: (sheet: ReturnType<Workbook['addWorksheet']>) => void): Promise<Uint8Array> {
  const workbook = new Workbook();
  fill(workbook.addWorksheet('letters'));
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/** The refusal of `promise`, or undefined when it was not refused (the expectations then fail). */
const refusal = (promise: Promise<unknown>): Promise<Error> => promise.then(() => new Error('expected a refusal'), (err: unknown) => err as Error);

/** The zip with every central-directory entry claiming `size` bytes uncompressed (a lying archive). */
function lyingSizes(zip: Uint8Array, size: number): Uint8Array {
  const bytes = Buffer.from(zip);
  for (let at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
    bytes.writeUInt32LE(size, at + 24);
  }
  return new Uint8Array(bytes);
}

/** Issue 10.5: an upload is measured against its bounds before exceljs materializes anything. */
describe('bulk upload bounds (zip bombs, rows, cells)', function () {
  this.timeout(20_000);

  it('a workbook that inflates past maxUncompressedBytes is refused, named by its limit', async function () {
    const bomb = await workbookOf((ws) => {
      ws.addRow(['letterRef']);
      ws.addRow(['A'.repeat(3 * 1024 * 1024)]);
    });
    expect(bomb.length).to.be.lessThan(64 * 1024); // a small upload…
    const err = await refusal(readXlsx(bomb, LIMITS));
    expect(err).to.be.instanceOf(SheetLimitError);
    expect((err as SheetLimitError).code).to.equal('UNCOMPRESSED_TOO_LARGE');
    expect((err as SheetLimitError).setting).to.equal('maxUncompressedBytes');
    expect(err.message).to.include(String(LIMITS.maxUncompressedBytes));
  });

  it('declared sizes that lie do not let the bomb through: the bytes inflated are what count', async function () {
    const bomb = await workbookOf((ws) => {
      ws.addRow(['letterRef']);
      ws.addRow(['A'.repeat(3 * 1024 * 1024)]);
    });
    const err = await refusal(readXlsx(lyingSizes(bomb, 10), LIMITS));
    // yauzl refuses an entry inflating past its declared size; had it not, the count would have.
    const refusedAsBad = err instanceof UnreadableFileError && /bytes/.test(err.message);
    const refusedAsTooLarge = err instanceof SheetLimitError && err.code === 'UNCOMPRESSED_TOO_LARGE';
    expect(refusedAsBad || refusedAsTooLarge, err.message).to.equal(true);
  });

  it('rows: more than maxRows rows with values is TOO_MANY_ROWS; formatted empty rows do not count', async function () {
    const many = await workbookOf((ws) => {
      ws.addRow(['letterRef']);
      for (let i = 0; i < 50; i++) ws.addRow([`L-${i}`]);
    });
    const err = await refusal(readXlsx(many, LIMITS));
    expect(err).to.be.instanceOf(SheetLimitError);
    expect((err as SheetLimitError).code).to.equal('TOO_MANY_ROWS');
    const styled = await workbookOf((ws) => {
      ws.addRow(['letterRef']);
      for (let i = 0; i < 3; i++) ws.addRow([`L-${i}`]);
      for (let r = 10; r < 60; r++) ws.getCell(`A${r}`).numFmt = '0.00%';
    });
    expect((await readXlsx(styled, LIMITS)).rows.map((r) => r.cells['letterRef'])).to.deep.equal(['L-0', 'L-1', 'L-2']);
  });

  it('cells: more than maxCells cells in the workbook is TOO_MANY_CELLS (one wide row is enough)', async function () {
    const wide = await workbookOf((ws) => {
      ws.addRow(Array.from({ length: 150 }, (_, i) => `c${i}`));
    });
    const err = await refusal(readXlsx(wide, LIMITS));
    expect(err).to.be.instanceOf(SheetLimitError);
    expect((err as SheetLimitError).code).to.equal('TOO_MANY_CELLS');
  });

  it('CSV: fields over maxCells and rows over maxRows stop the reading; blank lines cost nothing', async function () {
    const wide = new TextEncoder().encode(`${Array.from({ length: 150 }, (_, i) => `c${i}`).join(',')}\n`);
    expect(((await refusal(readCsv(wide, LIMITS))) as SheetLimitError).code).to.equal('TOO_MANY_CELLS');
    const blankLines = new TextEncoder().encode(`letterRef\n${'\n'.repeat(50)}L-1\n`);
    const sheet = await readCsv(blankLines, { ...LIMITS, maxCells: 1_000 });
    expect(sheet.rows).to.deep.equal([{ line: 52, cells: { letterRef: 'L-1' } }]);
    const many = new TextEncoder().encode(`letterRef\n${Array.from({ length: 20 }, (_, i) => `L-${i}`).join('\n')}\n`);
    expect(((await refusal(readCsv(many, LIMITS))) as SheetLimitError).code).to.equal('TOO_MANY_ROWS');
  });
});
