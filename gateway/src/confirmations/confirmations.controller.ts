import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Role } from '@econfirm/common';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ConfirmationIdParam } from '../http/path-params';
import { ApiIdempotencyKeyHeader, ApiLedgerErrors } from '../openapi/common.dto';
import { Executed, ExecutedInterceptor } from '../transactions/executed';
import { ConfirmationsService } from './confirmations.service';
import {
  AlternativeProcedureDto,
  AuditorAcceptDto,
  AuthorizeDto,
  IssueConfirmationDto,
  PrepareReplyDto,
  ReasonDto,
  ResendDto,
  ReturnDto,
} from './dto/confirmation-inputs.dto';
import { ConfirmationDto, ConfirmationHistoryEntryDto, ConfirmationPageDto, ContentFileDto } from './dto/confirmation.dto';
import { ListConfirmationsQuery } from './dto/list-query.dto';

const IDEMPOTENCY = ApiIdempotencyKeyHeader();

@ApiTags('confirmations')
@ApiBearerAuth()
@UseInterceptors(ExecutedInterceptor)
@Controller('v1/confirmations')
export class ConfirmationsController {
  constructor(private readonly confirmations: ConfirmationsService) {}

  @Post()
  @Roles(Role.Auditor)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'Issue a confirmation request (T/CBA: request). Plain letter in; encrypted for firm, client and responder.' })
  @ApiCreatedResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  issue(@CurrentPrincipal() p: Principal, @Body() body: IssueConfirmationDto): Promise<Executed> {
    return this.confirmations.issue(p, body);
  }

  @Get()
  @ApiOperation({ summary: 'List requests (by firm, engagement, client, addressee, state or overdue), paginated (T/CBA: status query)' })
  @ApiOkResponse({ type: ConfirmationPageDto })
  @ApiLedgerErrors()
  list(@CurrentPrincipal() p: Principal, @Query() query: ListConfirmationsQuery): Promise<Executed> {
    return this.confirmations.list(p, query);
  }

  @Get(':id')
  @ApiOperation({ summary: "One request as the caller may see it, its own content decrypted (T/CBA: status)" })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  get(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam): Promise<Executed> {
    return this.confirmations.get(p, id);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every committed version, newest first (T/CBA: status history): a party sees each as it may now (a client no reply before the auditor accepts it); the regulator every version as written, to verify evidence (letters and replies stay sealed)' })
  @ApiOkResponse({ type: [ConfirmationHistoryEntryDto] })
  @ApiLedgerErrors()
  history(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam): Promise<Executed> {
    return this.confirmations.history(p, id);
  }

  @Get(':id/letter')
  @ApiOperation({ summary: "The letter's plaintext, if addressed to the caller's institution (T/CBA: file download)" })
  @ApiOkResponse({ type: ContentFileDto })
  @ApiLedgerErrors()
  letter(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam): Promise<Executed> {
    return this.confirmations.file(p, id, 'letter');
  }

  @Get(':id/reply')
  @ApiOperation({ summary: "The reply's plaintext and the responder's JWS, if addressed to the caller's institution (T/CBA: reply download)" })
  @ApiOkResponse({ type: ContentFileDto, description: 'part reply, with the signature' })
  @ApiLedgerErrors()
  reply(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam): Promise<Executed> {
    return this.confirmations.file(p, id, 'reply');
  }

  @Post(':id/authorization')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({
    summary: 'The client authorizes the request (and consents to the fee); the letter is delivered to the responder',
    description: 'Delivery seals the letter to the responder (and the addressed branch): `letterCiphertext` as the client\'s software widened it, or, when absent, widened by the gateway with the institution key it holds (NO_INSTITUTION_KEYS if it holds none). The ledger refuses any other change (RECIPIENTS_REFUSED).',
  })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  authorize(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam, @Body() body: AuthorizeDto): Promise<Executed> {
    return this.confirmations.authorize(p, id, body);
  }

  @Post(':id/refusal')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The client refuses to authorize' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  refuse(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam, @Body() body: ReasonDto): Promise<Executed> {
    return this.confirmations.transition(p, 'ClientRefuse', id, body.reason);
  }

  @Post(':id/acceptance')
  @HttpCode(200)
  @Roles(Role.BankOfficer, Role.BankReviewer, Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The responder accepts the letter as compliant (T/CBA bank: status update)' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  accept(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam): Promise<Executed> {
    return this.confirmations.transition(p, 'BankAccept', id);
  }

  @Post(':id/return')
  @HttpCode(200)
  @Roles(Role.BankOfficer, Role.BankReviewer, Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The responder returns the letter with a reason code (T/CBA bank: status update)' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  return(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam, @Body() body: ReturnDto): Promise<Executed> {
    return this.confirmations.transition(p, 'BankReturn', id, body.reasonCode, body.note ?? '');
  }

  @Post(':id/reply')
  @HttpCode(200)
  @Roles(Role.BankOfficer, Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: "Prepare the reply (T/CBA bank: reply upload): validated against the letter, signed with the institution's key, encrypted" })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  prepareReply(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam, @Body() body: PrepareReplyDto): Promise<Executed> {
    return this.confirmations.prepareReply(p, id, body);
  }

  @Post(':id/reply/approval')
  @HttpCode(200)
  @Roles(Role.BankReviewer)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'A reviewer (not the preparer) approves the reply: it is sent' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  approveReply(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam): Promise<Executed> {
    return this.confirmations.transition(p, 'ApproveReply', id);
  }

  @Post(':id/reply/rejection')
  @HttpCode(200)
  @Roles(Role.BankReviewer)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'A reviewer rejects the prepared reply: back to accepted' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  rejectReply(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam, @Body() body: ReasonDto): Promise<Executed> {
    return this.confirmations.transition(p, 'RejectReply', id, body.reason);
  }

  @Post(':id/auditor-acceptance')
  @HttpCode(200)
  @Roles(Role.Auditor)
  @IDEMPOTENCY
  @ApiOperation({
    summary: 'The auditor accepts the reply; the client may now see it',
    description: 'Acceptance seals the reply to the client: `replyCiphertext` as the firm\'s software widened it, or, when absent, widened by the gateway with the institution key it holds (NO_INSTITUTION_KEYS if it holds none). The ledger refuses any other change (RECIPIENTS_REFUSED).',
  })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  auditorAccept(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam, @Body() body: AuditorAcceptDto): Promise<Executed> {
    return this.confirmations.auditorAccept(p, id, body);
  }

  @Post(':id/recall')
  @HttpCode(200)
  @Roles(Role.Auditor)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The firm recalls the request (T/CBA: cancel)' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  recall(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam, @Body() body: ReasonDto): Promise<Executed> {
    return this.confirmations.transition(p, 'Recall', id, body.reason);
  }

  @Post(':id/resend')
  @Roles(Role.Auditor)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'Resend a returned or overdue request as a new linked request (same responder)' })
  @ApiCreatedResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  resend(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam, @Body() body: ResendDto): Promise<Executed> {
    return this.confirmations.resend(p, id, body);
  }

  @Post(':id/alternative-procedure')
  @HttpCode(200)
  @Roles(Role.Auditor)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'Record the alternative procedure for a refused, returned or overdue request' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  alternativeProcedure(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam, @Body() body: AlternativeProcedureDto): Promise<Executed> {
    return this.confirmations.transition(p, 'RecordAlternativeProcedure', id, JSON.stringify({ procedure: body.procedure, workpaperHash: body.workpaperHash }));
  }
}
