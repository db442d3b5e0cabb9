import { EncryptedContent, Institution, SHA256_HEX } from '@econfirm/common';
import { FieldReader, invalid } from '../validation/field-reader';

/** A letter with many rows is a few tens of KiB encrypted; anything near this is abuse. */
export const MAX_CIPHERTEXT_CHARS = 512 * 1024;

/**
 * Validates an end-to-end encrypted payload: `contentHash` is a salted SHA-256 (hex) and
 * `ciphertext` a JWE in General JSON Serialization whose recipients include the current
 * encryption key of every institution in `recipients` — so a letter cannot be sent that one of
 * its named parties could not read. The ledger cannot and does not decrypt it.
 */
export function readEncryptedContent(input: FieldReader, recipients: readonly Institution[]): EncryptedContent {
  const contentHash = input.string('contentHash', { pattern: SHA256_HEX, maxLength: 64 });
  const ciphertext = input.string('ciphertext', { maxLength: MAX_CIPHERTEXT_CHARS });
  const field = input.fieldPath('ciphertext');
  const kids = recipientKeyIds(ciphertext, field);
  for (const institution of recipients) {
    if (!kids.has(institution.encryptionKey.kid)) {
      throw invalid(field, `is not encrypted for ${institution.id} (key ${institution.encryptionKey.kid})`);
    }
  }
  return { ciphertext, contentHash };
}

const BASE64URL = { maxLength: MAX_CIPHERTEXT_CHARS, pattern: /^[A-Za-z0-9_-]+$/ };

/**
 * Key ids the JWE is addressed to: each recipient's header kid (node-jose's general format with
 * several recipients), or the protected header's kid when a library merged a lone recipient there.
 */
function recipientKeyIds(ciphertext: string, field: string): Set<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(ciphertext);
  } catch {
    throw invalid(field, 'must be a JWE in General JSON Serialization');
  }
  const jwe = FieldReader.of(parsed, field);
  for (const member of ['iv', 'ciphertext', 'tag']) jwe.string(member, BASE64URL);
  const protectedHeader = jwe.optionalString('protected', BASE64URL);
  const kids = jwe.array('recipients', 1, 64).map((recipient, i) => {
    const header = FieldReader.of(recipient, `${field}.recipients[${i}]`).optionalObject('header');
    return header?.optionalString('kid', { maxLength: 128 });
  });
  if (protectedHeader) kids.push(protectedKid(protectedHeader));
  return new Set(kids.filter((kid): kid is string => kid !== undefined));
}

function protectedKid(encoded: string): string | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}
