import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import { OutboxService } from '../events/outbox.service';
import type { TenantEvent } from '../events/event-model';
import type { CreateWebhookDto, DeliveryAttemptDto, JwksDto, RedeliveredDto, UpdateWebhookDto, WebhookDto } from './dto/webhook.dto';
import { WebhookDelivery } from './webhook-delivery.service';
import type { WebhookEgressPolicy } from './webhook-egress';
import type { DeadLetter, Webhook } from './webhook.store';

function view(w: Webhook): WebhookDto {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    active: w.active,
    ...(w.description ? { description: w.description } : {}),
    cursor: w.cursor,
    attempts: w.attempts,
    ...(w.nextAttemptAt > 0 ? { nextAttemptAt: new Date(w.nextAttemptAt).toISOString() } : {}),
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

/** A receiver URL as stored: absolute http(s) (else 400), allowed by the egress policy (else 422 WEBHOOK_URL_NOT_ALLOWED). */
function checkUrl(url: string, egress: WebhookEgressPolicy): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GatewayError('VALIDATION_FAILED', 'url: not an absolute URL', { issues: [{ path: 'url', problem: 'not an absolute URL' }] });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new GatewayError('VALIDATION_FAILED', 'url: must be http or https', { issues: [{ path: 'url', problem: 'must be http or https' }] });
  }
  const refused = egress.refuseUrl(parsed);
  if (refused) throw new GatewayError('WEBHOOK_URL_NOT_ALLOWED', `url: ${refused}`, { reason: refused });
  return parsed.toString();
}

/**
 * A tenant's webhook subscriptions: what the routes of webhooks.controller.ts do, on the webhook
 * store and the outbox. Every method is scoped to the principal's tenant; another tenant's
 * webhook is unknown (404).
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly delivery: WebhookDelivery,
    private readonly outbox: OutboxService,
  ) {}

  jwks(): JwksDto {
    return this.delivery.signer.jwks() as JwksDto;
  }

  private find(p: Principal, id: string): Webhook {
    const webhook = this.delivery.store.get(p.tenantId, id);
    if (!webhook) throw GatewayError.notFound(`webhook ${id} does not exist`);
    return webhook;
  }

  create(p: Principal, body: CreateWebhookDto): WebhookDto {
    const cursor = body.fromSequence !== undefined ? body.fromSequence - 1 : this.outbox.store.lastSequence(p.tenantId);
    const webhook = this.delivery.store.create({
      tenantId: p.tenantId,
      url: checkUrl(body.url, this.delivery.egress),
      events: body.events ?? [],
      active: body.active ?? true,
      ...(body.description ? { description: body.description } : {}),
      cursor,
    });
    this.delivery.wake();
    return view(webhook);
  }

  list(p: Principal): WebhookDto[] {
    return this.delivery.store.list(p.tenantId).map(view);
  }

  get(p: Principal, id: string): WebhookDto {
    return view(this.find(p, id));
  }

  update(p: Principal, id: string, body: UpdateWebhookDto): WebhookDto {
    this.find(p, id);
    const updated = this.delivery.store.update(p.tenantId, id, { ...body, ...(body.url !== undefined ? { url: checkUrl(body.url, this.delivery.egress) } : {}) });
    this.delivery.wake();
    return view(updated as Webhook);
  }

  remove(p: Principal, id: string): void {
    if (!this.delivery.store.delete(p.tenantId, id)) throw GatewayError.notFound(`webhook ${id} does not exist`);
  }

  attempts(p: Principal, id: string, after: number, limit: number): DeliveryAttemptDto[] {
    return this.delivery.store.attempts(this.find(p, id).id, after, limit);
  }

  /** Each dead letter with its event (absent when the outbox no longer holds it). */
  deadLetters(p: Principal, id: string): Array<DeadLetter & { event: TenantEvent | undefined }> {
    const webhook = this.find(p, id);
    return this.delivery.store.deadLetters(webhook.id).map((d) => ({ ...d, event: this.outbox.store.get(p.tenantId, d.sequence) }));
  }

  /** One dead letter sent again now: the receiver took it, or 502 WEBHOOK_DELIVERY_FAILED. */
  async redeliver(p: Principal, id: string, sequence: number): Promise<RedeliveredDto> {
    const webhook = this.find(p, id);
    if (!this.delivery.store.deadLetter(webhook.id, sequence)) throw GatewayError.notFound(`webhook ${webhook.id} has no dead letter ${sequence}`);
    const result = await this.delivery.redeliver(webhook, sequence);
    if (!result.ok) {
      throw new GatewayError('WEBHOOK_DELIVERY_FAILED', `the receiver did not accept event ${sequence}`, {
        ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
        ...(result.error ? { error: result.error } : {}),
      });
    }
    return { sequence, delivered: true, ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}) };
  }

  /** Every event from `fromSequence` on delivered again, in order. */
  replay(p: Principal, id: string, fromSequence: number): WebhookDto {
    this.find(p, id);
    const last = this.outbox.store.lastSequence(p.tenantId);
    if (fromSequence > last + 1) {
      throw new GatewayError('INVALID_ARGUMENT', `fromSequence ${fromSequence} is beyond the newest event (${last})`);
    }
    const webhook = this.delivery.store.rewind(p.tenantId, id, fromSequence) as Webhook;
    this.delivery.wake();
    return view(webhook);
  }
}
