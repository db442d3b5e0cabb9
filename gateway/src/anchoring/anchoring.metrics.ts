import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { BATCH_STATES, type AnchorStore } from './anchor.store';

type Counts = ReturnType<AnchorStore['counts']>;

/** The anchoring service in /metrics: its queue and batches read from the database at scrape time, its sends and gas counted. */
@Injectable()
export class AnchoringMetrics {
  private read: () => Counts = () => ({ pendingItems: 0, batches: { built: 0, recorded: 0, sent: 0, confirmed: 0 } });

  readonly sends: Counter;
  readonly reanchors: Counter;
  readonly gasUsed: Counter;
  readonly errors: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    const read = (): Counts => this.read();
    new Gauge({
      name: 'econfirm_gateway_anchoring_pending_items',
      help: 'Completed evidence waiting for a batch',
      registers,
      collect() {
        this.set(read().pendingItems);
      },
    });
    new Gauge({
      name: 'econfirm_gateway_anchoring_batches',
      help: 'Anchor batches by state (built, recorded on the channel, sent to the EVM chain, confirmed)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const counts = read();
        for (const state of BATCH_STATES) this.set({ state }, counts.batches[state]);
      },
    });
    new Gauge({
      name: 'econfirm_gateway_anchoring_oldest_pending_seconds',
      help: 'Age of the oldest piece of evidence not yet in a batch (0 when none waits)',
      registers,
      collect() {
        const oldest = read().oldestPendingAt;
        this.set(oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0);
      },
    });
    new Gauge({
      name: 'econfirm_gateway_anchoring_last_confirmed_timestamp_seconds',
      help: 'Block time of the newest confirmed anchor (0 when none)',
      registers,
      collect() {
        const last = read().lastConfirmedAt;
        this.set(last ? Date.parse(last) / 1000 : 0);
      },
    });
    this.sends = new Counter({ name: 'econfirm_gateway_anchoring_sends_total', help: 'anchor transactions sent to the EVM chain', registers });
    this.reanchors = new Counter({ name: 'econfirm_gateway_anchoring_reanchors_total', help: 'batches anchored again (a dropped or reverted transaction, a root the chain no longer holds)', registers });
    this.gasUsed = new Counter({ name: 'econfirm_gateway_anchoring_gas_used_total', help: 'gas used by confirmed anchor transactions', registers });
    this.errors = new Counter({ name: 'econfirm_gateway_anchoring_round_errors_total', help: 'anchoring rounds that failed (ledger or EVM unreachable, …); retried next round', registers });
  }

  bind(read: () => Counts): void {
    this.read = read;
  }
}
