/**
 * An (invisible) signature field whose value is a signature dictionary with room for the CMS:
 * /ByteRange written as name placeholders of fixed width and /Contents as zero hex, both replaced
 * in place by signPdf() without moving a byte, so the xref table stays valid.
 */
export interface SignaturePlaceholderOptions {
  /** The signer's name for /Name (the institution). */
  name: string;
  reason: string;
  location: string;
  contactInfo: string;
  /** /M, the claimed signing time (PAdES: the time lives here, not in a CMS attribute). */
  signingTime: Date;
  /** Bytes reserved for the DER CMS. */
  contentsBytes?: number;
}

export const BYTE_RANGE_PLACEHOLDER = '**********';
export const DEFAULT_CONTENTS_BYTES = 8192;

/** The few pdfkit internals a signature field needs; pdfkit's typings do not declare them. */
interface PdfKitInternals {
  ref(data: Record<string, unknown>): { end(): void };
  page: { dictionary: unknown; annotations: unknown[] };
  _root: { data: Record<string, unknown> };
  /** pdfkit's own form bookkeeping: its end() finishes an AcroForm it finds in the catalog. */
  _acroform?: { fonts: Record<string, unknown>; defaultFont?: unknown };
}

export function addSignaturePlaceholder(pdf: PDFKit.PDFDocument, options: SignaturePlaceholderOptions): void {
  const doc = pdf as unknown as PdfKitInternals;
  pdf.switchToPage(0);
  const signature = doc.ref({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'ETSI.CAdES.detached',
    ByteRange: [0, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER],
    Contents: Buffer.alloc(options.contentsBytes ?? DEFAULT_CONTENTS_BYTES),
    Reason: new String(options.reason),
    M: options.signingTime,
    Name: new String(options.name),
    Location: new String(options.location),
    ContactInfo: new String(options.contactInfo),
  });
  const widget = doc.ref({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    Rect: [0, 0, 0, 0],
    V: signature,
    T: new String('EvidenceSignature'),
    F: 132, // Print + Locked
    P: doc.page.dictionary,
  });
  doc.page.annotations.push(widget);
  // pdfkit's end() ends the AcroForm dictionary itself (endAcroForm) and wants its font table.
  doc._root.data.AcroForm = doc.ref({ Type: 'AcroForm', SigFlags: 3, Fields: [widget], DR: { Font: {} } });
  doc._acroform = { fonts: {}, defaultFont: true };
  signature.end();
  widget.end();
}
