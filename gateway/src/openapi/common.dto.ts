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
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
  type ApiPropertyOptions,
} from '@nestjs/swagger';

/** Schema of a member that holds any JSON the ledger returned (an object, an array or null). */
export const ANY_JSON: ApiPropertyOptions = {
  oneOf: [
    { type: 'object', additionalProperties: true, nullable: true },
    { type: 'array', items: {} },
  ],
};

/** OpenAPI schema of every error answer. */
export class ErrorDetail {
  @ApiProperty({ example: 'INVALID_STATE_TRANSITION', description: 'stable machine-readable code (gateway/README.md)' })
  code: string;

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
  @ApiProperty({ description: 'base64 of the unsigned proposal (fabric-gateway ProposedTransaction): decode it, check channel, chaincode, function, arguments and creator, sign SHA-256 of its Proposal bytes (sdk signOfflineProposal)' }) proposal: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ example: '/v1/transactions/<id>/endorsement' }) next: string;
}

/** OpenAPI extension naming, per status, why an operation cannot answer it (checked by test/src/e2e/openapi.test.ts). */
export const IMPOSSIBLE_ERRORS_EXTENSION = 'x-econfirm-impossible-errors';

/**
 * What every authenticated route can answer whatever it does: 400 (the JSON body parser and the
 * validation pipe run on every route), 401 (the global guard), 413 and 415 (the body parser), 500.
 */
export function ApiCallerErrors(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBadRequestResponse({ type: ErrorResponse, description: 'MALFORMED_JSON (a body that is not JSON), VALIDATION_FAILED (parameters, query or body: details.issues)' }),
    ApiUnauthorizedResponse({ type: ErrorResponse, description: 'UNAUTHENTICATED, TOKEN_EXPIRED, TOKEN_REPLAYED' }),
    ApiPayloadTooLargeResponse({ type: ErrorResponse, description: 'PAYLOAD_TOO_LARGE: a body over limits.bodyBytes' }),
    ApiUnsupportedMediaTypeResponse({ type: ErrorResponse, description: 'UNSUPPORTED_MEDIA_TYPE: a body encoding or charset the gateway does not read' }),
    ApiInternalServerErrorResponse({ type: ErrorResponse, description: 'INTERNAL: a bug, logged with the request id' }),
  );
}

/**
 * The global Idempotency-Key interceptor on a mutating route: the header, and what a reused key
 * answers. (Routes that document 409/422 themselves name these codes in their own descriptions.)
 */
export function ApiIdempotent(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retry with the same key returns the first outcome instead of acting twice' }),
    ApiConflictResponse({ type: ErrorResponse, description: 'IDEMPOTENCY_IN_PROGRESS: the first request with this key is still running' }),
    ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'IDEMPOTENCY_KEY_REUSED: this key was used for a different request' }),
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

/** The error answers (and the offline 202) every ledger-backed route can give, for the OpenAPI document. */
export function ApiLedgerErrors(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiCallerErrors(),
    ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN (role, institution, party), IDENTITY_REFUSED (the network refused the certificate), CONTENT_NOT_READABLE' }),
    ApiNotFoundResponse({ type: ErrorResponse, description: 'NOT_FOUND — also for a record the caller is no party to' }),
    ApiConflictResponse({
      type: ErrorResponse,
      description: 'INVALID_STATE_TRANSITION, ALREADY_EXISTS, CONFLICT, MVCC_CONFLICT, IDEMPOTENCY_IN_PROGRESS, OFFLINE_SIGNING_REQUIRED, OFFLINE_READ_UNAVAILABLE, NO_INSTITUTION_KEYS',
    }),
    ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'INVALID_ARGUMENT (ledger), INVALID_CONTENT (form validation), IDEMPOTENCY_KEY_REUSED' }),
    ApiBadGatewayResponse({ type: ErrorResponse, description: 'ENDORSEMENT_FAILED, ORDERING_FAILED, EVALUATION_FAILED, TRANSACTION_INVALID (details: phase, transaction id, validation code)' }),
    ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'LEDGER_UNAVAILABLE, HSM_UNAVAILABLE (a custodial key in an HSM token that refused)' }),
    ApiGatewayTimeoutResponse({ type: ErrorResponse, description: 'LEDGER_TIMEOUT, COMMIT_STATUS_UNKNOWN (details.transactionId)' }),
    ApiAcceptedResponse({ type: PendingTransactionDto, description: 'offline credential: check and sign the proposal, then POST /v1/transactions/{id}/endorsement' }),
  );
}
