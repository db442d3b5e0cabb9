import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { canonicalJson, sha256Hex } from '@econfirm/common';
import type { Response } from 'express';
import { from, of, throwError, type Observable } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import type { AuthenticatedRequest } from '../auth/decorators';
import { GatewayError } from '../errors/gateway-error';
import { errorBody, toGatewayError } from '../errors/gateway-exception.filter';
import { IdempotencyStore } from './idempotency.store';

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `Idempotency-Key` on mutating routes: a retried request returns the first outcome (success or
 * refusal, with its status) and header `Idempotent-Replayed: true` instead of acting twice.
 * Failures a retry may fix (5xx) are not recorded.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = request.header('idempotency-key');
    if (key === undefined || !MUTATING.has(request.method) || !request.principal) return next.handle();
    if (!KEY.test(key)) return throwError(() => GatewayError.badRequest('VALIDATION_FAILED', 'Idempotency-Key: 1-200 characters of A-Z a-z 0-9 . _ : -'));
    const response = context.switchToHttp().getResponse<Response>();
    const tenantId = request.principal.tenantId;
    const fingerprint = sha256Hex(canonicalJson({ method: request.method, path: request.path, body: (request.body as unknown) ?? null }));
    const claim = this.store.begin(tenantId, key, fingerprint);
    switch (claim.kind) {
      case 'replay': {
        response.setHeader('Idempotent-Replayed', 'true');
        const stored = claim.outcome.body as { error?: { code: string; message: string; details?: Record<string, unknown> } } | null;
        if (claim.outcome.status >= 400 && stored?.error) {
          const { code, message, details } = stored.error;
          return throwError(() => new GatewayError(code, claim.outcome.status, message, details));
        }
        response.status(claim.outcome.status);
        return of(claim.outcome.body);
      }
      case 'mismatch':
        return throwError(() => new GatewayError('IDEMPOTENCY_KEY_REUSED', 422, 'this Idempotency-Key was used for a different request'));
      case 'in-progress':
        return throwError(() => new GatewayError('IDEMPOTENCY_IN_PROGRESS', 409, 'a request with this Idempotency-Key is still being processed; retry later'));
      case 'claimed':
        break;
    }
    return next.handle().pipe(
      mergeMap((body: unknown) => {
        this.store.complete(tenantId, key, { status: response.statusCode, body });
        return of(body);
      }),
      catchError((err: unknown) => {
        const error = toGatewayError(err);
        if (error.httpStatus < 500) {
          const { code, message, details } = errorBody(error).error;
          this.store.complete(tenantId, key, { status: error.httpStatus, body: { error: { code, message, ...(details ? { details } : {}) } } });
          response.setHeader('Idempotency-Recorded', 'true');
        } else {
          this.store.release(tenantId, key);
        }
        return from(Promise.reject(err));
      }),
    );
  }
}
