import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayUnique, IsBoolean, IsIn, IsInt, IsOptional, IsString, MaxLength, Min, Max, Matches } from 'class-validator';
import { CurrentPrincipal, Public } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import { EVENT_TYPES, type EventType } from '../events/event-model';
import { TenantEventDto } from '../events/events.controller';
import { OutboxService } from '../events/outbox.service';
import { ApiCallerErrors, ApiIdempotent, ApiNeverForbidden, ApiPublicRoute, ErrorResponse } from '../openapi/common.dto';
import { WebhookDelivery } from './webhook-delivery.service';
import type { Webhook } from './webhook.store';
import type { WebhookEgressPolicy } from './webhook-egress';

const WEBHOOK_ID = /^wh_[A-Za-z0-9_-]{12}$/;

class CreateWebhookDto {
  @ApiProperty({ example: 'https://erp.bank1.example/econfirm/events', description: 'http(s) URL the signed events are POSTed to' })
  @IsString() @MaxLength(2048)
  url: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, description: 'event types to deliver; omitted or empty = all' })
  @IsOptional() @IsIn(EVENT_TYPES as readonly string[], { each: true }) @ArrayUnique()
  events?: EventType[];

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ minimum: 1, description: 'deliver from this sequence on (default: only events recorded after creation)' })
  @IsOptional() @IsInt() @Min(1)
  fromSequence?: number;
}

class UpdateWebhookDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) url?: string;
  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true }) @IsOptional() @IsIn(EVENT_TYPES as readonly string[], { each: true }) @ArrayUnique() events?: EventType[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) description?: string;
}

class ReplayDto {
  @ApiProperty({ minimum: 1, description: 'deliver again every event from this sequence on, in order' }) @IsInt() @Min(1)
  fromSequence: number;
}

class WebhookIdParam {
  @ApiProperty() @Matches(WEBHOOK_ID) id: string;
}

class DeadLetterParam extends WebhookIdParam {
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) sequence: number;
}

class AttemptsQuery {
  @ApiPropertyOptional({ minimum: 0, description: 'attempt id to page after' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) after?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

class WebhookDto {
  @ApiProperty({ example: 'wh_3dE8nQv1aZ0x' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: EVENT_TYPES, isArray: true }) events: EventType[];
  @ApiProperty() active: boolean;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ description: 'last sequence delivered or dead-lettered' }) cursor: number;
  @ApiProperty({ description: 'failed attempts of the next event' }) attempts: number;
  @ApiPropertyOptional({ description: 'when the next attempt is due (ISO 8601)' }) nextAttemptAt?: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

class WebhookJwkDto {
  @ApiProperty({ enum: ['EC'] }) kty: string;
  @ApiProperty({ enum: ['P-256'] }) crv: string;
  @ApiProperty() x: string;
  @ApiProperty() y: string;
  @ApiProperty() kid: string;
  @ApiProperty({ enum: ['ES256'] }) alg: string;
  @ApiProperty({ enum: ['sig'] }) use: string;
}

class JwksDto {
  @ApiProperty({ type: [WebhookJwkDto] }) keys: WebhookJwkDto[];
}

class DeliveryAttemptDto {
  @ApiProperty({ description: 'attempt id (page with ?after=)' }) id: number;
  @ApiProperty() sequence: number;
  @ApiProperty({ description: 'attempt number of this event' }) attempt: number;
  @ApiProperty({ enum: ['scheduled', 'redelivery'] }) kind: string;
  @ApiProperty({ enum: ['delivered', 'failed'] }) outcome: string;
  @ApiPropertyOptional({ description: "the receiver's HTTP status" }) httpStatus?: number;
  @ApiPropertyOptional() error?: string;
  @ApiProperty() at: string;
}

class DeadLetterDto {
  @ApiProperty() sequence: number;
  @ApiProperty() attempts: number;
  @ApiProperty() lastError: string;
  @ApiProperty() deadAt: string;
  @ApiPropertyOptional() redeliveredAt?: string;
  @ApiProperty({ type: TenantEventDto, nullable: true, description: 'the event itself' }) event: TenantEventDto | null;
}

class RedeliveredDto {
  @ApiProperty() sequence: number;
  @ApiProperty({ enum: [true] }) delivered: boolean;
  @ApiPropertyOptional({ description: "the receiver's HTTP status" }) httpStatus?: number;
}

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
    throw GatewayError.badRequest('VALIDATION_FAILED', 'url: not an absolute URL', { issues: [{ path: 'url', problem: 'not an absolute URL' }] });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw GatewayError.badRequest('VALIDATION_FAILED', 'url: must be http or https', { issues: [{ path: 'url', problem: 'must be http or https' }] });
  }
  const refused = egress.refuseUrl(parsed);
  if (refused) throw new GatewayError('WEBHOOK_URL_NOT_ALLOWED', 422, `url: ${refused}`, { reason: refused });
  return parsed.toString();
}

const URL_NOT_ALLOWED = 'WEBHOOK_URL_NOT_ALLOWED (details.reason): credentials in the URL, or a loopback, private, link-local, unique-local, unspecified or multicast address (or localhost) the egress settings do not allow';

const OWN_WEBHOOKS = "any caller, its own tenant's webhooks only (no role check, no ledger call); another tenant's answer 404";

/** The public keys that verify webhook signatures (no token needed: receivers fetch them). */
@ApiTags('webhooks')
@Controller()
export class WebhookKeysController {
  constructor(private readonly delivery: WebhookDelivery) {}

  @Public()
  @Get(['v1/webhooks/jwks.json', '.well-known/jwks.json'])
  @ApiOperation({ summary: "JWKS of the gateway's webhook signing keys (ES256)" })
  @ApiOkResponse({ type: JwksDto })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'MALFORMED_JSON (a body that is not JSON)' })
  @ApiPublicRoute('public: webhook receivers fetch the keys without a token')
  jwks(): unknown {
    return this.delivery.signer.jwks();
  }
}

/** The caller tenant's webhook subscriptions, their dead letters, redelivery and replay. */
@ApiTags('webhooks')
@ApiBearerAuth()
@ApiCallerErrors()
@ApiNeverForbidden(OWN_WEBHOOKS)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly delivery: WebhookDelivery,
    private readonly outbox: OutboxService,
  ) {}

  private find(p: Principal, id: string): Webhook {
    const webhook = this.delivery.store.get(p.tenantId, id);
    if (!webhook) throw GatewayError.notFound(`webhook ${id} does not exist`);
    return webhook;
  }

  @Post()
  @ApiIdempotent()
  @ApiOperation({ summary: 'Subscribe a URL to this tenant’s events' })
  @ApiCreatedResponse({ type: WebhookDto })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: URL_NOT_ALLOWED })
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateWebhookDto): WebhookDto {
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

  @Get()
  @ApiOperation({ summary: 'This tenant’s webhooks' })
  @ApiOkResponse({ type: [WebhookDto] })
  list(@CurrentPrincipal() p: Principal): WebhookDto[] {
    return this.delivery.store.list(p.tenantId).map(view);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook of this tenant' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@CurrentPrincipal() p: Principal, @Param() params: WebhookIdParam): WebhookDto {
    return view(this.find(p, params.id));
  }

  @Patch(':id')
  @ApiIdempotent()
  @ApiOperation({ summary: 'Change the URL, the event filter or whether it is active' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: URL_NOT_ALLOWED })
  update(@CurrentPrincipal() p: Principal, @Param() params: WebhookIdParam, @Body() body: UpdateWebhookDto): WebhookDto {
    this.find(p, params.id);
    const updated = this.delivery.store.update(p.tenantId, params.id, { ...body, ...(body.url !== undefined ? { url: checkUrl(body.url, this.delivery.egress) } : {}) });
    this.delivery.wake();
    return view(updated as Webhook);
  }

  @Delete(':id')
  @ApiIdempotent()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook (its attempts and dead letters go with it)' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  remove(@CurrentPrincipal() p: Principal, @Param() params: WebhookIdParam): void {
    if (!this.delivery.store.delete(p.tenantId, params.id)) throw GatewayError.notFound(`webhook ${params.id} does not exist`);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Delivery attempts, oldest first (outcome, HTTP status, error)' })
  @ApiOkResponse({ type: [DeliveryAttemptDto] })
  @ApiNotFoundResponse({ type: ErrorResponse })
  attempts(@CurrentPrincipal() p: Principal, @Param() params: WebhookIdParam, @Query() q: AttemptsQuery): unknown {
    return this.delivery.store.attempts(this.find(p, params.id).id, q.after ?? 0, q.limit ?? 200);
  }

  @Get(':id/dead-letters')
  @ApiOperation({ summary: 'Events given up after the retry limit, with the event itself' })
  @ApiOkResponse({ type: [DeadLetterDto] })
  @ApiNotFoundResponse({ type: ErrorResponse })
  deadLetters(@CurrentPrincipal() p: Principal, @Param() params: WebhookIdParam): unknown {
    const webhook = this.find(p, params.id);
    return this.delivery.store.deadLetters(webhook.id).map((d) => ({ ...d, event: this.outbox.store.get(p.tenantId, d.sequence) }));
  }

  @Post(':id/dead-letters/:sequence/redeliver')
  @ApiIdempotent()
  @HttpCode(200)
  @ApiOperation({ summary: 'Send one dead letter again now; 200 when the receiver took it, 502 when not' })
  @ApiOkResponse({ type: RedeliveredDto })
  @ApiBadGatewayResponse({ type: ErrorResponse, description: 'WEBHOOK_DELIVERY_FAILED (details: httpStatus, error)' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async redeliver(@CurrentPrincipal() p: Principal, @Param() params: DeadLetterParam): Promise<unknown> {
    const webhook = this.find(p, params.id);
    if (!this.delivery.store.deadLetter(webhook.id, params.sequence)) throw GatewayError.notFound(`webhook ${webhook.id} has no dead letter ${params.sequence}`);
    const result = await this.delivery.redeliver(webhook, params.sequence);
    if (!result.ok) {
      throw new GatewayError('WEBHOOK_DELIVERY_FAILED', 502, `the receiver did not accept event ${params.sequence}`, {
        ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
        ...(result.error ? { error: result.error } : {}),
      });
    }
    return { sequence: params.sequence, delivered: true, httpStatus: result.httpStatus };
  }

  @Post(':id/replay')
  @ApiIdempotent()
  @HttpCode(200)
  @ApiOperation({ summary: 'Deliver again, in order, every event from `fromSequence` on' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  replay(@CurrentPrincipal() p: Principal, @Param() params: WebhookIdParam, @Body() body: ReplayDto): WebhookDto {
    this.find(p, params.id);
    const last = this.outbox.store.lastSequence(p.tenantId);
    if (body.fromSequence > last + 1) {
      throw GatewayError.badRequest('INVALID_ARGUMENT', `fromSequence ${body.fromSequence} is beyond the newest event (${last})`);
    }
    const webhook = this.delivery.store.rewind(p.tenantId, params.id, body.fromSequence) as Webhook;
    this.delivery.wake();
    return view(webhook);
  }
}
