import { httpStatusOf, type ApiErrorCode } from '@econfirm/common';

/**
 * Every refusal the gateway answers: a stable machine-readable `code` (the chaincode's codes where
 * the ledger refused, gateway codes otherwise; all in common/src/errors/error-codes.ts), the HTTP status that table gives it, a human message and optional
 * details (field issues, transaction id). The exception filter renders it as
 * `{ error: { code, message, details?, requestId } }`.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  /** The code's status in the one table of error codes (common/src/errors/error-codes.ts). */
  readonly httpStatus: number;
  /** Sent as `Retry-After` (seconds) by the exception filter: a refusal that passes with time (429, 503). */
  retryAfterSeconds?: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.httpStatus = httpStatusOf(code);
  }

  withRetryAfter(seconds: number): this {
    this.retryAfterSeconds = seconds;
    return this;
  }

  static forbidden(message: string, details?: Record<string, unknown>): GatewayError {
    return new GatewayError('FORBIDDEN', message, details);
  }

  static notFound(message: string): GatewayError {
    return new GatewayError('NOT_FOUND', message);
  }

  static unauthenticated(message: string): GatewayError {
    return new GatewayError('UNAUTHENTICATED', message);
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; details?: Record<string, unknown>; requestId: string };
}
