import { verify as verifySignature, type X509Certificate } from 'node:crypto';
import { child, children, readNode, Tag } from './der';
import { issuerAndSerial } from './x509-fields';

/** One certificate revocation list (X.509 CRL, RFC 5280 §5), parsed just enough to check serials. */
export interface ParsedCrl {
  /** The CRL issuer's Name, DER (compare with a certificate's issuer). */
  issuer: Buffer;
  /** Revoked serial numbers as the DER INTEGER bytes (tag, length, value). */
  revoked: Set<string>;
  tbs: Buffer;
  signature: Buffer;
}

export function parseCrl(der: Uint8Array): ParsedCrl {
  const list = readNode(Buffer.from(der));
  const tbs = child(list, 0, 'tbsCertList', Tag.Sequence);
  const signatureValue = child(list, 2, 'signatureValue', Tag.BitString);
  const fields = children(tbs);
  // tbsCertList: version (optional INTEGER), signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] extensions?
  let i = fields[0]?.tag === Tag.Integer ? 1 : 0;
  i += 1; // signature algorithm
  const issuer = fields[i];
  if (!issuer || issuer.tag !== Tag.Sequence) throw new Error('CRL has no issuer');
  const revoked = new Set<string>();
  for (const field of fields.slice(i + 2)) {
    if (field.tag !== Tag.Sequence) continue; // times and [0] extensions
    for (const entry of children(field)) {
      const serial = children(entry)[0];
      if (serial?.tag === Tag.Integer) revoked.add(serial.bytes.toString('hex'));
    }
  }
  return { issuer: Buffer.from(issuer.bytes), revoked, tbs: Buffer.from(tbs.bytes), signature: Buffer.from(signatureValue.contents.subarray(1)) };
}

/** PEM "X509 CRL" blocks → DER. */
export function pemCrls(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/g)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

/**
 * Is `certificate` revoked by one of `crls` — a CRL from its issuer (same Name, signature by the
 * issuing certificate's key) listing its serial? CRLs not signed by the issuer are ignored.
 */
export function isRevoked(certificate: Uint8Array, issuer: X509Certificate, crls: readonly ParsedCrl[]): boolean {
  if (crls.length === 0) return false;
  const { issuer: issuerName, serial } = issuerAndSerial(certificate);
  return crls.some((crl) => crl.issuer.equals(issuerName) && crl.revoked.has(serial.toString('hex')) && verifySignature('sha256', crl.tbs, issuer.publicKey, crl.signature));
}
