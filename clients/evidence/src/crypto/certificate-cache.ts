import { LRUCache } from 'lru-cache';
import { X509Certificate } from 'node:crypto';

/**
 * What a verifier computes again and again about the same few certificates — every evidence PDF of
 * a firm carries the same chain, every bank's reply the same one — kept per process. Only pure
 * functions of the certificates' bytes are kept: the parsed certificate, "B issued A and its
 * signature on A verifies with B's key", a certificate's Fabric attributes. What trust depends on —
 * which roots the verifier chose, the CRLs, the time of the check — is decided by every call
 * (verifyChain), so no verdict is ever taken from a cache; entries are keyed by the exact bytes a
 * document carries (the DER, or its SHA-256 fingerprint), never by what it says about them.
 */
const PARSED = new LRUCache<string, X509Certificate>({ max: 2_000 });
const ISSUED = new LRUCache<string, boolean>({ max: 4_000 });

function derKey(der: Uint8Array): string {
  return Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
}

/** The parsed certificate of `der` (node:crypto's X509Certificate is immutable, so one may be shared). */
export function parsedCertificate(der: Uint8Array): X509Certificate {
  const key = derKey(der);
  let cert = PARSED.get(key);
  if (!cert) {
    cert = new X509Certificate(Buffer.from(der));
    PARSED.set(key, cert);
  }
  return cert;
}

/** Did `issuer` issue `cert` (names and key identifiers match) and does its key verify `cert`'s signature? */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  const key = `${cert.fingerprint256}<${issuer.fingerprint256}`;
  let issued = ISSUED.get(key);
  if (issued === undefined) {
    issued = cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
    ISSUED.set(key, issued);
  }
  return issued;
}

/** A value derived from a certificate alone (e.g. its Fabric attributes), computed once per certificate. */
export function perCertificate<T>(cache: LRUCache<string, { value: T }>, cert: X509Certificate, derive: (cert: X509Certificate) => T): T {
  const key = cert.fingerprint256;
  let entry = cache.get(key);
  if (!entry) {
    entry = { value: derive(cert) };
    cache.set(key, entry);
  }
  return entry.value;
}
