import { EncryptedContent, MAX_CIPHERTEXT_CHARS, SHA256_HEX } from '@econfirm/common';
import { FieldReader, invalid } from '../validation/field-reader';

/** Most recipients one JWE may have (parties of a letter, a branch, retired keys: a handful). */
const MAX_RECIPIENTS = 64;

export function readCiphertextAndHash(input: FieldReader): EncryptedContent & { field: string } {
  const contentHash = input.string('contentHash', { pattern: SHA256_HEX, maxLength: 64 });
  const ciphertext = input.string('ciphertext', { maxLength: MAX_CIPHERTEXT_CHARS });
  return { ciphertext, contentHash, field: input.fieldPath('ciphertext') };
}

const BASE64URL = { maxLength: MAX_CIPHERTEXT_CHARS, pattern: /^[A-Za-z0-9_-]+$/ };

/** A General-JSON JWE as the chaincode sees it, without decrypting anything. */
export interface ParsedJwe {
  /** Every top-level member but `recipients` (protected, iv, ciphertext, tag, aad, unprotected…), as given. */
  shared: Record<string, unknown>;
  /** The recipient entries, in order, as given. */
  recipients: unknown[];
  /** Each entry's header kid, in order (undefined when it names none). */
  kids: Array<string | undefined>;
  /** The kid of the protected header: node-jose's place for a lone recipient's kid. */
  protectedKid?: string;
}

/**
 * Parses a JWE in General JSON Serialization: iv, ciphertext and tag base64url, an optional
 * protected header, 1–64 recipient entries. Refused INVALID_ARGUMENT under `field` otherwise.
 */
export function parseGeneralJwe(ciphertext: string, field: string): ParsedJwe {
  let parsed: unknown;
  try {
    parsed = JSON.parse(ciphertext);
  } catch {
    throw invalid(field, 'must be a JWE in General JSON Serialization');
  }
  const jwe = FieldReader.of(parsed, field);
  for (const member of ['iv', 'ciphertext', 'tag']) jwe.string(member, BASE64URL);
  const protectedHeader = jwe.optionalString('protected', BASE64URL);
  const recipients = jwe.array('recipients', 1, MAX_RECIPIENTS);
  const kids = recipients.map((recipient, i) => {
    const header = FieldReader.of(recipient, `${field}.recipients[${i}]`).optionalObject('header');
    return header?.optionalString('kid', { maxLength: 128 });
  });
  const { recipients: _entries, ...shared } = parsed as Record<string, unknown>;
  const protectedKid = protectedHeader ? kidOfProtected(protectedHeader) : undefined;
  return { shared, recipients, kids, ...(protectedKid !== undefined ? { protectedKid } : {}) };
}

function kidOfProtected(encoded: string): string | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}
