import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ACT_TRANSACTION, isSealedStep } from '@econfirm/common';
import { answerOf, chainInfo, evaluate, findIdentity, LedgerCallError, openLedger, peerClient, readBlockOfTransaction, submitAndWait, verifyChain, type ChainReport, type LedgerSession } from '@econfirm/sdk';
import type { Client } from '@grpc/grpc-js';
import type { Network } from '@hyperledger/fabric-gateway';
import { readFileSync } from 'node:fs';
import { CredentialsStore } from '../auth/credentials.store';
import { AtRestCipher } from '../database/at-rest-cipher';
import type { Principal } from '../auth/principal';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';
import { requestContext } from '../logging/request-context';
import { MetricsService } from '../metrics/metrics.service';
import { TenantsService } from '../tenants/tenants.service';
import { mapFabricError } from './fabric-error.mapper';
import { HsmCustody } from './hsm-custody';
import { CommittedHighWater, maybeStaleRefusal } from './peer-catch-up';
import { callName, type LedgerCall, type LedgerResult } from './ledger-call';

/** How long a retry refused by the contract looks for its earlier attempt's write on a peer that lags behind. */
const EARLIER_CATCH_UP_MS = 5000;
/** How long a write whose submit failed is looked for on the ledger (ordering + commit, BFT: ~1 s). */
const SUBMITTED_LOOKUP_MS = 5000;

export interface LedgerSubmitOptions {
  /** Attempts when the commit hits a read conflict (each a fresh transaction); default 3. */
  maxAttempts?: number;
}

/**
 * The gateway's only road to Fabric: one gRPC client per gateway peer, one fabric-gateway
 * connection per tenant identity (custodial) or per offline credential (certificate only).
 * Writes go endorse → submit → commit status with the SDK's MVCC retry; contract refusals
 * are never retried; every call has the configured deadlines; every error leaves as GatewayError.
 */
@Injectable()
export class LedgerService implements OnApplicationShutdown {
  private readonly logger = new Logger('LedgerService');
  private readonly clients = new Map<string, Client>();
  private readonly sessions = new Map<string, LedgerSession>();
  /** The highest block this gateway's writes committed in (peer-catch-up.ts). */
  private readonly committed = new CommittedHighWater();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly tenants: TenantsService,
    private readonly credentials: CredentialsStore,
    private readonly metrics: MetricsService,
    private readonly hsm: HsmCustody,
    private readonly cipher: AtRestCipher,
  ) {}

  /** The secret the principal's sealed steps' answers are sealed under (at-rest-cipher.ts answerSecret). */
  answerSecret(principal: Principal): Uint8Array {
    return this.cipher.answerSecret(principal.credentialId);
  }

  private client(gatewayOrgKey: string): Client {
    let client = this.clients.get(gatewayOrgKey);
    if (!client) {
      client = peerClient(this.tenants.descriptor, gatewayOrgKey);
      this.clients.set(gatewayOrgKey, client);
    }
    return client;
  }

  /** The fabric-gateway session of a principal (opened once, reused). Offline ones cannot sign. */
  session(principal: Principal): LedgerSession {
    const tenant = this.tenants.get(principal.tenantId);
    const key = principal.custody === 'offline' ? `offline:${principal.credentialId}` : `${tenant.id}/${principal.identityName}`;
    let session = this.sessions.get(key);
    if (!session) {
      const certificate = principal.custody === 'offline' ? this.credentials.find(principal.credentialId)?.certificatePem : undefined;
      if (principal.custody === 'offline' && !certificate) throw GatewayError.unauthenticated('the offline credential has no certificate');
      // A custodial key in the HSM token signs there; the descriptor gives only its certificate.
      const hsmSigner =
        principal.custody !== 'offline' && this.hsm.holds(tenant.id, principal.identityName)
          ? this.hsm.signer(tenant.id, principal.identityName, readFileSync(findIdentity(this.tenants.descriptor, tenant.orgKey, principal.identityName).certPath))
          : undefined;
      session = openLedger({
        descriptor: this.tenants.descriptor,
        orgKey: tenant.orgKey,
        identityName: principal.identityName,
        client: this.client(tenant.gatewayOrgKey),
        deadlines: this.config.deadlines,
        ...(certificate ? { offlineCertificate: Buffer.from(certificate) } : {}),
        ...(hsmSigner ? { signer: hsmSigner } : {}),
      });
      this.sessions.set(key, session);
    }
    return session;
  }

  /** The channel as the principal, e.g. for chaincode event listeners (custodial identities only). */
  network(principal: Principal): Network {
    return this.session(principal).network;
  }

  private requireCustody(principal: Principal, call: LedgerCall): void {
    if (principal.custody === 'offline') {
      throw new GatewayError('OFFLINE_SIGNING_REQUIRED', `${callName(call)} needs the caller's signature: this credential's key is not held by the gateway`);
    }
  }

  private async measured<T>(kind: 'submit' | 'evaluate', call: LedgerCall, work: () => Promise<T>): Promise<T> {
    const end = this.metrics.ledgerDuration.startTimer({ kind, transaction: callName(call) });
    try {
      const result = await work();
      this.metrics.ledgerCalls.inc({ kind, transaction: callName(call), outcome: 'OK' });
      return result;
    } catch (err) {
      const mapped = mapFabricError(err, call.transaction);
      this.metrics.ledgerCalls.inc({ kind, transaction: callName(call), outcome: mapped.code });
      throw mapped;
    } finally {
      end();
    }
  }

  /**
   * Endorse, submit and wait for the commit, as the principal's identity. Under an
   * Idempotency-Key (request-context.ts IdempotencyScope) each write's transaction id is recorded
   * once it went to ordering; a retry that took the key over from a crashed or 5xx-answered
   * attempt answers from that attempt's transaction when it committed VALID, and submits anew
   * only when it did not — the same write is never made twice.
   */
  submit(principal: Principal, call: LedgerCall, options: LedgerSubmitOptions = {}): Promise<LedgerResult> {
    this.requireCustody(principal, call);
    const context = requestContext.getStore();
    const scope = context?.idempotency;
    const index = scope ? scope.writes++ : 0;
    const onOrdered = context?.onOrdered;
    return this.measured('submit', call, async () => {
      const earlier = scope?.earlier[index];
      const found = earlier ? await this.committedEarlier(principal, call, earlier) : undefined;
      if (found) return found;
      const contract = this.session(principal).contract(call.contract);
      const write = () =>
        submitAndWait(contract, call.transaction, {
          arguments: call.args,
          transientData: call.transient,
          answerSecret: this.answerSecret(principal),
          maxAttempts: options.maxAttempts ?? 3,
          ...(scope || onOrdered
            ? {
                onSubmitted: (transactionId: string) => {
                  scope?.record(index, transactionId);
                  onOrdered?.(transactionId);
                },
              }
            : {}),
        });
      try {
        const outcome = await this.onceCaughtUp(principal, write);
        this.committed.note(outcome.blockNumber);
        return { transactionId: outcome.transactionId, blockNumber: outcome.blockNumber, result: outcome.result };
      } catch (err) {
        // Refused because the earlier attempt's write is there after all: this peer had not yet
        // caught up with it (just restarted, a block behind). Asked again for a few seconds.
        const refused = mapFabricError(err, call.transaction).httpStatus < 500;
        const late = earlier && refused ? await this.committedEarlier(principal, call, earlier, EARLIER_CATCH_UP_MS) : undefined;
        if (late) return late;
        // The submit failed after endorsement, yet the transaction may be ordered: BFT orderers
        // that already hold it answer "request already processed" and the peer gateway reports
        // UNAVAILABLE (hyperledger/fabric#4415). Its commit is looked for before answering 503.
        const unsure = err instanceof LedgerCallError && err.phase === 'submit' && err.transactionId ? err.transactionId : undefined;
        const committed = unsure ? await this.committedEarlier(principal, call, unsure, SUBMITTED_LOOKUP_MS) : undefined;
        if (committed) return committed;
        throw err;
      }
    });
  }

  /**
   * An earlier attempt's transaction as committed on the principal's peer: its result when VALID
   * and the same call; undefined when the ledger has no such transaction (never ordered, or not
   * committed) or it is invalid (then nothing was written and the call is made again).
   */
  private async committedEarlier(principal: Principal, call: LedgerCall, transactionId: string, waitMs = 0): Promise<LedgerResult | undefined> {
    let block;
    for (const until = Date.now() + waitMs; ; ) {
      try {
        block = await readBlockOfTransaction(this.network(principal), transactionId);
        break;
      } catch {
        // not on this peer's ledger (yet)
        if (Date.now() >= until) return undefined;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    const tx = block.transactions.find((t) => t.transactionId === transactionId);
    const action = tx?.actions[0];
    if (!tx?.isValid || !action) return undefined;
    const [name] = action.arguments;
    const called = name ? Buffer.from(name).toString('utf8') : '';
    // The contract's transactions are named "<contract>:<Transaction>" on the ledger; a sealed
    // step is "<contract>:Act" there, its step only in the (unrecorded) transient map.
    const sealed = isSealedStep(call.contract, call.transaction);
    const named = sealed ? `${call.contract}:${ACT_TRANSACTION}` : `${call.contract}:${call.transaction}`;
    if (called !== named && (sealed || called !== call.transaction)) return undefined;
    let result: Uint8Array;
    try {
      result = answerOf(call.contract, call.transaction, transactionId, action.response.payload, this.answerSecret(principal));
    } catch {
      return undefined; // sealed under another secret: not this credential's transaction
    }
    this.logger.log(`${called} (${transactionId}), of an earlier attempt or of a submit that failed after endorsement, committed in block ${block.number}: answered from it, not submitted again`);
    return { transactionId, blockNumber: block.number, result };
  }

  /** A read on the gateway peer, as the principal's identity. */
  evaluate(principal: Principal, call: LedgerCall): Promise<Uint8Array> {
    this.requireCustody(principal, call);
    return this.measured('evaluate', call, () => this.onceCaughtUp(principal, () => evaluate(this.session(principal).contract(call.contract), call.transaction, call.args)));
  }

  /**
   * `work`, and once more when it was refused as a peer a block behind would refuse it and the
   * principal's peer was indeed behind this gateway's last commit and has caught up, or the refusal
   * came moments after that commit, when another endorser may lag (peer-catch-up.ts). A refusal is
   * made at endorsement, so nothing was ordered: asking again is safe.
   */
  private async onceCaughtUp<T>(principal: Principal, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!maybeStaleRefusal(err) || !(await this.committed.worthAskingAgain(async () => (await chainInfo(this.network(principal))).height))) throw err;
      this.logger.log(`a step of ${principal.tenantId} refused right after block ${this.committed.block} (another tenant's commit): asked again once the peers could have it`);
      return work();
    }
  }

  /** The chain check of the sdk (qscc blocks through the principal's peer, every hash recomputed here). */
  async verifyChain(principal: Principal, range: Parameters<typeof verifyChain>[1]): Promise<ChainReport> {
    if (principal.custody === 'offline') {
      throw new GatewayError('OFFLINE_SIGNING_REQUIRED', 'the chain check reads every block: it needs an identity whose key the gateway holds');
    }
    const end = this.metrics.ledgerDuration.startTimer({ kind: 'evaluate', transaction: 'qscc:verifyChain' });
    try {
      const report = await verifyChain(this.network(principal), range);
      this.metrics.ledgerCalls.inc({ kind: 'evaluate', transaction: 'qscc:verifyChain', outcome: 'OK' });
      return report;
    } catch (err) {
      const mapped = err instanceof RangeError ? new GatewayError('VALIDATION_FAILED', err.message) : mapFabricError(err, 'qscc:GetBlockByNumber');
      this.metrics.ledgerCalls.inc({ kind: 'evaluate', transaction: 'qscc:verifyChain', outcome: mapped.code });
      throw mapped;
    } finally {
      end();
    }
  }

  onApplicationShutdown(): void {
    for (const session of this.sessions.values()) session.close();
    for (const client of this.clients.values()) client.close();
    this.sessions.clear();
    this.clients.clear();
    this.logger.log('closed Fabric connections');
  }
}
