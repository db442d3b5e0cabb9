import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ChaincodeEvent, CloseableAsyncIterable, Network } from '@hyperledger/fabric-gateway';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { LedgerService } from '../fabric/ledger.service';
import { RegistryReader } from '../institutions/registry-reader.service';
import { TenantsService } from '../tenants/tenants.service';
import { backoffDelay, sleep } from './backoff';
import { EventBus } from './event-bus';
import { EventMetrics } from './event-metrics';
import { decodeEventData, EventDecodeError, isEventType, isSealedEvent, type LedgerEvent, type TenantEvent } from './event-model';
import { EventRouter } from './event-router.service';
import { chainHeight, transactionTimestamp } from './ledger-clock';
import { OutboxService } from './outbox.service';

const MAX_RECONNECT_DELAY_MS = 30_000;

export interface ListenerStatus {
  enabled: boolean;
  connected: boolean;
  reconnects: number;
  lastError?: string;
  checkpoint?: { blockNumber: string; transactionId?: string };
}

/**
 * Reads the chaincode's events from the gateway peer and files each into the outboxes of the
 * tenants it concerns. Resumes from the SQLite checkpoint (fabric-gateway Checkpoint), which
 * moves only in the transaction that records the event: no gap, no duplicate across restarts
 * or reconnects. When the stream fails (peer gone, routing read failed) it reconnects with
 * exponential backoff. Starts with the application, stops (after the event in hand) on shutdown.
 */
@Injectable()
export class ChaincodeEventListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ChaincodeEventListener');
  private readonly stop = new AbortController();
  private running?: Promise<void>;
  private stream?: CloseableAsyncIterable<ChaincodeEvent>;
  private connected = false;
  private reconnects = 0;
  private lastError?: string;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly ledger: LedgerService,
    private readonly tenants: TenantsService,
    private readonly router: EventRouter,
    private readonly outbox: OutboxService,
    private readonly bus: EventBus,
    private readonly metrics: EventMetrics,
    private readonly registry: RegistryReader,
  ) {}

  private get network(): Network {
    return this.ledger.network(this.router.listener());
  }

  /**
   * On the very first start there is no checkpoint: begin at the ledger's current height, fixed
   * before the app serves requests so that nothing committed after start-up is missed.
   */
  private async ensureStartPoint(): Promise<void> {
    if (this.outbox.store.checkpoint.getBlockNumber() !== undefined) return;
    const height = await chainHeight(this.network);
    this.outbox.store.checkpoint.startAt(height);
    this.logger.log(`no checkpoint yet: events start at block ${height}`);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.events.enabled) return;
    try {
      await this.ensureStartPoint();
    } catch (err) {
      this.logger.warn(`ledger height unknown at start-up (${(err as Error).message}); the listener keeps trying`);
    }
    this.running = this.loop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort();
    this.stream?.close();
    await this.running;
  }

  status(): ListenerStatus {
    const at = this.outbox.store.checkpoint.position();
    return {
      enabled: this.config.events.enabled,
      connected: this.connected,
      reconnects: this.reconnects,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(at ? { checkpoint: { blockNumber: at.blockNumber.toString(), ...(at.transactionId ? { transactionId: at.transactionId } : {}) } } : {}),
    };
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stop.signal.aborted) {
      try {
        await this.ensureStartPoint();
        const network = this.network;
        this.stream = await network.getChaincodeEvents(this.tenants.descriptor.chaincode.name, { checkpoint: this.outbox.store.checkpoint });
        this.connected = true;
        this.metrics.connected.set(1);
        for await (const event of this.stream) {
          if (this.stop.signal.aborted) break;
          await this.handle(network, event);
          failures = 0;
        }
      } catch (err) {
        if (this.stop.signal.aborted) break;
        failures += 1;
        this.lastError = (err as Error).message;
        this.logger.warn(`chaincode event stream failed (${failures} in a row): ${this.lastError}`);
      } finally {
        this.stream?.close();
        this.stream = undefined;
        this.connected = false;
        this.metrics.connected.set(0);
      }
      if (this.stop.signal.aborted) break;
      this.reconnects += 1;
      this.metrics.reconnects.inc();
      await sleep(backoffDelay(Math.max(failures, 1), this.config.events.reconnectBackoffMs, MAX_RECONNECT_DELAY_MS), this.stop.signal);
    }
  }

  /** Routes one chaincode event and records it with the checkpoint; throws (→ reconnect, retry) on a transient failure. */
  private async handle(network: Network, raw: ChaincodeEvent): Promise<void> {
    if (this.outbox.store.processed(raw.transactionId)) {
      this.outbox.store.skip(raw.blockNumber, raw.transactionId, raw.eventName);
      return;
    }
    if (!isEventType(raw.eventName)) {
      this.logger.warn(`ignoring unknown chaincode event '${raw.eventName}' in ${raw.transactionId}`);
      this.outbox.store.skip(raw.blockNumber, raw.transactionId, raw.eventName);
      return;
    }
    let event: LedgerEvent;
    try {
      event = isSealedEvent(raw.eventName, raw.payload)
        ? { type: raw.eventName, blockNumber: raw.blockNumber, transactionId: raw.transactionId, data: { ids: [] }, sealed: true }
        : { type: raw.eventName, blockNumber: raw.blockNumber, transactionId: raw.transactionId, data: decodeEventData(raw.eventName, raw.payload) };
    } catch (err) {
      if (!(err instanceof EventDecodeError)) throw err;
      this.logger.warn(`ignoring malformed ${raw.eventName} in ${raw.transactionId}: ${err.message}`);
      this.outbox.store.skip(raw.blockNumber, raw.transactionId, raw.eventName);
      return;
    }
    const registryChange = event.type === 'InstitutionRegistered' || event.type === 'InstitutionUpdated';
    // Dropped before routing too: if routing fails, the retry may come much later.
    if (registryChange) for (const id of event.data.ids) this.registry.invalidate(id);
    const deliveries = await this.router.route(event);
    const timestamp = deliveries.length > 0 ? await transactionTimestamp(network, event.transactionId) : '';
    const byTenant = new Map<string, TenantEvent[]>();
    const written = this.outbox.store.record(event, timestamp, deliveries);
    // A registry record changed (keys rotated, suspended…): no seal or signature check may use the cached one from now on.
    if (registryChange) {
      for (const id of event.data.ids) this.registry.invalidate(id, timestamp || undefined);
    }
    this.metrics.recorded.inc({ type: event.type });
    for (const { tenantId, event: recorded } of written) {
      byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), recorded]);
    }
    for (const [tenantId, events] of byTenant) this.bus.publish(tenantId, events);
  }
}
