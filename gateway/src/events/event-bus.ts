import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { TenantEvent } from './event-model';

type Listener = (tenantId: string, events: readonly TenantEvent[]) => void;

/**
 * In-process notice that a tenant's outbox grew. Consumers (SSE streams, webhook workers) treat
 * it as a wake-up only and read the outbox from their own cursor, so a missed notice can delay
 * but never lose an event.
 */
@Injectable()
export class EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(tenantId: string, events: readonly TenantEvent[]): void {
    if (events.length > 0) this.emitter.emit('recorded', tenantId, events);
  }

  subscribe(listener: Listener): () => void {
    this.emitter.on('recorded', listener);
    return () => this.emitter.off('recorded', listener);
  }
}
