import { canonicalJson, sha256Hex } from '@econfirm/common';
import { signReply as signReplyClaims } from '@econfirm/sdk';
import type { JsonWebKey } from 'node:crypto';

/** The content crypto lives in the SDK (one implementation for gateway, evidence and tests). */
export { addRecipients, encryptFor, open, recipientKids, recipientOf, seal, sealReply, verifyReplySignature, type Recipient, type SealedPayload } from '@econfirm/sdk';

/**
 * A responder's JWS for ledger-level tests that have no confirmation id bound yet: it signs the
 * reply format of shared-design (confirmationId, conclusion, contentHash) with an unsalted content
 * hash. Real replies go through `sealReply`, which signs the salted hash the ledger records.
 */
export async function signReply(content: unknown, kid: string, privateJwk: JsonWebKey): Promise<{ jws: string; signatureHash: string }> {
  return signReplyClaims({ confirmationId: 'unbound', conclusion: 'agrees', contentHash: sha256Hex(canonicalJson(content)) }, { kid, jwk: privateJwk });
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
