import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { INSTITUTION_KINDS, OPERATOR_MSP, Role, type Institution, type InstitutionKind } from '@econfirm/common';
import { KeyStoreMismatchError } from '@econfirm/sdk';
import { Type } from 'class-transformer';
import { Equals, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { INSTITUTION_ID } from '../confirmations/dto/confirmation-inputs.dto';
import { ApiLedgerErrors, ErrorResponse } from '../openapi/common.dto';
import { InstitutionDto, InstitutionHistoryEntryDto, InstitutionPageDto, RegistryKeyDto } from '../openapi/registry.dto';
import { GatewayError } from '../errors/gateway-error';
import { TenantsService } from '../tenants/tenants.service';
import { Executed, ExecutedInterceptor } from '../transactions/executed';
import { TransactionExecutor } from '../transactions/transaction-executor.service';
import { RegistryReader } from './registry-reader.service';

const B64URL = /^[A-Za-z0-9_-]{40,50}$/;

class ListInstitutionsQuery {
  @ApiPropertyOptional({ enum: INSTITUTION_KINDS }) @IsOptional() @IsIn(INSTITUTION_KINDS as readonly string[])
  kind?: InstitutionKind;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  pageSize?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4096)
  bookmark?: string;
}

class PublicJwkDto {
  @ApiProperty({ enum: ['EC'] }) @Equals('EC') kty: 'EC';
  @ApiProperty({ enum: ['P-256'] }) @Equals('P-256') crv: 'P-256';
  @ApiProperty() @Matches(B64URL) x: string;
  @ApiProperty() @Matches(B64URL) y: string;
}

class PublicKeyInputDto {
  @ApiProperty({ example: 'BANK2-enc-1' }) @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/) kid: string;
  @ApiProperty({ type: PublicJwkDto }) @ValidateNested() @Type(() => PublicJwkDto) jwk: PublicJwkDto;
}

/** T/CBA key retrieval: the public keys to encrypt to and to verify with, current and retired. */
class InstitutionKeysDto {
  @ApiProperty({ example: 'BANK1' }) institutionId: string;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: string;
  @ApiProperty({ type: RegistryKeyDto }) encryptionKey: RegistryKeyDto;
  @ApiProperty({ type: RegistryKeyDto }) signingKey: RegistryKeyDto;
  @ApiProperty({ type: [RegistryKeyDto], description: 'keys replaced by rotation, oldest first: old JWE/JWS stay verifiable' }) retiredKeys: RegistryKeyDto[];
}

class KeyRotationResultDto extends InstitutionKeysDto {
  @ApiProperty({ description: 'true when an interrupted rotation was finished (the registry already had the staged keys)' }) resumed: boolean;
}

class RegisterInstitutionDto {
  @ApiProperty({ example: 'BANK2' }) @IsString() @Matches(INSTITUTION_ID) id: string;
  @ApiProperty({ enum: INSTITUTION_KINDS }) @IsIn(INSTITUTION_KINDS as readonly string[]) kind: InstitutionKind;
  @ApiPropertyOptional({ description: 'bank-branch only: its bank' }) @IsOptional() @IsString() @Matches(INSTITUTION_ID) parentId?: string;
  @ApiProperty({ example: 'Bank2MSP' }) @IsString() @Length(1, 64) mspId: string;
  @ApiProperty() @IsString() @Length(1, 200) nameZh: string;
  @ApiProperty() @IsString() @Length(1, 200) nameEn: string;
  @ApiProperty() @IsString() @Length(1, 64) registrationId: string;
  @ApiProperty({ type: PublicKeyInputDto }) @ValidateNested() @Type(() => PublicKeyInputDto) encryptionKey: PublicKeyInputDto;
  @ApiProperty({ type: PublicKeyInputDto }) @ValidateNested() @Type(() => PublicKeyInputDto) signingKey: PublicKeyInputDto;
}

/** How an institution whose gateway cannot submit registry writes rotates: stage here, the operator submits, finish here. */
const ROTATE_WITH_OPERATOR =
  "RotateInstitutionKeys is a registry write, which the registry accepts only from the operator's admin (role admin, OperatorMSP). " +
  'On the gateway: `econfirm-gateway-admin keys rotate --tenant <tenant> --stage-only` keeps new keys staged and prints their public halves; ' +
  'once the operator has submitted them, run `keys rotate --tenant <tenant>` again to make them current (old keys stay to open old content).';

const registry = (transaction: string, ...args: string[]) => ({ contract: 'registry' as const, transaction, args });

/** The on-ledger institution registry: every request is addressed to one of these records. */
@ApiTags('institutions')
@ApiBearerAuth()
@ApiLedgerErrors()
@UseInterceptors(ExecutedInterceptor)
@Controller('v1/institutions')
export class InstitutionsController {
  constructor(
    private readonly executor: TransactionExecutor,
    private readonly tenants: TenantsService,
    private readonly registryReader: RegistryReader,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List registry records, optionally of one kind, paginated' })
  @ApiOkResponse({ type: InstitutionPageDto })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListInstitutionsQuery): Promise<Executed> {
    return this.executor.evaluate(p, registry('ListInstitutions', q.kind ?? '', String(q.pageSize ?? 100), q.bookmark ?? ''));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One registry record' })
  @ApiOkResponse({ type: InstitutionDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<Executed> {
    return this.executor.evaluate(p, registry('GetInstitution', id));
  }

  @Get(':id/keys')
  @ApiOperation({ summary: "The institution's public keys: current encryption and signing keys, and retired ones (T/CBA: key retrieval)" })
  @ApiOkResponse({ type: InstitutionKeysDto })
  @ApiNotFoundResponse({ type: ErrorResponse })
  keys(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<Executed> {
    return this.executor.evaluate(p, registry('GetInstitution', id), { presenter: INSTITUTION_KEYS_PRESENTER });
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every committed version of the record, newest first' })
  @ApiOkResponse({ type: [InstitutionHistoryEntryDto] })
  history(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<Executed> {
    return this.executor.evaluate(p, registry('GetInstitutionHistory', id));
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
  async rotateKeys(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<KeyRotationResultDto> {
    if (id !== p.institutionId) throw new GatewayError('FORBIDDEN', 403, `a tenant rotates only its own institution's keys (${p.institutionId})`);
    if (p.role !== Role.Admin || p.mspId !== OPERATOR_MSP) {
      throw new GatewayError('FORBIDDEN', 403, ROTATE_WITH_OPERATOR, { requires: { role: Role.Admin, mspId: OPERATOR_MSP }, caller: { role: p.role, mspId: p.mspId } });
    }
    if (p.custody === 'offline') throw new GatewayError('OFFLINE_SIGNING_REQUIRED', 409, 'a key rotation is submitted by a custodial identity (the gateway must see the outcome to keep the keys consistent)');
    try {
      const outcome = await this.tenants.rotateInstitutionKeys(p.tenantId, {
        read: (institutionId) => this.registryReader.get(p, institutionId, { fresh: true }),
        rotate: async (institutionId, input) => (await this.executor.submit(p, registry('RotateInstitutionKeys', institutionId, JSON.stringify(input)))).body as Institution,
      });
      const i = outcome.institution;
      return { institutionId: i.id, status: i.status, encryptionKey: i.encryptionKey, signingKey: i.signingKey, retiredKeys: i.retiredKeys, resumed: outcome.resumed };
    } catch (err) {
      if (err instanceof KeyStoreMismatchError) throw new GatewayError(err.code, 409, err.message);
      throw err;
    } finally {
      this.registryReader.invalidate(id);
    }
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({ summary: "Register an institution (the operator's admin only; public keys only)" })
  @ApiCreatedResponse({ type: InstitutionDto })
  @ApiForbiddenResponse({ type: ErrorResponse })
  async register(@CurrentPrincipal() p: Principal, @Body() body: RegisterInstitutionDto): Promise<Executed> {
    try {
      return await this.executor.submit(p, registry('RegisterInstitution', JSON.stringify(body)), { successStatus: 201 });
    } finally {
      this.registryReader.invalidate(body.id);
    }
  }
}

export const INSTITUTION_KEYS_PRESENTER = 'institution-keys';
