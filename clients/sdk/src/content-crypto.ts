import { canonicalJson, newSalt, saltedHash, sha256Hex, type EncryptedContent, type Institution, type ReplyConclusion } from '@econfirm/common';
import type { JsonWebKey } from 'node:crypto';
import * as jose from 'node-jose';
import { encryptionKeyByKid, type InstitutionPrivateKeys } from './institution-keys';

/**
 * Content crypto of the privacy design (chaincode/README.md): letters and replies travel as
 * multi-recipient JWE to the named institutions' registry keys, the ledger keeps only the
 * ciphertext and a salted hash, and the responder signs its reply with a compact JWS. One
 * implementation, used by the gateway, evidence export and tests.
 */

/** What travels inside the JWE: the content, the salt of its on-ledger hash and, for replies, the responder's JWS. */
export interface SealedPayload<T> {
  content: T;
  salt: string;
  /** Replies only: the responder's compact JWS over { confirmationId, conclusion, contentHash }. */
  signature?: string;
}

/** A recipient as the sender takes it from the registry: current encryption kid and public JWK. */
export interface Recipient {
  kid: string;
  jwk: object;
}

/** An institution's private key as its own systems hold it. */
export interface PrivateKeyRef {
  kid: string;
  jwk: JsonWebKey;
}

/** The signing key, with the certificate chain (base64 DER, leaf first) its org CA issued, if any. */
export interface SigningKeyRef extends PrivateKeyRef {
  x5c?: string[];
}

export function recipientOf(institution: Institution): Recipient {
  return { kid: institution.encryptionKey.kid, jwk: institution.encryptionKey.jwk };
}

/**
 * Multi-recipient JWE exactly as chaincode/README.md prescribes: General JSON, A256GCM content,
 * only `enc` protected, ECDH-ES+A256KW per recipient with its kid in the recipient header.
 */
export async function encryptFor(recipients: readonly Recipient[], payload: unknown): Promise<string> {
  if (recipients.length === 0) throw new Error('encryptFor needs at least one recipient');
  const keys = await Promise.all(recipients.map((r) => jose.JWK.asKey({ ...r.jwk, kid: r.kid, alg: 'ECDH-ES+A256KW', use: 'enc' })));
  const encrypter = jose.JWE.createEncrypt(
    { format: 'general', contentAlg: 'A256GCM', protect: ['enc'] },
    // node-jose takes { key, header } recipient descriptors; @types/node-jose only declares keys.
    keys.map((key) => ({ key, header: { alg: 'ECDH-ES+A256KW' } })) as unknown as jose.JWK.Key[],
  );
  const jwe: unknown = await encrypter.update(Buffer.from(canonicalJson(payload), 'utf8')).final();
  return JSON.stringify(jwe);
}

/** Salt, hash and encrypt `content` for the recipients: what Issue / Resend receive as `letter`. */
export async function seal<T>(content: T, recipients: readonly Recipient[]): Promise<EncryptedContent> {
  const salt = newSalt();
  const payload: SealedPayload<T> = { content, salt };
  return { ciphertext: await encryptFor(recipients, payload), contentHash: saltedHash(content, salt) };
}

/** A General-JSON JWE as node-jose writes it: shared members and one entry per recipient. */
interface GeneralJwe {
  protected?: string;
  iv: string;
  ciphertext: string;
  tag: string;
  recipients: Array<{ header?: Record<string, unknown>; encrypted_key?: string }>;
  [member: string]: unknown;
}

/**
 * Seals existing content to more recipients without changing it: the holder of one recipient key
 * unwraps the content key and wraps that same key for each new recipient. Protected header, iv,
 * ciphertext, tag and the existing recipient entries stay byte for byte, so the salted hash on the
 * ledger still holds and a chaincode can check that only recipients were appended. It is the
 * building block of "sealed when the right arises" (chaincode/README.md, Privacy design): the
 * client adds the responder (and addressed branch) at authorization (ClientAuthorize
 * `letterCiphertext`), the firm adds the client at acceptance (AuditorAccept `replyCiphertext`).
 * Recipients already addressed are skipped.
 *
 * node-jose does the crypto: decryption checks the tag (the content is genuine and the key ours),
 * the unwrap is the recipient key's own, and the new entries come from an encrypter given the
 * same content key (its `cek` option); only their recipient entries are kept.
 */
export async function addRecipients(ciphertext: string, keys: InstitutionPrivateKeys, added: readonly Recipient[]): Promise<string> {
  const jwe = JSON.parse(ciphertext) as GeneralJwe;
  const present = new Set(recipientKids(ciphertext));
  const fresh = [...new Map(added.filter((r) => !present.has(r.kid)).map((r) => [r.kid, r])).values()];
  if (fresh.length === 0) return ciphertext;
  const own = jwe.recipients.find((r) => typeof r.header?.kid === 'string' && encryptionKeyByKid(keys, r.header.kid) !== undefined);
  const ownKid = own?.header?.kid as string | undefined;
  const key = ownKid === undefined ? undefined : encryptionKeyByKid(keys, ownKid);
  if (!own || !key) throw new Error(`the content is not addressed to any key ${keys.institutionId} holds`);
  const keystore = jose.JWK.createKeyStore();
  const privateKey = await keystore.add({ ...key.jwk, kid: key.kid, alg: 'ECDH-ES+A256KW', use: 'enc' }, 'json');
  // Whole decryption first: a tampered JWE (or one whose entry for us is not the content key) is refused here.
  // (node-jose rewrites the headers of the object it is given: it gets its own copy.)
  await jose.JWE.createDecrypt(keystore).decrypt(JSON.parse(ciphertext) as unknown as string);
  const protectedHeader = jwe.protected ? (JSON.parse(Buffer.from(jwe.protected, 'base64url').toString('utf8')) as Record<string, unknown>) : {};
  const header: Record<string, unknown> = { ...own.header, ...protectedHeader };
  // node-jose's decrypter reads the ephemeral key this way before unwrapping (node-jose/lib/jwe/decrypt.js).
  if (header.epk) header.epk = ((await jose.JWK.asKey(header.epk as object)) as unknown as { toObject(priv: boolean): object }).toObject(false);
  const unwrap = (privateKey as unknown as { unwrap(alg: string, data: Buffer, props: object): Promise<Buffer> }).unwrap.bind(privateKey);
  const cek = await unwrap(String(header.alg), Buffer.from(own.encrypted_key ?? '', 'base64url'), header);
  const wrappingKeys = await Promise.all(fresh.map((r) => jose.JWK.asKey({ ...r.jwk, kid: r.kid, alg: 'ECDH-ES+A256KW', use: 'enc' })));
  const encrypter = jose.JWE.createEncrypt(
    // `cek` (the existing content key) is a node-jose option its typings do not declare; given one,
    // node-jose takes `enc` from the fields, not from contentAlg.
    { format: 'general', fields: { enc: 'A256GCM' }, protect: ['enc'], cek: { kty: 'oct', k: cek.toString('base64url') } } as jose.JWE.EncryptOptions,
    wrappingKeys.map((k) => ({ key: k, header: { alg: 'ECDH-ES+A256KW' } })) as unknown as jose.JWK.Key[],
  );
  const carrier = (await encrypter.update(Buffer.alloc(0)).final()) as unknown as GeneralJwe;
  return JSON.stringify({ ...jwe, recipients: [...jwe.recipients, ...carrier.recipients] });
}

/** The kids a General-JSON JWE is addressed to (recipient headers), without decrypting it. */
export function recipientKids(ciphertext: string): string[] {
  const jwe = JSON.parse(ciphertext) as { recipients?: Array<{ header?: { kid?: unknown } }> };
  return (jwe.recipients ?? []).map((r) => r.header?.kid).filter((kid): kid is string => typeof kid === 'string');
}

/**
 * Decrypts with one institution's private encryption key and checks the salted hash.
 *
 * The key goes in a key store so node-jose unwraps only the recipient entry whose kid is ours.
 * Given a bare key, node-jose tries it on every recipient in turn, and its AES-KW integrity check
 * compares the unwrapped IV as UTF-8 strings: about once in two thousand tries another
 * recipient's entry "unwraps" to garbage and the whole decryption fails (node-jose 2.2.0).
 */
export async function open<T>(sealed: EncryptedContent, kid: string, privateJwk: JsonWebKey): Promise<SealedPayload<T>> {
  const keystore = jose.JWK.createKeyStore();
  await keystore.add({ ...privateJwk, kid, alg: 'ECDH-ES+A256KW', use: 'enc' }, 'json');
  // General JSON must be passed parsed (a string is read as compact); the typings only declare strings.
  const result = await jose.JWE.createDecrypt(keystore).decrypt(JSON.parse(sealed.ciphertext) as unknown as string);
  const payload = JSON.parse(result.plaintext.toString('utf8')) as SealedPayload<T>;
  if (saltedHash(payload.content, payload.salt) !== sealed.contentHash) {
    throw new Error('decrypted content does not match the salted hash on the ledger');
  }
  return payload;
}

/**
 * Opens content with whichever of the institution's private keys (current, retired by rotation,
 * or staged) the JWE names as a recipient; throws when none is addressed.
 */
export async function openWithKeys<T>(sealed: EncryptedContent, keys: InstitutionPrivateKeys): Promise<SealedPayload<T>> {
  for (const kid of recipientKids(sealed.ciphertext)) {
    const key = encryptionKeyByKid(keys, kid);
    if (key) return open<T>(sealed, key.kid, key.jwk);
  }
  throw new Error(`the content is not addressed to any key ${keys.institutionId} holds`);
}

/** What the responder's JWS signs (shared-design: canonical JSON of exactly these three fields). */
export interface ReplySignatureClaims {
  confirmationId: string;
  conclusion: ReplyConclusion;
  /** The salted hash the ledger records for the reply content. */
  contentHash: string;
}

export interface SignedReply {
  jws: string;
  /** sha256 hex of the compact JWS: the ledger's `signatureHash`. */
  signatureHash: string;
}

/** The responder's compact JWS (ES256, kid, x5c when its org CA certified the key) and its sha256. */
export async function signReply(claims: ReplySignatureClaims, key: SigningKeyRef): Promise<SignedReply> {
  const jwk = await jose.JWK.asKey({ ...key.jwk, kid: key.kid, alg: 'ES256', use: 'sig' }, 'json');
  const fields: Record<string, unknown> = { alg: 'ES256', kid: key.kid };
  if (key.x5c && key.x5c.length > 0) fields.x5c = key.x5c;
  const payload = canonicalJson({ confirmationId: claims.confirmationId, conclusion: claims.conclusion, contentHash: claims.contentHash });
  const jws = (await jose.JWS.createSign({ format: 'compact', fields }, jwk).update(payload, 'utf8').final()) as unknown as string;
  return { jws, signatureHash: sha256Hex(jws) };
}

export interface VerifiedReplySignature {
  kid: string;
  claims: ReplySignatureClaims;
  x5c?: string[];
}

/**
 * Verifies a reply JWS with the responder's public signing JWK (from the registry, current or
 * retired under the same kid) and, when `expected` is given, that it signs exactly those claims.
 * Throws on any mismatch: a reply whose signature does not verify is no evidence.
 */
export async function verifyReplySignature(jws: string, publicJwk: object, expected?: Partial<ReplySignatureClaims>): Promise<VerifiedReplySignature> {
  const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown; x5c?: unknown };
  if (header.alg !== 'ES256' || typeof header.kid !== 'string') throw new Error('reply signature: header must carry alg ES256 and a kid');
  const key = await jose.JWK.asKey({ ...publicJwk, kid: header.kid, alg: 'ES256', use: 'sig' }, 'json');
  const verified = await jose.JWS.createVerify(key, { algorithms: ['ES256'] }).verify(jws);
  const claims = JSON.parse(verified.payload.toString('utf8')) as ReplySignatureClaims;
  if (typeof claims.confirmationId !== 'string' || typeof claims.contentHash !== 'string' || (claims.conclusion !== 'agrees' && claims.conclusion !== 'disagrees')) {
    throw new Error('reply signature: payload is not { confirmationId, conclusion, contentHash }');
  }
  for (const field of ['confirmationId', 'conclusion', 'contentHash'] as const) {
    if (expected?.[field] !== undefined && expected[field] !== claims[field]) {
      throw new Error(`reply signature: signed ${field} ${claims[field]} differs from ${expected[field]}`);
    }
  }
  const x5c = Array.isArray(header.x5c) ? header.x5c.filter((c): c is string => typeof c === 'string') : undefined;
  return { kid: header.kid, claims, ...(x5c ? { x5c } : {}) };
}

/** A sealed, signed reply: the PrepareReply input plus the JWS that travels inside the JWE. */
export interface SealedReply extends EncryptedContent {
  conclusion: ReplyConclusion;
  signatureHash: string;
  signingKid: string;
  jws: string;
}

/**
 * The responder's whole reply step: salt and hash the content, sign { confirmationId, conclusion,
 * contentHash }, and encrypt { content, salt, signature } for the recipients (exactly firm and
 * responder: the ledger refuses more; the client is added at the auditor's acceptance).
 */
export async function sealReply<T>(
  confirmationId: string,
  conclusion: ReplyConclusion,
  content: T,
  recipients: readonly Recipient[],
  signingKey: SigningKeyRef,
): Promise<SealedReply> {
  const salt = newSalt();
  const contentHash = saltedHash(content, salt);
  const { jws, signatureHash } = await signReply({ confirmationId, conclusion, contentHash }, signingKey);
  const payload: SealedPayload<T> = { content, salt, signature: jws };
  return { conclusion, ciphertext: await encryptFor(recipients, payload), contentHash, signatureHash, signingKid: signingKey.kid, jws };
}
