import { createHash, verify, X509Certificate } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import type { ParsedTransaction, SerializedIdentity } from './block-parser';

/** CA certificates by MSP id, as a channel configuration in force at a block defines them (channel-config.ts). */
export type MspCas = ReadonlyMap<string, readonly X509Certificate[]>;

/**
 * The certificate of a serialized identity when a CA of the MSP it names issued it (signature
 * checked), else what is wrong. The MSP named must be one of the channel's: a certificate of
 * another CA, or of the right CA under another org's name, is no member.
 */
export function memberCertificate(identity: SerializedIdentity, cas: MspCas): X509Certificate | string {
  const issuers = cas.get(identity.mspId);
  if (!issuers) return `${identity.mspId} is not an MSP of the channel`;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(Buffer.from(identity.idBytes));
  } catch {
    return `the ${identity.mspId} identity is not a certificate`;
  }
  if (!issuers.some((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey))) return `its certificate was not issued by a CA of ${identity.mspId}`;
  return certificate;
}

function signatureHolds(data: Uint8Array, certificate: X509Certificate, signature: Uint8Array): boolean {
  try {
    return verify('sha256', data, certificate.publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * What is wrong with a committed transaction's signatures (empty: nothing), checked as the peers
 * should have when they validated it — nothing of which the block itself vouches for:
 * - the creator is a member (its certificate issued by a CA of its MSP in the channel's
 *   configuration at that block) and signed the envelope's payload;
 * - the transaction id is SHA-256(nonce ‖ creator), so no one replays another's id;
 * - of an endorser transaction, every endorsement is by a member and signs the proposal response
 *   payload ‖ the endorser's identity.
 * Which endorsements the policies in force needed is judged beside this, from block 0 (endorsement-policy.ts).
 */
export function transactionSignatureProblems(tx: ParsedTransaction, cas: MspCas): string[] {
  const problems: string[] = [];
  const { signed } = tx;
  const creator = memberCertificate(tx.creator, cas);
  if (typeof creator === 'string') problems.push(`creator: ${creator}`);
  else if (!signatureHolds(signed.payload, creator, signed.signature)) problems.push(`creator: the ${tx.creator.mspId} signature over the envelope does not verify`);
  if (tx.type !== common.HeaderType.ENDORSER_TRANSACTION) return problems;
  const derived = createHash('sha256').update(signed.nonce).update(signed.creatorBytes).digest('hex');
  if (derived !== tx.transactionId) problems.push('its id is not SHA-256 of its nonce and creator');
  tx.actions.forEach((action, a) => {
    if (action.endorsements.length === 0) problems.push(`action ${a}: no endorsement`);
    action.endorsements.forEach((endorsement, e) => {
      const endorser = memberCertificate(endorsement.endorser, cas);
      if (typeof endorser === 'string') problems.push(`action ${a}, endorsement ${e}: ${endorser}`);
      else if (!signatureHolds(Buffer.concat([action.proposalResponsePayload, endorsement.endorserBytes]), endorser, endorsement.signature)) {
        problems.push(`action ${a}, endorsement ${e}: the ${endorsement.endorser.mspId} signature does not verify`);
      }
    });
  });
  return problems;
}
