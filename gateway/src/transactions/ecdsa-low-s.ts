/**
 * Offline callers sign Fabric digests with whatever ECDSA P-256 tool they have (openssl, an HSM,
 * WebCrypto converted to DER). Fabric's peers and orderers accept only "low-S" signatures
 * (s ≤ n/2), and most tools produce a high S half the time. (r, n − s) is the same signature by
 * the same key over the same digest, so the gateway normalizes instead of letting every other
 * signature fail at the peer; it cannot make a signature valid that was not.
 */

/** The order n of the P-256 group. */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
/** n/2 rounded down: the largest S Fabric accepts. */
export const P256_HALF_ORDER = P256_ORDER >> 1n;

export class MalformedDerSignatureError extends Error {}

/** `der` with s replaced by n − s when s > n/2; throws MalformedDerSignatureError unless it is strict DER. */
export function toLowS(der: Uint8Array): Uint8Array {
  const { r, s } = parseDerSignature(der);
  if (s <= P256_HALF_ORDER) return der;
  return encodeDerSignature(r, P256_ORDER - s);
}

/** r and s of a DER ECDSA-Sig-Value (SEQUENCE of two positive, minimally encoded INTEGERs below n). */
export function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } {
  const fail = (why: string): never => {
    throw new MalformedDerSignatureError(`not a DER ECDSA P-256 signature: ${why}`);
  };
  // A P-256 signature is at most 72 bytes, so every length is a single short-form byte.
  if (der.length < 8 || der[0] !== 0x30) fail('expected a SEQUENCE');
  if (der[1] !== der.length - 2) fail('the SEQUENCE length does not match');
  let at = 2;
  const integer = (): bigint => {
    if (der[at] !== 0x02) fail('expected an INTEGER');
    const length = der[at + 1] ?? 0;
    const start = at + 2;
    const bytes = der.subarray(start, start + length);
    if (length === 0 || length > 33 || bytes.length !== length) fail('bad INTEGER length');
    if ((bytes[0] as number) & 0x80) fail('negative INTEGER');
    if (length > 1 && bytes[0] === 0 && !((bytes[1] as number) & 0x80)) fail('INTEGER not minimally encoded');
    at = start + length;
    const value = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
    if (value === 0n || value >= P256_ORDER) fail('INTEGER out of range');
    return value;
  };
  const r = integer();
  const s = integer();
  if (at !== der.length) fail('trailing bytes');
  return { r, s };
}

function encodeInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

export function encodeDerSignature(r: bigint, s: bigint): Uint8Array {
  const body = Buffer.concat([encodeInteger(r), encodeInteger(s)]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body]));
}
