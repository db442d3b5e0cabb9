import { LedgerCallError, toLedgerCallError } from '@econfirm/sdk';
import { GatewayError } from '../errors/gateway-error';

/** HTTP status of each chaincode refusal code (chaincode/README.md "Errors"). */
export const CONTRACT_STATUS: Readonly<Record<string, number>> = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  ALREADY_EXISTS: 409,
  INVALID_ARGUMENT: 422,
  INVALID_STATE_TRANSITION: 409,
  CONFLICT: 409,
  INTERNAL: 500,
};

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
    return new GatewayError(failure.code, CONTRACT_STATUS[failure.code] ?? 500, failure.message, details);
  }
  switch (failure.code) {
    case 'UNAVAILABLE':
      return new GatewayError('LEDGER_UNAVAILABLE', 503, `the ledger is unreachable: ${failure.message}`, details);
    case 'DEADLINE_EXCEEDED':
      // After submit, a timeout leaves the outcome unknown: the transaction id lets the caller look.
      return new GatewayError('LEDGER_TIMEOUT', 504, `the ledger did not answer in time (${failure.phase}): ${failure.message}`, details);
    case 'COMMIT_STATUS_FAILED':
      return new GatewayError('COMMIT_STATUS_UNKNOWN', 504, `submitted, but the commit status could not be read: ${failure.message}`, details);
    case 'CLIENT_ERROR':
      return new GatewayError('INTERNAL', 500, failure.message, details);
  }
  if (IDENTITY_REFUSED.test(failure.message)) {
    return new GatewayError('IDENTITY_REFUSED', 403, `the network refused this identity: ${failure.message}`, details);
  }
  if (failure.phase === 'commit') {
    details.validationCode = failure.code;
    if (CONFLICT_CODES.has(failure.code)) {
      return new GatewayError('MVCC_CONFLICT', 409, `${failure.message}; retried with fresh transactions, still conflicting`, details);
    }
    return new GatewayError('TRANSACTION_INVALID', 502, failure.message, details);
  }
  const code = failure.phase === 'endorse' ? 'ENDORSEMENT_FAILED' : failure.phase === 'submit' ? 'ORDERING_FAILED' : 'EVALUATION_FAILED';
  return new GatewayError(code, 502, failure.message, details);
}
