import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { parsedCertificate } from './certificate-cache';
import { certificateDer } from './certificates';
import { signEs256Raw, type Es256PrivateKey } from './es256';

/** Protected header of our compact JWS: ES256, key id, and the certificate chain (base64 DER, leaf first). */
export interface JwsHeader {
  alg: 'ES256';
  kid?: string;
  typ?: string;
  cty?: string;
  x5c?: string[];
}

/**
 * A compact JWS (RFC 7515) over `payload`, ES256 with a deterministic nonce (see es256.ts). The
 * header is serialized with sorted keys so the same input always yields the same token.
 */
export async function signCompactJws(payload: Uint8Array, header: JwsHeader, key: Es256PrivateKey): Promise<string> {
  const ordered = Object.fromEntries(Object.entries(header).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)));
  const signingInput = `${Buffer.from(JSON.stringify(ordered), 'utf8').toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  const signature = await signEs256Raw(Buffer.from(signingInput, 'ascii'), key);
  return `${signingInput}.${signature.toString('base64url')}`;
}

export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Buffer;
}

/** Splits a compact JWS without verifying it. */
export function decodeCompactJws(jws: string): DecodedJws {
  const parts = jws.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new Error('not a compact JWS');
  const header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8')) as unknown;
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('JWS header is not a JSON object');
  return { header: header as Record<string, unknown>, payload: Buffer.from(parts[1] as string, 'base64url') };
}

/** The x5c chain of a decoded header as DER, or [] when absent. */
export function x5cChain(header: Record<string, unknown>): Buffer[] {
  const x5c = header.x5c;
  if (x5c === undefined) return [];
  if (!Array.isArray(x5c) || x5c.some((c) => typeof c !== 'string')) throw new Error('x5c must be an array of base64 strings');
  return (x5c as string[]).map((c) => certificateDer(c));
}

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let josePromise: Promise<Jose> | undefined;
function loadJose(): Promise<Jose> {
  josePromise ??= import('jose');
  return josePromise;
}

/**
 * Verifies a compact ES256 JWS with panva's jose against a public key (a JWK, or the leaf
 * certificate of its x5c): an independent implementation from the one that signed (@noble/curves).
 * The certificate's key is node:crypto's, from the parsed certificate the chain check uses too.
 */
export async function verifyCompactJws(jws: string, key: { jwk: object } | { certificate: Uint8Array }): Promise<Buffer> {
  const jose = await loadJose();
  const publicKey = 'jwk' in key ? createPublicKey({ key: key.jwk as JsonWebKey, format: 'jwk' }) : parsedCertificate(key.certificate).publicKey;
  const result = await jose.compactVerify(jws.trim(), publicKey, { algorithms: ['ES256'] });
  return Buffer.from(result.payload);
}
