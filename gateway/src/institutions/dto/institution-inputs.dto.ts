import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INSTITUTION_ID, INSTITUTION_KINDS, KEY_ID, P256_COORDINATE, type InstitutionKind } from '@econfirm/common';
import { Type } from 'class-transformer';
import { Equals, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { RegistryKeyDto } from './registry.dto';


export class ListInstitutionsQuery {
  @ApiPropertyOptional({ enum: INSTITUTION_KINDS }) @IsOptional() @IsIn(INSTITUTION_KINDS as readonly string[])
  kind?: InstitutionKind;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  pageSize?: number;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4096)
  bookmark?: string;
}

export class PublicJwkDto {
  @ApiProperty({ enum: ['EC'] }) @Equals('EC') kty: 'EC';
  @ApiProperty({ enum: ['P-256'] }) @Equals('P-256') crv: 'P-256';
  @ApiProperty() @Matches(P256_COORDINATE) x: string;
  @ApiProperty() @Matches(P256_COORDINATE) y: string;
}

export class PublicKeyInputDto {
  @ApiProperty({ example: 'BANK2-enc-1' }) @IsString() @Matches(KEY_ID) kid: string;
  @ApiProperty({ type: PublicJwkDto }) @ValidateNested() @Type(() => PublicJwkDto) jwk: PublicJwkDto;
}

/** T/CBA key retrieval: the public keys to encrypt to and to verify with, current and retired. */
export class InstitutionKeysDto {
  @ApiProperty({ example: 'BANK1' }) institutionId: string;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: string;
  @ApiProperty({ type: RegistryKeyDto }) encryptionKey: RegistryKeyDto;
  @ApiProperty({ type: RegistryKeyDto }) signingKey: RegistryKeyDto;
  @ApiProperty({ type: [RegistryKeyDto], description: 'keys replaced by rotation, oldest first: old JWE/JWS stay verifiable' }) retiredKeys: RegistryKeyDto[];
}

export class KeyRotationResultDto extends InstitutionKeysDto {
  @ApiProperty({ description: 'true when an interrupted rotation was finished (the registry already had the staged keys)' }) resumed: boolean;
}

export class RegisterInstitutionDto {
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
