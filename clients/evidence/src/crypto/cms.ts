import { createHash, verify as verifySignature, type X509Certificate } from 'node:crypto';
import { parsedCertificate } from './certificate-cache';
import { certificateDer, issuerAndSerial, sha256 } from './certificates';
import { child, children, contextTag, decodeOid, DerError, octetString, oid, readNode, sequence, setOf, smallInteger, Tag, tlv, type DerNode } from './der';
import { rawToDerSignature, signEs256Raw, type Es256PrivateKey } from './es256';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

const sha256Algorithm = () => sequence(oid(OID.sha256));
const attribute = (type: string, value: Uint8Array) => sequence(oid(type), setOf(value));

/**
 * CMS SignedData (RFC 5652) for a PAdES baseline B-B signature (ETSI EN 319 142-1): detached
 * content, signed attributes content-type, message-digest and ESS signing-certificate-v2 (which
 * binds the signer's certificate), no signing-time attribute (PAdES puts the time in the
 * signature dictionary's /M), ECDSA with SHA-256, the certificate chain included.
 */
export async function signDetachedCms(contentDigest: Uint8Array, chain: readonly Uint8Array[], key: Es256PrivateKey): Promise<Buffer> {
  const leaf = chain[0];
  if (!leaf) throw new Error('a signing certificate is required');
  const { issuer, serial } = issuerAndSerial(leaf);
  // ESSCertIDv2 with the default hash (SHA-256) omitted, as DER requires for a DEFAULT value.
  const signingCertificate = sequence(sequence(sequence(octetString(sha256(leaf)))));
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octetString(contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificate),
  ];
  const signedAttributesSet = setOf(...attributes);
  const signature = rawToDerSignature(await signEs256Raw(signedAttributesSet, key));
  const signerInfo = sequence(
    smallInteger(1),
    sequence(issuer, serial),
    sha256Algorithm(),
    // [0] IMPLICIT SET OF Attribute: same contents as the SET that was signed.
    tlv(contextTag(0), readNode(signedAttributesSet).contents),
    sequence(oid(OID.ecdsaWithSha256)),
    octetString(signature),
  );
  const signedData = sequence(
    smallInteger(1),
    setOf(sha256Algorithm()),
    sequence(oid(OID.data)),
    tlv(contextTag(0), ...chain.map((c) => Buffer.from(c))),
    setOf(signerInfo),
  );
  return sequence(oid(OID.signedData), tlv(contextTag(0), signedData));
}

export interface CmsSignerCheck {
  /** Certificates carried in the CMS, leaf (the signer's) first. */
  chain: Buffer[];
  signer?: X509Certificate;
  digestMatches: boolean;
  signatureValid: boolean;
  signingCertificateBound: boolean;
  problems: string[];
}

function attributeValue(attributes: DerNode[], type: string): DerNode | undefined {
  const found = attributes.find((a) => decodeOid(child(a, 0, 'attribute type', Tag.Oid)) === type);
  return found ? child(child(found, 1, 'attribute values', Tag.Set), 0, 'attribute value') : undefined;
}

/**
 * Checks a detached CMS SignedData over `signedContent`: message digest, the signer's signature over
 * the signed attributes, and that signing-certificate-v2 names the certificate that verified. The
 * chain of trust is a separate check (verifyChain) against roots the caller trusts.
 */
export function verifyDetachedCms(cmsDer: Buffer, signedContent: Uint8Array): CmsSignerCheck {
  const result: CmsSignerCheck = { chain: [], digestMatches: false, signatureValid: false, signingCertificateBound: false, problems: [] };
  try {
    const contentInfo = readNode(cmsDer);
    if (decodeOid(child(contentInfo, 0, 'contentType', Tag.Oid)) !== OID.signedData) throw new DerError('not a CMS SignedData');
    const signedData = child(child(contentInfo, 1, 'content', contextTag(0)), 0, 'SignedData', Tag.Sequence);
    const parts = children(signedData);
    const certificates = parts.find((p) => p.tag === contextTag(0));
    const signerInfos = parts[parts.length - 1];
    if (!certificates || !signerInfos || signerInfos.tag !== Tag.Set) throw new DerError('SignedData lacks certificates or signerInfos');
    const certs = children(certificates).map((c) => Buffer.from(c.bytes));
    const infos = children(signerInfos);
    if (infos.length !== 1) throw new DerError(`expected one SignerInfo, found ${infos.length}`);
    const info = infos[0] as DerNode;
    const [, sid, digestAlgorithm, signedAttrs, signatureAlgorithm, signatureValue] = children(info);
    if (!sid || !digestAlgorithm || !signedAttrs || !signatureAlgorithm || !signatureValue) throw new DerError('SignerInfo is incomplete');
    if (signedAttrs.tag !== contextTag(0)) throw new DerError('SignerInfo has no signed attributes');
    if (decodeOid(child(digestAlgorithm, 0, 'digest algorithm')) !== OID.sha256) throw new DerError('digest algorithm is not SHA-256');
    const sigAlg = decodeOid(child(signatureAlgorithm, 0, 'signature algorithm'));
    const signerDer = certs.find((der) => {
      const { issuer, serial } = issuerAndSerial(der);
      return Buffer.concat([issuer, serial]).equals(Buffer.from(sid.contents));
    });
    if (!signerDer) throw new DerError('the signer certificate is not in the CMS');
    result.chain = [signerDer, ...certs.filter((c) => c !== signerDer)];
    result.signer = parsedCertificate(signerDer);
    const attributes = children(signedAttrs);
    const digest = attributeValue(attributes, OID.messageDigest);
    const expected = createHash('sha256').update(signedContent).digest();
    result.digestMatches = digest !== undefined && digest.tag === Tag.OctetString && expected.equals(digest.contents);
    if (!result.digestMatches) result.problems.push('message digest does not match the signed byte ranges');
    const contentType = attributeValue(attributes, OID.contentType);
    if (!contentType || decodeOid(contentType) !== OID.data) result.problems.push('content-type attribute missing or not id-data');
    // The signature covers the DER SET OF the attributes: the [0] tag re-tagged as SET.
    const signedBytes = Buffer.concat([Buffer.from([Tag.Set]), signedAttrs.bytes.subarray(1)]);
    const hash = sigAlg === OID.ecdsaWithSha256 ? 'sha256' : sigAlg === '1.2.840.113549.1.1.11' ? 'sha256' : undefined;
    if (!hash) throw new DerError(`unsupported signature algorithm ${sigAlg}`);
    result.signatureValid = verifySignature(hash, signedBytes, result.signer.publicKey, signatureValue.contents);
    if (!result.signatureValid) result.problems.push("the CMS signature does not verify with the signer's certificate");
    const essCert = attributeValue(attributes, OID.signingCertificateV2);
    if (essCert) {
      const firstCertId = child(child(essCert, 0, 'certs'), 0, 'ESSCertIDv2');
      const hashNode = children(firstCertId).find((n) => n.tag === Tag.OctetString);
      result.signingCertificateBound = hashNode !== undefined && sha256(signerDer).equals(hashNode.contents);
    }
    if (!result.signingCertificateBound) result.problems.push('signing-certificate-v2 attribute missing or names another certificate');
  } catch (err) {
    result.problems.push(`malformed CMS: ${(err as Error).message}`);
  }
  return result;
}

export { certificateDer };
