import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request context carried through async calls, so logs and errors name the request. */
export interface RequestContext {
  requestId: string;
  tenantId?: string;
  credentialId?: string;
  /** Set by the IdempotencyInterceptor when the request claimed an Idempotency-Key. */
  idempotency?: IdempotencyScope;
  /** Told each write's transaction id once it went to ordering (a payment-batch import's progress). */
  onOrdered?: (transactionId: string) => void;
}

/**
 * The ledger writes of a request that holds an Idempotency-Key, counted in the order the handler
 * makes them: each transaction id is recorded once it went to ordering, and a retry that takes
 * over the key from a crashed (or 5xx-answered) attempt gets the earlier ids back, so the ledger
 * service can find a write that committed instead of making it again (LedgerService.submit).
 */
export interface IdempotencyScope {
  /** Transaction ids an earlier attempt under this key sent to ordering, by write index. */
  readonly earlier: readonly string[];
  /** Writes made so far by this attempt. */
  writes: number;
  /** Records write `index`'s transaction id (durably, before its commit is awaited). */
  record(index: number, transactionId: string): void;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string {
  return requestContext.getStore()?.requestId ?? '-';
}

/**
 * Whether this request took its Idempotency-Key over from an attempt that sent writes to ordering:
 * a gateway-side pre-check that finds the ledger already moved on must then let the write through
 * to LedgerService.submit, which answers from the earlier attempt's committed transaction.
 */
export function resumingEarlierWrites(): boolean {
  return (requestContext.getStore()?.idempotency?.earlier.length ?? 0) > 0;
}
