import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CASE_NUMBER,
  DISCHARGE_REASONS,
  INSTITUTION_ID,
  ISO_DATE,
  MORTGAGE_STATES,
  MORTGAGE_UNIT_NUMBER,
  MAX_CIPHERTEXT_CHARS,
  MORTGAGE_TYPES,
  PROPERTY_TYPES,
  REASON_CODE,
  REQUEST_ID,
  SHA256_HEX,
  type DischargeReason,
  type MortgageState,
  type MortgageType,
  type PropertyType,
} from '@econfirm/common';
import { Type } from 'class-transformer';
import { WIDENED_RULE } from '../../confirmations/dto/confirmation-inputs.dto';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

/** 不动产单元号: 28 characters as registries print them (spaces allowed, ignored for the key). */
const UNIT_NUMBER = MORTGAGE_UNIT_NUMBER;
/** Amounts as decimal strings in the currency's major unit, never floats. */
const AMOUNT = /^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$/;

export class MortgagorDto {
  @ApiProperty({ example: '张三' }) @IsString() @MaxLength(200) name: string;
  @ApiPropertyOptional({ description: 'identity document or unified social credit code' }) @IsOptional() @IsString() @MaxLength(64) idNumber?: string;
  @ApiPropertyOptional({ description: 'registry id when the mortgagor is a registered client or enterprise (it can then read the record)' })
  @IsOptional() @IsString() @Matches(INSTITUTION_ID) institutionId?: string;
}

/** What the bank files. Everything that names a person or a property, and the amount, is sealed by the gateway. */
export class FileMortgageDto {
  @ApiPropertyOptional({ example: 'MTG-2026-000001', description: 'generated when absent' }) @IsOptional() @IsString() @Matches(REQUEST_ID) id?: string;
  @ApiProperty({ example: 'MREG1' }) @IsString() @Matches(INSTITUTION_ID) registryId: string;
  @ApiProperty({ example: '110105 012003 GB00123 F00010001', description: '不动产单元号; only its key (common mortgageUnitKey) reaches the ledger in the clear' })
  @IsString() @Matches(UNIT_NUMBER) unitNumber: string;
  @ApiProperty({ example: '北京市朝阳区某路1号1单元101' }) @IsString() @MaxLength(300) location: string;
  @ApiProperty({ enum: PROPERTY_TYPES }) @IsIn(PROPERTY_TYPES as readonly string[]) propertyType: PropertyType;
  @ApiProperty({ enum: MORTGAGE_TYPES, description: 'ordinary: securedPrincipal; maximum-amount: maximumAmount — never both' })
  @IsIn(MORTGAGE_TYPES as readonly string[]) mortgageType: MortgageType;
  @ApiPropertyOptional({ example: '3500000.00' }) @IsOptional() @IsString() @Matches(AMOUNT) securedPrincipal?: string;
  @ApiPropertyOptional({ example: '5000000.00' }) @IsOptional() @IsString() @Matches(AMOUNT) maximumAmount?: string;
  @ApiProperty({ example: 'CNY' }) @IsString() @Matches(/^[A-Z]{3}$/) currency: string;
  @ApiProperty({ example: '2026-03-01' }) @IsString() @Matches(ISO_DATE) debtTermStart: string;
  @ApiProperty({ example: '2046-02-28' }) @IsString() @Matches(ISO_DATE) debtTermEnd: string;
  @ApiPropertyOptional({ default: false, description: '预告登记 first (e.g. off-plan housing)' }) @IsOptional() @IsBoolean() preRegistration?: boolean;
  @ApiProperty({ type: [MortgagorDto] }) @IsArray() @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => MortgagorDto) mortgagors: MortgagorDto[];
  @ApiProperty({ description: "salted SHA-256 of the mortgagor's signed consent (the document stays with the bank)" }) @IsString() @Matches(SHA256_HEX) consentHash: string;
  @ApiPropertyOptional({ example: 'LN-2026-0001' }) @IsOptional() @IsString() @MaxLength(64) loanContract?: string;
}

export class RegisterMortgageDto {
  @ApiProperty({ example: '京(2026)朝阳区不动产证明第0012345号' }) @IsString() @MaxLength(64) certificateNumber: string;
  @ApiPropertyOptional({ example: '' }) @IsOptional() @IsString() @MaxLength(500) remarks?: string;
}

/** 变更登记: at least one of the fields; the amount the mortgage type secures (never the other). */
export class ChangeMortgageDto {
  @ApiPropertyOptional({ example: '2040-12-31', description: "the debt term's new end (after its start)" }) @IsOptional() @IsString() @Matches(ISO_DATE) debtTermEnd?: string;
  @ApiPropertyOptional({ example: '3000000.00', description: 'an ordinary mortgage\'s new secured principal' }) @IsOptional() @IsString() @Matches(AMOUNT) securedPrincipal?: string;
  @ApiPropertyOptional({ example: '6000000.00', description: "a maximum-amount mortgage's new maximum" }) @IsOptional() @IsString() @Matches(AMOUNT) maximumAmount?: string;
  @ApiPropertyOptional({ example: 'LN-2026-0001-A1' }) @IsOptional() @IsString() @MaxLength(64) loanContract?: string;
}

/** 转移登记: the property's new owners, who become the mortgagors (the mortgage stays attached). */
export class TransferMortgageDto {
  @ApiProperty({ type: [MortgagorDto], minItems: 1, maxItems: 10 }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => MortgagorDto) mortgagors: MortgagorDto[];
}

export class RejectMortgageDto {
  @ApiProperty({ example: 'TITLE_MISMATCH', description: 'a code: free text could carry names onto the channel' }) @IsString() @Matches(REASON_CODE) reason: string;
}

export class ReturnMortgageStepDto {
  @ApiProperty({ example: 'CERTIFICATE_NUMBER_WRONG', description: 'a code: free text could carry names onto the channel' }) @IsString() @Matches(REASON_CODE) reason: string;
}

export class DischargeRequestDto {
  @ApiProperty({ enum: DISCHARGE_REASONS }) @IsIn(DISCHARGE_REASONS as readonly string[]) reason: DischargeReason;
}

export class DischargeDto {
  @ApiProperty({ example: 'DC-2026-0001' }) @IsString() @Matches(CASE_NUMBER) caseNumber: string;
  @ApiProperty({ enum: DISCHARGE_REASONS }) @IsIn(DISCHARGE_REASONS as readonly string[]) reason: DischargeReason;
}

/** One active registration's application widened to the authorized bank. */
export class WidenedApplicationDto {
  @ApiProperty({ example: 'MTG-DEMO-0001' }) @IsString() @Matches(REQUEST_ID) mortgageId: string;
  @ApiProperty({ maxLength: MAX_CIPHERTEXT_CHARS, description: `the registration's application widened to the bank's current encryption key: ${WIDENED_RULE}` })
  @IsString() @MaxLength(MAX_CIPHERTEXT_CHARS) ciphertext: string;
}

export class EncumbranceAuthorizationDto {
  @ApiProperty({ example: '110105 012003 GB00123 F00010001' }) @IsString() @Matches(UNIT_NUMBER) unitNumber: string;
  @ApiProperty({ example: 'BANK1' }) @IsString() @Matches(INSTITUTION_ID) bankId: string;
  @ApiProperty({ example: '2026-12-31' }) @IsString() @Matches(ISO_DATE) validUntil: string;
  @ApiPropertyOptional({
    type: [WidenedApplicationDto], maxItems: 100,
    description: "the unit's active applications widened to the bank, so that it reads their amounts — made by the caller's own software when this gateway does not hold its institution key; when absent the gateway widens every one the key it holds opens",
  })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => WidenedApplicationDto)
  applications?: WidenedApplicationDto[];
}

/** A POST, so the unit number is in no URL or access log. */
export class EncumbranceQueryDto {
  @ApiProperty({ example: '110105 012003 GB00123 F00010001' }) @IsString() @Matches(UNIT_NUMBER) unitNumber: string;
}

export class AuditorAccessDto {
  @ApiProperty({ example: 'FIRM1' }) @IsString() @Matches(INSTITUTION_ID) firmId: string;
  @ApiProperty({ example: '2026-12-31' }) @IsString() @Matches(ISO_DATE) validUntil: string;
}

export class ListMortgagesQuery {
  @ApiPropertyOptional({ enum: MORTGAGE_STATES }) @IsOptional() @IsIn(MORTGAGE_STATES as readonly string[]) state?: MortgageState;
  @ApiPropertyOptional({ description: "regulator, or an auditor the client granted access: that client's registrations" })
  @IsOptional() @IsString() @Matches(INSTITUTION_ID) clientId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4096) bookmark?: string;
}
