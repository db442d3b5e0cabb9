import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Role } from '@econfirm/common';
import type { Response } from 'express';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiLedgerErrors } from '../openapi/common.dto';
import { answer } from '../transactions/transaction-executor.service';
import { ConfirmationsService } from './confirmations.service';
import {
  AlternativeProcedureDto,
  AuthorizeDto,
  IssueConfirmationDto,
  PrepareReplyDto,
  ReasonDto,
  ResendDto,
  ReturnDto,
} from './dto/confirmation-inputs.dto';
import { ConfirmationDto, ConfirmationHistoryEntryDto, ConfirmationPageDto, ContentFileDto } from './dto/confirmation.dto';
import { ListConfirmationsQuery } from './dto/list-query.dto';

const IDEMPOTENCY = ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retry with the same key returns the first outcome instead of acting twice' });
const ID = ApiParam({ name: 'id', description: 'confirmation request id' });

@ApiTags('confirmations')
@ApiBearerAuth()
@Controller('v1/confirmations')
export class ConfirmationsController {
  constructor(private readonly confirmations: ConfirmationsService) {}

  @Post()
  @Roles(Role.Auditor)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'Issue a confirmation request (T/CBA: request). Plain letter in; encrypted for firm, client and responder.' })
  @ApiCreatedResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async issue(@CurrentPrincipal() p: Principal, @Body() body: IssueConfirmationDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.issue(p, body));
  }

  @Get()
  @ApiOperation({ summary: 'List requests (by firm, engagement, client, addressee, state or overdue), paginated (T/CBA: status query)' })
  @ApiOkResponse({ type: ConfirmationPageDto })
  @ApiLedgerErrors()
  async list(@CurrentPrincipal() p: Principal, @Query() query: ListConfirmationsQuery, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.list(p, query));
  }

  @Get(':id')
  @ID
  @ApiOperation({ summary: "One request as the caller may see it, its own content decrypted (T/CBA: status)" })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.get(p, id));
  }

  @Get(':id/history')
  @ID
  @ApiOperation({ summary: 'Every committed version, newest first (T/CBA: status history)' })
  @ApiOkResponse({ type: [ConfirmationHistoryEntryDto] })
  @ApiLedgerErrors()
  async history(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.history(p, id));
  }

  @Get(':id/letter')
  @ID
  @ApiOperation({ summary: "The letter's plaintext, if addressed to the caller's institution (T/CBA: file download)" })
  @ApiOkResponse({ type: ContentFileDto })
  @ApiLedgerErrors()
  async letter(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.file(p, id, 'letter'));
  }

  @Get(':id/reply')
  @ID
  @ApiOperation({ summary: "The reply's plaintext and the responder's JWS, if addressed to the caller's institution (T/CBA: reply download)" })
  @ApiOkResponse({ type: ContentFileDto, description: 'part reply, with the signature' })
  @ApiLedgerErrors()
  async reply(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.file(p, id, 'reply'));
  }

  @Post(':id/authorization')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The client authorizes the request (and consents to the fee); the letter is delivered to the responder' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async authorize(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: AuthorizeDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.transition(p, 'ClientAuthorize', id, JSON.stringify({ feeConsent: body.feeConsent, ...(body.signatureHash ? { signatureHash: body.signatureHash } : {}) })));
  }

  @Post(':id/refusal')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The client refuses to authorize' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async refuse(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ReasonDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.transition(p, 'ClientRefuse', id, body.reason));
  }

  @Post(':id/acceptance')
  @HttpCode(200)
  @Roles(Role.BankOfficer, Role.BankReviewer, Role.ClientSigner)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The responder accepts the letter as compliant (T/CBA bank: status update)' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async accept(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.transition(p, 'BankAccept', id));
  }

  @Post(':id/return')
  @HttpCode(200)
  @Roles(Role.BankOfficer, Role.BankReviewer, Role.ClientSigner)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The responder returns the letter with a reason code (T/CBA bank: status update)' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async return(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ReturnDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.transition(p, 'BankReturn', id, body.reasonCode, body.note ?? ''));
  }

  @Post(':id/reply')
  @HttpCode(200)
  @Roles(Role.BankOfficer, Role.ClientSigner)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: "Prepare the reply (T/CBA bank: reply upload): validated against the letter, signed with the institution's key, encrypted" })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async prepareReply(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: PrepareReplyDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.prepareReply(p, id, body));
  }

  @Post(':id/reply/approval')
  @HttpCode(200)
  @Roles(Role.BankReviewer)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: 'A reviewer (not the preparer) approves the reply: it is sent' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async approveReply(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.transition(p, 'ApproveReply', id));
  }

  @Post(':id/reply/rejection')
  @HttpCode(200)
  @Roles(Role.BankReviewer)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: 'A reviewer rejects the prepared reply: back to accepted' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async rejectReply(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ReasonDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.transition(p, 'RejectReply', id, body.reason));
  }

  @Post(':id/auditor-acceptance')
  @HttpCode(200)
  @Roles(Role.Auditor)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The auditor accepts the reply; the client may now see it' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async auditorAccept(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.transition(p, 'AuditorAccept', id));
  }

  @Post(':id/recall')
  @HttpCode(200)
  @Roles(Role.Auditor)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The firm recalls the request (T/CBA: cancel)' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async recall(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ReasonDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.transition(p, 'Recall', id, body.reason));
  }

  @Post(':id/resend')
  @Roles(Role.Auditor)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: 'Resend a returned or overdue request as a new linked request (same responder)' })
  @ApiCreatedResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async resend(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ResendDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.resend(p, id, body));
  }

  @Post(':id/alternative-procedure')
  @HttpCode(200)
  @Roles(Role.Auditor)
  @ID
  @IDEMPOTENCY
  @ApiOperation({ summary: 'Record the alternative procedure for a refused, returned or overdue request' })
  @ApiOkResponse({ type: ConfirmationDto })
  @ApiLedgerErrors()
  async alternativeProcedure(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: AlternativeProcedureDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return answer(res, await this.confirmations.transition(p, 'RecordAlternativeProcedure', id, JSON.stringify({ procedure: body.procedure, workpaperHash: body.workpaperHash })));
  }
}
