/**
 * Offline callers sign Fabric digests with whatever ECDSA P-256 tool they have (openssl, an HSM,
 * WebCrypto converted to DER). Fabric's peers and orderers accept only "low-S" signatures
 * (s ≤ n/2), and most tools produce a high S half the time. (r, n − s) is the same signature by
 * the same key over the same digest, so the gateway normalizes instead of letting every other
 * signature fail at the peer; it cannot make a signature valid that was not.
 *
 * DER parsing, range checks and the normalization are @noble/curves' (audited; ESM-only, so loaded
 * once with a dynamic import, as clients/evidence/src/crypto/es256.ts does).
 */
type NobleP256 = typeof import('@noble/curves/nist.js', { with: { 'resolution-mode': 'import' } }).p256;
type NobleSignature = ReturnType<NobleP256['Signature']['fromBytes']>;
let p256Promise: Promise<NobleP256> | undefined;
function loadP256(): Promise<NobleP256> {
  p256Promise ??= import('@noble/curves/nist.js').then((m) => m.p256);
  return p256Promise;
}

export class MalformedDerSignatureError extends Error {}

/** The signature, if `der` is a strict DER ECDSA-Sig-Value with r and s in [1, n − 1]. */
async function parse(der: Uint8Array): Promise<NobleSignature> {
  const p256 = await loadP256();
  try {
    return p256.Signature.fromBytes(der, 'der');
  } catch (err) {
    throw new MalformedDerSignatureError(`not a DER ECDSA P-256 signature: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `der` with s replaced by n − s when s > n/2; throws MalformedDerSignatureError unless it is strict DER. */
export async function toLowS(der: Uint8Array): Promise<Uint8Array> {
  const p256 = await loadP256();
  const signature = await parse(der);
  if (!signature.hasHighS()) return der;
  return new p256.Signature(signature.r, p256.Point.Fn.ORDER - signature.s).toBytes('der');
}

/** Whether a DER signature has the high S Fabric refuses (throws MalformedDerSignatureError unless DER). */
export async function hasHighS(der: Uint8Array): Promise<boolean> {
  return (await parse(der)).hasHighS();
}
