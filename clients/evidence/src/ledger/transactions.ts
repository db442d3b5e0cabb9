import type { Network } from '@hyperledger/fabric-gateway';
import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { commitStatusName, evaluate } from '@econfirm/sdk';
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

export function actorFromCreator(creator: Uint8Array): ActorFacts {
  const identity = msp.SerializedIdentity.deserializeBinary(creator);
  const pem = Buffer.from(identity.getIdBytes_asU8()).toString('utf8');
  const cert = new X509Certificate(pem);
  const attributes = fabricAttributes(cert.raw);
  return {
    mspId: identity.getMspid(),
    subject: subjectLine(cert.subject),
    issuer: subjectLine(cert.issuer),
    ...(attributes['econfirm.role'] ? { role: attributes['econfirm.role'] } : {}),
    ...(attributes['econfirm.institution'] ? { institution: attributes['econfirm.institution'] } : {}),
    certificateSha256: sha256(cert.raw).toString('hex'),
  };
}

/** The JSON values a valid endorser transaction wrote, per namespace (its read-write set in the block). */
function writtenValues(payload: common.Payload): { namespace: string; key: string; value: Buffer }[] {
  const found: { namespace: string; key: string; value: Buffer }[] = [];
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  for (const action of transaction.getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const responsePayload = peer.ProposalResponsePayload.deserializeBinary(actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array());
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
    const txRwSet = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
    for (const ns of txRwSet.getNsRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      for (const write of kv.getWritesList()) {
        if (!write.getIsDelete()) found.push({ namespace: ns.getNamespace(), key: write.getKey(), value: Buffer.from(write.getValue_asU8()) });
      }
    }
  }
  return found;
}

/**
 * The confirmation record as transaction `txId` wrote it to world state, read from the committed
 * block: what any channel member can check without being a party to the request.
 */
export async function committedConfirmation(network: Network, txId: string, confirmationId: string): Promise<ConfirmationRequest | undefined> {
  const bytes = await evaluate(network.getContract('qscc'), 'GetBlockByTxID', [network.getName(), txId]);
  const block = common.Block.deserializeBinary(bytes);
  for (const envelopeBytes of block.getData()?.getDataList_asU8() ?? []) {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
    if (channelHeader.getTxId() !== txId) continue;
    for (const write of writtenValues(payload)) {
      try {
        const value = JSON.parse(write.value.toString('utf8')) as Partial<ConfirmationRequest>;
        if (value.docType === 'confirmation' && value.id === confirmationId) return value as ConfirmationRequest;
      } catch {
        // not JSON: an index entry
      }
    }
  }
  return undefined;
}

/**
 * Where a transaction is: the committed block that holds it (qscc GetBlockByTxID), the peer's
 * validation code for it, and who submitted it (the creator certificate in its signature header).
 */
export async function transactionFacts(network: Network, txId: string): Promise<TransactionFacts> {
  const bytes = await evaluate(network.getContract('qscc'), 'GetBlockByTxID', [network.getName(), txId]);
  const block = common.Block.deserializeBinary(bytes);
  const flags = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  for (const [index, envelopeBytes] of envelopes.entries()) {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
    const header = payload.getHeader();
    const channelHeader = common.ChannelHeader.deserializeBinary(header?.getChannelHeader_asU8() ?? new Uint8Array());
    if (channelHeader.getTxId() !== txId) continue;
    const signatureHeader = common.SignatureHeader.deserializeBinary(header?.getSignatureHeader_asU8() ?? new Uint8Array());
    return {
      blockNumber: BigInt(block.getHeader()?.getNumber() ?? 0),
      validationCode: commitStatusName(flags[index] ?? 255),
      actor: actorFromCreator(signatureHeader.getCreator_asU8()),
    };
  }
  throw new Error(`transaction ${txId} is not in the block the peer returned`);
}
