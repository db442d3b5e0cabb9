/**
 * Exponential backoff: the delay before attempt `attempt + 1` after `attempt` failures
 * (attempt ≥ 1) is `base · 2^(attempt-1)`, capped at `max`. Deterministic (no jitter) so a
 * receiver, a test and the README can all compute the same schedule.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  // 2^31 already exceeds any sensible cap; stop doubling before the number loses meaning.
  const factor = 2 ** Math.min(attempt - 1, 31);
  return Math.min(baseMs * factor, maxMs);
}

/** The whole schedule of delays between `maxAttempts` attempts (maxAttempts - 1 delays). */
export function backoffSchedule(maxAttempts: number, baseMs: number, maxMs: number): number[] {
  return Array.from({ length: Math.max(0, maxAttempts - 1) }, (_, i) => backoffDelay(i + 1, baseMs, maxMs));
}

/** Resolves after `ms`, or at once when `signal` aborts (shutdown must not wait out a backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
