import type { Network } from '@hyperledger/fabric-gateway';
import { common, msp } from '@hyperledger/fabric-protos';
import { commitStatusName, evaluate } from '@econfirm/sdk';
import { X509Certificate } from 'node:crypto';
import { sha256 } from '../crypto/certificates';
import { children, decodeOid, readNode, Tag } from '../crypto/der';
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
