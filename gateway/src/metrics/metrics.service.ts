import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one gateway instance (own registry: several apps may share a process in tests). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'econfirm_gateway_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'econfirm_gateway_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });

  readonly ledgerCalls = new Counter({
    name: 'econfirm_gateway_ledger_calls_total',
    help: 'Ledger calls by kind (submit/evaluate/offline), transaction and outcome code',
    labelNames: ['kind', 'transaction', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly ledgerDuration = new Histogram({
    name: 'econfirm_gateway_ledger_call_duration_seconds',
    help: 'Ledger call duration (submit: endorse to commit status)',
    labelNames: ['kind', 'transaction'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly evidenceBundles = new Counter({
    name: 'econfirm_gateway_evidence_bundles_total',
    help: 'Engagement evidence bundles by outcome: completed, failed, or abandoned (the caller hung up before the end)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly evidenceBundleLetters = new Counter({
    name: 'econfirm_gateway_evidence_bundle_letters_total',
    help: 'Letters of engagement bundles rendered and signed',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'econfirm_gateway_' });
  }
}
