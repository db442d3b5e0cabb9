import type { MessagePort } from 'node:worker_threads';
import type { LedgerView } from '@econfirm/evidence';
import { LedgerCallError, type LedgerCallPhase } from '@econfirm/sdk';

/**
 * The ledger reads of an online verification, across a MessagePort: the verifier runs in a worker
 * thread (verify-worker.ts), the gateway's Fabric connection stays on the main thread. Only the
 * LedgerView reads cross, by name; their values are plain data (bigint included), which the
 * structured clone carries as they are.
 */
const METHODS = ['confirmationEvidence', 'transaction', 'committedRecord', 'institution', 'mortgageEvidence', 'committedMortgage', 'receivableEvidence', 'committedReceivable'] as const;
type Method = (typeof METHODS)[number];

interface LedgerCall {
  id: number;
  method: Method;
  args: string[];
}

interface SentError {
  message: string;
  ledger?: { code: string; phase: LedgerCallPhase; transactionName: string; transactionId?: string; contractRefusal: boolean };
}

type LedgerAnswer = { id: number; value: unknown } | { id: number; error: SentError };

function isMethod(value: unknown): value is Method {
  return typeof value === 'string' && (METHODS as readonly string[]).includes(value);
}

/** Main thread: answers the worker's reads with `view` until the port closes. */
export function serveLedger(port: MessagePort, view: LedgerView): void {
  port.on('message', (call: LedgerCall) => {
    void (async () => {
      try {
        if (!isMethod(call.method) || !Array.isArray(call.args) || !call.args.every((a) => typeof a === 'string')) throw new Error('not a ledger read');
        const read = view[call.method] as ((...args: string[]) => Promise<unknown>) | undefined;
        if (!read) throw new Error(`the ledger view has no ${call.method}`);
        port.postMessage({ id: call.id, value: await read(...call.args) } satisfies LedgerAnswer);
      } catch (err) {
        const error: SentError = { message: err instanceof Error ? err.message : String(err) };
        if (err instanceof LedgerCallError) {
          error.ledger = { code: err.code, phase: err.phase, transactionName: err.transactionName, ...(err.transactionId ? { transactionId: err.transactionId } : {}), contractRefusal: err.contractRefusal };
        }
        port.postMessage({ id: call.id, error } satisfies LedgerAnswer);
      }
    })();
  });
}

/** Worker thread: a LedgerView whose reads are answered by serveLedger on the other end of `port`. */
export function remoteLedger(port: MessagePort): LedgerView {
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  port.on('message', (answer: LedgerAnswer) => {
    const waiting = pending.get(answer.id);
    if (!waiting) return;
    pending.delete(answer.id);
    if ('value' in answer) {
      waiting.resolve(answer.value);
      return;
    }
    const { message, ledger } = answer.error;
    // The verifier tells a refused read (FORBIDDEN / NOT_FOUND) from others by LedgerCallError.
    waiting.reject(ledger ? new LedgerCallError(ledger.code, message, ledger.phase, ledger.transactionName, ledger.transactionId, ledger.contractRefusal) : new Error(message));
  });
  const call = <T>(method: Method, ...args: string[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = (next += 1);
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      port.postMessage({ id, method, args } satisfies LedgerCall);
    });
  return {
    confirmationEvidence: (id) => call('confirmationEvidence', id),
    transaction: (txId) => call('transaction', txId),
    committedRecord: (txId, id) => call('committedRecord', txId, id),
    institution: (institutionId) => call('institution', institutionId),
    mortgageEvidence: (id) => call('mortgageEvidence', id),
    committedMortgage: (txId, id) => call('committedMortgage', txId, id),
    receivableEvidence: (id) => call('receivableEvidence', id),
    committedReceivable: (txId, id) => call('committedReceivable', txId, id),
  };
}
