import { applyDecorators } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiExtension,
  ApiForbiddenResponse,
  ApiGatewayTimeoutResponse,
  ApiHeader,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTooManyRequestsResponse,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
  type ApiPropertyOptions,
} from '@nestjs/swagger';
import { API_ERROR_CODES, errorCodesText, type ApiErrorCode } from '@econfirm/common';
import { IDEMPOTENCY_KEY } from '../idempotency/idempotency.interceptor';

/** Schema of a member that holds any JSON the ledger returned (an object, an array or null). */
export const ANY_JSON: ApiPropertyOptions = {
  oneOf: [
    { type: 'object', additionalProperties: true, nullable: true },
    { type: 'array', items: {} },
  ],
};

/** OpenAPI schema of every error answer. */
export class ErrorDetail {
  @ApiProperty({ example: 'INVALID_STATE_TRANSITION', enum: API_ERROR_CODES, description: 'stable machine-readable code; its HTTP status is fixed (common/src/errors/error-codes.ts, gateway/README.md)' })
  code: ApiErrorCode;

  @ApiProperty({ example: 'cannot BankAccept confirmation CF-1: it is issued' })
  message: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'field issues, transaction id, phase…' })
  details?: Record<string, unknown>;

  @ApiProperty({ example: '6f1c2c1e-8a4e-4a43-9f55-6a1f0e0b4c11' })
  requestId: string;
}

export class ErrorResponse {
  @ApiProperty({ type: ErrorDetail })
  error: ErrorDetail;
}

export class PendingTransactionDto {
  @ApiProperty() transactionId: string;
  @ApiProperty({ enum: ['submit', 'evaluate'] }) mode: string;
  @ApiProperty({ enum: ['proposed'] }) stage: string;
  @ApiProperty({ description: 'base64 of the unsigned proposal (fabric-gateway ProposedTransaction): decode it, check channel, chaincode, function, arguments, transient map (amount openings of receivable and payment-batch steps) and creator, sign SHA-256 of its Proposal bytes (sdk signOfflineProposal)' }) proposal: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ example: '/v1/transactions/<id>/endorsement' }) next: string;
}

/** OpenAPI extension naming, per status, why an operation cannot answer it (checked by test/src/e2e/openapi.test.ts). */
export const IMPOSSIBLE_ERRORS_EXTENSION = 'x-econfirm-impossible-errors';

/** The header of a refusal that passes with time (429, 503 VERIFIER_BUSY). */
export const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } } as const;

/**
 * What every authenticated route can answer whatever it does: 400 (the JSON body parser and the
 * validation pipe run on every route), 401 (the global guard), 413 and 415 (the body parser), 429
 * (the rate limits, gateway/src/auth/rate-limit.guard.ts), 500.
 */
export function ApiCallerErrors(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBadRequestResponse({ type: ErrorResponse, description: errorCodesText(400, ['MALFORMED_JSON', 'VALIDATION_FAILED']) }),
    ApiUnauthorizedResponse({ type: ErrorResponse, description: errorCodesText(401, ['UNAUTHENTICATED', 'TOKEN_EXPIRED', 'TOKEN_REPLAYED']) }),
    ApiPayloadTooLargeResponse({ type: ErrorResponse, description: errorCodesText(413, ['PAYLOAD_TOO_LARGE']) }),
    ApiUnsupportedMediaTypeResponse({ type: ErrorResponse, description: errorCodesText(415, ['UNSUPPORTED_MEDIA_TYPE']) }),
    ApiTooManyRequestsResponse({ type: ErrorResponse, description: `${errorCodesText(429, ['TOO_MANY_REQUESTS'])} (limits.rate: per credential and per tenant)`, headers: RETRY_AFTER }),
    ApiInternalServerErrorResponse({ type: ErrorResponse, description: errorCodesText(500, ['INTERNAL']) }),
  );
}

/** The Idempotency-Key header as the interceptor checks it (IDEMPOTENCY_KEY); `description` says what a retry gets. */
export function ApiIdempotencyKeyHeader(description = 'a retry with the same key returns the first outcome instead of acting twice'): MethodDecorator & ClassDecorator {
  return ApiHeader({ name: 'Idempotency-Key', required: false, schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source }, description });
}

/**
 * The global Idempotency-Key interceptor on a mutating route: the header, and what a reused key
 * answers. (Routes that document 409/422 themselves name these codes in their own descriptions.)
 */
export function ApiIdempotent(): MethodDecorator {
  return applyDecorators(
    ApiIdempotencyKeyHeader(),
    ApiConflictResponse({ type: ErrorResponse, description: errorCodesText(409, ['IDEMPOTENCY_IN_PROGRESS']) }),
    ApiUnprocessableEntityResponse({ type: ErrorResponse, description: errorCodesText(422, ['IDEMPOTENCY_KEY_REUSED']) }),
  );
}

/** A route that cannot answer 403: any authenticated caller may call it and it never asks the ledger as the caller. */
export function ApiNeverForbidden(reason: string): MethodDecorator & ClassDecorator {
  return ApiExtension(IMPOSSIBLE_ERRORS_EXTENSION, { 403: reason });
}

/** A public route (no token): it cannot answer 401 or 403. */
export function ApiPublicRoute(reason: string): MethodDecorator & ClassDecorator {
  return ApiExtension(IMPOSSIBLE_ERRORS_EXTENSION, { 401: reason, 403: reason });
}

/**
 * The error answers (and the offline 202) every ledger-backed route can give, for the OpenAPI
 * document; `conflicts`: a route's own 409 codes; `offlineProposal: false` for a route that
 * refuses offline credentials (409 OFFLINE_SIGNING_REQUIRED) instead of proposing.
 */
export function ApiLedgerErrors(conflicts: readonly ApiErrorCode[] = [], options: { offlineProposal?: boolean } = {}): MethodDecorator & ClassDecorator {
  const offline = options.offlineProposal === false ? [] : [ApiAcceptedResponse({ type: PendingTransactionDto, description: 'offline credential: check and sign the proposal, then POST /v1/transactions/{id}/endorsement' })];
  return applyDecorators(
    ApiCallerErrors(),
    ApiForbiddenResponse({ type: ErrorResponse, description: errorCodesText(403, ['FORBIDDEN', 'IDENTITY_REFUSED', 'CONTENT_NOT_READABLE']) }),
    ApiNotFoundResponse({ type: ErrorResponse, description: errorCodesText(404, ['NOT_FOUND']) }),
    ApiConflictResponse({
      type: ErrorResponse,
      description: errorCodesText(409, ['INVALID_STATE_TRANSITION', 'ALREADY_EXISTS', 'CONFLICT', 'MVCC_CONFLICT', 'IDEMPOTENCY_IN_PROGRESS', 'OFFLINE_SIGNING_REQUIRED', 'OFFLINE_READ_UNAVAILABLE', 'NO_INSTITUTION_KEYS', ...conflicts]),
    }),
    ApiUnprocessableEntityResponse({ type: ErrorResponse, description: errorCodesText(422, ['INVALID_ARGUMENT', 'RECIPIENTS_REFUSED', 'INVALID_CONTENT', 'IDEMPOTENCY_KEY_REUSED']) }),
    ApiBadGatewayResponse({ type: ErrorResponse, description: errorCodesText(502, ['ENDORSEMENT_FAILED', 'ORDERING_FAILED', 'EVALUATION_FAILED', 'TRANSACTION_INVALID']) }),
    ApiServiceUnavailableResponse({ type: ErrorResponse, description: errorCodesText(503, ['LEDGER_UNAVAILABLE', 'HSM_UNAVAILABLE']) }),
    ApiGatewayTimeoutResponse({ type: ErrorResponse, description: errorCodesText(504, ['LEDGER_TIMEOUT', 'COMMIT_STATUS_UNKNOWN']) }),
    ...offline,
  );
}
