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
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, Public } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiCallerErrors, ApiIdempotent, ApiNeverForbidden, ApiPublicRoute, ErrorResponse } from '../openapi/common.dto';
import {
  AttemptsQuery,
  CreateWebhookDto,
  DeadLetterDto,
  DeadLetterParam,
  DeliveryAttemptDto,
  JwksDto,
  RedeliveredDto,
  ReplayDto,
  UpdateWebhookDto,
  WebhookDto,
  WebhookIdParam,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

const URL_NOT_ALLOWED = 'WEBHOOK_URL_NOT_ALLOWED (details.reason): credentials in the URL, or a loopback, private, link-local, unique-local, unspecified or multicast address (or localhost) the egress settings do not allow';

const OWN_WEBHOOKS = "any caller, its own tenant's webhooks only (no role check, no ledger call); another tenant's answer 404";

/** The public keys that verify webhook signatures (no token needed: receivers fetch them). */
@ApiTags('webhooks')
@Controller()
export class WebhookKeysController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Public()
  @Get(['v1/webhooks/jwks.json', '.well-known/jwks.json'])
  @ApiOperation({ summary: "JWKS of the gateway's webhook signing keys (ES256)" })
  @ApiOkResponse({ type: JwksDto })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'MALFORMED_JSON (a body that is not JSON)' })
  @ApiPublicRoute('public: webhook receivers fetch the keys without a token')
  jwks(): JwksDto {
    return this.webhooks.jwks();
  }
}

/** The caller tenant's webhook subscriptions, their dead letters, redelivery and replay. */
@ApiTags('webhooks')
@ApiBearerAuth()
@ApiCallerErrors()
@ApiNeverForbidden(OWN_WEBHOOKS)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiIdempotent()
  @ApiOperation({ summary: 'Subscribe a URL to this tenant’s events' })
  @ApiCreatedResponse({ type: WebhookDto })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: URL_NOT_ALLOWED })
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateWebhookDto): WebhookDto {
    return this.webhooks.create(p, body);
  }

  @Get()
  @ApiOperation({ summary: 'This tenant’s webhooks' })
  @ApiOkResponse({ type: [WebhookDto] })
  list(@CurrentPrincipal() p: Principal): WebhookDto[] {
    return this.webhooks.list(p);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook of this tenant' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@CurrentPrincipal() p: Principal, @Param() { id }: WebhookIdParam): WebhookDto {
    return this.webhooks.get(p, id);
  }

  @Patch(':id')
  @ApiIdempotent()
  @ApiOperation({ summary: 'Change the URL, the event filter or whether it is active' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: URL_NOT_ALLOWED })
  update(@CurrentPrincipal() p: Principal, @Param() { id }: WebhookIdParam, @Body() body: UpdateWebhookDto): WebhookDto {
    return this.webhooks.update(p, id, body);
  }

  @Delete(':id')
  @ApiIdempotent()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook (its attempts and dead letters go with it)' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  remove(@CurrentPrincipal() p: Principal, @Param() { id }: WebhookIdParam): void {
    this.webhooks.remove(p, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Delivery attempts, oldest first (outcome, HTTP status, error)' })
  @ApiOkResponse({ type: [DeliveryAttemptDto] })
  @ApiNotFoundResponse({ type: ErrorResponse })
  attempts(@CurrentPrincipal() p: Principal, @Param() { id }: WebhookIdParam, @Query() q: AttemptsQuery): DeliveryAttemptDto[] {
    return this.webhooks.attempts(p, id, q.after ?? 0, q.limit ?? 200);
  }

  @Get(':id/dead-letters')
  @ApiOperation({ summary: 'Events given up after the retry limit, with the event itself' })
  @ApiOkResponse({ type: [DeadLetterDto] })
  @ApiNotFoundResponse({ type: ErrorResponse })
  deadLetters(@CurrentPrincipal() p: Principal, @Param() { id }: WebhookIdParam): unknown[] {
    return this.webhooks.deadLetters(p, id);
  }

  @Post(':id/dead-letters/:sequence/redeliver')
  @ApiIdempotent()
  @HttpCode(200)
  @ApiOperation({ summary: 'Send one dead letter again now; 200 when the receiver took it, 502 when not' })
  @ApiOkResponse({ type: RedeliveredDto })
  @ApiBadGatewayResponse({ type: ErrorResponse, description: 'WEBHOOK_DELIVERY_FAILED (details: httpStatus, error)' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  redeliver(@CurrentPrincipal() p: Principal, @Param() { id, sequence }: DeadLetterParam): Promise<RedeliveredDto> {
    return this.webhooks.redeliver(p, id, sequence);
  }

  @Post(':id/replay')
  @ApiIdempotent()
  @HttpCode(200)
  @ApiOperation({ summary: 'Deliver again, in order, every event from `fromSequence` on' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  replay(@CurrentPrincipal() p: Principal, @Param() { id }: WebhookIdParam, @Body() body: ReplayDto): WebhookDto {
    return this.webhooks.replay(p, id, body.fromSequence);
  }
}
