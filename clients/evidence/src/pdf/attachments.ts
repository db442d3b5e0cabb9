import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString, type PDFObject } from 'pdf-lib';

/** An embedded file as found in the PDF's EmbeddedFiles name tree. */
export interface ExtractedAttachment {
  name: string;
  bytes: Buffer;
}

function nameOf(value: PDFObject | undefined): string | undefined {
  if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  return undefined;
}

/**
 * Every embedded file of a PDF, read by an independent parser (pdf-lib, not the writer that made
 * it). A name that appears twice is reported twice: the verifier refuses ambiguous evidence.
 */
export async function extractAttachments(pdf: Uint8Array): Promise<ExtractedAttachment[]> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: false, throwOnInvalidObject: true });
  const names = document.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  const tree = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  if (!tree) return [];
  const found: ExtractedAttachment[] = [];
  const visit = (node: PDFDict, depth: number): void => {
    if (depth > 16) throw new Error('EmbeddedFiles name tree is too deep');
    const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
    if (kids) for (let i = 0; i < kids.size(); i++) visit(kids.lookup(i, PDFDict), depth + 1);
    const pairs = node.lookupMaybe(PDFName.of('Names'), PDFArray);
    if (!pairs) return;
    for (let i = 0; i + 1 < pairs.size(); i += 2) {
      const name = nameOf(pairs.lookup(i));
      const spec = pairs.lookup(i + 1, PDFDict);
      const ef = spec.lookupMaybe(PDFName.of('EF'), PDFDict);
      const stream = ef?.lookup(PDFName.of('F'));
      if (!name || !(stream instanceof PDFRawStream)) continue;
      found.push({ name, bytes: Buffer.from(decodePDFRawStream(stream).decode()) });
    }
  };
  visit(tree, 0);
  return found;
}
