import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { BundleVerdict, EvmTrust, LedgerView, TrustRoots, Verdict } from '@econfirm/evidence';
import * as path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import Piscina from 'piscina';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config';
import { GatewayError } from '../../errors/gateway-error';
import { serveLedger } from './ledger-port';
import type { VerifyTask } from './verify-worker';

export interface VerifyTrust {
  roots: TrustRoots;
  revocations: ReadonlyMap<string, readonly Buffer[]>;
  /** The EVM node and contract the gateway checks anchors on (its own configuration, never the document's). */
  evm?: EvmTrust;
}

const plain = (map: ReadonlyMap<string, readonly Buffer[]>): Array<[string, Uint8Array[]]> => [...map].map(([msp, list]) => [msp, list.map((b) => new Uint8Array(b))]);

/**
 * Evidence verification off the main thread (issue 17 §4): a fixed number of worker threads
 * (`evidence.verifier.workers`), a bounded queue (`queue`; beyond it 503 VERIFIER_BUSY with Retry-After),
 * a time limit per document (VERIFY_TIME_EXCEEDED; the worker is terminated, not waited for) and a
 * heap limit per worker (a document that exhausts it is VERIFY_TIME_EXCEEDED's sibling,
 * EVIDENCE_UNREADABLE). Piscina (a maintained pool) owns the threads; ledger reads come back to
 * this thread through ledger-port.ts.
 */
@Injectable()
export class VerifierPool implements OnModuleDestroy {
  private readonly pool: Piscina<VerifyTask, Verdict | BundleVerdict>;
  /** Verifications handed to the pool and not yet settled (queued ones included). */
  private active = 0;
  private readonly outcomes: Counter<'outcome'>;
  private readonly logger = new Logger('Verifier');

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig, metrics: MetricsService) {
    const settings = config.evidence.verifier;
    const registers = [metrics.registry];
    const running = (): number => Math.min(this.active, settings.workers);
    const queued = (): number => this.active - running();
    new Gauge({ name: 'econfirm_gateway_verifier_running', help: 'Evidence verifications running in worker threads', registers, collect() { this.set(running()); } });
    new Gauge({ name: 'econfirm_gateway_verifier_queued', help: 'Evidence verifications waiting for a worker thread', registers, collect() { this.set(queued()); } });
    this.outcomes = new Counter({ name: 'econfirm_gateway_verifications_total', help: 'Evidence verifications by outcome (verdict, or the refusal code)', labelNames: ['outcome'], registers });
    this.pool = new Piscina({
      filename: path.join(__dirname, 'verify-worker.js'),
      minThreads: 0,
      maxThreads: settings.workers,
      idleTimeout: 60_000,
      // The worker awaits ledger reads on its event loop, so it must not block in Atomics.wait.
      atomics: 'disabled',
      resourceLimits: { maxOldGenerationSizeMb: settings.workerHeapMb },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }

  verifyPdf(pdf: Buffer, trust: VerifyTrust, ledger?: LedgerView): Promise<Verdict> {
    return this.run({ kind: 'pdf', pdf: new Uint8Array(pdf) }, trust, ledger) as Promise<Verdict>;
  }

  verifyBundle(bundle: { manifestJws: string; files: Record<string, string> }, trust: VerifyTrust, ledger?: LedgerView): Promise<BundleVerdict> {
    return this.run({ kind: 'bundle', bundle }, trust, ledger) as Promise<BundleVerdict>;
  }

  private async run(document: VerifyTask['document'], trust: VerifyTrust, ledger?: LedgerView): Promise<Verdict | BundleVerdict> {
    const { timeoutSeconds, workers, queue } = this.config.evidence.verifier;
    // The bound is ours, counted here: piscina's balancer may hand a busy worker a second task
    // instead of refusing it, so its maxQueue does not bound what waits.
    if (this.active >= workers + queue) {
      this.outcomes.inc({ outcome: 'VERIFIER_BUSY' });
      throw new GatewayError('VERIFIER_BUSY', 'every evidence verifier is busy and the queue is full; try again shortly').withRetryAfter(2);
    }
    const channel = ledger ? new MessageChannel() : undefined;
    if (channel && ledger) serveLedger(channel.port1, ledger);
    const task: VerifyTask = { document, roots: plain(trust.roots), revocations: plain(trust.revocations), ...(trust.evm ? { evm: trust.evm } : {}), ...(channel ? { ledgerPort: channel.port2 } : {}) };
    this.active += 1;
    try {
      const verdict = await this.pool.run(task, { signal: AbortSignal.timeout(timeoutSeconds * 1000), ...(channel ? { transferList: [channel.port2] } : {}) });
      this.outcomes.inc({ outcome: verdict.ok ? 'ok' : 'not-ok' });
      return verdict;
    } catch (err) {
      const refusal = this.refusal(err);
      this.outcomes.inc({ outcome: refusal.code });
      throw refusal;
    } finally {
      this.active -= 1;
      channel?.port1.close();
    }
  }

  private refusal(err: unknown): GatewayError {
    const { timeoutSeconds } = this.config.evidence.verifier;
    const name = err instanceof Error ? err.name : '';
    const message = err instanceof Error ? err.message : String(err);
    if (name === 'AbortError' || name === 'TimeoutError') {
      return new GatewayError('VERIFY_TIME_EXCEEDED', `the document could not be checked within ${timeoutSeconds} s; nothing about it was established`);
    }
    if ((err as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new GatewayError('EVIDENCE_UNREADABLE', 'the document needs more memory to read than a verifier may use; nothing about it was established');
    }
    this.logger.error({ msg: 'verifier failed', error: message });
    return new GatewayError('EVIDENCE_FAILED', 'the verifier failed on this document (logged)');
  }
}
