import { once } from 'node:events';
import { crc32, createDeflateRaw } from 'node:zlib';

/** The parts of a minimal valid XLSX package around its one worksheet. */
const PACKAGE: Record<string, string> = {
  '[Content_Types].xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  '_rels/.rels':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  'xl/workbook.xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="letters" sheetId="1" r:id="rId1"/></sheets></workbook>',
  'xl/_rels/workbook.xml.rels':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
};

interface Entry {
  name: Buffer;
  crc: number;
  size: number;
  data: Buffer;
  offset: number;
}

/** Deflates `chunks` as a stream: the whole text is never in memory, only its compressed form. */
async function deflated(chunks: Iterable<string>): Promise<{ data: Buffer; crc: number; size: number }> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (b: Buffer) => out.push(b));
  let crc = 0;
  let size = 0;
  for (const text of chunks) {
    const bytes = Buffer.from(text, 'utf8');
    crc = crc32(bytes, crc);
    size += bytes.length;
    if (!deflate.write(bytes)) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  return { data: Buffer.concat(out), crc, size };
}

/**
 * A valid XLSX (a header row `letterRef`, then one inline-string cell of `cellBytes` letters) that
 * is a few hundred KB as uploaded: deflate shrinks the repeated letter about a thousand times —
 * the workbook of issue 10.5. Written as a plain zip (local headers, central directory) so that
 * the sizes are exactly what the test says.
 */
export async function xlsxBomb(cellBytes: number): Promise<Buffer> {
  const sheet = function* (): Generator<string> {
    yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
    yield '<row r="1"><c r="A1" t="inlineStr"><is><t>letterRef</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>';
    const block = 'A'.repeat(1024 * 1024);
    for (let left = cellBytes; left > 0; left -= block.length) yield left >= block.length ? block : block.slice(0, left);
    yield '</t></is></c></row></sheetData></worksheet>';
  };
  const parts: Array<[string, Iterable<string>]> = [...Object.entries(PACKAGE).map(([name, text]): [string, Iterable<string>] => [name, [text]]), ['xl/worksheets/sheet1.xml', sheet()]];
  const entries: Entry[] = [];
  const body: Buffer[] = [];
  let offset = 0;
  for (const [name, chunks] of parts) {
    const { data, crc, size } = await deflated(chunks);
    const entry: Entry = { name: Buffer.from(name), crc, size, data, offset };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(entry.name.length, 26);
    body.push(local, entry.name, data);
    offset += local.length + entry.name.length + data.length;
    entries.push(entry);
  }
  const central: Buffer[] = [];
  for (const e of entries) {
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(e.crc, 16);
    header.writeUInt32LE(e.data.length, 20);
    header.writeUInt32LE(e.size, 24);
    header.writeUInt16LE(e.name.length, 28);
    header.writeUInt32LE(e.offset, 42);
    central.push(header, e.name);
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...body, directory, end]);
}
