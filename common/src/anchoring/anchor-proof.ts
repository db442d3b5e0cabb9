import { canonicalJson } from '../json/canonical-json';
import { sha256Hex } from '../crypto/salted-hash';

/** A bytes32 value as the EVM side writes it: 0x and 64 lowercase hex digits (roots, leaves, ledger refs). */
export const BYTES32_HEX = /^0x[0-9a-f]{64}$/;

export const ANCHOR_LEAF_FORMAT = 'econfirm-anchor-leaf/1';
export const ANCHOR_PROOF_FORMAT = 'econfirm-anchor-proof/1';

/**
 * What one leaf of an anchored batch stands for: a completed piece of evidence, by the ledger
 * facts that make it — its id, final state, the salted hashes of the letter and the reply and the
 * transaction that completed it — and a random salt, so a leaf on the channel or the chain says
 * nothing about which record it is to whoever does not hold the evidence.
 */
export interface ConfirmationLeafInput {
  channel: string;
  kind: 'confirmation';
  id: string;
  state: string;
  letterHash: string;
  replyHash?: string;
  replySignatureHash?: string;
  /** The transaction that completed the record (the last step of its trail). */
  txId: string;
  /** 32 random bytes, hex; kept with the evidence. */
  salt: string;
}

/**
 * A registration certificate's leaf: the registration as one transaction left it (a registration,
 * change, transfer or discharge — each version its own certificate), by the salted hashes of its
 * sealed application and certificate, which every copy prints whether or not it discloses them.
 */
export interface MortgageCertificateLeafInput {
  channel: string;
  kind: 'mortgage-certificate';
  id: string;
  state: string;
  applicationHash: string;
  certificateHash: string;
  /** The registration's last transaction when the certificate was due (the last step of its trail). */
  txId: string;
  salt: string;
}

/**
 * A receivable voucher's leaf: the receivable as one transaction left it (confirmed, transferred,
 * financed, split …), by its holder, its amount's salted hash and its sealed terms' hash.
 */
export interface ReceivableVoucherLeafInput {
  channel: string;
  kind: 'receivable-voucher';
  id: string;
  state: string;
  holderId: string;
  amountHash: string;
  termsHash: string;
  /** The receivable's last transaction (the last step of its own trail). */
  txId: string;
  salt: string;
}

export type AnchorLeafInput = ConfirmationLeafInput | MortgageCertificateLeafInput | ReceivableVoucherLeafInput;
export type AnchoredKind = AnchorLeafInput['kind'];

/** The leaf value (bytes32) anchored for a piece of evidence: sha256 of the canonical JSON of its facts. */
export function anchorLeafValue(input: AnchorLeafInput): string {
  const common = { format: ANCHOR_LEAF_FORMAT, channel: input.channel, kind: input.kind, id: input.id, state: input.state };
  // Field by field, never the input object itself: a leaf is what the verifier recomputes, so an
  // extra property would make a leaf no document reproduces.
  return `0x${sha256Hex(canonicalJson({ ...common, ...ownFacts(input), txId: input.txId, salt: input.salt }))}`;
}

function ownFacts(input: AnchorLeafInput): Record<string, string | null> {
  switch (input.kind) {
    case 'confirmation':
      return { letterHash: input.letterHash, replyHash: input.replyHash ?? null, replySignatureHash: input.replySignatureHash ?? null };
    case 'mortgage-certificate':
      return { applicationHash: input.applicationHash, certificateHash: input.certificateHash };
    case 'receivable-voucher':
      return { holderId: input.holderId, amountHash: input.amountHash, termsHash: input.termsHash };
  }
}

/** Where and how a batch was recorded on the Fabric channel (the EVM anchor's ledgerRef names it). */
export interface AnchorBatchRef {
  channel: string;
  txId: string;
  /** Decimal block number of the Fabric transaction. */
  blockNumber: string;
  count: number;
}

/**
 * The proof an evidence PDF carries once its batch is anchored (attachment `anchor.json`): with it
 * and any node of the chain, the leaf recomputed from the evidence is shown to be in a tree whose
 * root the contract recorded at a block time. Every field is a claim the verifier re-checks.
 */
export interface AnchoredProof {
  format: typeof ANCHOR_PROOF_FORMAT;
  status: 'anchored';
  leaf: { value: string; salt: string };
  /** Sibling hashes from the leaf up (OpenZeppelin StandardMerkleTree.getProof). */
  proof: string[];
  root: string;
  chainId: string;
  contract: string;
  txHash: string;
  blockNumber: number;
  /** The block time the contract recorded, ISO (informative: the verifier reads it from the chain). */
  anchoredAt: string;
  ledgerRef: string;
  batch: AnchorBatchRef;
}

/** Evidence whose batch is not anchored (yet): generate the PDF again later to get its proof. */
export interface PendingProof {
  format: typeof ANCHOR_PROOF_FORMAT;
  status: 'pending';
}

export type AnchorProof = AnchoredProof | PendingProof;
