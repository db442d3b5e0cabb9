import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '@econfirm/common';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { AuditorFirmParam, MortgageIdParam } from '../http/path-params';
import { ApiIdempotencyKeyHeader, ApiLedgerErrors } from '../openapi/common.dto';
import { Executed, ExecutedInterceptor } from '../transactions/executed';
import {
  AuditorAccessDto,
  ChangeMortgageDto,
  DischargeDto,
  DischargeRequestDto,
  EncumbranceAuthorizationDto,
  EncumbranceQueryDto,
  FileMortgageDto,
  ListMortgagesQuery,
  RegisterMortgageDto,
  RejectMortgageDto,
  ReturnMortgageStepDto,
  TransferMortgageDto,
} from './dto/mortgage-inputs.dto';
import { AccessRevokedDto, AuditorAccessRecordDto, EncumbranceAuthorizationRecordDto, EncumbranceDisclosuresDto, EncumbrancesDto, MortgageDto, MortgagePageDto } from './dto/mortgage.dto';
import { MortgagesService } from './mortgages.service';

const IDEMPOTENCY = ApiIdempotencyKeyHeader();

/**
 * Mortgage registrations (不动产抵押登记): the bank's mortgage officer files, the registration
 * centre's registrar prepares each decision of the registry (pre-registration, registration,
 * rejection, change, transfer, discharge), and a registry reviewer — another identity — approves
 * or returns it (gateway/README.md, Mortgages).
 */
@ApiTags('mortgages')
@ApiBearerAuth()
@UseInterceptors(ExecutedInterceptor)
@Controller('v1/mortgages')
export class MortgagesController {
  constructor(private readonly mortgages: MortgagesService) {}

  @Post()
  @Roles(Role.MortgageOfficer)
  @IDEMPOTENCY
  @ApiOperation({ summary: "The mortgagee bank files an application (with the mortgagor's consent). Names, unit number and amount are sealed for bank, registry and mortgagor institutions." })
  @ApiCreatedResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  file(@CurrentPrincipal() p: Principal, @Body() body: FileMortgageDto): Promise<Executed> {
    return this.mortgages.file(p, body);
  }

  @Get()
  @ApiOperation({ summary: "The caller's registrations (bank, registry queue, mortgagor) by state; or, for the regulator or a granted auditor, a client's" })
  @ApiOkResponse({ type: MortgagePageDto })
  @ApiLedgerErrors()
  list(@CurrentPrincipal() p: Principal, @Query() query: ListMortgagesQuery): Promise<Executed> {
    return this.mortgages.list(p, query);
  }

  @Post('encumbrance-queries')
  @HttpCode(200)
  @Roles(Role.MortgageOfficer, Role.BankOfficer, Role.BankReviewer, Role.Registrar, Role.RegistryReviewer, Role.Regulator)
  @ApiOperation({ summary: "A unit's active encumbrances in priority order (a bank needs the owner's authorization). A POST: the unit number stays out of URLs and logs." })
  @ApiOkResponse({ type: EncumbrancesDto })
  @ApiLedgerErrors()
  encumbrances(@CurrentPrincipal() p: Principal, @Body() body: EncumbranceQueryDto): Promise<Executed> {
    return this.mortgages.encumbrances(p, body.unitNumber);
  }

  @Post('encumbrance-authorizations')
  @Roles(Role.ClientSigner, Role.Registrar)
  @IDEMPOTENCY
  @ApiOperation({ summary: "The unit's owner (a mortgagor of the unit, or the registry on the owner's behalf) lets a bank see its encumbrances until a date" })
  @ApiCreatedResponse({ type: EncumbranceAuthorizationRecordDto })
  @ApiLedgerErrors()
  authorizeQuery(@CurrentPrincipal() p: Principal, @Body() body: EncumbranceAuthorizationDto): Promise<Executed> {
    return this.mortgages.authorizeQuery(p, body);
  }

  @Post('encumbrance-disclosures')
  @HttpCode(200)
  @Roles(Role.Registrar, Role.RegistryReviewer)
  @IDEMPOTENCY
  @ApiOperation({
    summary:
      "The registry widens each active application of the unit to every bank holding a current consent of the owner that cannot open it yet (registered, changed or transferred after the consent); with this gateway's key of the registry. A reviewer's approval through the gateway does it at once.",
  })
  @ApiOkResponse({ type: EncumbranceDisclosuresDto })
  @ApiLedgerErrors()
  disclose(@CurrentPrincipal() p: Principal, @Body() body: EncumbranceQueryDto): Promise<Executed> {
    return this.mortgages.disclose(p, body.unitNumber);
  }

  @Post('auditor-access')
  @Roles(Role.ClientSigner)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The client lets its audit firm see its registrations until a date (for cross-checks)' })
  @ApiCreatedResponse({ type: AuditorAccessRecordDto })
  @ApiLedgerErrors()
  grantAuditorAccess(@CurrentPrincipal() p: Principal, @Body() body: AuditorAccessDto): Promise<Executed> {
    return this.mortgages.grantAuditorAccess(p, body.firmId, body.validUntil);
  }

  @Delete('auditor-access/:firmId')
  @HttpCode(200)
  @Roles(Role.ClientSigner)
  @ApiOperation({ summary: "The client withdraws its audit firm's access to its registrations" })
  @ApiOkResponse({ type: AccessRevokedDto })
  @ApiLedgerErrors()
  revokeAuditorAccess(@CurrentPrincipal() p: Principal, @Param() { firmId }: AuditorFirmParam): Promise<Executed> {
    return this.mortgages.revokeAuditorAccess(p, firmId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One registration with its priority, its sealed parts opened for the caller' })
  @ApiOkResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  get(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam): Promise<Executed> {
    return this.mortgages.get(p, id);
  }

  @Post(':id/pre-registration')
  @HttpCode(200)
  @Roles(Role.Registrar)
  @IDEMPOTENCY
  @ApiOperation({ summary: "The registrar prepares the 预告登记, when the application asked for it ('pre-registration-in-review'); a registry reviewer approves it" })
  @ApiOkResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  preRegister(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam): Promise<Executed> {
    return this.mortgages.transition(p, 'PreRegisterMortgage', id);
  }

  @Post(':id/registration')
  @HttpCode(200)
  @Roles(Role.Registrar)
  @IDEMPOTENCY
  @ApiOperation({ summary: "The registrar, its examination done, prepares the registration and its certificate (不动产登记证明): the number is reserved, the record awaits a registry reviewer ('registration-in-review'); priority follows the approval order" })
  @ApiOkResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  register(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam, @Body() body: RegisterMortgageDto): Promise<Executed> {
    return this.mortgages.register(p, id, body);
  }

  @Post(':id/rejection')
  @HttpCode(200)
  @Roles(Role.Registrar)
  @IDEMPOTENCY
  @ApiOperation({ summary: "The registrar prepares the rejection (不予登记) with a reason code ('rejection-in-review'); final when a registry reviewer approves it" })
  @ApiOkResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  reject(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam, @Body() body: RejectMortgageDto): Promise<Executed> {
    return this.mortgages.transition(p, 'RejectMortgageApplication', id, JSON.stringify({ reason: body.reason }));
  }

  @Post(':id/change')
  @HttpCode(200)
  @Roles(Role.Registrar)
  @IDEMPOTENCY
  @ApiOperation({
    summary:
      "The registrar prepares a change (变更登记) of a registered mortgage: the debt term's end, the amount its type secures, the loan contract. The application is opened with this gateway's key of the registry, changed and re-sealed to the parties; the record encumbers as it was ('change-in-review') until a registry reviewer approves",
  })
  @ApiOkResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  change(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam, @Body() body: ChangeMortgageDto): Promise<Executed> {
    return this.mortgages.change(p, id, body);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @Roles(Role.Registrar)
  @IDEMPOTENCY
  @ApiOperation({
    summary:
      "The registrar prepares a transfer (转移登记): the property changed hands with the mortgage attached, the new owners become the mortgagors when a registry reviewer approves ('transfer-in-review'); the application names them and is sealed to them, the bank and the registry",
  })
  @ApiOkResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  transfer(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam, @Body() body: TransferMortgageDto): Promise<Executed> {
    return this.mortgages.transfer(p, id, body);
  }

  @Post(':id/discharge-request')
  @HttpCode(200)
  @Roles(Role.MortgageOfficer)
  @IDEMPOTENCY
  @ApiOperation({ summary: 'The mortgagee bank asks for discharge after payoff' })
  @ApiOkResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  requestDischarge(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam, @Body() body: DischargeRequestDto): Promise<Executed> {
    return this.mortgages.transition(p, 'RequestMortgageDischarge', id, JSON.stringify({ reason: body.reason }));
  }

  @Post(':id/discharge')
  @HttpCode(200)
  @Roles(Role.Registrar)
  @IDEMPOTENCY
  @ApiOperation({ summary: "The registrar prepares the discharge ('discharge-in-review'); it still encumbers until a registry reviewer approves it" })
  @ApiOkResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  discharge(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam, @Body() body: DischargeDto): Promise<Executed> {
    return this.mortgages.transition(p, 'DischargeMortgage', id, JSON.stringify({ caseNumber: body.caseNumber, reason: body.reason }));
  }

  @Post(':id/review/approval')
  @HttpCode(200)
  @Roles(Role.RegistryReviewer)
  @IDEMPOTENCY
  @ApiOperation({ summary: "A registry reviewer approves the step a registrar prepared: a pre-registration, a registration (the unit ranks it now), a rejection, a change or transfer (it takes effect now), a discharge (read-only afterwards, the ones behind move up); not the identity that prepared it (403 FORBIDDEN). An approved registration, change or transfer is disclosed at once to the banks holding a current consent of the unit's owner (encumbrance-disclosures)" })
  @ApiOkResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  approveStep(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam): Promise<Executed> {
    return this.mortgages.approve(p, id);
  }

  @Post(':id/review/return')
  @HttpCode(200)
  @Roles(Role.RegistryReviewer)
  @IDEMPOTENCY
  @ApiOperation({ summary: "A registry reviewer sends the prepared step back to the registrar's queue with a reason code: the record returns to the state it came from, a reserved certificate number is freed" })
  @ApiOkResponse({ type: MortgageDto })
  @ApiLedgerErrors()
  returnStep(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam, @Body() body: ReturnMortgageStepDto): Promise<Executed> {
    return this.mortgages.transition(p, 'ReturnMortgageStep', id, JSON.stringify({ reason: body.reason }));
  }
}
