// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { X509Certificate as PeculiarCertificate } from '@peculiar/x509';
import type { X509Certificate } from 'node:crypto';

/**
 * The one reader of Fabric's attribute extension: fabric-ca's attrmgr writes the identity's
 * attributes into a non-critical extension with this OID whose value is the raw JSON
 * `{"attrs":{"name":"value",…}}` (network/lib/identity.sh mints our certificates the same way).
 * The gateway reads the econfirm role of an offline identity from it (auth/credentials.store.ts),
 * the evidence verifier the role of a transaction's submitter (clients/evidence ledger/transactions.ts).
 */
export const FABRIC_ATTRIBUTES_OID = '1.2.3.4.5.6.7.8.1';

/** The extension is there but is not `{"attrs":{…}}` with string values. */
export class CertificateAttributesError extends Error {
  override readonly name = 'CertificateAttributesError';
  readonly code = 'INVALID_CERTIFICATE_ATTRIBUTES';
}

/**
 * The Fabric attributes of a certificate (PEM, DER or a node:crypto certificate): `{}` when it has
 * no attribute extension; a CertificateAttributesError when the extension does not hold
 * `{"attrs":{…}}` or an attribute's value is not a string. Only reads: the certificate's issuer and
 * signature are the caller's to check.
 */
export function fabricCertificateAttributes(certificate: string | Uint8Array | X509Certificate): Record<string, string> {
  const input = typeof certificate === 'string' || certificate instanceof Uint8Array ? certificate : new Uint8Array(certificate.raw);
  const extension = new PeculiarCertificate(input).getExtension(FABRIC_ATTRIBUTES_OID);
  if (!extension) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(extension.value).toString('utf8'));
  } catch {
    throw new CertificateAttributesError(`the certificate's attribute extension (${FABRIC_ATTRIBUTES_OID}) is not JSON`);
  }
  const attrs = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as { attrs?: unknown }).attrs : undefined;
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) {
    throw new CertificateAttributesError(`the certificate's attribute extension (${FABRIC_ATTRIBUTES_OID}) holds no {"attrs":{…}} object`);
  }
  const found: Record<string, string> = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value !== 'string') throw new CertificateAttributesError(`the certificate's attribute '${name}' is not a string`);
    found[name] = value;
  }
  return found;
}
