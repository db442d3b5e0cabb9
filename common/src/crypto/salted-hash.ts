import { createHash, randomBytes } from 'node:crypto';
import { SHA256_HEX } from '../domain/formats';
import { canonicalJson } from '../json/canonical-json';

/**
 * Salted content hashes: the ledger proves *what* was sent without disclosing it. Account numbers
 * and balances are guessable, so an unsalted hash would leak them; the 32-byte salt travels inside
 * the encrypted payload to the named parties only.
 *
 * hash = hex(SHA-256(utf8(canonicalJson({ salt: <hex salt>, value }))))
 */
export const SALT_BYTES = 32;

const HEX_SALT = new RegExp(`^[0-9a-f]{${SALT_BYTES * 2}}$`);

/** A fresh random salt (hex). For clients and gateways only: chaincode never generates randomness. */
export function newSalt(): string {
  return randomBytes(SALT_BYTES).toString('hex');
}

export function saltedHash(value: unknown, saltHex: string): string {
  if (!isSaltHex(saltHex)) throw new Error(`salt must be ${SALT_BYTES} bytes of lowercase hex`);
  return sha256Hex(canonicalJson({ salt: saltHex, value }));
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

export function isSaltHex(value: unknown): value is string {
  return typeof value === 'string' && HEX_SALT.test(value);
}
