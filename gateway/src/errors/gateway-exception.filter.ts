import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { ApiErrorCode } from '@econfirm/common';
import type { Response } from 'express';
import { currentRequestId } from '../logging/request-context';
import { GatewayError, type ErrorBody } from './gateway-error';

/** Codes for Nest's own HTTP exceptions (unknown route, method not allowed…). */
const HTTP_CODES: Readonly<Record<number, ApiErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

export function toGatewayError(exception: unknown): GatewayError {
  if (exception instanceof GatewayError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return new GatewayError(HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), exception.message);
  }
  return new GatewayError('INTERNAL', 'internal error');
}

export function errorBody(error: GatewayError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}), requestId: currentRequestId() } };
}

/**
 * Every error leaves as `{ error: { code, message, details?, requestId } }` with its HTTP status.
 * Unexpected errors are logged (message and stack, never request bodies) and answered 500.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const error = toGatewayError(exception);
    if (error.httpStatus >= 500) {
      const cause = exception instanceof Error ? exception : new Error(String(exception));
      // A mapped ledger condition (unavailable, timeout…) is an operational warning; anything else is a bug.
      if (exception instanceof GatewayError && error.code !== 'INTERNAL') this.logger.warn({ msg: 'request failed', code: error.code, error: cause.message });
      else this.logger.error({ msg: 'request failed', code: error.code, error: cause.message }, cause.stack);
    }
    if (response.headersSent) return;
    // A route that answers a file sets its type and disposition before it runs (evidence.pdf): an
    // error is JSON, whatever the route would have sent.
    response.removeHeader('Content-Disposition');
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    if (error.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(error.retryAfterSeconds));
    response.status(error.httpStatus).json(errorBody(error));
  }
}
