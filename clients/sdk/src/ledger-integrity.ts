import type { Network } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { createHash } from 'node:crypto';
import { parseBlock, type ParsedTransaction } from './block-parser';
import { chainInfo, readBlock } from './blocks';
import { channelConfigInForce, memberMspCertificates, ordererMspCertificates, orderingServiceOf, type OrderingService } from './channel-config';
import { blockHeaderHash, ordererSignatureProblems } from './orderer-signatures';
import { transactionSignatureProblems, type MspCas } from './transaction-signatures';

export { blockHeaderBytes, blockHeaderHash, ordererSignatureProblems, signedByOrderer } from './orderer-signatures';
import { ValidationReplay } from './validation-replay';
import { EndorsementPolicies } from './endorsement-policy';

const ENDORSEMENT_POLICY_FAILURE = 'ENDORSEMENT_POLICY_FAILURE';

/**
 * The regulator's integrity check of the channel's chain, computed here from the blocks the peer
 * serves (qscc), not taken from the peer's word: each block's data hash is recomputed from its
 * transactions, each header hash is recomputed and must be the next block's previous hash, every
 * block after the genesis block must be signed by an ordering node (a certificate of an ordering
 * org's CA in the channel configuration in force at that block; under BFT, a quorum of the consenters
 * that configuration maps, orderer-signatures.ts), each block's LAST_CONFIG must name the
 * configuration block in force, and the last header must hash to the peer's current block hash. A block altered on disk breaks the chain; a chain rewritten consistently
 * (hashes recomputed) lacks the orderers' signatures.
 */

/** Fabric's block data hash: SHA-256 of the block's envelopes, concatenated. */
export function blockDataHash(block: common.Block): Buffer {
  const hash = createHash('sha256');
  for (const envelope of block.getData()?.getDataList_asU8() ?? []) hash.update(envelope);
  return hash.digest();
}

export interface ChainBreak {
  block: string;
  reason: string;
}

/** A block the auditor trusts out of band: its number and header hash (the genesis block, or the last block of an earlier audit). */
export interface TrustAnchor {
  block: bigint;
  headerHash: Buffer;
}

/** The CAs the checker holds for the blocks to come: replaced by each configuration block it passes. */
export interface ChainCas {
  orderers: MspCas;
  /** Application and ordering orgs: who may create and endorse transactions. */
  members: MspCas;
  /** The ordering service configured (BFT: its consenters and quorum); absent: signatures are checked as Raft's. */
  ordering?: OrderingService;
  /** The number of the configuration block these come from: every block's LAST_CONFIG must name it (or itself, for a configuration block). */
  configBlock?: bigint;
}

/** Everything the checker takes from a configuration block for the blocks after it. */
export function chainCasOf(config: common.Config, configBlock: bigint): ChainCas {
  return { orderers: ordererMspCertificates(config), members: memberMspCertificates(config), ordering: orderingServiceOf(config), configBlock };
}

/**
 * Checks consecutive blocks as they come, holding none of them: numbers, data hashes, the
 * previous-hash links (the first against the header hash of the block before, when given), every
 * orderer signature, and of every transaction the peers marked VALID its creator's and endorsers'
 * signatures and membership, its id's derivation, and that its id is not VALID twice.
 */
export class ChainChecker {
  readonly breaks: ChainBreak[] = [];
  readonly transactionsByValidation: Record<string, number> = {};
  private readonly days = new Map<string, { blocks: number; transactions: number }>();
  /** Transactions whose signatures were checked (VALID ones after the genesis block). */
  transactionsChecked = 0;
  private number: bigint;
  private readonly validIds = new Map<string, string>();

  constructor(
    firstNumber: bigint,
    /** The header hash of the last block added (or of the block before the first). */
    public lastHeaderHash?: Buffer,
    /**
     * The ordering orgs' CAs in force at the first block (or both groups'): every block after the
     * genesis block must carry orderers' signatures; with the members' CAs, every VALID
     * transaction's signatures are checked too. A configuration block passed replaces them.
     */
    cas?: MspCas | ChainCas,
    /** A pinned block inside the range: its header must hash to the pinned hash. */
    private readonly anchor?: TrustAnchor,
  ) {
    this.number = firstNumber;
    this.cas = cas === undefined ? undefined : isChainCas(cas) ? cas : { orderers: cas, members: new Map() };
    this.checkTransactions = cas !== undefined && isChainCas(cas);
    if (this.checkTransactions && firstNumber === 0n) {
      this.replay = new ValidationReplay();
      // The key-level policies in force are those of the state replayed up to the block before.
      this.policies = new EndorsementPolicies(this.replay);
    }
  }

  private cas?: ChainCas;
  private readonly checkTransactions: boolean;
  /** From block 0 with the members' CAs: the recorded validation codes are recomputed (validation-replay.ts). */
  private readonly replay?: ValidationReplay;
  /** From block 0: the endorsement policy of each chaincode as its committed definition says (endorsement-policy.ts). */
  private readonly policies?: EndorsementPolicies;

  /** Blocks and transactions of the checked blocks per UTC day, oldest first (the regulator's chart of activity). */
  get activityByDay(): DayActivity[] {
    return [...this.days.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([day, counts]) => ({ day, ...counts }));
  }

  /** Whether the validation codes were recomputed by replaying the read-write sets (a check from block 0). */
  get validationReplayed(): boolean {
    return this.replay !== undefined;
  }

  /** Fabric marks a repeated id DUPLICATE_TXID: a second VALID one means the codes were not computed as Fabric does. */
  private rememberValidId(transactionId: string, index: number, n: string): void {
    const first = this.validIds.get(transactionId);
    if (first !== undefined) this.breaks.push({ block: n, reason: `transaction ${index} (${transactionId}) is VALID a second time (first in block ${first})` });
    else this.validIds.set(transactionId, n);
  }

  /**
   * A transaction the peers marked ENDORSEMENT_POLICY_FAILURE whose signatures all hold and whose
   * endorsements satisfy every policy in force (from block 0: endorsement-policy.ts) was refused
   * by no rule Fabric has: a peer that marks a valid transaction invalid hides it from everyone
   * who reads its state — a reply, a lien — while the block still carries it.
   */
  private checkPolicyFailure(tx: ParsedTransaction, index: number, n: string): void {
    if (!this.policies || !this.cas || tx.validation !== ENDORSEMENT_POLICY_FAILURE || tx.type !== common.HeaderType.ENDORSER_TRANSACTION) return;
    if (tx.actions.length === 0 || transactionSignatureProblems(tx, this.cas.members).length > 0 || this.policies.problems(tx, this.cas.members, index).length > 0) return;
    this.breaks.push({ block: n, reason: `transaction ${index} (${tx.transactionId}): recorded ${ENDORSEMENT_POLICY_FAILURE}, but its signatures hold and its endorsements satisfy every endorsement policy in force` });
  }

  add(block: common.Block): void {
    const n = (this.number++).toString();
    const header = block.getHeader();
    if (!header) {
      this.breaks.push({ block: n, reason: 'no header' });
      this.lastHeaderHash = undefined;
      return;
    }
    if (header.getNumber().toString() !== n) this.breaks.push({ block: n, reason: `the header says block ${header.getNumber()}` });
    if (!blockDataHash(block).equals(Buffer.from(header.getDataHash_asU8()))) this.breaks.push({ block: n, reason: "its data does not hash to the header's data hash" });
    if (this.lastHeaderHash && !this.lastHeaderHash.equals(Buffer.from(header.getPreviousHash_asU8()))) {
      this.breaks.push({ block: n, reason: 'its previous hash is not the hash of the block before' });
    }
    const headerHash = blockHeaderHash(header);
    if (this.anchor && this.anchor.block.toString() === n && !this.anchor.headerHash.equals(headerHash)) {
      this.breaks.push({ block: n, reason: 'its header hash is not the pinned trust anchor’s: this is not the chain the anchor names' });
    }
    const parsed = parseBlock(block);
    if (this.cas && n !== '0') {
      for (const reason of ordererSignatureProblems(parsed, this.cas.orderers, this.cas.ordering)) this.breaks.push({ block: n, reason });
      // The pointer is in the bytes the orderers signed; it must name the configuration the checker holds.
      const inForce = parsed.config ? BigInt(n) : this.cas.configBlock;
      if (inForce !== undefined && BigInt(parsed.lastConfigIndex) !== inForce) this.breaks.push({ block: n, reason: `its LAST_CONFIG names block ${parsed.lastConfigIndex}, but the configuration in force is block ${inForce}` });
    }
    // A block has no time of its own: it counts on the UTC day its first transaction was proposed.
    const proposed = parsed.transactions.find((t) => t.timestamp !== undefined)?.timestamp;
    if (proposed) {
      const day = this.days.get(proposed.toISOString().slice(0, 10)) ?? { blocks: 0, transactions: 0 };
      day.blocks += 1;
      day.transactions += parsed.transactions.length;
      this.days.set(proposed.toISOString().slice(0, 10), day);
    }
    this.policies?.beginBlock(parsed.transactions);
    parsed.transactions.forEach((tx, i) => {
      this.transactionsByValidation[tx.validation] = (this.transactionsByValidation[tx.validation] ?? 0) + 1;
      if (!tx.isValid) {
        this.checkPolicyFailure(tx, i, n);
        return;
      }
      // Endorser transactions only: a configuration transaction's id is the orderer's business (often empty).
      if (tx.type === common.HeaderType.ENDORSER_TRANSACTION) this.rememberValidId(tx.transactionId, i, n);
      if (!this.cas || !this.checkTransactions || n === '0') return;
      this.transactionsChecked += 1;
      for (const problem of [...transactionSignatureProblems(tx, this.cas.members), ...(this.policies?.problems(tx, this.cas.members, i) ?? [])]) this.breaks.push({ block: n, reason: `transaction ${i} (${tx.transactionId}): ${problem}` });
      this.policies?.observe(tx);
    });
    for (const reason of this.replay?.apply(parsed) ?? []) this.breaks.push({ block: n, reason });
    this.lastHeaderHash = headerHash;
    const config = parsed.config;
    if (this.cas && config) this.cas = chainCasOf(config, BigInt(n));
    if (config) this.policies?.useConfig(config);
  }
}

function isChainCas(cas: MspCas | ChainCas): cas is ChainCas {
  return 'orderers' in cas && 'members' in cas && !(cas instanceof Map);
}

export interface DayActivity {
  /** YYYY-MM-DD, UTC. */
  day: string;
  blocks: number;
  transactions: number;
}

export interface ChainReport {
  channel: string;
  /** Blocks on the peer (the last is height - 1). */
  height: string;
  fromBlock: string;
  toBlock: string;
  blocksChecked: number;
  /** Transactions of the checked blocks by the peers' validation verdict (VALID, MVCC_READ_CONFLICT, …). */
  transactionsByValidation: Record<string, number>;
  /** VALID transactions whose creator and endorsement signatures, membership and id were checked. */
  transactionsChecked: number;
  /** Blocks and transactions per UTC day (a block on the day its first transaction was proposed), oldest first. */
  activityByDay: DayActivity[];
  /** From block 0: the recorded validation codes recomputed by replaying the read-write sets (MVCC of point reads), and each VALID transaction's endorsements held against its chaincode's endorsement policy as the chain's committed definitions say. */
  validationReplayed: boolean;
  /** Every inconsistency found; empty when the chain holds. */
  breaks: ChainBreak[];
  /** The checked range reaches the last block, whose header hashes to the peer's current block hash. */
  anchoredToPeerHeight: boolean;
  /**
   * The block the auditor pinned out of band and whether the chain served holds it: absent, the
   * first block is trusted as the peer serves it (genesis: its ordering CAs too), and a peer that
   * rewrote the chain from genesis under its own CA would pass.
   */
  trustAnchor?: { block: string; headerHash: string; matched: boolean };
  /** The last checked block and its header hash: pin it as the next audit's trust anchor (an incremental audit). */
  checkpoint: { block: string; headerHash: string };
  /** Where the next call goes on when the range was cut at `maxBlocks`. */
  nextFromBlock?: string;
  /** Block files only: bytes at the end of a block still being written when the files were copied (not checked). */
  partialTailBytes?: number;
}

/**
 * Checks blocks `from`..`to` (default: from the genesis block to the last) of the network's
 * channel, at most `maxBlocks` of them (default 2,000) per call: `nextFromBlock` says where to go on.
 * `anchor` pins a block the auditor trusts (the genesis block's hash, or a checkpoint of an earlier
 * audit): it must be in the range or be the block just before it, and its header must hash to it.
 */
export async function verifyChain(network: Network, range: { from?: bigint; to?: bigint; maxBlocks?: number; anchor?: TrustAnchor } = {}): Promise<ChainReport> {
  const channel = network.getName();
  const block = async (n: bigint) => (await readBlock(network, n)).proto;
  const info = await chainInfo(network);
  const height = info.height;
  const last = height - 1n;
  const from = range.from ?? 0n;
  const wanted = range.to === undefined || range.to > last ? last : range.to;
  if (from < 0n || from > wanted) throw new RangeError(`no blocks in ${from}..${wanted} (height ${height})`);
  const to = wanted - from + 1n > BigInt(range.maxBlocks ?? 2000) ? from + BigInt(range.maxBlocks ?? 2000) - 1n : wanted;
  const { anchor } = range;
  // An anchor past the peer's last block: the peer serves a shorter chain than one already audited (told, not refused).
  const beyond = anchor !== undefined && anchor.block > last;
  if (anchor && !beyond && (anchor.block < from - 1n || anchor.block > to)) throw new RangeError(`the trust anchor (block ${anchor.block}) must be in ${from}..${to} or the block just before`);
  const before = from > 0n ? (await block(from - 1n)).getHeader() : undefined;
  const beforeHash = before ? blockHeaderHash(before) : undefined;
  // The CAs as configured before `from` (the genesis block itself configures the first ones).
  const inForce = from > 0n ? await channelConfigInForce(network, from - 1n) : undefined;
  const cas: ChainCas = inForce ? chainCasOf(inForce.config, inForce.index) : { orderers: new Map(), members: new Map() };
  const checked = new ChainChecker(from, beforeHash, cas, anchor);
  if (anchor && anchor.block === from - 1n && !(beforeHash?.equals(anchor.headerHash) ?? false)) {
    checked.breaks.push({ block: anchor.block.toString(), reason: 'its header hash is not the pinned trust anchor’s: this is not the chain the anchor names' });
  }
  for (let n = from; n <= to; n++) checked.add(await block(n));
  const anchored = to === last && checked.lastHeaderHash !== undefined && checked.lastHeaderHash.equals(info.currentBlockHash);
  if (to === last && !anchored) checked.breaks.push({ block: to.toString(), reason: "its header does not hash to the peer's current block hash" });
  if (anchor && beyond) checked.breaks.push({ block: anchor.block.toString(), reason: `the peer serves blocks up to ${last}; the trust anchor is beyond them: a shorter chain than one already audited` });
  const anchorBroken = anchor !== undefined && checked.breaks.some((b) => b.block === anchor.block.toString() && b.reason.includes('trust anchor'));
  return {
    channel,
    height: height.toString(),
    fromBlock: from.toString(),
    toBlock: to.toString(),
    blocksChecked: Number(to - from + 1n),
    transactionsByValidation: Object.fromEntries(Object.entries(checked.transactionsByValidation).sort(([a], [b]) => a.localeCompare(b))),
    transactionsChecked: checked.transactionsChecked,
    activityByDay: checked.activityByDay,
    validationReplayed: checked.validationReplayed,
    breaks: checked.breaks,
    anchoredToPeerHeight: anchored,
    ...(anchor ? { trustAnchor: { block: anchor.block.toString(), headerHash: anchor.headerHash.toString('hex'), matched: !anchorBroken } } : {}),
    checkpoint: { block: to.toString(), headerHash: (checked.lastHeaderHash ?? Buffer.alloc(0)).toString('hex') },
    ...(to < wanted ? { nextFromBlock: (to + 1n).toString() } : {}),
  };
}
