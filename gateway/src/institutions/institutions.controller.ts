import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Role } from '@econfirm/common';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { InstitutionIdParam } from '../http/path-params';
import { ApiLedgerErrors, ErrorResponse } from '../openapi/common.dto';
import { Executed, ExecutedInterceptor } from '../transactions/executed';
import { InstitutionKeysDto, KeyRotationResultDto, ListInstitutionsQuery, RegisterInstitutionDto } from './dto/institution-inputs.dto';
import { InstitutionDto, InstitutionHistoryEntryDto, InstitutionPageDto } from './dto/registry.dto';
import { InstitutionsService, ROTATE_WITH_OPERATOR } from './institutions.service';

/** The on-ledger institution registry: every request is addressed to one of these records. */
@ApiTags('institutions')
@ApiBearerAuth()
@ApiLedgerErrors()
@UseInterceptors(ExecutedInterceptor)
@Controller('v1/institutions')
export class InstitutionsController {
  constructor(private readonly institutions: InstitutionsService) {}

  @Get()
  @ApiOperation({ summary: 'List registry records, optionally of one kind, paginated' })
  @ApiOkResponse({ type: InstitutionPageDto })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListInstitutionsQuery): Promise<Executed> {
    return this.institutions.list(p, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One registry record' })
  @ApiOkResponse({ type: InstitutionDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@CurrentPrincipal() p: Principal, @Param() { id }: InstitutionIdParam): Promise<Executed> {
    return this.institutions.get(p, id);
  }

  @Get(':id/keys')
  @ApiOperation({ summary: "The institution's public keys: current encryption and signing keys, and retired ones (T/CBA: key retrieval)" })
  @ApiOkResponse({ type: InstitutionKeysDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  keys(@CurrentPrincipal() p: Principal, @Param() { id }: InstitutionIdParam): Promise<Executed> {
    return this.institutions.keys(p, id);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every committed version of the record, newest first' })
  @ApiOkResponse({ type: [InstitutionHistoryEntryDto] })
  history(@CurrentPrincipal() p: Principal, @Param() { id }: InstitutionIdParam): Promise<Executed> {
    return this.institutions.history(p, id);
  }

  @Post(':id/keys/rotation')
  @HttpCode(200)
  @ApiOperation({
    summary: "Rotate the caller's own institution keys: new key pairs generated in the gateway's key store, RotateInstitutionKeys submitted, old private keys kept (retired) so content sealed to them stays readable",
    description: ROTATE_WITH_OPERATOR,
  })
  @ApiOkResponse({ type: KeyRotationResultDto })
  @ApiForbiddenResponse({ type: ErrorResponse, description: "FORBIDDEN: not the caller's institution, or the caller is not the operator's admin (details.requires)" })
  @ApiConflictResponse({ type: ErrorResponse, description: 'NO_INSTITUTION_KEYS, KEY_STORE_MISMATCH (the registry holds keys this gateway does not), CONFLICT (a rotation is running), OFFLINE_SIGNING_REQUIRED' })
  rotateKeys(@CurrentPrincipal() p: Principal, @Param() { id }: InstitutionIdParam): Promise<KeyRotationResultDto> {
    return this.institutions.rotateKeys(p, id);
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({ summary: "Register an institution (the operator's admin only; public keys only)" })
  @ApiCreatedResponse({ type: InstitutionDto })
  @ApiForbiddenResponse({ type: ErrorResponse })
  register(@CurrentPrincipal() p: Principal, @Body() body: RegisterInstitutionDto): Promise<Executed> {
    return this.institutions.register(p, body);
  }
}
