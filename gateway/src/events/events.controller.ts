import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Response } from 'express';
import { CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import { ApiCallerErrors, ApiNeverForbidden } from '../openapi/common.dto';
import { EVENT_TYPES, type EventType } from './event-model';
import { ChaincodeEventListener, type ListenerStatus } from './chaincode-event-listener.service';
import { EventStreams } from './event-streams.service';
import { OutboxService } from './outbox.service';

class ListEventsQuery {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'return events with a sequence greater than this' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, description: 'only these types (repeat the parameter)' })
  @IsOptional() @Type(() => String) @IsIn(EVENT_TYPES as readonly string[], { each: true })
  type?: EventType | EventType[];
}

class StreamQuery {
  @ApiPropertyOptional({ minimum: 0, description: 'replay from after this sequence (Last-Event-ID wins); default: only new events' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  after?: number;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true }) @IsOptional() @Type(() => String) @IsIn(EVENT_TYPES as readonly string[], { each: true })
  type?: EventType | EventType[];
}

export class TenantEventDto {
  @ApiProperty({ example: 7, description: "the tenant's own gap-free sequence; the SSE id" }) sequence: number;
  @ApiProperty({ enum: EVENT_TYPES }) type: EventType;
  @ApiProperty({ example: ['CF-2026-000001'], description: 'confirmation / institution ids the event is about (only ids this tenant can read)' }) ids: string[];
  @ApiPropertyOptional({ example: 'authorized' }) state?: string;
  @ApiPropertyOptional({ example: 'ClientAuthorize' }) action?: string;
  @ApiPropertyOptional() originalId?: string;
  @ApiPropertyOptional() engagementId?: string;
  @ApiPropertyOptional({ enum: ['profile', 'status', 'keys'] }) change?: string;
  @ApiPropertyOptional() status?: string;
  @ApiProperty() transactionId: string;
  @ApiProperty({ example: '42', description: 'block number (decimal string)' }) blockNumber: string;
  @ApiProperty({ example: '2026-01-10T08:00:00.000Z', description: "the transaction's timestamp" }) timestamp: string;
}

class CheckpointDto {
  @ApiProperty({ example: '42', description: 'block number (decimal string)' }) blockNumber: string;
  @ApiPropertyOptional({ description: 'last transaction recorded in that block' }) transactionId?: string;
}

class EventsStatusDto {
  @ApiProperty() enabled: boolean;
  @ApiProperty() connected: boolean;
  @ApiProperty() reconnects: number;
  @ApiPropertyOptional() lastError?: string;
  @ApiPropertyOptional({ type: CheckpointDto }) checkpoint?: CheckpointDto;
  @ApiProperty({ description: "the caller tenant's newest sequence" }) lastSequence: number;
}

class EventPageDto {
  @ApiProperty({ type: [TenantEventDto] }) events: TenantEventDto[];
  @ApiProperty({ description: 'pass as `after` for the next page' }) next: number;
  @ApiProperty({ description: "the tenant's newest sequence" }) lastSequence: number;
}

function typesOf(type: EventType | EventType[] | undefined): EventType[] | undefined {
  return type === undefined ? undefined : Array.isArray(type) ? type : [type];
}

const OWN_EVENTS = "any caller, its own tenant's events only (no role check, no ledger call)";

/** The calling tenant's ledger events: paginated JSON, or a Server-Sent-Event stream. */
@ApiTags('events')
@ApiBearerAuth()
@ApiCallerErrors()
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly outbox: OutboxService,
    private readonly streams: EventStreams,
    private readonly listener: ChaincodeEventListener,
  ) {}

  @Get('status')
  @ApiOperation({ summary: "The chaincode-event listener: connected, reconnects, checkpoint; and the caller tenant's newest sequence" })
  @ApiOkResponse({ type: EventsStatusDto })
  @ApiNeverForbidden(OWN_EVENTS)
  status(@CurrentPrincipal() p: Principal): ListenerStatus & { lastSequence: number } {
    return { ...this.listener.status(), lastSequence: this.outbox.store.lastSequence(p.tenantId) };
  }

  @Get()
  @ApiOperation({ summary: "The caller tenant's events after a sequence, oldest first" })
  @ApiOkResponse({ type: EventPageDto })
  @ApiNeverForbidden(OWN_EVENTS)
  list(@CurrentPrincipal() p: Principal, @Query() q: ListEventsQuery): EventPageDto {
    const after = q.after ?? 0;
    const events = this.outbox.store.list(p.tenantId, after, q.limit ?? 100, typesOf(q.type));
    // With a type filter the page may skip sequences: `next` still moves past what was scanned.
    return { events, next: events.at(-1)?.sequence ?? after, lastSequence: this.outbox.store.lastSequence(p.tenantId) };
  }

  @Get('stream')
  @ApiOperation({ summary: 'Server-Sent Events: `id:` = sequence, `event:` = type, `data:` = the event JSON; heartbeats as comments' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'resume after this sequence (replays what was missed)' })
  @ApiOkResponse({ description: 'the event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiNeverForbidden(OWN_EVENTS)
  stream(@CurrentPrincipal() p: Principal, @Query() q: StreamQuery, @Headers('last-event-id') lastEventId: string | undefined, @Res() res: Response): void {
    let after = q.after ?? this.outbox.store.lastSequence(p.tenantId);
    if (lastEventId !== undefined && lastEventId !== '') {
      if (!/^\d{1,15}$/.test(lastEventId)) throw GatewayError.badRequest('INVALID_ARGUMENT', 'Last-Event-ID must be an event sequence number');
      after = Number(lastEventId);
    }
    this.streams.serve(res, p.tenantId, after, typesOf(q.type));
  }
}
