import { Controller, Get, Param, Post, UseInterceptors } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { errorCodesText, Role, type CrossCheckReport, type EngagementCrossCheck } from '@econfirm/common';
import { applyDecorators } from '@nestjs/common';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ConfirmationIdParam, EngagementIdParam } from '../http/path-params';
import { ApiCallerErrors, ApiIdempotencyKeyHeader, ErrorResponse, PendingTransactionDto } from '../openapi/common.dto';
import { Executed, ExecutedInterceptor } from '../transactions/executed';
import { CrossCheckService } from './cross-check.service';
import { CrossCheckReportDto, CrossCheckStatisticsDto, EngagementCrossCheckDto } from './dto/cross-check.dto';

/** The refusals of a cross-check: it reads as the firm's tenant (never offline: no 202) and writes nothing. */
function ApiCrossCheckErrors(): MethodDecorator {
  return applyDecorators(
    ApiCallerErrors(),
    ApiForbiddenResponse({ type: ErrorResponse, description: errorCodesText(403, ['FORBIDDEN', 'MORTGAGE_ACCESS_NOT_GRANTED', 'CONTENT_NOT_READABLE', 'IDENTITY_REFUSED']) }),
    ApiNotFoundResponse({ type: ErrorResponse, description: errorCodesText(404, ['NOT_FOUND']) }),
    ApiConflictResponse({ type: ErrorResponse, description: errorCodesText(409, ['CROSS_CHECK_NOT_READY', 'OFFLINE_READ_UNAVAILABLE', 'NO_INSTITUTION_KEYS']) }),
    ApiBadGatewayResponse({ type: ErrorResponse, description: errorCodesText(502, ['EVALUATION_FAILED']) }),
    ApiServiceUnavailableResponse({ type: ErrorResponse, description: errorCodesText(503, ['LEDGER_UNAVAILABLE', 'HSM_UNAVAILABLE']) }),
    ApiGatewayTimeoutResponse({ type: ErrorResponse, description: errorCodesText(504, ['LEDGER_TIMEOUT']) }),
  );
}

/** The refusals of recording a summary: the check's, and the ledger write's. */
function ApiRecordErrors(): MethodDecorator {
  return applyDecorators(
    ApiCallerErrors(),
    ApiIdempotencyKeyHeader('a retry with the same key returns the first outcome instead of recording twice'),
    ApiForbiddenResponse({ type: ErrorResponse, description: errorCodesText(403, ['FORBIDDEN', 'MORTGAGE_ACCESS_NOT_GRANTED', 'CONTENT_NOT_READABLE', 'IDENTITY_REFUSED']) }),
    ApiNotFoundResponse({ type: ErrorResponse, description: errorCodesText(404, ['NOT_FOUND']) }),
    ApiConflictResponse({
      type: ErrorResponse,
      description: errorCodesText(409, ['CROSS_CHECK_NOT_READY', 'INVALID_STATE_TRANSITION', 'MVCC_CONFLICT', 'IDEMPOTENCY_IN_PROGRESS', 'OFFLINE_READ_UNAVAILABLE', 'NO_INSTITUTION_KEYS']),
    }),
    ApiUnprocessableEntityResponse({ type: ErrorResponse, description: errorCodesText(422, ['INVALID_ARGUMENT', 'IDEMPOTENCY_KEY_REUSED']) }),
    ApiBadGatewayResponse({ type: ErrorResponse, description: errorCodesText(502, ['ENDORSEMENT_FAILED', 'ORDERING_FAILED', 'EVALUATION_FAILED', 'TRANSACTION_INVALID']) }),
    ApiServiceUnavailableResponse({ type: ErrorResponse, description: errorCodesText(503, ['LEDGER_UNAVAILABLE', 'HSM_UNAVAILABLE']) }),
    ApiGatewayTimeoutResponse({ type: ErrorResponse, description: errorCodesText(504, ['LEDGER_TIMEOUT', 'COMMIT_STATUS_UNKNOWN']) }),
    ApiAcceptedResponse({ type: PendingTransactionDto, description: 'offline credential: check and sign the proposal, then POST /v1/transactions/{id}/endorsement' }),
  );
}

/**
 * Cross-checks of accepted replies against the records on the same ledger (issue 14): a bank reply
 * against the client's registrations and financed receivables, a customer's or supplier's reply to
 * a receivable/payable confirmation against the receivables between the two. The auditor of the
 * request's firm only; a bank letter's with the client's grant of its registrations (POST
 * /v1/mortgages/auditor-access); receivables are compared under its receivable grant (POST
 * /v1/receivables/auditor-access), else the report says RECEIVABLE_ACCESS_NOT_GRANTED.
 */
@ApiTags('cross-checks')
@ApiBearerAuth()
@Controller('v1')
export class CrossCheckController {
  constructor(private readonly crossChecks: CrossCheckService) {}

  @Get('confirmations/:id/cross-check')
  @Roles(Role.Auditor)
  @ApiOperation({
    summary:
      "An accepted reply against the ledger as of the letter's as-of date: a bank reply's loans, guarantees and discounted bills against the client's active mortgage registrations and financed receivables; a receivable/payable confirmation's balances against the receivables between the client and the customer or supplier. Each mismatch with a stable code and both sides",
    description:
      "Bank letters need the client's mortgage grant (else 403 MORTGAGE_ACCESS_NOT_GRANTED); receivable/payable confirmations read no registrations and need none. Without the client's receivable grant the report is served with notCompared RECEIVABLE_ACCESS_NOT_GRANTED and no receivable compared. A reply not yet accepted by the auditor: 409 CROSS_CHECK_NOT_READY.",
  })
  @ApiOkResponse({ type: CrossCheckReportDto })
  @ApiCrossCheckErrors()
  confirmation(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam): Promise<CrossCheckReport> {
    return this.crossChecks.confirmation(p, id);
  }

  @Post('confirmations/:id/cross-check')
  @Roles(Role.Auditor)
  @UseInterceptors(ExecutedInterceptor)
  @ApiOperation({
    summary:
      'Runs the cross-check and records its summary on the ledger — counts by exception code only, sealed to the firm and every regulator (crosscheck:RecordCrossCheck) — for the regulator\'s statistics',
  })
  @ApiCreatedResponse({ type: CrossCheckReportDto, description: 'the report, with `recorded` naming the summary transaction and its block' })
  @ApiRecordErrors()
  record(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam): Promise<Executed> {
    return this.crossChecks.record(p, id);
  }

  @Get('statistics/cross-checks')
  @Roles(Role.Regulator)
  @ApiOperation({ summary: "The regulator's counts of cross-check exceptions by code and by replying bank (byBank) or, for receivable/payable confirmations, replying customer or supplier (byCounterparty), from the sealed summaries on the ledger (never amounts)" })
  @ApiOkResponse({ type: CrossCheckStatisticsDto })
  @ApiCrossCheckErrors()
  statistics(@CurrentPrincipal() p: Principal): Promise<CrossCheckStatisticsDto> {
    return this.crossChecks.statistics(p);
  }

  @Get('engagements/:id/cross-check')
  @Roles(Role.Auditor)
  @ApiOperation({
    summary:
      "Every accepted bank reply of an engagement cross-checked, each other bank letter with why it was not, and the client's registrations with banks the engagement has no accepted reply from (MORTGAGEE_NOT_CONFIRMED)",
  })
  @ApiOkResponse({ type: EngagementCrossCheckDto })
  @ApiCrossCheckErrors()
  engagement(@CurrentPrincipal() p: Principal, @Param() { id }: EngagementIdParam): Promise<EngagementCrossCheck> {
    return this.crossChecks.engagement(p, id);
  }
}
