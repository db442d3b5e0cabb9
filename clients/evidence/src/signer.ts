import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { JsonWebKey } from 'node:crypto';
import { certificateDer, pemCertificates } from './crypto/certificates';
import { es256PrivateKey, type Es256PrivateKey } from './crypto/es256';

/**
 * An institution's evidence signer: a P-256 key and its certificate chain (leaf first) issued by
 * the institution's org CA — the root its MSP definition in the channel configuration carries.
 */
export interface EvidenceSigner {
  institutionId: string;
  key: Es256PrivateKey;
  chain: Buffer[];
  /** kid written into JWS headers. */
  kid: string;
}

export function evidenceSigner(institutionId: string, key: JsonWebKey | string, chain: readonly (string | Uint8Array)[], kid = `${institutionId}-evidence`): EvidenceSigner {
  const certs = chain.flatMap((c) => (typeof c === 'string' && c.includes('BEGIN CERTIFICATE') ? pemCertificates(c) : [certificateDer(c)]));
  if (certs.length === 0) throw new Error('an evidence signer needs its certificate');
  return { institutionId, key: es256PrivateKey(key), chain: certs, kid };
}

/** From PEM files: the private key and a certificate file (leaf, then any chain). */
export function evidenceSignerFromFiles(institutionId: string, keyFile: string, certFiles: readonly string[]): EvidenceSigner {
  return evidenceSigner(institutionId, readFileSync(keyFile, 'utf8'), certFiles.map((f) => readFileSync(f, 'utf8')));
}

/**
 * The evidence signer network/identity.sh minted for an institution (demo custody):
 * <network dir>/evidence/<org>/<institution>/{key.pem, chain.pem}.
 */
export function evidenceSignerFromNetwork(networkDir: string, orgKey: string, institutionId: string): EvidenceSigner {
  const dir = path.join(networkDir, 'evidence', orgKey, institutionId);
  if (!existsSync(path.join(dir, 'chain.pem'))) {
    throw new Error(`no evidence certificate for ${institutionId} in ${dir}: run network/identity.sh evidence ${orgKey} ${institutionId}`);
  }
  return evidenceSignerFromFiles(institutionId, path.join(dir, 'key.pem'), [path.join(dir, 'chain.pem')]);
}
