import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { BYTES32_HEX, canonicalJson, ErrorCode, LedgerError } from '@econfirm/common';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { forbidden, identify, requireAdmin } from '../auth/caller';
import { readJson, readRequired, writeJson } from '../state/ledger';
import { txTimeIso } from '../state/tx-time';
import { checkString, invalid, parseJsonArgument } from '../validation/field-reader';

export const ANCHOR_CONTRACT = 'anchor';

/** Most leaves one batch may have: the gateway's `anchoring.maxItems` stays under it. */
export const MAX_BATCH_LEAVES = 1024;

const BATCH_KEY = 'anchorBatch';

/**
 * A batch of completed evidence as the channel records it before its root is anchored on the
 * public EVM chain: the leaves (salted digests, so they name no record), their OpenZeppelin
 * standard Merkle root, who recorded it and in which transaction.
 */
export interface AnchorBatch {
  root: string;
  leaves: string[];
  count: number;
  recordedBy: string;
  recordedAt: string;
  txId: string;
}

function batchKey(ctx: Context, root: string): string {
  return ctx.stub.createCompositeKey(BATCH_KEY, [root]);
}

/** The root OpenZeppelin's StandardMerkleTree (bytes32 leaves, sorted) gives these leaves — what EvidenceAnchor checks proofs against. */
export function standardRoot(leaves: readonly string[]): string {
  return StandardMerkleTree.of(leaves.map((leaf): [string] => [leaf]), ['bytes32']).root;
}

/**
 * The Fabric side of public anchoring (contracts/README.md, gateway/README.md "Anchoring"): the
 * operator's anchoring service records each batch here, then anchors its root on the EVM chain
 * with a reference to this transaction, so the two ledgers point at each other.
 */
@Info({ title: 'AnchorContract', description: 'Batches of evidence anchored on a public EVM chain' })
export class AnchorContract extends Contract {
  constructor() {
    super(ANCHOR_CONTRACT);
  }

  /**
   * batchJson: { root, leaves: [bytes32 hex] }. The operator's admin only. The root must be the
   * standard Merkle root of the leaves (no duplicates). Recording the same root again changes
   * nothing and answers the first record — a service that lost the answer asks again safely.
   */
  @Transaction()
  @Returns('string')
  public async RecordBatch(ctx: Context, batchJson: string): Promise<string> {
    const caller = requireAdmin(ctx);
    const input = parseJsonArgument(batchJson, 'batch').allowOnly(['root', 'leaves']);
    const root = input.string('root', { pattern: BYTES32_HEX });
    const leaves = input.array('leaves', 1, MAX_BATCH_LEAVES).map((leaf, i) => checkString(leaf, `leaves[${i}]`, { pattern: BYTES32_HEX }));
    if (new Set(leaves).size !== leaves.length) throw invalid('leaves', 'must not repeat a leaf');
    if (standardRoot(leaves) !== root) throw invalid('root', 'is not the standard Merkle root of the leaves');
    const existing = await readJson<AnchorBatch>(ctx, batchKey(ctx, root));
    if (existing) return canonicalJson(existing);
    const batch: AnchorBatch = { root, leaves, count: leaves.length, recordedBy: caller.identityId, recordedAt: txTimeIso(ctx), txId: ctx.stub.getTxID() };
    // No chaincode event: the recorder is the only one waiting for this, and it has the answer.
    await writeJson(ctx, batchKey(ctx, root), batch);
    return canonicalJson(batch);
  }

  /** The batch recorded under `root`; any member of the channel (the leaves are salted digests). */
  @Transaction(false)
  @Returns('string')
  public async GetAnchorBatch(ctx: Context, root: string): Promise<string> {
    const caller = identify(ctx);
    if (caller.role === undefined) throw forbidden(`an identity without an econfirm role may not read anchor batches (${caller.mspId})`);
    if (!BYTES32_HEX.test(root)) throw new LedgerError(ErrorCode.InvalidArgument, 'root: must be 0x and 64 lowercase hex digits');
    return canonicalJson(await readRequired<AnchorBatch>(ctx, batchKey(ctx, root), `anchor batch ${root}`));
  }
}
