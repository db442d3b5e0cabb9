/** Nearest-rank percentile of a sample (milliseconds); the sample need not be sorted. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export interface LoadResult {
  concurrency: number;
  operations: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The distinct messages of the failures (at most 5), so a failed call is explained, not just counted. */
  failureMessages: string[];
}

const MAX_FAILURE_MESSAGES = 5;

/**
 * Runs `operations` calls of `op` with at most `concurrency` in flight and measures each call's
 * latency. Bounded in count: it stops by itself.
 */
export async function runLoad(concurrency: number, operations: number, op: (index: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const messages = new Set<string>();
  let next = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < operations) {
      const index = next++;
      const t0 = performance.now();
      try {
        await op(index);
        latencies.push(performance.now() - t0);
      } catch (err) {
        failures++;
        const message = err instanceof Error ? err.message : String(err);
        if (messages.size < MAX_FAILURE_MESSAGES) messages.add(message);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const seconds = (performance.now() - started) / 1000;
  return {
    concurrency,
    operations,
    failures,
    seconds: round(seconds),
    perSecond: round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    failureMessages: [...messages],
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Median and maximum of `rounds` sequential runs of `op` (milliseconds, one decimal). */
export interface Timing {
  medianMs: number;
  maxMs: number;
}

export async function timedRounds(rounds: number, op: () => Promise<unknown>): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await op();
    samples.push(performance.now() - started);
  }
  const tenth = (n: number) => Math.round(n * 10) / 10;
  return { medianMs: tenth(percentile(samples, 50)), maxMs: tenth(Math.max(...samples)) };
}
