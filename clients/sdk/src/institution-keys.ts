import type { InstitutionInput, InstitutionProfile, PublicJwk } from '@econfirm/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** An institution's private keys as its own systems keep them (JWK with `d`). */
export interface InstitutionPrivateKeys {
  institutionId: string;
  encryption: { kid: string; jwk: JsonWebKey };
  /**
   * `x5c`: a certificate chain for the signing public key (base64 DER, leaf first) issued under the
   * institution's org CA — the root its MSP carries in the channel configuration — so its JWS
   * (reply signatures) chains to the channel's MSP configuration (network/identity.sh certify).
   */
  signing: { kid: string; jwk: JsonWebKey; x5c?: string[] };
}

/** The signing public key as SPKI PEM: what the org CA certifies (no private part leaves). */
export function signingPublicKeyPem(keys: InstitutionPrivateKeys): string {
  return createPublicKey(createPrivateKey({ key: keys.signing.jwk, format: 'jwk' })).export({ type: 'spki', format: 'pem' }).toString();
}

/** PEM certificates (a chain file) → base64 DER strings, as JWS x5c carries them. */
export function pemChainToX5c(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => (m[1] ?? '').replace(/\s+/g, ''));
}

function newP256Jwk(): JsonWebKey {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
}

export function publicJwk(jwk: JsonWebKey): PublicJwk {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new Error('expected a P-256 EC JWK');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/** Fresh encryption and signing key pairs for an institution, with key ids the registry accepts. */
export function newInstitutionKeys(institutionId: string, generation = 1): InstitutionPrivateKeys {
  return {
    institutionId,
    encryption: { kid: `${institutionId}-enc-${generation}`, jwk: newP256Jwk() },
    signing: { kid: `${institutionId}-sig-${generation}`, jwk: newP256Jwk() },
  };
}

/** The registration request for a profile and its keys: public halves only ever leave the institution. */
export function registrationInput(profile: InstitutionProfile, keys: InstitutionPrivateKeys): InstitutionInput {
  return {
    ...profile,
    encryptionKey: { kid: keys.encryption.kid, jwk: publicJwk(keys.encryption.jwk) },
    signingKey: { kid: keys.signing.kid, jwk: publicJwk(keys.signing.jwk) },
  };
}

/** A folder of private key files, one per institution, readable by its owner only. */
export class InstitutionKeyStore {
  constructor(readonly dir: string) {}

  private file(institutionId: string): string {
    return path.join(this.dir, `${institutionId}.keys.json`);
  }

  has(institutionId: string): boolean {
    return existsSync(this.file(institutionId));
  }

  load(institutionId: string): InstitutionPrivateKeys {
    return JSON.parse(readFileSync(this.file(institutionId), 'utf8')) as InstitutionPrivateKeys;
  }

  save(keys: InstitutionPrivateKeys): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.file(keys.institutionId), JSON.stringify(keys, null, 2), { mode: 0o600 });
    chmodSync(this.file(keys.institutionId), 0o600);
  }

  /** The stored keys, or new ones saved first: a key is never replaced behind the registry's back. */
  loadOrCreate(institutionId: string): InstitutionPrivateKeys {
    if (this.has(institutionId)) {
      return this.load(institutionId);
    }
    const keys = newInstitutionKeys(institutionId);
    this.save(keys);
    return keys;
  }
}
