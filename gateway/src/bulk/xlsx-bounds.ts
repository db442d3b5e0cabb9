import { SaxesParser } from 'saxes';
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { SheetLimitError, type SheetLimits } from './sheet-limits';

/** A zip that cannot be read at all (not over a bound): the caller answers it as an unreadable file. */
export class BadZipError extends Error {}

/** A worksheet part of the package (the first worksheet is one of them; every one is inflated by exceljs). */
const WORKSHEET = /^xl\/worksheets\/[^/]+\.xml$/i;

/**
 * Counts the rows that hold a value and every cell of one worksheet's XML as it streams past,
 * keeping nothing: `<row>`s whose cells carry `<v>` or `<is>` (formatted but empty rows, which
 * spreadsheet programs write, are not rows of data), and every `<c>`. Element names are read
 * without a namespace prefix (`x:row` is a row).
 */
class WorksheetCounter {
  private readonly parser = new SaxesParser();
  private readonly decoder = new TextDecoder('utf-8');
  private valueRows = 0;
  private rowHasValue = false;

  constructor(
    private readonly limits: SheetLimits,
    private readonly cells: { count: number },
  ) {
    this.parser.on('opentag', (tag) => {
      const name = tag.name.slice(tag.name.indexOf(':') + 1);
      if (name === 'row') this.rowHasValue = false;
      else if (name === 'c' && ++this.cells.count > this.limits.maxCells) throw SheetLimitError.cells(this.limits);
      else if (name === 'v' || name === 'is') this.rowHasValue = true;
    });
    this.parser.on('closetag', (tag) => {
      const name = tag.name.slice(tag.name.indexOf(':') + 1);
      // The header row plus maxRows data rows.
      if (name === 'row' && this.rowHasValue && ++this.valueRows > this.limits.maxRows + 1) throw SheetLimitError.rows(this.limits);
    });
  }

  write(chunk: Buffer): void {
    this.parser.write(this.decoder.decode(chunk, { stream: true }));
  }

  end(): void {
    this.parser.write(this.decoder.decode());
    this.parser.close();
  }
}

function openZip(bytes: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // validateEntrySizes: an entry inflating to more than it declares is an error; lazyEntries: one at a time.
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true }, (err, zip) => (err ? reject(new BadZipError(err.message)) : resolve(zip)));
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(new BadZipError(err.message)) : resolve(stream))));
}

/**
 * Checks an XLSX package against the bounds before exceljs materializes any of it (issue 10.5:
 * exceljs inflates the whole workbook first). Every entry of the zip's central directory — the
 * entries any zip reader, exceljs's included, uses — is inflated as a stream and thrown away while
 * its bytes are **counted as inflated** (a zip's declared sizes can lie; yauzl also refuses an
 * entry that inflates past its declared size); worksheets are counted as they stream (rows with a
 * value, cells). Reading stops at the first bound broken: memory stays at one inflate window and
 * one XML chunk, and the inflating runs in zlib's thread pool, so the gateway keeps serving.
 */
export async function checkXlsxBounds(bytes: Uint8Array, limits: SheetLimits): Promise<void> {
  const zip = await openZip(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  let inflated = 0;
  let declared = 0;
  const cells = { count: 0 };
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry): void => finish(e);
        const onEnd = (): void => finish(undefined);
        const onError = (err: Error): void => {
          zip.off('entry', onEntry).off('end', onEnd);
          reject(new BadZipError(err.message));
        };
        const finish = (e: yauzl.Entry | undefined): void => {
          zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
          resolve(e);
        };
        zip.once('entry', onEntry).once('end', onEnd).once('error', onError);
        zip.readEntry();
      });
      if (!entry) return;
      // An honest file over the bound is refused without inflating anything.
      declared += entry.uncompressedSize;
      if (declared > limits.maxUncompressedBytes) throw SheetLimitError.inflated(limits);
      if (entry.fileName.endsWith('/')) continue;
      const counter = WORKSHEET.test(entry.fileName) ? new WorksheetCounter(limits, cells) : undefined;
      const stream = await openEntry(zip, entry);
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          inflated += chunk.length;
          if (inflated > limits.maxUncompressedBytes) throw SheetLimitError.inflated(limits);
          counter?.write(chunk);
        }
        counter?.end();
      } catch (err) {
        if (err instanceof SheetLimitError) throw err;
        throw new BadZipError(`${entry.fileName}: ${(err as Error).message}`);
      } finally {
        stream.destroy();
      }
    }
  } finally {
    zip.close();
  }
}
