import type { Network } from '@hyperledger/fabric-gateway';
import { CertificateAttributesError, fabricCertificateAttributes, readBlockOfTransaction, type SerializedIdentity } from '@econfirm/sdk';
import { X509Certificate } from 'node:crypto';
import { sha256 } from '../crypto/certificates';
import type { ConfirmationRequest, MortgageRecord, ReceivableRecord } from '@econfirm/common';
import type { ActorFacts } from '../model/evidence-document';

export interface TransactionFacts {
  blockNumber: bigint;
  validationCode: string;
  actor: ActorFacts;
  /**
   * The transaction's channel-header timestamp as the committed block holds it: the time the
   * submitter put in the proposal, accepted by the endorsers within their window, and the only
   * clock the chaincode reads (chaincode/src/state/tx-time.ts) — so the same instant as the step's
   * ledger timestamp. A Fabric block has no time of its own to take instead.
   */
  timestamp?: Date;
}

/**
 * econfirm.role / econfirm.institution from the certificate's Fabric attribute extension; an
 * unreadable extension states no role (the check that uses the actor then finds it missing).
 */
function actorAttributes(certificate: X509Certificate): Record<string, string> {
  try {
    return fabricCertificateAttributes(certificate);
  } catch (err) {
    if (err instanceof CertificateAttributesError) return {};
    throw err;
  }
}

function subjectLine(name: string): string {
  return `/${name.split('\n').join('/')}`;
}

/** The actor facts of a transaction's creator (or any serialized identity from a block). */
export function actorFromIdentity(identity: SerializedIdentity): ActorFacts {
  const cert = new X509Certificate(Buffer.from(identity.idBytes));
  const attributes = actorAttributes(cert);
  return {
    mspId: identity.mspId,
    subject: subjectLine(cert.subject),
    issuer: subjectLine(cert.issuer),
    ...(attributes['econfirm.role'] ? { role: attributes['econfirm.role'] } : {}),
    ...(attributes['econfirm.institution'] ? { institution: attributes['econfirm.institution'] } : {}),
    certificateSha256: sha256(cert.raw).toString('hex'),
  };
}

/**
 * The confirmation record as transaction `txId` wrote it to world state, read from the committed
 * block: what any channel member can check without being a party to the request.
 */
export async function committedConfirmation(network: Network, txId: string, confirmationId: string): Promise<ConfirmationRequest | undefined> {
  const transaction = (await readBlockOfTransaction(network, txId)).transactions.find((t) => t.transactionId === txId);
  for (const write of transaction?.actions.flatMap((a) => a.readWriteSets).flatMap((ns) => ns.writes) ?? []) {
    if (write.isDelete) continue;
    try {
      const value = JSON.parse(Buffer.from(write.value).toString('utf8')) as Partial<ConfirmationRequest>;
      if (value.docType === 'confirmation' && value.id === confirmationId) return value as ConfirmationRequest;
    } catch {
      // not JSON: an index entry
    }
  }
  return undefined;
}

/**
 * The mortgage record as transaction `txId` wrote it (its world-state key `\u0000mtg\u0000<id>\u0000`,
 * chaincode/src/state/mortgage-store.ts), read from the committed block like a confirmation's.
 */
export async function committedMortgage(network: Network, txId: string, mortgageId: string): Promise<MortgageRecord | undefined> {
  const key = `\u0000mtg\u0000${mortgageId}\u0000`;
  const transaction = (await readBlockOfTransaction(network, txId)).transactions.find((t) => t.transactionId === txId);
  for (const write of transaction?.actions.flatMap((a) => a.readWriteSets).flatMap((ns) => ns.writes) ?? []) {
    if (write.isDelete || write.key !== key) continue;
    return JSON.parse(Buffer.from(write.value).toString('utf8')) as MortgageRecord;
  }
  return undefined;
}

/**
 * The receivable record as transaction `txId` wrote it (its world-state key `\u0000rcv\u0000<id>\u0000`,
 * chaincode/src/state/receivable-store.ts), read from the committed block like a mortgage's.
 */
export async function committedReceivable(network: Network, txId: string, receivableId: string): Promise<ReceivableRecord | undefined> {
  const key = `\u0000rcv\u0000${receivableId}\u0000`;
  const transaction = (await readBlockOfTransaction(network, txId)).transactions.find((t) => t.transactionId === txId);
  for (const write of transaction?.actions.flatMap((a) => a.readWriteSets).flatMap((ns) => ns.writes) ?? []) {
    if (write.isDelete || write.key !== key) continue;
    return JSON.parse(Buffer.from(write.value).toString('utf8')) as ReceivableRecord;
  }
  return undefined;
}

/**
 * Where a transaction is: the committed block that holds it (qscc GetBlockByTxID), the peer's
 * validation code for it, and who submitted it (the creator certificate in its signature header).
 */
export async function transactionFacts(network: Network, txId: string): Promise<TransactionFacts> {
  const block = await readBlockOfTransaction(network, txId);
  const transaction = block.transactions.find((t) => t.transactionId === txId);
  if (!transaction) throw new Error(`transaction ${txId} is not in the block the peer returned`);
  return { blockNumber: block.number, validationCode: transaction.validation, actor: actorFromIdentity(transaction.creator), ...(transaction.timestamp ? { timestamp: transaction.timestamp } : {}) };
}
