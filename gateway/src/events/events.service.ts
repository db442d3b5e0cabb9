import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import { ChaincodeEventListener } from './chaincode-event-listener.service';
import type { EventPageDto, EventsStatusDto } from './dto/events.dto';
import type { EventType } from './event-model';
import { EventStreams } from './event-streams.service';
import { OutboxService } from './outbox.service';

/** What the routes of events.controller.ts answer: the caller tenant's outbox, paged or streamed. */
/** A Last-Event-ID the stream resumes after: an event sequence number (empty: none). */
export const LAST_EVENT_ID = /^(\d{1,15})?$/;

@Injectable()
export class EventsService {
  constructor(
    private readonly outbox: OutboxService,
    private readonly streams: EventStreams,
    private readonly listener: ChaincodeEventListener,
  ) {}

  status(p: Principal): EventsStatusDto {
    return { ...this.listener.status(), lastSequence: this.outbox.store.lastSequence(p.tenantId) };
  }

  page(p: Principal, after: number, limit: number, types: EventType[] | undefined): EventPageDto {
    const events = this.outbox.store.list(p.tenantId, after, limit, types);
    // With a type filter the page may skip sequences: `next` still moves past what was scanned.
    return { events, next: events.at(-1)?.sequence ?? after, lastSequence: this.outbox.store.lastSequence(p.tenantId) };
  }

  /** Serves the stream from after Last-Event-ID (it wins), else `after`, else only new events. */
  stream(res: Response, p: Principal, after: number | undefined, lastEventId: string | undefined, types: EventType[] | undefined): void {
    let from = after ?? this.outbox.store.lastSequence(p.tenantId);
    if (lastEventId !== undefined && lastEventId !== '') {
      if (!LAST_EVENT_ID.test(lastEventId)) throw new GatewayError('VALIDATION_FAILED', 'Last-Event-ID must be an event sequence number');
      from = Number(lastEventId);
    }
    this.streams.serve(res, p.tenantId, from, types);
  }
}
