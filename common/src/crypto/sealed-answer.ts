import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

/**
 * The answer of a sealed step (domain/sealed-call.ts), sealed to its caller: the chaincode's
 * answer is in the block every member reads. The caller puts a secret of its own in the
 * proposal's transient map; the chaincode derives the transaction's key from it and the
 * transaction id, and seals the answer with AES-256-GCM. Every endorser must produce the same
 * bytes (Fabric compares the endorsements) and chaincode has no randomness, so the nonce is
 * derived too: from the per-transaction key, which is never used for another transaction —
 * one key, one nonce, one plaintext. Only the holder of the secret opens it; a caller that keeps
 * its secret (the gateway: one per credential) opens the answer of its own earlier transaction
 * from the block, e.g. after a crash (gateway/src/fabric/ledger.service.ts, committedEarlier).
 *
 * Wire form: canonical JSON `{"sealedAnswer":"<base64 ciphertext|tag>"}`.
 */
export const ANSWER_SECRET_BYTES = 32;
const TAG_BYTES = 16;

function transactionKey(secret: Uint8Array, transactionId: string): Buffer {
  return createHmac('sha256', secret).update(`econfirm sealed answer\n${transactionId}`).digest();
}

function nonceOf(key: Buffer): Buffer {
  return createHmac('sha256', key).update('nonce').digest().subarray(0, 12);
}

export function sealAnswer(secret: Uint8Array, transactionId: string, answer: string): string {
  if (secret.length !== ANSWER_SECRET_BYTES) throw new Error(`an answer secret is ${ANSWER_SECRET_BYTES} bytes`);
  const key = transactionKey(secret, transactionId);
  const cipher = createCipheriv('aes-256-gcm', key, nonceOf(key));
  cipher.setAAD(Buffer.from(transactionId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(answer, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return JSON.stringify({ sealedAnswer: ciphertext.toString('base64') });
}

export class SealedAnswerError extends Error {
  override readonly name = 'SealedAnswerError';
}

/** The answer `sealAnswer` sealed for this transaction under `secret`; throws SealedAnswerError otherwise. */
export function openAnswer(secret: Uint8Array, transactionId: string, sealed: Uint8Array | string): string {
  let wire: unknown;
  try {
    wire = JSON.parse(typeof sealed === 'string' ? sealed : Buffer.from(sealed).toString('utf8'));
  } catch {
    throw new SealedAnswerError('the answer is not a sealed answer (not JSON)');
  }
  const text = (wire as { sealedAnswer?: unknown } | null)?.sealedAnswer;
  if (typeof text !== 'string') throw new SealedAnswerError('the answer is not a sealed answer');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < TAG_BYTES) throw new SealedAnswerError('the sealed answer is too short');
  const key = transactionKey(secret, transactionId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(key));
    decipher.setAAD(Buffer.from(transactionId, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedAnswerError(`the answer of ${transactionId} does not open under this secret`);
  }
}
