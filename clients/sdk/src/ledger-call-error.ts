import { StatusCode } from '@hyperledger/fabric-gateway';
import { parseLedgerError } from '@econfirm/common';

/** Where a ledger call failed: which step of evaluate / endorse → submit → commit. */
export type LedgerCallPhase = 'evaluate' | 'endorse' | 'submit' | 'commit-status' | 'commit' | 'client';

/** gRPC status codes that mean "the network did not answer in time / at all", not "no". */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

const STATUS_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(StatusCode).map(([name, code]) => [code, name]));

export function commitStatusName(code: number): string {
  return STATUS_NAMES.get(code) ?? `STATUS_${code}`;
}

/**
 * A failed ledger call with a stable machine-readable `code`: the chaincode's own code
 * (FORBIDDEN, NOT_FOUND, INVALID_STATE_TRANSITION…) when the contract refused, otherwise a
 * code naming what went wrong in Fabric (UNAVAILABLE, DEADLINE_EXCEEDED, MVCC_READ_CONFLICT…).
 */
export class LedgerCallError extends Error {
  override readonly name = 'LedgerCallError';

  constructor(
    readonly code: string,
    message: string,
    readonly phase: LedgerCallPhase,
    readonly transactionName: string,
    readonly transactionId?: string,
    /** True when the contract itself refused: retrying the same call cannot succeed. */
    readonly contractRefusal = false,
  ) {
    super(message);
  }

  static fromCommit(transactionName: string, transactionId: string, statusCode: number): LedgerCallError {
    const status = commitStatusName(statusCode);
    return new LedgerCallError(status, `${transactionName}: transaction ${transactionId} was not committed as valid (${status})`, 'commit', transactionName, transactionId);
  }

  static fromGateway(
    transactionName: string,
    phase: LedgerCallPhase,
    grpcCode: number,
    message: string,
    details: string[],
    transactionId?: string,
  ): LedgerCallError {
    // Evaluate errors may carry the chaincode's message only in the top-level message.
    for (const detail of [...details, message]) {
      const refusal = parseLedgerError(detail);
      if (refusal) {
        return new LedgerCallError(refusal.code, refusal.text, phase, transactionName, transactionId, true);
      }
    }
    const code = grpcCode === GRPC_DEADLINE_EXCEEDED ? 'DEADLINE_EXCEEDED' : grpcCode === GRPC_UNAVAILABLE ? 'UNAVAILABLE' : `${phase.toUpperCase().replace('-', '_')}_FAILED`;
    const why = details.length > 0 ? `${message} (${details.join('; ')})` : message;
    return new LedgerCallError(code, `${transactionName}: ${why}`, phase, transactionName, transactionId);
  }

  static unexpected(transactionName: string, err: unknown): LedgerCallError {
    return new LedgerCallError('CLIENT_ERROR', `${transactionName}: ${err instanceof Error ? err.message : String(err)}`, 'client', transactionName);
  }
}
