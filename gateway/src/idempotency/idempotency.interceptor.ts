/// <reference types="multer" />
import { Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { canonicalJson, isApiErrorCode, sha256Hex } from '@econfirm/common';
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { from, of, throwError, type Observable } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import type { AuthenticatedRequest } from '../auth/decorators';
import { GatewayError } from '../errors/gateway-error';
import { errorBody, toGatewayError } from '../errors/gateway-exception.filter';
import { requestContext } from '../logging/request-context';
import { IdempotencyStore } from './idempotency.store';

/** What an Idempotency-Key may be (the OpenAPI document declares it: ApiIdempotent). */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const IDEMPOTENT_UPLOAD = 'econfirm:idempotent-upload';

/**
 * Marks a multipart route whose Idempotency-Key is checked by UploadIdempotencyInterceptor,
 * placed after the route's FileInterceptor: the global interceptor runs before multer has parsed
 * the upload and would see no file and no fields.
 */
export const IdempotentUpload = (): MethodDecorator => SetMetadata(IDEMPOTENT_UPLOAD, true);

/** What a multipart request sent: its form fields and each file (name, type, size, SHA-256 of the bytes). */
export interface UploadedRequest {
  method: string;
  path: string;
  fields: unknown;
  files: ReadonlyArray<Pick<Express.Multer.File, 'fieldname' | 'originalname' | 'mimetype' | 'size' | 'buffer'>>;
}

/** The fingerprint of a JSON request: method, path and the parsed body. */
export function jsonFingerprint(method: string, path: string, body: unknown): string {
  return sha256Hex(canonicalJson({ method, path, body: body ?? null }));
}

/** The fingerprint of an upload: a different file (bytes) or different form fields → a different request. */
export function uploadFingerprint(request: UploadedRequest): string {
  const files = request.files.map((f) => ({
    field: f.fieldname,
    name: f.originalname,
    type: f.mimetype,
    size: f.size,
    sha256: createHash('sha256').update(f.buffer).digest('hex'),
  }));
  return sha256Hex(canonicalJson({ method: request.method, path: request.path, fields: request.fields ?? null, files }));
}

/**
 * `Idempotency-Key` on mutating routes: a retried request returns the first outcome (success or
 * refusal, with its status) and header `Idempotent-Replayed: true` instead of acting twice.
 * Failures a retry may fix (5xx) are not recorded. The same key with a different request (body,
 * or for uploads the file bytes and form fields) → 422 IDEMPOTENCY_KEY_REUSED. A claim left by a
 * crashed gateway (or a 5xx) is taken over with the transactions its attempt sent to ordering
 * (IdempotencyStore.begin); the ledger service answers from those that committed.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    protected readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // Uploads are fingerprinted after multer (UploadIdempotencyInterceptor on the route).
    if (this.reflector.get<boolean | undefined>(IDEMPOTENT_UPLOAD, context.getHandler())) return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return this.guard(context, next, () => jsonFingerprint(request.method, request.path, request.body as unknown));
  }

  protected guard(context: ExecutionContext, next: CallHandler, fingerprintOf: () => string): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = request.header('idempotency-key');
    if (key === undefined || !MUTATING.has(request.method) || !request.principal) return next.handle();
    if (!IDEMPOTENCY_KEY.test(key)) return throwError(() => new GatewayError('VALIDATION_FAILED', 'Idempotency-Key: 1-200 characters of A-Z a-z 0-9 . _ : -'));
    const response = context.switchToHttp().getResponse<Response>();
    const tenantId = request.principal.tenantId;
    const claim = this.store.begin(tenantId, key, fingerprintOf());
    switch (claim.kind) {
      case 'replay': {
        response.setHeader('Idempotent-Replayed', 'true');
        const stored = claim.outcome.body as { error?: { code: string; message: string; details?: Record<string, unknown> } } | null;
        if (claim.outcome.status >= 400 && stored?.error) {
          const { code, message, details } = stored.error;
          // Recorded from a GatewayError, so its code is in the table (which gives the same status).
          return throwError(() => new GatewayError(isApiErrorCode(code) ? code : 'INTERNAL', message, details));
        }
        response.status(claim.outcome.status);
        return of(claim.outcome.body);
      }
      case 'mismatch':
        return throwError(() => new GatewayError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request'));
      case 'in-progress':
        return throwError(() => new GatewayError('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed; retry later'));
      case 'claimed': {
        // The ledger service records each write's transaction id under the key, and finds an
        // earlier attempt's committed write instead of making it again.
        const context = requestContext.getStore();
        if (context) context.idempotency = { earlier: claim.earlier, writes: 0, record: (index, transactionId) => this.store.recordTransaction(tenantId, key, index, transactionId) };
        break;
      }
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

/**
 * The Idempotency-Key check of an @IdempotentUpload() route, listed after its FileInterceptor:
 * by then multer has parsed the file(s) and fields, so the fingerprint covers what was sent.
 */
@Injectable()
export class UploadIdempotencyInterceptor extends IdempotencyInterceptor {
  override intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { file?: Express.Multer.File; files?: unknown }>();
    const files = [...(request.file ? [request.file] : []), ...filesOf(request.files)];
    return this.guard(context, next, () => uploadFingerprint({ method: request.method, path: request.path, fields: request.body as unknown, files }));
  }
}

function filesOf(files: unknown): Express.Multer.File[] {
  if (Array.isArray(files)) return files as Express.Multer.File[];
  if (files && typeof files === 'object') return Object.values(files as Record<string, Express.Multer.File[]>).flat();
  return [];
}
