import type { Network } from '@hyperledger/fabric-gateway';
import { readBlockOfTransaction, type SerializedIdentity } from '@econfirm/sdk';
import { X509Certificate } from 'node:crypto';
import { sha256 } from '../crypto/certificates';
import { children, decodeOid, readNode, Tag } from '../crypto/der';
import type { ConfirmationRequest } from '@econfirm/common';
import type { ActorFacts } from '../model/evidence-document';

/** fabric-ca's attribute extension (network/lib/identity.sh writes it the same way). */
const FABRIC_ATTRIBUTES_OID = '1.2.3.4.5.6.7.8.1';

export interface TransactionFacts {
  blockNumber: bigint;
  validationCode: string;
  actor: ActorFacts;
}

/** econfirm.role / econfirm.institution from the certificate's Fabric attribute extension. */
function fabricAttributes(der: Buffer): Record<string, string> {
  const tbs = children(readNode(der))[0];
  const extensions = tbs ? children(tbs).find((n) => n.tag === 0xa3) : undefined;
  if (!extensions) return {};
  for (const extension of children(children(extensions)[0] ?? readNode(Buffer.from([0x30, 0])))) {
    const [id, ...rest] = children(extension);
    if (!id || decodeOid(id) !== FABRIC_ATTRIBUTES_OID) continue;
    const value = rest.find((n) => n.tag === Tag.OctetString);
    try {
      const parsed = JSON.parse(value?.contents.toString('utf8') ?? '{}') as { attrs?: Record<string, string> };
      return parsed.attrs ?? {};
    } catch {
      return {};
    }
  }
  return {};
}

function subjectLine(name: string): string {
  return `/${name.split('\n').join('/')}`;
}

/** The actor facts of a transaction's creator (or any serialized identity from a block). */
export function actorFromIdentity(identity: SerializedIdentity): ActorFacts {
  const cert = new X509Certificate(Buffer.from(identity.idBytes));
  const attributes = fabricAttributes(cert.raw);
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
 * Where a transaction is: the committed block that holds it (qscc GetBlockByTxID), the peer's
 * validation code for it, and who submitted it (the creator certificate in its signature header).
 */
export async function transactionFacts(network: Network, txId: string): Promise<TransactionFacts> {
  const block = await readBlockOfTransaction(network, txId);
  const transaction = block.transactions.find((t) => t.transactionId === txId);
  if (!transaction) throw new Error(`transaction ${txId} is not in the block the peer returned`);
  return { blockNumber: block.number, validationCode: transaction.validation, actor: actorFromIdentity(transaction.creator) };
}
