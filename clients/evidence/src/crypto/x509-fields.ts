import { child, readNode } from './der';

/** The raw issuer Name and serialNumber of a certificate, as CMS IssuerAndSerialNumber needs them. */
export function issuerAndSerial(der: Uint8Array): { issuer: Buffer; serial: Buffer } {
  const cert = readNode(Buffer.from(der));
  const tbs = child(cert, 0, 'tbsCertificate');
  // tbsCertificate: [0] version (optional), serialNumber, signature, issuer, ...
  const hasVersion = child(tbs, 0, 'version or serial').tag === 0xa0;
  const serial = child(tbs, hasVersion ? 1 : 0, 'serialNumber', 0x02);
  const issuer = child(tbs, hasVersion ? 3 : 2, 'issuer', 0x30);
  return { issuer: issuer.bytes, serial: serial.bytes };
}
