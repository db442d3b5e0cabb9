import type { Network } from '@hyperledger/fabric-gateway';
import { CertificateAttributesError, fabricCertificateAttributes, LedgerCallError, readBlockOfTransaction, type SerializedIdentity } from '@econfirm/sdk';
import { X509Certificate } from 'node:crypto';
import { sha256 } from '../crypto/certificates';
import { canonicalJsonBytes, PLATFORM_COLLECTION, type ConfirmationRequest, type HistoryEntry, type MortgageRecord, type ReceivableRecord } from '@econfirm/common';
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

/** A request's versions as the chaincode's history gives them (GetConfirmationHistory), newest first. */
export type ConfirmationVersions = (id: string) => Promise<readonly HistoryEntry<ConfirmationRequest>[]>;

/**
 * The confirmation record as transaction `txId` wrote it, proved by the committed block: what a
 * reader who is not the firm checks. A record in public state is in the block itself. A private
 * record (the confirmation ledger's private store, chaincode/README.md Need to know on the
 * channel) is not: the block holds SHA-256 of each value the transaction wrote to the platform
 * collection, so the record is the version the chaincode's history gives for `txId` (to a party or
 * the regulator) — and only if its canonical bytes hash to one of those values. Undefined when the
 * transaction wrote no such record, or the caller may not read its history.
 */
export async function committedConfirmation(network: Network, txId: string, confirmationId: string, versions?: ConfirmationVersions): Promise<ConfirmationRequest | undefined> {
  const transaction = (await readBlockOfTransaction(network, txId)).transactions.find((t) => t.transactionId === txId);
  const sets = transaction?.actions.flatMap((a) => a.readWriteSets) ?? [];
  for (const write of sets.flatMap((ns) => ns.writes)) {
    if (write.isDelete) continue;
    try {
      const value = JSON.parse(Buffer.from(write.value).toString('utf8')) as Partial<ConfirmationRequest>;
      if (value.docType === 'confirmation' && value.id === confirmationId) return value as ConfirmationRequest;
    } catch {
      // not JSON: an index entry
    }
  }
  const privateValueHashes = new Set(
    sets.flatMap((ns) => ns.collections).filter((c) => c.collection === PLATFORM_COLLECTION).flatMap((c) => c.writes).filter((w) => !w.isDelete).map((w) => Buffer.from(w.valueHash).toString('hex')),
  );
  if (privateValueHashes.size === 0 || !versions) return undefined;
  let history: readonly HistoryEntry<ConfirmationRequest>[];
  try {
    history = await versions(confirmationId);
  } catch (err) {
    if (err instanceof LedgerCallError && (err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN')) return undefined;
    throw err;
  }
  const version = history.find((entry) => entry.txId === txId)?.value;
  return version && privateValueHashes.has(sha256(canonicalJsonBytes(version)).toString('hex')) ? version : undefined;
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
