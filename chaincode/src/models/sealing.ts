import { canonicalJson, EncryptedContent, ErrorCode, Institution, LedgerError } from '@econfirm/common';
import { FieldReader } from '../validation/field-reader';
import { parseGeneralJwe, readCiphertextAndHash, ParsedJwe } from './encrypted-content';

/**
 * "Sealed when the right arises" (chaincode/README.md, Privacy design): every member's peer serves
 * every block, so content sealed to a party in a transaction is readable by it from then on. A
 * confirmation's content is therefore sealed to exactly the parties that may read it at that
 * step — letters to firm and client at issue, replies to firm and responder — and widened later
 * by appending recipients that wrap the same content key: the responder (and the addressed
 * branch) at the client's authorization, the client at the auditor's acceptance.
 *
 * The ledger cannot decrypt, so these are checks of the JWE's structure against registry kids: a
 * recipient entry is named by its header kid, which its author chose. They stop the honest
 * mistake and a careless gateway; the one who seals (the firm, the authorizing client, the
 * responder) holds the plaintext and could always hand it out off the ledger.
 */

export function recipientsRefused(field: string, problem: string): LedgerError {
  return new LedgerError(ErrorCode.RecipientsRefused, `${field}: ${problem}`);
}

/** Kids of the parties, in order, once each (an institution appears once however often it is named). */
function partyKids(parties: readonly Institution[]): Map<string, string> {
  return new Map(parties.map((party) => [party.encryptionKey.kid, party.id]));
}

/** Each entry's kid; an entry that names none, or a kid in the protected header, leaves the recipients unknowable. */
function entryKids(jwe: ParsedJwe, field: string, from = 0): string[] {
  if (jwe.protectedKid !== undefined) throw recipientsRefused(field, 'names a kid in the protected header: each recipient must name its own');
  return jwe.kids.slice(from).map((kid, i) => {
    if (kid === undefined) throw recipientsRefused(`${field}.recipients[${from + i}]`, 'names no kid: its recipient cannot be checked');
    return kid;
  });
}

/** `kids` are exactly the `expected` ones: none missing, none extra, none twice. */
function requireExactly(kids: readonly string[], expected: ReadonlyMap<string, string>, field: string, what: string): void {
  const seen = new Set<string>();
  for (const kid of kids) {
    if (seen.has(kid)) throw recipientsRefused(field, `${what} key ${kid} twice`);
    seen.add(kid);
    if (!expected.has(kid)) throw recipientsRefused(field, `${what} key ${kid}, which is none of ${describe(expected)}: that party may not read it now`);
  }
  for (const [kid, id] of expected) {
    if (!seen.has(kid)) throw recipientsRefused(field, `${what} no key of ${id} (its current key is ${kid})`);
  }
}

function describe(expected: ReadonlyMap<string, string>): string {
  return expected.size === 0 ? 'nothing' : [...expected].map(([kid, id]) => `${id} (${kid})`).join(', ');
}

/**
 * Reads `{ ciphertext, contentHash }` sealed to exactly `parties`' current registry keys, no
 * one else: Issue and Resend (firm, client), PrepareReply (firm, responder).
 */
export function readSealedExactlyFor(input: FieldReader, parties: readonly Institution[]): EncryptedContent {
  const { ciphertext, contentHash, field } = readCiphertextAndHash(input);
  requireExactly(entryKids(parseGeneralJwe(ciphertext, field), field), partyKids(parties), field, 'is sealed to');
  return { ciphertext, contentHash };
}

/**
 * Sealed content of the other ledgers' records — mortgages, receivables, payment batches,
 * cross-check summaries: exactly `{ciphertext, contentHash}`, sealed to exactly `parties`' current
 * registry keys, as a letter is (every new ledger follows "sealed when the right arises": a key of
 * anyone else in the JWE would let that member read it from the block, brief rule 4).
 */
export function readSealed(reader: FieldReader, parties: readonly Institution[]): EncryptedContent {
  return readSealedExactlyFor(reader.allowOnly(['ciphertext', 'contentHash']), parties);
}

/** The shape of sealed content, its recipients not yet checked: for a request's fingerprint before its parties are known. */
export function readSealedShape(reader: FieldReader): EncryptedContent {
  const { ciphertext, contentHash, field } = readCiphertextAndHash(reader.allowOnly(['ciphertext', 'contentHash']));
  parseGeneralJwe(ciphertext, field);
  return { ciphertext, contentHash };
}

/**
 * The widened `ciphertext` of `sealed`: the same JWE — every member but `recipients` (protected
 * header, iv, ciphertext, tag, aad…) unchanged, the existing recipient entries unchanged and in
 * the same order — with exactly `added`'s current registry keys appended, nothing else. Keys
 * `sealed` already names are not appended again (a letter sealed before this rule already
 * names its responder). The content hash stays the ledger's.
 */
export function readWidened(ciphertext: string, field: string, sealed: EncryptedContent, added: readonly Institution[]): EncryptedContent {
  const before = parseGeneralJwe(sealed.ciphertext, field);
  const after = parseGeneralJwe(ciphertext, field);
  const names = [...new Set([...Object.keys(before.shared), ...Object.keys(after.shared)])].sort();
  for (const name of names) {
    if (canonicalJson(before.shared[name] ?? null) !== canonicalJson(after.shared[name] ?? null) || (name in before.shared) !== (name in after.shared)) {
      throw recipientsRefused(field, `changes the JWE's ${name}: only recipients may be appended`);
    }
  }
  if (after.recipients.length < before.recipients.length) throw recipientsRefused(field, `drops recipients: it has ${after.recipients.length}, the sealed content ${before.recipients.length}`);
  before.recipients.forEach((entry, i) => {
    if (canonicalJson(entry) !== canonicalJson(after.recipients[i])) {
      throw recipientsRefused(`${field}.recipients[${i}]`, 'differs from the sealed content\'s entry: existing recipients stay unchanged and in order');
    }
  });
  const present = new Set(before.kids);
  const expected = new Map([...partyKids(added)].filter(([kid]) => !present.has(kid)));
  const appended = entryKids(after, field, before.recipients.length);
  after.recipients.slice(before.recipients.length).forEach((entry, i) => {
    FieldReader.of(entry, `${field}.recipients[${before.recipients.length + i}]`).string('encrypted_key', { maxLength: 1024, pattern: /^[A-Za-z0-9_-]+$/ });
  });
  requireExactly(appended, expected, field, 'appends');
  return { ciphertext, contentHash: sealed.contentHash };
}
