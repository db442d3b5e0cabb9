import {
  ANCHOR_PROOF_FORMAT,
  anchorLeafValue,
  BYTES32_HEX,
  EVIDENCE_ANCHOR_ABI,
  type AnchoredProof,
  type AnchorLeafInput,
  type AnchorProof,
} from '@econfirm/common';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder, Contract, FetchRequest, Interface, JsonRpcProvider, keccak256, Network } from 'ethers';
import type { EvidenceDocument } from '../model/evidence-document';
import type { MortgageCertificateDocument } from '../model/mortgage-certificate';
import type { ReceivableVoucherDocument } from '../model/receivable-voucher';
import type { ExtractedAttachment } from '../pdf/attachments';
import { ATTACHMENT } from '../pdf/render';
import { single, type Checks } from './checks';

/**
 * The EVM chain the verifier checks anchors on — its own choice, never the document's: any node
 * of the chain (its JSON-RPC URL) and the EvidenceAnchor contract it trusts.
 */
export interface EvmTrust {
  rpcUrl: string;
  /** The EvidenceAnchor address the verifier trusts. */
  contract: string;
  /** When given, the node must report this chain id. */
  chainId?: string;
}

/** What the chain says about the evidence's anchor (in the verdict when the check passed). */
export interface AnchorFacts {
  chainId: string;
  contract: string;
  root: string;
  /** The block time the contract recorded for the root (ISO 8601). */
  anchoredAt: string;
  /** The block of the document's anchor transaction, when the chain still has that transaction. */
  blockNumber?: number;
  txHash?: string;
}

export interface AnchorCheck {
  status: 'pass' | 'fail' | 'skipped';
  code: string;
  detail: string;
  anchor?: AnchorFacts;
}

const ABI = new Interface(EVIDENCE_ANCHOR_ABI);
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Parses the anchor.json attachment, refusing anything that is not a proof of this format. */
export function parseAnchorProof(text: string): AnchorProof {
  const value = JSON.parse(text) as (Omit<Partial<AnchoredProof>, 'status'> & { status?: string }) | null;
  if (value?.format !== ANCHOR_PROOF_FORMAT) throw new Error(`anchor proof format '${String(value?.format)}' is not ${ANCHOR_PROOF_FORMAT}`);
  if (value.status === 'pending') return { format: ANCHOR_PROOF_FORMAT, status: 'pending' };
  if (value.status !== 'anchored') throw new Error(`anchor proof status '${String(value.status)}'`);
  const bytes32 = (v: unknown, what: string): void => {
    if (typeof v !== 'string' || !BYTES32_HEX.test(v)) throw new Error(`anchor proof ${what}: not a bytes32 hex value`);
  };
  bytes32(value.root, 'root');
  bytes32(value.ledgerRef, 'ledgerRef');
  bytes32(value.txHash, 'txHash');
  if (!Array.isArray(value.proof) || value.proof.length > 64) throw new Error('anchor proof proof: an array of at most 64 hashes');
  value.proof.forEach((p, i) => bytes32(p, `proof[${i}]`));
  if (typeof value.leaf?.salt !== 'string' || !/^[0-9a-f]{64}$/.test(value.leaf.salt)) throw new Error('anchor proof leaf.salt: 32 bytes, hex');
  if (typeof value.chainId !== 'string' || !/^[1-9]\d*$/.test(value.chainId)) throw new Error('anchor proof chainId: a decimal chain id');
  if (typeof value.contract !== 'string' || !ADDRESS.test(value.contract)) throw new Error('anchor proof contract: an address');
  const batch = value.batch;
  if (typeof batch?.channel !== 'string' || typeof batch.txId !== 'string' || typeof batch.blockNumber !== 'string' || !/^\d+$/.test(batch.blockNumber)) {
    throw new Error('anchor proof batch: { channel, txId, blockNumber }');
  }
  return value as unknown as AnchoredProof;
}

/** eth_chainId of the endpoint, asked once (ethers' own network detection retries forever on a dead URL). */
async function rpcChainId(rpcUrl: string): Promise<string> {
  const request = new FetchRequest(rpcUrl);
  request.timeout = 10_000;
  request.body = { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] };
  const response = await request.send();
  response.assertOk();
  const result = (response.bodyJson as { result?: unknown }).result;
  if (typeof result !== 'string') throw new Error('eth_chainId gave no result');
  return BigInt(result).toString();
}

/** A leaf's facts but its salt (which the proof brings): what a document shows of itself. */
export type AnchorLeafFacts = AnchorLeafInput extends infer T ? (T extends AnchorLeafInput ? Omit<T, 'salt'> : never) : never;

/** The leaf facts confirmation evidence gives: its record, hashes and completing transaction. */
export function evidenceLeafFacts(doc: EvidenceDocument): AnchorLeafFacts {
  const last = doc.timeline[doc.timeline.length - 1];
  return {
    channel: doc.channel,
    kind: 'confirmation',
    id: doc.record.id,
    state: doc.record.state,
    letterHash: doc.letter.contentHash,
    ...(doc.reply ? { replyHash: doc.reply.contentHash, replySignatureHash: doc.reply.signatureHash } : {}),
    txId: last?.txId ?? '',
  };
}

/** The leaf facts a registration certificate gives: the registration as its last transaction left it, by its sealed parts' hashes. */
export function certificateLeafFacts(doc: MortgageCertificateDocument): AnchorLeafFacts {
  const last = doc.timeline[doc.timeline.length - 1];
  return {
    channel: doc.channel,
    kind: 'mortgage-certificate',
    id: doc.record.id,
    state: doc.record.state,
    applicationHash: doc.application.contentHash,
    certificateHash: doc.certificate.contentHash,
    txId: last?.txId ?? '',
  };
}

/** The leaf facts a receivable voucher gives: the receivable as its last transaction left it, by holder, amount hash and terms hash. */
export function voucherLeafFacts(doc: ReceivableVoucherDocument): AnchorLeafFacts {
  // The receivable's own last step (the timeline ends with it, after its ancestors' steps).
  const own = doc.timeline.filter((s) => s.receivableId === doc.record.id);
  return {
    channel: doc.channel,
    kind: 'receivable-voucher',
    id: doc.record.id,
    state: doc.record.state,
    holderId: doc.record.holderId,
    amountHash: doc.record.amountHash,
    termsHash: doc.terms.contentHash,
    txId: own[own.length - 1]?.txId ?? '',
  };
}

/**
 * Checks a document's anchor against the chain alone — no Fabric access: the leaf is recomputed
 * from the document's own facts (never taken from the proof), the Merkle proof must lead from it to
 * the root, the verifier's contract on the verifier's node must hold that root with the ledgerRef
 * of the Fabric transaction the proof names; the block time comes from the chain.
 */
export async function checkAnchor(facts: AnchorLeafFacts, proof: AnchorProof | undefined, evm: EvmTrust | undefined): Promise<AnchorCheck> {
  if (!proof) return { status: 'skipped', code: 'NOT_ANCHORED', detail: 'the document carries no anchor proof (generated by a gateway that does not anchor, or before completion)' };
  if (proof.status === 'pending') return { status: 'skipped', code: 'ANCHOR_PENDING', detail: 'anchoring pending when the document was generated: generate it again once its batch is anchored' };
  if (!evm) return { status: 'skipped', code: 'NO_EVM', detail: `an anchor proof for root ${proof.root} on chain ${proof.chainId} is attached; not checked: no EVM JSON-RPC URL and contract given` };
  const leaf = anchorLeafValue({ ...facts, salt: proof.leaf.salt } as AnchorLeafInput);
  if (!StandardMerkleTree.verify(proof.root, ['bytes32'], [leaf], proof.proof)) {
    return { status: 'fail', code: 'ANCHOR_PROOF_INVALID', detail: `the Merkle proof does not lead from this document's leaf ${leaf} to root ${proof.root}` };
  }
  if (proof.batch.channel !== facts.channel) return { status: 'fail', code: 'ANCHOR_PROOF_INVALID', detail: `the proof's batch is on channel ${proof.batch.channel}, the document on ${facts.channel}` };
  let chainId: string;
  try {
    chainId = await rpcChainId(evm.rpcUrl);
  } catch (err) {
    return { status: 'fail', code: 'EVM_UNAVAILABLE', detail: `the JSON-RPC endpoint ${evm.rpcUrl} did not answer: ${(err as Error).message.split('\n')[0]}` };
  }
  const provider = new JsonRpcProvider(evm.rpcUrl, undefined, { staticNetwork: Network.from(BigInt(chainId)), batchMaxCount: 1 });
  try {
    if (evm.chainId && evm.chainId !== chainId) return { status: 'fail', code: 'CHAIN_MISMATCH', detail: `the node at ${evm.rpcUrl} is on chain ${chainId}, not ${evm.chainId}` };
    if (proof.chainId !== chainId) return { status: 'fail', code: 'CHAIN_MISMATCH', detail: `the evidence was anchored on chain ${proof.chainId}; the verifier's node is on chain ${chainId}` };
    if (proof.contract.toLowerCase() !== evm.contract.toLowerCase()) {
      return { status: 'fail', code: 'CONTRACT_MISMATCH', detail: `the proof names contract ${proof.contract}; the verifier trusts ${evm.contract}` };
    }
    const contract = new Contract(evm.contract, ABI, provider);
    if (!((await contract.getFunction('isAnchored')(proof.root)) as boolean)) {
      return { status: 'fail', code: 'NOT_ANCHORED_ON_CHAIN', detail: `contract ${evm.contract} on chain ${chainId} holds no anchor of root ${proof.root}` };
    }
    const onChain = (await contract.getFunction('anchorOf')(proof.root)) as { ledgerRef: string; timestamp: bigint };
    const ledgerRef = keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'uint64', 'string'], [proof.batch.channel, BigInt(proof.batch.blockNumber), proof.batch.txId]));
    if (onChain.ledgerRef !== ledgerRef) {
      return { status: 'fail', code: 'LEDGER_REF_MISMATCH', detail: `the chain's anchor of ${proof.root} names another Fabric transaction than ${proof.batch.txId} (block ${proof.batch.blockNumber})` };
    }
    const anchoredAt = new Date(Number(onChain.timestamp) * 1000).toISOString();
    const anchor: AnchorFacts = { chainId, contract: evm.contract, root: proof.root, anchoredAt };
    // The document's transaction, when the chain still has it (a re-anchored root has another one).
    const receipt = await provider.getTransactionReceipt(proof.txHash);
    const event = ABI.getEvent('EvidenceAnchored');
    const log = receipt?.logs.find((l) => l.address.toLowerCase() === evm.contract.toLowerCase() && l.topics[0] === event?.topicHash && l.topics[1] === proof.root);
    if (log && receipt) Object.assign(anchor, { blockNumber: receipt.blockNumber, txHash: proof.txHash });
    const where = log ? `transaction ${proof.txHash}, block ${receipt?.blockNumber}` : `the contract's record (transaction ${proof.txHash} is not on this node)`;
    return {
      status: 'pass',
      code: 'OK',
      detail: `anchored no later than ${anchoredAt}: root ${proof.root} of a batch of ${proof.batch.count} on chain ${chainId}, contract ${evm.contract} (${where}); Fabric batch ${proof.batch.txId} in block ${proof.batch.blockNumber}`,
      anchor,
    };
  } catch (err) {
    return { status: 'fail', code: 'EVM_UNAVAILABLE', detail: `the anchor could not be read from ${evm.rpcUrl}: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    provider.destroy();
  }
}

/**
 * The `evm-anchor` check of a signed document (evidence, a certificate, a voucher): its attached
 * anchor.json against the verifier's own chain. Nothing is reported when the document claims no
 * anchor and the verifier asked for none.
 */
export async function runAnchorCheck(checks: Checks, attachments: readonly ExtractedAttachment[], facts: AnchorLeafFacts, evm: EvmTrust | undefined, verdict: { anchor?: AnchorFacts }): Promise<void> {
  await checks.run('evm-anchor', 'ANCHOR_PROOF_INVALID', async () => {
    const attached = single(attachments, ATTACHMENT.anchorJson);
    if (!attached && !evm) return;
    const result = await checkAnchor(facts, attached ? parseAnchorProof(attached.toString('utf8')) : undefined, evm);
    checks.list.push({ id: 'evm-anchor', status: result.status, code: result.code, detail: result.detail });
    if (result.anchor) verdict.anchor = result.anchor;
  });
}
