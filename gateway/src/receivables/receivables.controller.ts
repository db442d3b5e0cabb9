import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role, type ApiErrorCode } from '@econfirm/common';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { AuditorFirmParam, ObligorIdParam, ReceivableIdParam } from '../http/path-params';
import { ApiIdempotencyKeyHeader, ApiLedgerErrors } from '../openapi/common.dto';
import { Executed, ExecutedInterceptor } from '../transactions/executed';
import {
  FinanceReceivableDto,
  FinancingRequestDto,
  ListReceivablesQuery,
  PaymentDto,
  ReasonCodeDto,
  ReceivableLimitDto,
  RecourseDto,
  RegisterReceivableDto,
  SplitReceivableDto,
  TransferReceivableDto,
} from './dto/receivable-inputs.dto';
import { ReceivableCreditDto, ReceivableDto, ReceivableLimitRecordDto, ReceivablePageDto } from './dto/receivable.dto';
// One shape for both auditor grants: the receivable contract's is the mortgage contract's twin.
import { AuditorAccessDto } from '../mortgages/dto/mortgage-inputs.dto';
import { AccessRevokedDto, AuditorAccessRecordDto } from '../mortgages/dto/mortgage.dto';
import { ReceivableStatsDto } from './dto/receivable-stats.dto';
import { ReceivablesService } from './receivables.service';

const IDEMPOTENCY = ApiIdempotencyKeyHeader();
const LIEN: ApiErrorCode[] = ['LIEN_EXISTS'];
const LIMIT: ApiErrorCode[] = ['LIMIT_EXCEEDED'];

/**
 * Receivables (应收账款电子债权凭证): the supplier registers, the core enterprise confirms within its
 * limit, holders split, transfer and finance, banks take the lien, the obligor pays at maturity.
 */
@ApiTags('receivables')
@ApiBearerAuth()
@UseInterceptors(ExecutedInterceptor)
@Controller('v1/receivables')
export class ReceivablesController {
  constructor(private readonly receivables: ReceivablesService) {}

  @Post()
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The supplier registers what the obligor owes it; amount, contract and invoice numbers are sealed for the supplier and the obligor' })
  @ApiCreatedResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  register(@CurrentPrincipal() p: Principal, @Body() body: RegisterReceivableDto): Promise<Executed> {
    return this.receivables.register(p, body);
  }

  @Get()
  @ApiOperation({ summary: "The caller's receivables (obligor, holder past or present, bank) by state; the regulator names a party" })
  @ApiOkResponse({ type: ReceivablePageDto })
  @ApiLedgerErrors()
  list(@CurrentPrincipal() p: Principal, @Query() query: ListReceivablesQuery): Promise<Executed> {
    return this.receivables.list(p, query);
  }

  @Get('statistics')
  @Roles(Role.Regulator)
  @ApiOperation({ summary: "The regulator's receivable statistics: states, owed parts, financed share, liens by bank, past due by obligor — counts from the records' clear fields, never amounts" })
  @ApiOkResponse({ type: ReceivableStatsDto })
  @ApiLedgerErrors()
  statistics(@CurrentPrincipal() p: Principal): Promise<Executed> {
    return this.receivables.statistics(p);
  }

  @Put('limits/:obligorId')
  @Roles(Role.Admin)
  @IDEMPOTENCY
  @ApiOperation({ summary: "The platform operator sets the ceiling of an obligor's confirmed total (sealed for the obligor and the regulators)" })
  @ApiOkResponse({ type: ReceivableLimitRecordDto, description: 'the limit record (sealed for the obligor and the regulators, so not readable by the operator)' })
  @ApiLedgerErrors()
  setLimit(@CurrentPrincipal() p: Principal, @Param() { obligorId }: ObligorIdParam, @Body() body: ReceivableLimitDto): Promise<Executed> {
    return this.receivables.setLimit(p, obligorId, body.amountMinor, body.currency);
  }

  @Get('limits/:obligorId')
  @Roles(Role.ClientSigner, Role.Regulator)
  @ApiOperation({ summary: 'The limit and the confirmed total so far, opened for the obligor itself or the regulator' })
  @ApiOkResponse({ type: ReceivableCreditDto })
  @ApiLedgerErrors()
  credit(@CurrentPrincipal() p: Principal, @Param() { obligorId }: ObligorIdParam): Promise<Executed> {
    return this.receivables.credit(p, obligorId);
  }

  @Post('auditor-access')
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The client lets its audit firm list its receivables until a date (for cross-checks); amounts stay sealed' })
  @ApiCreatedResponse({ type: AuditorAccessRecordDto })
  @ApiLedgerErrors()
  grantAuditorAccess(@CurrentPrincipal() p: Principal, @Body() body: AuditorAccessDto): Promise<Executed> {
    return this.receivables.grantAuditorAccess(p, body.firmId, body.validUntil);
  }

  @Delete('auditor-access/:firmId')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @ApiOperation({ summary: "The client withdraws its audit firm's access to its receivables" })
  @ApiOkResponse({ type: AccessRevokedDto })
  @ApiLedgerErrors()
  revokeAuditorAccess(@CurrentPrincipal() p: Principal, @Param() { firmId }: AuditorFirmParam): Promise<Executed> {
    return this.receivables.revokeAuditorAccess(p, firmId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One receivable with its chain of holders, its terms opened for the caller' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  get(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam): Promise<Executed> {
    return this.receivables.get(p, id);
  }

  @Post(':id/confirmation')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The obligor confirms; its confirmed total must stay within the limit the platform set' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors(LIMIT)
  confirm(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam): Promise<Executed> {
    return this.receivables.confirm(p, id);
  }

  @Post(':id/rejection')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The obligor rejects with a reason code' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  reject(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam, @Body() body: ReasonCodeDto): Promise<Executed> {
    return this.receivables.transition(p, 'RejectReceivable', id, JSON.stringify({ reason: body.reason }));
  }

  @Post(':id/cancellation')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The supplier withdraws it before the obligor confirms' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  cancel(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam): Promise<Executed> {
    return this.receivables.transition(p, 'CancelReceivable', id);
  }

  @Post(':id/split')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The holder splits it into parts that sum exactly to it; it closes' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  split(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam, @Body() body: SplitReceivableDto): Promise<Executed> {
    return this.receivables.split(p, id, body);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The holder passes it to another enterprise up its supply chain' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  transfer(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam, @Body() body: TransferReceivableDto): Promise<Executed> {
    return this.receivables.transfer(p, id, body.toId);
  }

  @Post(':id/financing-request')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The holder asks one bank for financing; locked until the bank acts' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors(LIEN)
  requestFinancing(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam, @Body() body: FinancingRequestDto): Promise<Executed> {
    return this.receivables.requestFinancing(p, id, body.bankId);
  }

  @Post(':id/financing-withdrawal')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The holder withdraws its financing request' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  withdrawFinancing(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam): Promise<Executed> {
    return this.receivables.transition(p, 'WithdrawReceivableFinancing', id);
  }

  @Post(':id/financing')
  @HttpCode(200)
  @Roles(Role.BankOfficer)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The requested bank finances and takes the lien: at most one active lien per receivable and per invoice, across all banks' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors(LIEN)
  finance(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam, @Body() body: FinanceReceivableDto): Promise<Executed> {
    return this.receivables.transition(p, 'FinanceReceivable', id, JSON.stringify({ financingId: body.financingId }));
  }

  @Post(':id/financing-decline')
  @HttpCode(200)
  @Roles(Role.BankOfficer)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The requested bank declines with a reason code; the holder may move it again' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  declineFinancing(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam, @Body() body: ReasonCodeDto): Promise<Executed> {
    return this.receivables.transition(p, 'DeclineReceivableFinancing', id, JSON.stringify({ reason: body.reason }));
  }

  @Post(':id/maturity')
  @HttpCode(200)
  @Roles(Role.ClientSigner, Role.BankOfficer)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'On or after the maturity date (obligor, holder or lien bank)' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  mature(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam): Promise<Executed> {
    return this.receivables.transition(p, 'MatureReceivable', id);
  }

  @Post(':id/payment')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The obligor records its payment: to the lien bank for a financed part (the lien is released), else to the holder' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  pay(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam, @Body() body: PaymentDto): Promise<Executed> {
    return this.receivables.transition(p, 'RecordReceivablePayment', id, JSON.stringify({ paymentHash: body.paymentHash }));
  }

  @Post(':id/overdue')
  @HttpCode(200)
  @Roles(Role.ClientSigner, Role.BankOfficer)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'After the maturity date without payment (holder or lien bank)' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  overdue(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam): Promise<Executed> {
    return this.receivables.transition(p, 'MarkReceivableOverdue', id);
  }

  @Post(':id/default')
  @HttpCode(200)
  @Roles(Role.ClientSigner, Role.BankOfficer)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'An overdue receivable is declared in default (holder or lien bank), with a reason code' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  default(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam, @Body() body: ReasonCodeDto): Promise<Executed> {
    return this.receivables.transition(p, 'DefaultReceivable', id, JSON.stringify({ reason: body.reason }));
  }

  @Post(':id/recourse')
  @HttpCode(200)
  @Roles(Role.ClientSigner, Role.BankOfficer)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The creditor of a defaulted receivable turns to an earlier holder' })
  @ApiOkResponse({ type: ReceivableDto })
  @ApiLedgerErrors()
  recourse(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam, @Body() body: RecourseDto): Promise<Executed> {
    return this.receivables.transition(p, 'RecordReceivableRecourse', id, JSON.stringify({ againstId: body.againstId }));
  }
}
