/**
 * Just enough DER (X.690) to write and read CMS SignedData and to take certificates apart: the
 * encoder builds exact bytes (what gets signed must be byte-stable), the reader returns slices of
 * the original input, so what we verify is what was signed, never a re-encoding.
 */

export const Tag = {
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Utf8String: 0x0c,
  Sequence: 0x30,
  Set: 0x31,
  GeneralizedTime: 0x18,
  UtcTime: 0x17,
} as const;

/** Context-specific tag number n, constructed (EXPLICIT or IMPLICIT SET/SEQUENCE). */
export const contextTag = (n: number): number => 0xa0 | n;

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(Tag.Sequence, ...items);

/** DER SET OF: members sorted by their encodings (X.690 §11.6). */
export function setOf(...items: Uint8Array[]): Buffer {
  return tlv(Tag.Set, ...[...items].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

export const octetString = (bytes: Uint8Array): Buffer => tlv(Tag.OctetString, bytes);

/** A non-negative INTEGER from big-endian magnitude bytes (leading zeros trimmed, sign byte added). */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = Buffer.from(magnitude.subarray(start));
  return tlv(Tag.Integer, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export const smallInteger = (value: number): Buffer => tlv(Tag.Integer, Buffer.from([value]));

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = parts;
  const bytes: number[] = [first * 40 + second];
  for (const part of rest) {
    const chunk: number[] = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(Tag.Oid, Buffer.from(bytes));
}

/** One decoded element: its tag and where header and contents sit in the input. */
export interface DerNode {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the element. */
  end: number;
  /** The whole element (tag, length, contents) as a slice of the input. */
  bytes: Buffer;
  contents: Buffer;
}

export class DerError extends Error {}

export function readNode(input: Buffer, offset = 0): DerNode {
  if (offset + 2 > input.length) throw new DerError(`truncated DER at ${offset}`);
  const tag = input[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let length = input[offset + 1] as number;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError(`unsupported DER length form at ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (input[contentStart + i] as number);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > input.length) throw new DerError(`DER element at ${offset} runs past the end`);
  return { tag, start: offset, contentStart, end, bytes: input.subarray(offset, end), contents: input.subarray(contentStart, end) };
}

/** The children of a constructed element. */
export function children(node: DerNode): DerNode[] {
  const list: DerNode[] = [];
  const base = node.contents;
  for (let offset = 0; offset < base.length; ) {
    const child = readNode(base, offset);
    list.push(child);
    offset = child.end;
  }
  return list;
}

export function decodeOid(node: DerNode): string {
  if (node.tag !== Tag.Oid) throw new DerError(`expected an OID, found tag 0x${node.tag.toString(16)}`);
  const bytes = node.contents;
  const first = bytes[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** Child i, or a DerError naming what was expected. */
export function child(node: DerNode, index: number, what: string, tag?: number): DerNode {
  const found = children(node)[index];
  if (!found) throw new DerError(`missing ${what}`);
  if (tag !== undefined && found.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${found.tag.toString(16)}`);
  return found;
}
