import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  ANCHOR_PROOF_FORMAT,
  anchorLeafValue,
  ConfirmationState,
  Role,
  type AnchoredKind,
  type AnchorLeafInput,
  type AnchorProof,
  type ConfirmationEvidence,
  type MortgageEvidence,
  type ReceivableEvidence,
} from '@econfirm/common';
import type { AnchorLeafFacts } from '@econfirm/evidence';
// From the library's model files, not its index: the index loads the PDF renderer and verifier
// (pdfkit, fontkit, pdf-lib), which the gateway loads only on its first evidence request (evidence-library.ts).
import { CERTIFIED_STATES } from '@econfirm/evidence/dist/model/mortgage-certificate';
import { VOUCHER_STATES } from '@econfirm/evidence/dist/model/receivable-voucher';
import { readBlockOfTransaction } from '@econfirm/sdk';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { Principal } from '../auth/principal';
import { GATEWAY_CONFIG, type AnchoringSettings, type GatewayConfig } from '../config/gateway-config';
import { DATABASE } from '../database/database.module';
import { GatewayError } from '../errors/gateway-error';
import { sleep } from '../events/backoff';
import { EventBus } from '../events/event-bus';
import type { EventType } from '../events/event-model';
import { OutboxService } from '../events/outbox.service';
import { parseResult } from '../fabric/ledger-call';
import { LedgerService } from '../fabric/ledger.service';
import { servicePrincipal } from '../tenants/service-principal';
import { TenantsService, type Tenant } from '../tenants/tenants.service';
import { AnchorStore, type AnchorBatchRow, type BatchState } from './anchor.store';
import { AnchoringMetrics } from './anchoring.metrics';
import type * as EvmAnchor from './evm-anchor.client';
import type { EvmAnchorClient } from './evm-anchor.client';

/** Outbox events read per tenant and round. */
const PAGE = 200;

/** The record RecordBatch answers (chaincode/src/contracts/anchor-contract.ts). */
interface RecordedBatch {
  root: string;
  count: number;
  txId: string;
}

export interface AnchoringStatus {
  enabled: boolean;
  chainId?: string;
  contract?: string;
  anchorer?: string;
  pendingItems: number;
  batches: Record<BatchState, number>;
  oldestPendingAt?: string;
  lastConfirmedAt?: string;
  lastError?: string;
}

/** The standard tree of a batch's leaves (bytes32 values): the same every time for the same leaves. */
export function batchTree(leaves: readonly string[]): StandardMerkleTree<[string]> {
  return StandardMerkleTree.of(leaves.map((leaf): [string] => [leaf]), ['bytes32']);
}

/** An item's id: one per confirmation (it completes once), one per version of a registration or receivable (each has its certificate or voucher). */
function itemIdOf(facts: Pick<AnchorLeafInput, 'kind' | 'id' | 'txId'>): string {
  return facts.kind === 'confirmation' ? `confirmation:${facts.id}` : `${facts.kind}:${facts.id}:${facts.txId}`;
}

/** Where one kind of evidence comes from: whose outbox, read as which role, and the ledger facts of its leaf. */
interface EvidenceSource {
  kind: AnchoredKind;
  /** The roles the service may read as, in order of preference: a tenant's first identity of one of them. */
  roles: readonly Role[];
  eventType: EventType;
  cursorKey(tenantId: string): string;
  /** Whether an event's state is one the evidence exists in. */
  completes(state: string | undefined): boolean;
  /** The leaf facts as `principal` reads them now, or undefined when the record has moved to a state without evidence. */
  read(ledger: LedgerService, principal: Principal, channel: string, id: string): Promise<AnchorLeafFacts | undefined>;
}

const SOURCES: readonly EvidenceSource[] = [
  {
    // A firm's completed confirmations, read as its auditor (GetConfirmationEvidence is the firm's own read).
    kind: 'confirmation',
    roles: [Role.Auditor],
    eventType: 'ConfirmationChanged',
    cursorKey: (tenantId) => tenantId,
    completes: (state) => state === ConfirmationState.AuditorAccepted,
    async read(ledger, principal, channel, id) {
      const evidence = parseResult<ConfirmationEvidence>(await ledger.evaluate(principal, { contract: 'confirmation', transaction: 'GetConfirmationEvidence', args: [id] }));
      const last = evidence.trail[evidence.trail.length - 1];
      if (!last) throw new Error(`confirmation ${id} has no trail`);
      const { letter, reply, state } = evidence.confirmation;
      return { channel, kind: 'confirmation', id, state, letterHash: letter.contentHash, ...(reply ? { replyHash: reply.contentHash, replySignatureHash: reply.signatureHash } : {}), txId: last.txId };
    },
  },
  {
    // A registration centre's certificates, read as its registrar: each version of a registration
    // that has one (registered, changed, transferred, discharge requested, discharged). The
    // version read is the registration's latest: an event read after a later step yields that
    // step's version, whose certificate is the one the registry issues now.
    kind: 'mortgage-certificate',
    roles: [Role.Registrar],
    eventType: 'MortgageChanged',
    cursorKey: (tenantId) => `mortgage-certificate:${tenantId}`,
    completes: (state) => (CERTIFIED_STATES as readonly (string | undefined)[]).includes(state),
    async read(ledger, principal, channel, id) {
      const evidence = parseResult<MortgageEvidence>(await ledger.evaluate(principal, { contract: 'mortgage', transaction: 'GetMortgageEvidence', args: [id] }));
      const { mortgage } = evidence;
      const last = evidence.trail[evidence.trail.length - 1];
      if (!last) throw new Error(`mortgage ${id} has no trail`);
      if (!mortgage.certificate || !CERTIFIED_STATES.includes(mortgage.state)) return undefined;
      return { channel, kind: 'mortgage-certificate', id, state: mortgage.state, applicationHash: mortgage.application.contentHash, certificateHash: mortgage.certificate.contentHash, txId: last.txId };
    },
  },
  {
    // Receivable vouchers: every version of a receivable its obligor confirmed (confirmed,
    // transferred, financed, split …), from the outbox of any tenant that reads it — the
    // regulator, an enterprise or a bank party — so a gateway anchors what it can issue vouchers
    // of. Two tenants reading the same version make one item (the first collected keeps its salt).
    kind: 'receivable-voucher',
    roles: [Role.Regulator, Role.ClientSigner, Role.BankOfficer],
    eventType: 'ReceivableChanged',
    cursorKey: (tenantId) => `receivable-voucher:${tenantId}`,
    completes: (state) => (VOUCHER_STATES as readonly (string | undefined)[]).includes(state),
    async read(ledger, principal, channel, id) {
      const evidence = parseResult<ReceivableEvidence>(await ledger.evaluate(principal, { contract: 'receivable', transaction: 'GetReceivableEvidence', args: [id] }));
      const { receivable } = evidence;
      const last = evidence.trail[evidence.trail.length - 1];
      if (!last) throw new Error(`receivable ${id} has no trail`);
      if (!VOUCHER_STATES.includes(receivable.state)) return undefined;
      return { channel, kind: 'receivable-voucher', id, state: receivable.state, holderId: receivable.holderId, amountHash: receivable.amountHash, termsHash: receivable.terms.contentHash, txId: last.txId };
    },
  },
];

/**
 * Public EVM anchoring of completed evidence (gateway/README.md "Anchoring"). Each round:
 * 1. collect — every firm tenant's outbox is read from the service's own cursor; each request that
 *    reached AuditorAccepted becomes an item: its ledger facts (GetConfirmationEvidence as the
 *    firm's auditor) and a fresh salt, hashed into a leaf;
 * 2. cut — `maxItems` waiting items, or any once the oldest has waited `batchIntervalMs`, become a
 *    batch: the standard Merkle tree of their leaves;
 * 3. record — anchor:RecordBatch on the channel as the recorder (idempotent by root);
 * 4. send — EvidenceAnchor.anchor(root, ledgerRef of that transaction), unless the contract
 *    already holds the root;
 * 5. confirm — after `confirmations` blocks, with the receipt's block still on the chain; a
 *    transaction no node knows after `dropAfterMs`, a reverted one, or a confirmed root the contract
 *    no longer holds (reconcile) goes back to step 4.
 * Every step is committed in SQLite before the next one starts: a restart resumes, nothing is lost
 * or anchored twice.
 */
@Injectable()
export class AnchoringService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AnchoringService');
  private readonly settings?: AnchoringSettings;
  readonly store: AnchorStore;
  private evm?: EvmAnchorClient;
  /** evm-anchor.client.ts, loaded once anchoring is configured (onApplicationBootstrap). */
  private evmAnchor?: typeof EvmAnchor;
  private readonly stop = new AbortController();
  private running?: Promise<void>;
  private wake?: () => void;
  private lastError?: string;
  private lastReconcile = 0;
  private unsubscribe?: () => void;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(DATABASE) db: DatabaseSync,
    private readonly ledger: LedgerService,
    private readonly tenants: TenantsService,
    private readonly outbox: OutboxService,
    private readonly bus: EventBus,
    private readonly metrics: AnchoringMetrics,
  ) {
    this.settings = config.anchoring;
    this.store = new AnchorStore(db);
    metrics.bind(() => this.store.counts());
  }

  get enabled(): boolean {
    return this.settings !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings) return;
    // The EVM client and ethers with it (about 3 MB of heap, measured on Node 24) are loaded only
    // by a gateway that anchors, not by every gateway at start-up (issue 18: idle memory).
    // (import() of a CommonJS module: its `default` is the module's exports.)
    this.evmAnchor = (await import('./evm-anchor.client.js')).default;
    // The anchorer's key is opened here (an HSM key is found and test-signed): one that cannot sign stops the start.
    this.evm = await this.evmAnchor.EvmAnchorClient.open(this.settings);
    // An outbox that grew wakes the loop early; the loop reads from its own cursor either way.
    this.unsubscribe = this.bus.subscribe(() => this.wake?.());
    this.running = this.loop(this.settings);
  }

  /** The EVM client's module; the pipeline runs only once onApplicationBootstrap loaded it. */
  private loadedEvmAnchor(): typeof EvmAnchor {
    if (!this.evmAnchor) throw new Error('anchoring is not configured on this gateway');
    return this.evmAnchor;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort();
    this.wake?.();
    this.unsubscribe?.();
    await this.running;
    this.evm?.close();
  }

  private async loop(settings: AnchoringSettings): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        await this.round(settings);
        this.lastError = undefined;
      } catch (err) {
        this.lastError = (err as Error).message;
        this.evm?.forgetChain();
        this.metrics.errors.inc();
        this.logger.warn(`anchoring round failed: ${this.lastError}`);
      }
      if (this.stop.signal.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, settings.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One pass of the whole pipeline (also what tests and the benchmark drive through `runOnce`). */
  private async round(settings: AnchoringSettings): Promise<void> {
    await this.collect();
    this.cut(settings);
    const evm = this.evm as EvmAnchorClient;
    for (const batch of this.store.batches(['built', 'recorded', 'sent'])) {
      if (this.stop.signal.aborted) return;
      await this.advance(settings, evm, batch);
    }
    if (Date.now() - this.lastReconcile >= settings.reconcileMs) {
      await evm.checkChain();
      await this.reconcile(evm);
      this.lastReconcile = Date.now();
    }
  }

  /** Runs rounds until no batch is open and nothing waits, or `timeoutMs` passes (tests, benchmark). */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = this.store.counts();
      if (counts.pendingItems === 0 && counts.batches.built + counts.batches.recorded + counts.batches.sent === 0) return;
      if (Date.now() > deadline) throw new Error(`anchoring did not settle in ${timeoutMs} ms: ${JSON.stringify(counts)}${this.lastError ? ` (${this.lastError})` : ''}`);
      this.wake?.();
      await sleep(100);
    }
  }

  // ---- 1. collect ----

  /** The tenants that read one kind of evidence, each with the identity of `role` the service reads as. */
  private readers(source: EvidenceSource): Array<{ tenant: Tenant; principal: Principal; cursorKey: string }> {
    const found: Array<{ tenant: Tenant; principal: Principal; cursorKey: string }> = [];
    for (const tenant of this.tenants.list()) {
      const org = this.tenants.descriptor.orgs.find((o) => o.key === tenant.orgKey);
      const identity = source.roles.map((role) => org?.identities.find((i) => i.institution === tenant.institutionId && i.role === role)).find((i) => i !== undefined);
      if (identity) found.push({ tenant, principal: servicePrincipal(tenant, identity, 'anchoring'), cursorKey: source.cursorKey(tenant.id) });
    }
    return found;
  }

  private async collect(): Promise<void> {
    for (const source of SOURCES) {
      for (const { tenant, principal, cursorKey } of this.readers(source)) {
        for (;;) {
          const after = this.store.cursor(cursorKey);
          const events = this.outbox.store.list(tenant.id, after, PAGE, [source.eventType]);
          if (events.length === 0) break;
          const items = [];
          for (const event of events) {
            if (!source.completes(event.state)) continue;
            for (const id of event.ids) {
              // Collected already — from another tenant's outbox (every reader of a receivable gets
              // its event) or before a restart: the version this event made is an item, no read.
              if (this.store.item(itemIdOf({ kind: source.kind, id, txId: event.transactionId }))) continue;
              const facts = await source.read(this.ledger, principal, this.tenants.descriptor.channel, id);
              if (facts) items.push(this.item(tenant, facts));
            }
          }
          const added = this.store.collect(cursorKey, (events[events.length - 1] as { sequence: number }).sequence, items);
          if (added > 0) this.logger.log(`${added} completed piece(s) of ${source.kind} evidence of ${tenant.id} wait to be anchored`);
        }
      }
    }
  }

  /** A completed piece of evidence's item: its leaf over its ledger facts and a fresh salt. */
  private item(tenant: Tenant, read: AnchorLeafFacts) {
    const facts = { ...read, salt: randomBytes(32).toString('hex') } as AnchorLeafInput;
    return { itemId: itemIdOf(facts), tenantId: tenant.id, leaf: anchorLeafValue(facts), salt: facts.salt, facts, collectedAt: new Date().toISOString() };
  }

  // ---- 2. cut ----

  private cut(settings: AnchoringSettings): void {
    for (;;) {
      const waiting = this.store.pending(settings.maxItems);
      const oldest = waiting[0];
      if (!oldest) return;
      const due = waiting.length >= settings.maxItems || Date.now() - Date.parse(oldest.collectedAt) >= settings.batchIntervalMs;
      if (!due) return;
      const leaves = waiting.map((i) => i.leaf).sort();
      const root = batchTree(leaves).root;
      const batch = this.store.createBatch(root, leaves, waiting.map((i) => i.itemId), new Date().toISOString());
      this.logger.log(`batch ${batch.seq} cut: ${batch.count} item(s), root ${root}`);
      if (waiting.length < settings.maxItems) return;
    }
  }

  // ---- 3–5. record, send, confirm ----

  private recorder(settings: AnchoringSettings): Principal {
    const tenant = this.tenants.get(settings.recorder.tenantId);
    const org = this.tenants.descriptor.orgs.find((o) => o.key === tenant.orgKey);
    const identity = org?.identities.find((i) => i.name === settings.recorder.identityName);
    if (!identity) throw new Error(`anchoring.recorder: no identity '${settings.recorder.identityName}' in org '${tenant.orgKey}'`);
    return servicePrincipal(tenant, identity, 'anchoring');
  }

  private async advance(settings: AnchoringSettings, evm: EvmAnchorClient, batch: AnchorBatchRow): Promise<void> {
    const now = (): string => new Date().toISOString();
    try {
      if (batch.state === 'built') batch = await this.record(settings, batch);
      // The channel's part needs no chain; nothing goes to a node on another chain than configured.
      await evm.checkChain();
      if (batch.state === 'recorded') batch = await this.send(evm, batch);
      if (batch.state === 'sent') await this.confirm(settings, evm, batch);
    } catch (err) {
      this.store.update(batch.root, { lastError: (err as Error).message.slice(0, 500) }, now());
      throw err;
    }
  }

  private async record(settings: AnchoringSettings, batch: AnchorBatchRow): Promise<AnchorBatchRow> {
    const recorder = this.recorder(settings);
    const outcome = await this.ledger.submit(recorder, { contract: 'anchor', transaction: 'RecordBatch', args: [JSON.stringify({ root: batch.root, leaves: batch.leaves })] });
    const recorded = parseResult<RecordedBatch>(outcome.result);
    if (recorded.root !== batch.root || recorded.count !== batch.count) throw new Error(`the channel recorded root ${recorded.root} (${recorded.count}) for batch ${batch.seq}`);
    // Recorded before (an answer lost in a crash): the first transaction is the one the anchor names.
    const blockNumber = recorded.txId === outcome.transactionId ? outcome.blockNumber : (await readBlockOfTransaction(this.ledger.network(recorder), recorded.txId)).number;
    const channel = this.tenants.descriptor.channel;
    this.logger.log(`batch ${batch.seq} recorded on ${channel} in ${recorded.txId} (block ${blockNumber})`);
    return this.store.update(batch.root, { state: 'recorded', fabricTx: recorded.txId, fabricBlock: blockNumber.toString(), ledgerRef: this.loadedEvmAnchor().ledgerRefOf(channel, blockNumber, recorded.txId), lastError: null }, new Date().toISOString());
  }

  /** The anchor as the chain already has it (sent before a crash, or by another anchorer): adopt its transaction. */
  private async adopt(evm: EvmAnchorClient, batch: AnchorBatchRow): Promise<AnchorBatchRow | undefined> {
    if (!(await evm.isAnchored(batch.root))) return undefined;
    const where = await evm.locate(batch.root);
    if (!where) throw new Error(`root ${batch.root} is anchored but no EvidenceAnchored event names it`);
    return this.store.update(batch.root, { state: 'sent', evmTx: where.txHash, sentAt: new Date().toISOString(), lastError: null }, new Date().toISOString());
  }

  private async send(evm: EvmAnchorClient, batch: AnchorBatchRow): Promise<AnchorBatchRow> {
    const adopted = await this.adopt(evm, batch);
    if (adopted) return adopted;
    const uri = `econfirm:${this.tenants.descriptor.channel}/anchor/${batch.root}`;
    let txHash: string;
    try {
      txHash = await evm.send(batch.root, batch.ledgerRef as string, uri);
    } catch (err) {
      // Anchored meanwhile (a transaction of ours still in flight when we restarted): adopt it.
      const refusal = this.loadedEvmAnchor().revertName(err);
      if (refusal === 'AnchorAlreadyExists') return (await this.adopt(evm, batch)) ?? batch;
      if (refusal) throw new Error(`EvidenceAnchor refused to anchor batch ${batch.seq} for ${evm.address}: ${refusal}`);
      throw err;
    }
    this.metrics.sends.inc();
    this.logger.log(`batch ${batch.seq} sent to chain ${this.settings?.chainId} in ${txHash}`);
    return this.store.update(batch.root, { state: 'sent', evmTx: txHash, sentAt: new Date().toISOString(), sends: batch.sends + 1, lastError: null }, new Date().toISOString());
  }

  private async confirm(settings: AnchoringSettings, evm: EvmAnchorClient, batch: AnchorBatchRow): Promise<void> {
    const now = new Date().toISOString();
    const txHash = batch.evmTx as string;
    const receipt = await evm.receipt(txHash);
    if (!receipt) {
      if (await evm.known(txHash)) return; // in the pool: wait
      if (Date.now() - Date.parse(batch.sentAt ?? now) < settings.dropAfterMs) return;
      this.logger.warn(`batch ${batch.seq}: transaction ${txHash} was dropped; anchoring again`);
      this.metrics.reanchors.inc();
      if (!(await this.adopt(evm, batch))) this.store.update(batch.root, { state: 'recorded', evmTx: null, sentAt: null }, now);
      return;
    }
    if (receipt.status !== 1) {
      if (!(await this.adopt(evm, batch))) this.store.update(batch.root, { state: 'recorded', evmTx: null, sentAt: null, lastError: `anchor transaction ${txHash} reverted` }, now);
      return;
    }
    const head = await evm.head();
    if (head - receipt.blockNumber + 1 < settings.confirmations) return;
    const block = await evm.block(receipt.blockNumber);
    // Reorged away: the receipt's block is no longer the chain's block at that height; ask again next round.
    if (!block || block.hash !== receipt.blockHash) return;
    if (!(await evm.isAnchored(batch.root))) return;
    this.metrics.gasUsed.inc(Number(receipt.gasUsed));
    const anchoredAt = new Date(block.timestamp * 1000).toISOString();
    this.store.update(batch.root, { state: 'confirmed', evmBlock: receipt.blockNumber, evmBlockHash: receipt.blockHash, anchoredAt, gasUsed: receipt.gasUsed.toString(), lastError: null }, now);
    this.logger.log(`batch ${batch.seq} anchored: block ${receipt.blockNumber} (${anchoredAt}), ${receipt.gasUsed} gas`);
  }

  /** Confirmed batches whose root the contract no longer holds (a reset development chain, a deep reorg) are anchored again. */
  private async reconcile(evm: EvmAnchorClient): Promise<void> {
    for (const batch of this.store.batches(['confirmed'])) {
      if (await evm.isAnchored(batch.root)) continue;
      this.logger.warn(`batch ${batch.seq}: root ${batch.root} is no longer on chain ${this.settings?.chainId}; anchoring again`);
      this.metrics.reanchors.inc();
      this.store.update(batch.root, { state: 'recorded', evmTx: null, sentAt: null, evmBlock: null, evmBlockHash: null, anchoredAt: null }, new Date().toISOString());
    }
  }

  // ---- what evidence and operations see ----

  /**
   * The proof a confirmation's evidence carries: anchored (its batch confirmed on the chain),
   * pending (completed, not anchored yet), or undefined (anchoring off, or not completed).
   */
  proofFor(confirmationId: string, state: string): AnchorProof | undefined {
    return this.proof(`confirmation:${confirmationId}`, state === ConfirmationState.AuditorAccepted);
  }

  /**
   * The proof a registration certificate carries for the version of the registration it is
   * generated from (its last transaction): anchored, pending, or undefined (anchoring off, or a
   * state without a certificate).
   */
  certificateProofFor(version: { id: string; state: string; txId: string }): AnchorProof | undefined {
    return this.proof(`mortgage-certificate:${version.id}:${version.txId}`, (CERTIFIED_STATES as readonly string[]).includes(version.state));
  }

  /** The proof a receivable voucher carries for the version of the receivable it is generated from (its last transaction). */
  voucherProofFor(version: { id: string; state: string; txId: string }): AnchorProof | undefined {
    return this.proof(`receivable-voucher:${version.id}:${version.txId}`, (VOUCHER_STATES as readonly string[]).includes(version.state));
  }

  private proof(itemId: string, completed: boolean): AnchorProof | undefined {
    if (!this.settings) return undefined;
    const item = this.store.item(itemId);
    const batch = item?.batchRoot ? this.store.batch(item.batchRoot) : undefined;
    if (!item || !batch || batch.state !== 'confirmed') return completed ? { format: ANCHOR_PROOF_FORMAT, status: 'pending' } : undefined;
    const tree = batchTree(batch.leaves);
    return {
      format: ANCHOR_PROOF_FORMAT,
      status: 'anchored',
      leaf: { value: item.leaf, salt: item.salt },
      proof: tree.getProof([item.leaf]),
      root: batch.root,
      chainId: this.settings.chainId,
      contract: this.settings.contractAddress,
      txHash: batch.evmTx as string,
      blockNumber: batch.evmBlock as number,
      anchoredAt: batch.anchoredAt as string,
      ledgerRef: batch.ledgerRef as string,
      batch: { channel: item.facts.channel, txId: batch.fabricTx as string, blockNumber: batch.fabricBlock as string, count: batch.count },
    };
  }

  status(): AnchoringStatus {
    const counts = this.store.counts();
    if (!this.settings) return { enabled: false, ...counts };
    return {
      enabled: true,
      chainId: this.settings.chainId,
      contract: this.settings.contractAddress,
      ...(this.evm ? { anchorer: this.evm.address } : {}),
      ...counts,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** For the verify route: the chain this gateway anchors on, as the verifier's own choice (never the document's). */
  chain(): { rpcUrl: string; chainId: string; contract: string } {
    if (!this.settings) throw new GatewayError('ANCHORING_NOT_CONFIGURED', 'this gateway is configured with no EVM chain to check anchors against');
    return { rpcUrl: this.settings.rpcUrl, chainId: this.settings.chainId, contract: this.settings.contractAddress };
  }
}
