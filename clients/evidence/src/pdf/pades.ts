import { createHash } from 'node:crypto';
import { signDetachedCms } from '../crypto/cms';
import type { Es256PrivateKey } from '../crypto/es256';
import { BYTE_RANGE_PLACEHOLDER } from './signature-placeholder';

export interface PdfSigningKey {
  key: Es256PrivateKey;
  /** DER certificates, leaf first (the evidence certificate, then intermediates; the root is optional). */
  chain: Uint8Array[];
}

export class PdfSignatureError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PdfSignatureError';
  }
}

/** Where the signature's /ByteRange and /Contents sit in the file. */
export interface SignatureLocation {
  byteRangeStart: number;
  byteRangeEnd: number;
  /** Offset of '<' of the /Contents hex string. */
  contentsStart: number;
  /** Offset just past '>'. */
  contentsEnd: number;
}

const PLACEHOLDER_RANGE = `/ByteRange [0 /${BYTE_RANGE_PLACEHOLDER} /${BYTE_RANGE_PLACEHOLDER} /${BYTE_RANGE_PLACEHOLDER}]`;

function locatePlaceholder(pdf: Buffer): SignatureLocation {
  const byteRangeStart = pdf.indexOf(PLACEHOLDER_RANGE, 0, 'latin1');
  if (byteRangeStart < 0) throw new PdfSignatureError('NO_PLACEHOLDER', 'the PDF has no signature placeholder');
  if (pdf.indexOf(PLACEHOLDER_RANGE, byteRangeStart + 1, 'latin1') >= 0) throw new PdfSignatureError('NO_PLACEHOLDER', 'the PDF has several signature placeholders');
  const contentsStart = pdf.indexOf('/Contents <', byteRangeStart - 20_000 > 0 ? byteRangeStart - 20_000 : 0, 'latin1');
  // The signature dictionary is written by pdfkit in key order: Contents precedes or follows ByteRange
  // within the same dictionary; take the /Contents nearest to /ByteRange.
  const after = pdf.indexOf('/Contents <', byteRangeStart, 'latin1');
  const start = after >= 0 && (contentsStart < 0 || after - byteRangeStart < byteRangeStart - contentsStart) ? after : contentsStart;
  if (start < 0) throw new PdfSignatureError('NO_PLACEHOLDER', 'the signature placeholder has no /Contents');
  const open = start + '/Contents '.length;
  const close = pdf.indexOf('>', open, 'latin1');
  return { byteRangeStart, byteRangeEnd: byteRangeStart + PLACEHOLDER_RANGE.length, contentsStart: open, contentsEnd: close + 1 };
}

/**
 * Fills the placeholder: /ByteRange covers the whole file except the /Contents hex string, the
 * CMS signs sha256 of those two ranges. With a deterministic signer the result is deterministic.
 */
export async function signPdf(unsigned: Buffer, signer: PdfSigningKey): Promise<Buffer> {
  const pdf = Buffer.from(unsigned);
  const at = locatePlaceholder(pdf);
  const ranges = [0, at.contentsStart, at.contentsEnd, pdf.length - at.contentsEnd];
  const rangeText = `/ByteRange [${ranges.join(' ')}]`;
  if (rangeText.length > PLACEHOLDER_RANGE.length) throw new PdfSignatureError('PLACEHOLDER_TOO_SMALL', 'byte range does not fit its placeholder');
  pdf.write(rangeText.padEnd(PLACEHOLDER_RANGE.length, ' '), at.byteRangeStart, 'latin1');
  const digest = createHash('sha256')
    .update(pdf.subarray(0, at.contentsStart))
    .update(pdf.subarray(at.contentsEnd))
    .digest();
  const cms = await signDetachedCms(digest, signer.chain, signer.key);
  const room = (at.contentsEnd - at.contentsStart - 2) / 2;
  if (cms.length > room) throw new PdfSignatureError('PLACEHOLDER_TOO_SMALL', `CMS of ${cms.length} bytes does not fit ${room} reserved bytes`);
  pdf.write(cms.toString('hex').padEnd(room * 2, '0'), at.contentsStart + 1, 'latin1');
  return pdf;
}

export interface ExtractedSignature {
  byteRange: number[];
  cms: Buffer;
  signedContent: Buffer;
  /** Does the byte range cover the whole file but exactly the /Contents string? */
  coversWholeFile: boolean;
  /** /M of the signature dictionary, when present. */
  signingTime?: Date;
  count: number;
}

function pdfDate(text: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}'?\d{2}'?)?/.exec(text);
  if (!m) return undefined;
  const zone = !m[7] || m[7] === 'Z' ? 'Z' : `${m[7].slice(0, 3)}:${m[7].replace(/'/g, '').slice(3, 5)}`;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
}

/** Reads the (single) signature of a PDF: its byte range, the CMS and the bytes it covers. */
export function extractSignature(pdf: Buffer): ExtractedSignature {
  const text = pdf.toString('latin1');
  const matches = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  if (matches.length === 0) throw new PdfSignatureError('UNSIGNED', 'the PDF carries no signature (no /ByteRange)');
  const match = matches[matches.length - 1] as RegExpMatchArray;
  const byteRange = match.slice(1, 5).map(Number);
  const [a = 0, b = 0, c = 0, d = 0] = byteRange;
  if (a !== 0 || b >= c || c + d > pdf.length) throw new PdfSignatureError('BAD_BYTE_RANGE', `byte range [${byteRange.join(' ')}] does not fit the file`);
  const hole = text.slice(b, c);
  if (!/^<[0-9a-fA-F]*>$/.test(hole)) throw new PdfSignatureError('BAD_BYTE_RANGE', 'the byte range gap is not exactly the /Contents hex string');
  let hex = hole.slice(1, -1);
  // DER length tells where the CMS ends; the rest is zero padding.
  const cmsLength = derLength(Buffer.from(hex.slice(0, 16).padEnd(16, '0'), 'hex'));
  hex = hex.slice(0, cmsLength * 2);
  const dictionaryStart = text.lastIndexOf('<<', b);
  const signingTimeMatch = /\/M\s*\((D:[^)]*)\)/.exec(text.slice(dictionaryStart, c + 2000));
  const signingTime = signingTimeMatch ? pdfDate(signingTimeMatch[1] as string) : undefined;
  return {
    byteRange,
    cms: Buffer.from(hex, 'hex'),
    signedContent: Buffer.concat([pdf.subarray(0, b), pdf.subarray(c, c + d)]),
    coversWholeFile: c + d === pdf.length,
    ...(signingTime ? { signingTime } : {}),
    count: matches.length,
  };
}

function derLength(head: Buffer): number {
  const first = head[1] ?? 0;
  if (!(first & 0x80)) return 2 + first;
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (head[2 + i] ?? 0);
  return 2 + count + length;
}
