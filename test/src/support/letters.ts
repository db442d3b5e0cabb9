import { canonicalJson, newSalt, saltedHash, sha256Hex, type EncryptedContent, type Institution } from '@econfirm/common';
import type { JsonWebKey } from 'node:crypto';
import * as jose from 'node-jose';

/** What travels inside the JWE: the content and the salt of its on-ledger hash (chaincode README, privacy design). */
export interface SealedPayload<T> {
  content: T;
  salt: string;
}

/** A recipient as the sender takes it from the registry: current encryption kid and public JWK. */
export interface Recipient {
  kid: string;
  jwk: object;
}

export function recipientOf(institution: Institution): Recipient {
  return { kid: institution.encryptionKey.kid, jwk: institution.encryptionKey.jwk };
}

/**
 * Multi-recipient JWE exactly as chaincode/README.md prescribes: General JSON, A256GCM content,
 * only `enc` protected, ECDH-ES+A256KW per recipient with its kid in the recipient header.
 */
export async function encryptFor(recipients: readonly Recipient[], payload: unknown): Promise<string> {
  const keys = await Promise.all(recipients.map((r) => jose.JWK.asKey({ ...r.jwk, kid: r.kid, alg: 'ECDH-ES+A256KW', use: 'enc' })));
  const encrypter = jose.JWE.createEncrypt(
    { format: 'general', contentAlg: 'A256GCM', protect: ['enc'] },
    // node-jose takes { key, header } recipient descriptors; @types/node-jose only declares keys.
    keys.map((key) => ({ key, header: { alg: 'ECDH-ES+A256KW' } })) as unknown as jose.JWK.Key[],
  );
  const jwe: unknown = await encrypter.update(Buffer.from(canonicalJson(payload), 'utf8')).final();
  return JSON.stringify(jwe);
}

/** Salt, hash and encrypt `content` for the recipients: what Issue / PrepareReply receive. */
export async function seal<T>(content: T, recipients: readonly Recipient[]): Promise<EncryptedContent> {
  const salt = newSalt();
  const payload: SealedPayload<T> = { content, salt };
  return { ciphertext: await encryptFor(recipients, payload), contentHash: saltedHash(content, salt) };
}

/** Decrypts with one institution's private encryption key and checks the salted hash. */
export async function open<T>(sealed: EncryptedContent, kid: string, privateJwk: JsonWebKey): Promise<SealedPayload<T>> {
  const key = await jose.JWK.asKey({ ...privateJwk, kid, alg: 'ECDH-ES+A256KW', use: 'enc' }, 'json');
  // General JSON must be passed parsed (a string is read as compact); the typings only declare strings.
  const result = await jose.JWE.createDecrypt(key).decrypt(JSON.parse(sealed.ciphertext) as unknown as string);
  const payload = JSON.parse(result.plaintext.toString('utf8')) as SealedPayload<T>;
  if (saltedHash(payload.content, payload.salt) !== sealed.contentHash) {
    throw new Error('decrypted content does not match the salted hash on the ledger');
  }
  return payload;
}

/** The responder's compact JWS (ES256) over its reply, and the sha256 the ledger records. */
export async function signReply(content: unknown, kid: string, privateJwk: JsonWebKey): Promise<{ jws: string; signatureHash: string }> {
  const key = await jose.JWK.asKey({ ...privateJwk, kid, alg: 'ES256', use: 'sig' }, 'json');
  const jws = (await jose.JWS.createSign({ format: 'compact', fields: { alg: 'ES256', kid } }, key).update(canonicalJson(content), 'utf8').final()) as unknown as string;
  return { jws, signatureHash: sha256Hex(jws) };
}

/** A distinctive bank account number: 6222 and twelve random digits. */
export function distinctiveAccountNumber(): string {
  let digits = '6222';
  while (digits.length < 16) digits += String(Math.floor(Math.random() * 10));
  return digits;
}

/** A (simplified) 2020 bank letter's plaintext: what only firm, client and bank may ever read. */
export function bankLetterContent(accountNumber: string, clientName: string): object {
  return {
    formId: 'bank-letter-2020',
    section1Deposits: [{ accountName: clientName, accountNumber, currency: 'CNY', balance: '1234567.89', accountType: 'current', restricted: 'none' }],
    section2Loans: 'none',
  };
}
