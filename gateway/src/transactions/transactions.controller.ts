import { Body, Controller, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiUnprocessableEntityResponse,
  ApiForbiddenResponse,
  ApiGatewayTimeoutResponse,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { TransactionIdParam } from '../http/path-params';
import { ApiCallerErrors, ApiIdempotencyKeyHeader, ErrorResponse } from '../openapi/common.dto';
import { CommittedDto, EndorsedDto, EvaluatedDto, SignatureDto, SubmissionDto, TransactionStatusDto } from './dto/transactions.dto';
import { Executed, ExecutedInterceptor } from './executed';
import { TransactionExecutor } from './transaction-executor.service';

const IDEMPOTENCY = ApiIdempotencyKeyHeader();

/**
 * Non-custodial signing (offline credentials): a mutating route answered 202 with the unsigned
 * proposal; the caller checks and signs it → endorsement → checks and signs the transaction → submission.
 */
@ApiTags('offline signing')
@ApiBearerAuth()
@ApiBadRequestResponse({ type: ErrorResponse, description: 'MALFORMED_JSON, VALIDATION_FAILED, INVALID_SIGNATURE' })
@ApiUnauthorizedResponse({ type: ErrorResponse, description: 'UNAUTHENTICATED, TOKEN_EXPIRED, TOKEN_REPLAYED' })
@ApiForbiddenResponse({ type: ErrorResponse, description: 'another credential proposed it; IDENTITY_REFUSED (the signature is not the identity\'s); the contract\'s FORBIDDEN' })
@ApiNotFoundResponse({ type: ErrorResponse, description: 'no such pending transaction for this tenant; the contract\'s NOT_FOUND' })
@ApiConflictResponse({
  type: ErrorResponse,
  description: 'INVALID_STATE_TRANSITION (wrong stage), ALREADY_FINISHED, MVCC_CONFLICT, OFFLINE_READ_UNAVAILABLE, IDEMPOTENCY_IN_PROGRESS, the contract\'s refusals',
})
@ApiGoneResponse({ type: ErrorResponse, description: 'PROPOSAL_EXPIRED' })
@ApiUnprocessableEntityResponse({ type: ErrorResponse, description: "the contract's INVALID_ARGUMENT and RECIPIENTS_REFUSED, IDEMPOTENCY_KEY_REUSED" })
@ApiBadGatewayResponse({ type: ErrorResponse, description: 'ENDORSEMENT_FAILED, ORDERING_FAILED, EVALUATION_FAILED, TRANSACTION_INVALID' })
@ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'LEDGER_UNAVAILABLE, HSM_UNAVAILABLE' })
@ApiGatewayTimeoutResponse({ type: ErrorResponse, description: 'LEDGER_TIMEOUT, COMMIT_STATUS_UNKNOWN' })
@ApiCallerErrors()
@UseInterceptors(ExecutedInterceptor)
@Controller('v1/transactions')
export class TransactionsController {
  constructor(private readonly executor: TransactionExecutor) {}

  @Post(':id/endorsement')
  @IDEMPOTENCY
  @HttpCode(200)
  @ApiOperation({ summary: 'Offline step 2: send the proposal signature; the gateway endorses and answers the unsigned transaction and commit-status request' })
  @ApiBody({ type: SignatureDto })
  @ApiOkResponse({ type: EndorsedDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'wrong stage, already finished, or the contract refused (its code)' })
  @ApiGoneResponse({ type: ErrorResponse, description: 'PROPOSAL_EXPIRED' })
  endorse(@CurrentPrincipal() principal: Principal, @Param() { id }: TransactionIdParam, @Body() body: SignatureDto): Promise<EndorsedDto> {
    return this.executor.endorse(principal, id, body.signature);
  }

  @Post(':id/submission')
  @IDEMPOTENCY
  @HttpCode(200)
  @ApiOperation({ summary: 'Offline step 3: send the transaction signature; the gateway submits and answers the commit status and result' })
  @ApiBody({ type: SubmissionDto })
  @ApiOkResponse({ type: CommittedDto })
  @ApiCreatedResponse({ type: CommittedDto, description: 'the same, when the custodial route answers 201 (a creation)' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'MVCC_CONFLICT (start again), wrong stage' })
  submit(@CurrentPrincipal() principal: Principal, @Param() { id }: TransactionIdParam, @Body() body: SubmissionDto): Promise<Executed> {
    return this.executor.submitSigned(principal, id, body.signature, body.commitSignature);
  }

  @Post(':id/evaluation')
  @IDEMPOTENCY
  @HttpCode(200)
  @ApiOperation({ summary: 'Offline read: send the proposal signature of a read; the gateway evaluates it and answers the result' })
  @ApiBody({ type: SignatureDto })
  @ApiOkResponse({ type: EvaluatedDto })
  evaluate(@CurrentPrincipal() principal: Principal, @Param() { id }: TransactionIdParam, @Body() body: SignatureDto): Promise<Executed> {
    return this.executor.evaluateSigned(principal, id, body.signature);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Where an offline transaction stands, with its final answer once known' })
  @ApiOkResponse({ type: TransactionStatusDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@CurrentPrincipal() principal: Principal, @Param() { id }: TransactionIdParam): Record<string, unknown> {
    return this.executor.status(principal, id);
  }
}
