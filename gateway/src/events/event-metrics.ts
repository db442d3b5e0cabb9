import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** Prometheus metrics of event intake and delivery, on the gateway's own registry (/metrics). */
@Injectable()
export class EventMetrics {
  readonly recorded: Counter<'type'>;
  readonly reconnects: Counter;
  readonly connected: Gauge;
  readonly webhookAttempts: Counter<'outcome'>;
  readonly deadLetters: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.recorded = new Counter({ name: 'econfirm_gateway_events_recorded_total', help: 'Chaincode events filed into tenant outboxes (once per event)', labelNames: ['type'], registers });
    this.reconnects = new Counter({ name: 'econfirm_gateway_event_stream_reconnects_total', help: 'Reconnections of the chaincode-event stream', registers });
    this.connected = new Gauge({ name: 'econfirm_gateway_event_stream_connected', help: '1 while the chaincode-event stream is open', registers });
    this.webhookAttempts = new Counter({ name: 'econfirm_gateway_webhook_attempts_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers });
    this.deadLetters = new Counter({ name: 'econfirm_gateway_webhook_dead_letters_total', help: 'Webhook events given up after the retry limit', registers });
  }
}
