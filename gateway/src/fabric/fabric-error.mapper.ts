import { ERROR_CODES, type ErrorCode } from '@econfirm/common';
import { LedgerCallError, toLedgerCallError } from '@econfirm/sdk';
import { GatewayError } from '../errors/gateway-error';

/** A chaincode refusal's code (parseLedgerError found one of ERROR_CODES in it). */
function contractCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL';
}

/** Read conflicts left after the SDK's retries with fresh transactions: the caller may retry. */
const CONFLICT_CODES = new Set(['MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT']);

/** The peer refused the caller's certificate itself (revoked, unknown MSP). */
const IDENTITY_REFUSED = /access denied|creator (org )?(unknown|certificate)|certificate .*revoked|identity .*(revoked|invalid)/i;

/**
 * One mapping from anything a Fabric call can throw (EndorseError, SubmitError, CommitStatusError,
 * CommitError, gRPC errors, the SDK's LedgerCallError) to a GatewayError with a stable code and a
 * precise HTTP status. Contract refusals keep the chaincode's code and text.
 */
export function mapFabricError(err: unknown, transactionName = 'ledger call'): GatewayError {
  if (err instanceof GatewayError) return err;
  const failure: LedgerCallError = err instanceof LedgerCallError ? err : toLedgerCallError(err, transactionName);
  const details: Record<string, unknown> = { transaction: failure.transactionName, phase: failure.phase };
  if (failure.transactionId) details.transactionId = failure.transactionId;
  if (failure.contractRefusal) {
    // Its status comes from the one table (common/src/errors/error-codes.ts).
    return new GatewayError(contractCode(failure.code), failure.message, details);
  }
  switch (failure.code) {
    case 'UNAVAILABLE':
      return new GatewayError('LEDGER_UNAVAILABLE', `the ledger is unreachable: ${failure.message}`, details);
    case 'DEADLINE_EXCEEDED':
      // After submit, a timeout leaves the outcome unknown: the transaction id lets the caller look.
      return new GatewayError('LEDGER_TIMEOUT', `the ledger did not answer in time (${failure.phase}): ${failure.message}`, details);
    case 'COMMIT_STATUS_FAILED':
      return new GatewayError('COMMIT_STATUS_UNKNOWN', `submitted, but the commit status could not be read: ${failure.message}`, details);
    case 'CLIENT_ERROR':
      return new GatewayError('INTERNAL', failure.message, details);
  }
  if (IDENTITY_REFUSED.test(failure.message)) {
    return new GatewayError('IDENTITY_REFUSED', `the network refused this identity: ${failure.message}`, details);
  }
  if (failure.phase === 'commit') {
    details.validationCode = failure.code;
    if (CONFLICT_CODES.has(failure.code)) {
      return new GatewayError('MVCC_CONFLICT', `${failure.message}; retried with fresh transactions, still conflicting`, details);
    }
    return new GatewayError('TRANSACTION_INVALID', failure.message, details);
  }
  const code = failure.phase === 'endorse' ? 'ENDORSEMENT_FAILED' : failure.phase === 'submit' ? 'ORDERING_FAILED' : 'EVALUATION_FAILED';
  return new GatewayError(code, failure.message, details);
}
