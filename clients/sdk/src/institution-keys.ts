import type { Institution, InstitutionInput, InstitutionProfile, PublicJwk } from '@econfirm/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { signRegistryConsent } from './registry-consent';

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
  /**
   * Private keys replaced by rotation (RotateInstitutionKeys), oldest first, so content sealed to
   * an old kid stays readable. Absent in files written before rotation existed (= none).
   */
  retired?: RetiredPrivateKey[];
  /**
   * New keys of a rotation the registry has not confirmed yet: written before RotateInstitutionKeys
   * is submitted, promoted when the registry shows their kids, so a crash between the two loses
   * no key and a re-run finishes the same rotation.
   */
  pending?: { encryption: { kid: string; jwk: JsonWebKey }; signing: { kid: string; jwk: JsonWebKey }; createdAt: string };
}

/** A private key the institution rotated away from, kept to open (or re-verify) what was sealed to it. */
export interface RetiredPrivateKey {
  use: 'encryption' | 'signing';
  kid: string;
  jwk: JsonWebKey;
  x5c?: string[];
  retiredAt: string;
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

/**
 * The private encryption key of `kid` among the institution's current, retired and pending keys:
 * what opens a JWE whose recipient header names that kid.
 */
export function encryptionKeyByKid(keys: InstitutionPrivateKeys, kid: string): { kid: string; jwk: JsonWebKey } | undefined {
  if (keys.encryption.kid === kid) return keys.encryption;
  if (keys.pending?.encryption.kid === kid) return keys.pending.encryption;
  const retired = keys.retired?.find((k) => k.use === 'encryption' && k.kid === kid);
  return retired ? { kid: retired.kid, jwk: retired.jwk } : undefined;
}

/** Every kid the store knows for the institution (current, retired, pending). */
export function knownKids(keys: InstitutionPrivateKeys): string[] {
  return [keys.encryption.kid, keys.signing.kid, ...(keys.retired ?? []).map((k) => k.kid), ...(keys.pending ? [keys.pending.encryption.kid, keys.pending.signing.kid] : [])];
}

/**
 * The generation after every one in `kids` (`<id>-enc-<n>` / `<id>-sig-<n>`; other kids count as
 * 0): the registry never accepts a kid twice, so a rotation must not reuse a retired one.
 */
export function nextKeyGeneration(kids: readonly string[]): number {
  let highest = 0;
  for (const kid of kids) {
    const n = /-(?:enc|sig)-(\d+)$/.exec(kid)?.[1];
    if (n !== undefined) highest = Math.max(highest, Number(n));
  }
  return highest + 1;
}

/** `keys` with new key pairs staged as `pending`, numbered after every kid in `alsoTaken` and the store's own. */
export function stageKeyRotation(keys: InstitutionPrivateKeys, alsoTaken: readonly string[] = [], now = new Date()): InstitutionPrivateKeys {
  const fresh = newInstitutionKeys(keys.institutionId, nextKeyGeneration([...knownKids(keys), ...alsoTaken]));
  return { ...keys, pending: { encryption: fresh.encryption, signing: fresh.signing, createdAt: now.toISOString() } };
}

/** The RotateInstitutionKeys argument for the staged keys: public halves only. */
export function rotationInput(keys: InstitutionPrivateKeys): { encryptionKey: { kid: string; jwk: PublicJwk }; signingKey: { kid: string; jwk: PublicJwk } } {
  if (!keys.pending) throw new Error(`no rotation is staged for ${keys.institutionId}`);
  return {
    encryptionKey: { kid: keys.pending.encryption.kid, jwk: publicJwk(keys.pending.encryption.jwk) },
    signingKey: { kid: keys.pending.signing.kid, jwk: publicJwk(keys.pending.signing.jwk) },
  };
}

/** The staged keys become current and the current ones retired (the registry has rotated). */
export function completeKeyRotation(keys: InstitutionPrivateKeys, now = new Date()): InstitutionPrivateKeys {
  const { pending, ...rest } = keys;
  if (!pending) throw new Error(`no rotation is staged for ${keys.institutionId}`);
  const retiredAt = now.toISOString();
  const retired: RetiredPrivateKey[] = [
    ...(keys.retired ?? []),
    { use: 'encryption', kid: keys.encryption.kid, jwk: keys.encryption.jwk, retiredAt },
    { use: 'signing', kid: keys.signing.kid, jwk: keys.signing.jwk, ...(keys.signing.x5c ? { x5c: keys.signing.x5c } : {}), retiredAt },
  ];
  return { ...rest, encryption: pending.encryption, signing: pending.signing, retired };
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

  /** Written whole or not at all (temp file + rename): a crash mid-write must not lose a key. */
  save(keys: InstitutionPrivateKeys): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const target = this.file(keys.institutionId);
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(keys, null, 2), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, target);
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

/** What a key rotation needs from the ledger: the registry record and a RotateInstitutionKeys submitter. */
export interface KeyRotationLedger {
  read(institutionId: string): Promise<Institution>;
  /**
   * Submits RotateInstitutionKeys(id, input, consent) (registry writes: the operator's admin; the
   * consent: the institution's JWS by its current signing key) and returns the new record.
   */
  rotate(institutionId: string, input: ReturnType<typeof rotationInput>, consent: string): Promise<Institution>;
}

export interface KeyRotationOutcome {
  institution: Institution;
  keys: InstitutionPrivateKeys;
  /** The registry already showed the staged keys (an earlier run was interrupted after submitting). */
  resumed: boolean;
  /**
   * With `submit: false`: the institution's consent to the staged rotation, for the operator to
   * submit with it. Good for the record version read now only: after any other write to the
   * record, stage again for a fresh one.
   */
  consent?: string;
}

/** Thrown when the registry's current keys are not the store's: rotating would retire keys we cannot vouch for. */
export class KeyStoreMismatchError extends Error {
  readonly code = 'KEY_STORE_MISMATCH';
}

/**
 * Rotates an institution's keys as its owner: stage new key pairs in the store (saved first),
 * submit their public halves with RotateInstitutionKeys, then make them current and keep the old
 * private keys as retired — content sealed to the old kids stays readable. Re-running after an
 * interruption finishes the staged rotation (promotes it if the registry shows it, else submits
 * the same keys again); a refused submission leaves it staged for the next run.
 * `submit: false` only stages (the operator submits `rotationInput(keys)` with `consent` elsewhere; run again to finish).
 */
export async function rotateStoredKeys(store: InstitutionKeyStore, institutionId: string, ledger: KeyRotationLedger, options: { submit?: boolean } = {}): Promise<KeyRotationOutcome> {
  let keys = store.load(institutionId);
  const record = await ledger.read(institutionId);
  const shows = (k: { encryption: { kid: string }; signing: { kid: string } }) => record.encryptionKey.kid === k.encryption.kid && record.signingKey.kid === k.signing.kid;
  if (keys.pending && shows(keys.pending)) {
    keys = completeKeyRotation(keys);
    store.save(keys);
    return { institution: record, keys, resumed: true };
  }
  if (!keys.pending) {
    if (!shows(keys)) {
      throw new KeyStoreMismatchError(`the registry's keys of ${institutionId} (${record.encryptionKey.kid}, ${record.signingKey.kid}) are not the ones in ${store.dir} (${keys.encryption.kid}, ${keys.signing.kid})`);
    }
    keys = stageKeyRotation(keys, [record.encryptionKey.kid, record.signingKey.kid, ...record.retiredKeys.map((k) => k.kid)]);
    store.save(keys);
  }
  const input = rotationInput(keys);
  // The current signing key consents (chaincode models/registry-consent.ts): the operator cannot rotate without it.
  const consent = await signRegistryConsent({ action: 'RotateInstitutionKeys', institutionId, basis: record.updatedAt, change: input }, keys.signing);
  if (options.submit === false) return { institution: record, keys, resumed: false, consent };
  const institution = await ledger.rotate(institutionId, input, consent);
  keys = completeKeyRotation(keys);
  store.save(keys);
  return { institution, keys, resumed: false };
}
