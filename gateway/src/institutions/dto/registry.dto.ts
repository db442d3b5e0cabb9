import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INSTITUTION_KINDS, INSTITUTION_STATUSES } from '@econfirm/common';

/** OpenAPI schemas of the registry's records as the routes answer them (common/src/domain/institution.ts). */

export class RegistryJwkDto {
  @ApiProperty({ enum: ['EC'] }) kty: string;
  @ApiProperty({ enum: ['P-256'] }) crv: string;
  @ApiProperty({ description: 'base64url' }) x: string;
  @ApiProperty({ description: 'base64url' }) y: string;
}

export class RegistryKeyDto {
  @ApiProperty({ example: 'BANK1-enc-1' }) kid: string;
  @ApiProperty({ enum: ['enc', 'sig'] }) use: string;
  @ApiProperty({ example: 'ECDH-ES+A256KW', description: 'ECDH-ES+A256KW (enc) or ES256 (sig)' }) alg: string;
  @ApiProperty({ type: RegistryJwkDto }) jwk: RegistryJwkDto;
  @ApiProperty({ description: 'transaction time it became current' }) activatedAt: string;
  @ApiPropertyOptional({ description: 'transaction time a rotation replaced it' }) retiredAt?: string;
}

export class InstitutionDto {
  @ApiProperty({ enum: ['institution'] }) docType: string;
  @ApiProperty({ example: 'BANK1' }) id: string;
  @ApiProperty({ enum: INSTITUTION_KINDS }) kind: string;
  @ApiPropertyOptional({ description: 'bank-branch only: its bank' }) parentId?: string;
  @ApiProperty({ example: 'Bank1MSP' }) mspId: string;
  @ApiProperty() nameZh: string;
  @ApiProperty() nameEn: string;
  @ApiProperty() registrationId: string;
  @ApiProperty({ enum: INSTITUTION_STATUSES }) status: string;
  @ApiPropertyOptional() statusReason?: string;
  @ApiProperty({ type: RegistryKeyDto }) encryptionKey: RegistryKeyDto;
  @ApiProperty({ type: RegistryKeyDto }) signingKey: RegistryKeyDto;
  @ApiProperty({ type: [RegistryKeyDto], description: 'keys replaced by rotation, oldest first' }) retiredKeys: RegistryKeyDto[];
  @ApiProperty() registeredAt: string;
  @ApiProperty() updatedAt: string;
}

export class InstitutionPageDto {
  @ApiProperty({ type: [InstitutionDto] }) records: InstitutionDto[];
  @ApiProperty({ description: "pass as ?bookmark= for the next page ('' = last)" }) bookmark: string;
  @ApiProperty() fetchedRecordsCount: number;
}

export class InstitutionHistoryEntryDto {
  @ApiProperty() txId: string;
  @ApiProperty() timestamp: string;
  @ApiProperty() isDelete: boolean;
  @ApiProperty({ type: InstitutionDto, nullable: true, description: 'the record as that transaction wrote it (null for a delete)' }) value: InstitutionDto | null;
}
