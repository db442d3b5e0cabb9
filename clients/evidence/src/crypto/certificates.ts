import { IdentityAttribute } from '@econfirm/common';
import { fabricCertificateAttributes } from '@econfirm/sdk';
import { createHash, type JsonWebKey, type X509Certificate } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { issuedBy, parsedCertificate, perCertificate } from './certificate-cache';
import { isRevoked, type ParsedCrl } from './crl';
import { issuerAndSerial } from './x509-fields';

/** base64 DER (as in JWS x5c) or PEM → DER bytes. */
export function certificateDer(certificate: string | Uint8Array): Buffer {
  if (typeof certificate !== 'string') return Buffer.from(certificate);
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(certificate);
  return Buffer.from((pem ? pem[1] ?? '' : certificate).replace(/\s+/g, ''), 'base64');
}

/** Every certificate in a PEM text (a bundle file or a single certificate). */
export function pemCertificates(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'),
  );
}

export function toPem(der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

export { issuerAndSerial };

export function sha256(bytes: Uint8Array | string): Buffer {
  return createHash('sha256').update(bytes).digest();
}

export interface ChainCheck {
  ok: boolean;
  /** Subject of the leaf. */
  subject: string;
  /** Subject of the trusted root the chain ends in, when it does. */
  root?: string;
  reason?: string;
  /** A certificate of the chain is on its issuer's CRL. */
  revoked?: boolean;
}

/**
 * Does `chain` (leaf first, optional intermediates) lead to one of `roots`, every signature
 * valid and every certificate valid at `at`? The roots are the caller's trust anchors (an MSP's
 * root certificates from the channel configuration), never taken from the chain itself.
 */
export function verifyChain(chain: readonly Uint8Array[], roots: readonly Uint8Array[], at: Date, crls: readonly ParsedCrl[] = []): ChainCheck {
  const certs = chain.map((der) => parsedCertificate(der));
  const anchors = roots.map((der) => parsedCertificate(der));
  const leaf = certs[0];
  if (!leaf) return { ok: false, subject: '', reason: 'no certificate' };
  const subject = leaf.subject.replace(/\n/g, ', ');
  const notValidAt = (cert: X509Certificate) => at < new Date(cert.validFrom) || at > new Date(cert.validTo);
  let current = leaf;
  for (let depth = 0; depth <= certs.length; depth++) {
    if (notValidAt(current)) return { ok: false, subject, reason: `certificate '${current.subject.replace(/\n/g, ', ')}' is not valid at ${at.toISOString()}` };
    const anchor = anchors.find((root) => issuedBy(current, root));
    const from = current;
    const next = anchor ? undefined : certs.slice(1).find((c) => c !== from && issuedBy(from, c) && c.ca);
    const issuer = anchor ?? next;
    if (issuer && isRevoked(current.raw, issuer, crls)) {
      return { ok: false, subject, revoked: true, reason: `certificate '${current.subject.replace(/\n/g, ', ')}' is revoked by its issuer's CRL in the MSP configuration` };
    }
    if (anchor) {
      if (notValidAt(anchor)) return { ok: false, subject, reason: `root '${anchor.subject}' is not valid at ${at.toISOString()}` };
      return { ok: true, subject, root: anchor.subject.replace(/\n/g, ', ') };
    }
    if (!next) return { ok: false, subject, reason: `'${subject}' does not chain to any trusted root (${anchors.length} supplied)` };
    current = next;
  }
  return { ok: false, subject, reason: 'certificate chain loops' };
}

/** The econfirm.institution attribute of certificates, read once per certificate. */
const INSTITUTIONS = new LRUCache<string, { value: string | undefined }>({ max: 1_000 });

const PUBLIC_JWKS = new LRUCache<string, { value: JsonWebKey }>({ max: 1_000 });

/** The public key of a certificate as a JWK (to compare with a registry key), exported once per certificate. */
export function certificatePublicJwk(der: Uint8Array): JsonWebKey {
  return perCertificate(PUBLIC_JWKS, parsedCertificate(der), (c) => c.publicKey.export({ format: 'jwk' }));
}

/** id-kp-documentSigning (RFC 9336) and id-kp-emailProtection, which NSS (pdfsig) asks of a document signer. */
export const EVIDENCE_EKUS = { documentSigning: '1.3.6.1.5.5.7.3.36', emailProtection: '1.3.6.1.5.5.7.3.4' } as const;

/**
 * Why `der` is not the evidence certificate of `institutionId`, or undefined when it is. An evidence
 * certificate is what network/lib/identity.sh (mint_evidence_identity) issues: OU=evidence,
 * extendedKeyUsage documentSigning, and the institution in the Fabric attribute extension
 * (econfirm.institution, read with the SDK's one reader). A Fabric enrollment certificate or a
 * registry signing-key certificate of the same org is not one.
 */
export function evidenceCertificateProblem(der: Uint8Array, institutionId: string): string | undefined {
  const cert = parsedCertificate(der);
  const fields = cert.subject.split('\n');
  const subject = fields.join(', ');
  if (!fields.includes('OU=evidence')) return `'${subject}' is not an evidence certificate (no OU=evidence)`;
  const ekus = cert.keyUsage ?? [];
  if (!ekus.includes(EVIDENCE_EKUS.documentSigning)) return `'${subject}' is not issued for document signing (extendedKeyUsage ${ekus.join(',') || 'absent'})`;
  const institution = perCertificate(INSTITUTIONS, cert, (c) => {
    try {
      return fabricCertificateAttributes(c.raw)[IdentityAttribute.Institution];
    } catch {
      return undefined;
    }
  });
  if (institution !== institutionId) return `'${subject}' is not an evidence certificate of ${institutionId}`;
  return undefined;
}
