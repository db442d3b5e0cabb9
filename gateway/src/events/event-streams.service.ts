import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { EventBus } from './event-bus';
import type { TenantEvent } from './event-model';
import { OutboxService } from './outbox.service';

const PAGE = 100;

/** One SSE frame: `id:` is the tenant sequence, so a reconnecting client's Last-Event-ID resumes exactly there. */
export function sseFrame(event: TenantEvent): string {
  return `id: ${event.sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Open Server-Sent-Event streams. Each stream keeps its own cursor and, on every outbox notice
 * (or heartbeat), sends the tenant's outbox rows after it in order; writes wait for the socket
 * to drain. All streams are ended before the gateway shuts down.
 */
@Injectable()
export class EventStreams implements BeforeApplicationShutdown {
  private readonly open = new Set<() => void>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly outbox: OutboxService,
    private readonly bus: EventBus,
  ) {}

  /** Serves `res` as an event stream of `tenantId`'s events after sequence `after` until the client leaves. */
  serve(res: Response, tenantId: string, after: number, types?: readonly string[]): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: 2000\n: stream of ${tenantId} after ${after}\n\n`);

    let cursor = after;
    let pumping = false;
    let again = false;
    let closed = false;
    const pump = async (): Promise<void> => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          for (let page = this.outbox.store.list(tenantId, cursor, PAGE); page.length > 0 && !closed; page = this.outbox.store.list(tenantId, cursor, PAGE)) {
            for (const event of page) {
              cursor = event.sequence;
              if (types && types.length > 0 && !types.includes(event.type)) continue;
              if (!res.write(sseFrame(event))) await new Promise<void>((resolve) => {
                  res.once('drain', resolve);
                  res.once('close', resolve);
                });
              if (closed) return;
            }
          }
        } while (again && !closed);
      } finally {
        pumping = false;
      }
    };
    const unsubscribe = this.bus.subscribe((tenant) => {
      if (tenant === tenantId) void pump();
    });
    const heartbeat = setInterval(() => {
      res.write(': heartbeat\n\n');
      void pump();
    }, this.config.events.heartbeatMs);
    const close = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      this.open.delete(close);
      if (!res.writableEnded) res.end();
    };
    this.open.add(close);
    res.on('close', close);
    void pump();
  }

  beforeApplicationShutdown(): void {
    for (const close of [...this.open]) close();
  }
}
