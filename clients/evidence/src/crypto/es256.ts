import { createPrivateKey, createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import { sequence, unsignedInteger } from './der';

/**
 * ES256 (ECDSA P-256 + SHA-256) with RFC 6979 deterministic nonces: the same key and message give
 * the same signature, so identical evidence input gives a byte-identical signed PDF. node:crypto
 * only draws random nonces; @noble/curves (audited, ESM-only, loaded once) derives them.
 */
type NobleP256 = typeof import('@noble/curves/nist.js', { with: { 'resolution-mode': 'import' } }).p256;
let p256Promise: Promise<NobleP256> | undefined;
function loadP256(): Promise<NobleP256> {
  p256Promise ??= import('@noble/curves/nist.js').then((m) => m.p256);
  return p256Promise;
}

export interface Es256PrivateKey {
  /** 32-byte private scalar. */
  scalar: Uint8Array;
  publicKey: KeyObject;
}

/** From a private JWK (with `d`) or a PKCS#8/SEC1 PEM. */
export function es256PrivateKey(key: JsonWebKey | string): Es256PrivateKey {
  const object = typeof key === 'string' ? createPrivateKey(key) : createPrivateKey({ key, format: 'jwk' });
  const jwk = object.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') throw new Error('ES256 needs a P-256 private key');
  return { scalar: Buffer.from(jwk.d, 'base64url'), publicKey: createPublicKey(object) };
}

/** Raw r‖s (64 bytes, JWS form) over sha256(message), deterministic. */
export async function signEs256Raw(message: Uint8Array, key: Es256PrivateKey): Promise<Buffer> {
  const p256 = await loadP256();
  const signature = p256.sign(message, key.scalar, { prehash: true, lowS: false });
  return Buffer.from(signature);
}

/** The same signature as an X.509/CMS ECDSA-Sig-Value (DER SEQUENCE of two INTEGERs). */
export function rawToDerSignature(raw: Uint8Array): Buffer {
  if (raw.length !== 64) throw new Error('ES256 raw signature must be 64 bytes');
  return sequence(unsignedInteger(raw.subarray(0, 32)), unsignedInteger(raw.subarray(32)));
}

export function verifyEs256Raw(message: Uint8Array, raw: Uint8Array, publicKey: KeyObject): boolean {
  return verifySignature('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw);
}
