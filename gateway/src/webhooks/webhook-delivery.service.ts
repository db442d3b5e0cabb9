import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { DatabaseSync } from 'node:sqlite';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { AtRestCipher } from '../database/at-rest-cipher';
import { DATABASE } from '../database/database.module';
import { backoffDelay } from '../events/backoff';
import { EventBus } from '../events/event-bus';
import { EventMetrics } from '../events/event-metrics';
import type { TenantEvent } from '../events/event-model';
import { OutboxService } from '../events/outbox.service';
import { EgressRefused, WebhookEgressPolicy } from './webhook-egress';
import { WebhookSigner } from './webhook-signer';
import { WebhookStore, type AttemptResult, type Webhook } from './webhook.store';

/** Request headers of a delivery (also documented in the README). */
export const SIGNATURE_HEADER = 'Econfirm-Signature';
export const WEBHOOK_HEADER = 'Econfirm-Webhook-Id';
export const SEQUENCE_HEADER = 'Econfirm-Event-Sequence';
export const ATTEMPT_HEADER = 'Econfirm-Delivery-Attempt';

/** Resolves a host name to every address it has, as node:dns `lookup` with `all: true` does. */
export type HostLookup = (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** The operating system's resolver (getaddrinfo: hosts file, then DNS). */
const systemLookup: HostLookup = (hostname, options, callback) => lookup(hostname, { ...options, all: true }, callback);

/**
 * Delivers each tenant's outbox to its webhooks: per webhook one event at a time in sequence
 * order (the next only after the previous was delivered or dead-lettered), each POST signed,
 * failures retried with exponential backoff and dead-lettered after the configured attempts.
 * All state is in SQLite (WebhookStore); on shutdown it stops scheduling and waits for the
 * POSTs in flight (bounded by the timeout) so their outcome is recorded, not repeated.
 */
@Injectable()
export class WebhookDelivery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookDelivery');
  readonly store: WebhookStore;
  readonly signer: WebhookSigner;
  readonly egress: WebhookEgressPolicy;
  /** How receiver host names are resolved. Tests answer as an attacker's DNS would (a name that resolves inside). */
  hostLookup: HostLookup = systemLookup;
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private scheduled = false;
  private stopped = false;
  private unsubscribe?: () => void;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DATABASE) db: DatabaseSync,
    private readonly outbox: OutboxService,
    private readonly bus: EventBus,
    private readonly metrics: EventMetrics,
    cipher: AtRestCipher,
  ) {
    this.store = new WebhookStore(db);
    this.signer = new WebhookSigner(db, cipher);
    this.egress = new WebhookEgressPolicy(config.events.webhookEgress);
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe(() => this.wake());
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Looks for due deliveries soon (coalesced). */
  wake(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.tick();
    });
  }

  /** The next event of the webhook's tenant after its cursor that passes its filter. */
  nextEvent(webhook: Webhook): TenantEvent | undefined {
    return this.outbox.store.list(webhook.tenantId, webhook.cursor, 1, webhook.events)[0];
  }

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    let earliest = Infinity;
    for (const webhook of this.store.active()) {
      if (this.inFlight.has(webhook.id)) continue;
      const event = this.nextEvent(webhook);
      if (!event) continue;
      if (webhook.nextAttemptAt > now) {
        earliest = Math.min(earliest, webhook.nextAttemptAt);
        continue;
      }
      const work = this.attempt(webhook, event)
        .catch((err: unknown) => this.logger.error(`webhook ${webhook.id}: ${(err as Error).message}`))
        .finally(() => {
          this.inFlight.delete(webhook.id);
          this.wake();
        });
      this.inFlight.set(webhook.id, work);
    }
    this.arm(earliest);
  }

  private arm(at: number): void {
    if (at === Infinity || this.stopped) return;
    if (this.timer && this.timerAt <= at && this.timerAt > Date.now()) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.tick();
    }, Math.max(0, at - Date.now()));
  }

  private async attempt(webhook: Webhook, event: TenantEvent): Promise<void> {
    const result = await this.post(webhook, event, webhook.attempts + 1);
    const { webhookMaxAttempts, webhookBackoffMs, webhookMaxBackoffMs } = this.config.events;
    const applied = this.store.recordAttempt(webhook, event.sequence, result, webhookMaxAttempts, (attempts) => Date.now() + backoffDelay(attempts, webhookBackoffMs, webhookMaxBackoffMs));
    this.metrics.webhookAttempts.inc({ outcome: result.ok ? 'delivered' : 'failed' });
    if (applied && !result.ok && webhook.attempts + 1 >= webhookMaxAttempts) this.metrics.deadLetters.inc();
    if (!result.ok) this.logger.warn(`webhook ${webhook.id} event ${event.sequence} attempt ${webhook.attempts + 1} failed: ${result.error ?? `HTTP ${result.httpStatus}`}`);
  }

  /**
   * One signed POST of `event` to the webhook's URL; 2xx is success, anything else (a redirect
   * included: none is followed), no answer in time or a receiver the egress policy refuses is failure.
   */
  async post(webhook: Webhook, event: TenantEvent, attempt: number): Promise<AttemptResult> {
    const body = JSON.stringify(event);
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'econfirm-gateway-webhooks/1',
      [SIGNATURE_HEADER]: this.signer.signDetached(body, webhook.id),
      [WEBHOOK_HEADER]: webhook.id,
      [SEQUENCE_HEADER]: String(event.sequence),
      [ATTEMPT_HEADER]: String(attempt),
    };
    const timeout = AbortSignal.timeout(this.config.events.webhookTimeoutMs);
    try {
      const httpStatus = await this.send(new URL(webhook.url), headers, body, timeout);
      return httpStatus >= 200 && httpStatus < 300 ? { ok: true, httpStatus } : { ok: false, httpStatus };
    } catch (err) {
      if (timeout.aborted) return { ok: false, error: `no answer within ${this.config.events.webhookTimeoutMs} ms (timeout)` };
      const { message, code } = err as { message: string; code?: string };
      return { ok: false, error: code && !message.includes(code) ? `${message} (${code})` : message };
    }
  }

  /**
   * POSTs with node:http(s) through a lookup that vets every address a host name resolves to and
   * hands the connection exactly those (no second resolution can switch it to another address);
   * the URL's host stays the Host header and TLS server name. Resolves to the answer's status.
   */
  private send(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<number> {
    const refused = this.egress.refuseUrl(url);
    if (refused) return Promise.reject(new EgressRefused(`egress refused: ${refused}`));
    const vettedLookup = (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
      this.hostLookup(hostname, options, (err, addresses) => {
        if (err) return callback(err, []);
        const why = this.egress.refuseResolved(hostname, addresses.map((a) => a.address));
        if (why) return callback(new EgressRefused(`egress refused: ${why}`), []);
        if (options.all) return callback(null, addresses);
        const first = addresses[0] as LookupAddress;
        callback(null, first.address, first.family);
      });
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<number>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          lookup: vettedLookup,
          signal,
          agent: false,
        },
        (res) => {
          // Drain the answer (its content is not used); the status counts once it has been read.
          res.on('error', reject);
          res.on('close', () => (res.complete ? resolve(res.statusCode ?? 0) : reject(new Error('the answer was cut off'))));
          res.resume();
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Sends a dead letter once more, now (out of order by nature); records the outcome. */
  async redeliver(webhook: Webhook, sequence: number): Promise<AttemptResult> {
    const event = this.outbox.store.get(webhook.tenantId, sequence);
    const letter = this.store.deadLetter(webhook.id, sequence);
    if (!event || !letter) return { ok: false, error: 'no such dead letter' };
    const result = await this.post(webhook, event, letter.attempts + 1);
    this.store.recordRedelivery(webhook.id, sequence, result);
    return result;
  }
}
