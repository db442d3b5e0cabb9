/**
 * Every refusal the gateway answers: a stable machine-readable `code` (the chaincode's codes where
 * the ledger refused, gateway codes otherwise), the HTTP status, a human message and optional
 * details (field issues, transaction id). The exception filter renders it as
 * `{ error: { code, message, details?, requestId } }`.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';

  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  static badRequest(code: string, message: string, details?: Record<string, unknown>): GatewayError {
    return new GatewayError(code, 400, message, details);
  }

  static forbidden(message: string, details?: Record<string, unknown>): GatewayError {
    return new GatewayError('FORBIDDEN', 403, message, details);
  }

  static notFound(message: string): GatewayError {
    return new GatewayError('NOT_FOUND', 404, message);
  }

  static unauthenticated(message: string): GatewayError {
    return new GatewayError('UNAUTHENTICATED', 401, message);
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; requestId: string };
}
