import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';
import { extractAttachments } from './attachments';

/** A PDF made by pdf-lib (another writer than ours) with one attached file. */
async function pdfWith(name: string, bytes: Buffer): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  doc.addPage();
  await doc.attach(bytes, name, { mimeType: 'application/octet-stream' });
  return PDFDocument.load(await doc.save());
}

function embeddedStreamRef(doc: PDFDocument): PDFRef {
  const names = doc.catalog.lookup(PDFName.of('Names'), PDFDict).lookup(PDFName.of('EmbeddedFiles'), PDFDict).lookup(PDFName.of('Names'), PDFArray);
  const ef = names.lookup(1, PDFDict).lookup(PDFName.of('EF'), PDFDict);
  return ef.get(PDFName.of('F')) as PDFRef;
}

function rawStream(doc: PDFDocument, ref: PDFRef): PDFRawStream {
  const stream = doc.context.lookup(ref);
  if (!(stream instanceof PDFRawStream)) throw new Error('the embedded file is not a raw stream');
  return stream;
}

describe('PDF attachments (read by pdf-lib, inflated by zlib when plain deflate)', () => {
  // Random bytes do not compress: the stream is as long as the content, and a wrong decoder shows.
  const content = Buffer.concat([Buffer.from('{"evidence":"前缀 prefix"}'), randomBytes(50_000)]);

  it('gives back the exact bytes of a /FlateDecode embedded file (the zlib path)', async () => {
    const doc = await pdfWith('data.bin', content);
    const stream = rawStream(doc, embeddedStreamRef(doc));
    expect(stream.dict.lookup(PDFName.of('Filter'))).to.equal(PDFName.of('FlateDecode'));
    const [found, ...rest] = await extractAttachments(await doc.save());
    expect(rest).to.have.length(0);
    expect(found?.name).to.equal('data.bin');
    expect(found?.bytes.equals(content)).to.equal(true);
  });

  it('decodes any other filter with pdf-lib (here /ASCIIHexDecode) to the same bytes', async () => {
    const doc = await pdfWith('data.bin', content);
    const ref = embeddedStreamRef(doc);
    const original = rawStream(doc, ref);
    const hex = Buffer.from(`${content.toString('hex')}>`, 'latin1');
    const dict = original.dict.clone(doc.context);
    dict.set(PDFName.of('Filter'), PDFName.of('ASCIIHexDecode'));
    dict.set(PDFName.of('Length'), doc.context.obj(hex.length));
    doc.context.assign(ref, PDFRawStream.of(dict, hex));
    const [found] = await extractAttachments(await doc.save({ useObjectStreams: false }));
    expect(found?.bytes.equals(content)).to.equal(true);
  });

  it('refuses a /FlateDecode stream that is not deflate data instead of returning garbage', async () => {
    const doc = await pdfWith('data.bin', content);
    const ref = embeddedStreamRef(doc);
    const original = rawStream(doc, ref);
    doc.context.assign(ref, PDFRawStream.of(original.dict, randomBytes(2_000)));
    let error: unknown;
    try {
      await extractAttachments(await doc.save({ useObjectStreams: false }));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(Error);
  });
});
