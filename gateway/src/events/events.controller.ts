import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiCallerErrors, ApiNeverForbidden } from '../openapi/common.dto';
import { EventPageDto, EventsStatusDto, ListEventsQuery, StreamQuery } from './dto/events.dto';
import type { EventType } from './event-model';
import { EventsService, LAST_EVENT_ID } from './events.service';

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
  constructor(private readonly events: EventsService) {}

  @Get('status')
  @ApiOperation({ summary: "The chaincode-event listener: connected, reconnects, checkpoint; and the caller tenant's newest sequence" })
  @ApiOkResponse({ type: EventsStatusDto })
  @ApiNeverForbidden(OWN_EVENTS)
  status(@CurrentPrincipal() p: Principal): EventsStatusDto {
    return this.events.status(p);
  }

  @Get()
  @ApiOperation({ summary: "The caller tenant's events after a sequence, oldest first" })
  @ApiOkResponse({ type: EventPageDto })
  @ApiNeverForbidden(OWN_EVENTS)
  list(@CurrentPrincipal() p: Principal, @Query() q: ListEventsQuery): EventPageDto {
    return this.events.page(p, q.after ?? 0, q.limit ?? 100, typesOf(q.type));
  }

  @Get('stream')
  @ApiOperation({ summary: 'Server-Sent Events: `id:` = sequence, `event:` = type, `data:` = the event JSON; heartbeats as comments' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, schema: { type: 'string', pattern: LAST_EVENT_ID.source }, description: 'resume after this sequence (replays what was missed)' })
  @ApiOkResponse({ description: 'the event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiNeverForbidden(OWN_EVENTS)
  stream(@CurrentPrincipal() p: Principal, @Query() q: StreamQuery, @Headers('last-event-id') lastEventId: string | undefined, @Res() res: Response): void {
    this.events.stream(res, p, q.after, lastEventId, typesOf(q.type));
  }
}
