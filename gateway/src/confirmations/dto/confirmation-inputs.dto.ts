import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ALTERNATIVE_PROCEDURE_CODES,
  CONFIRMATION_KINDS,
  FEE_PAYERS,
  INSTITUTION_ID,
  ISO_DATE,
  MAX_CIPHERTEXT_CHARS,
  REQUEST_ID,
  RETURN_REASONS,
  SHA256_HEX,
  type AlternativeProcedureCode,
  type ConfirmationKind,
  type FeePayer,
  type ReturnReason,
} from '@econfirm/common';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';


export class EngagementDto {
  @ApiProperty({ example: 'ENG-2025-CLIENT1', description: "made by the firm's software; the first letter fixes client, period and as-of date" })
  @IsString() @Matches(REQUEST_ID)
  id: string;

  @ApiProperty({ example: 'CLIENT1' }) @IsString() @Matches(INSTITUTION_ID)
  clientId: string;

  @ApiProperty({ example: '2025-01-01' }) @IsString() @Matches(ISO_DATE)
  periodStart: string;

  @ApiProperty({ example: '2025-12-31' }) @IsString() @Matches(ISO_DATE)
  periodEnd: string;

  @ApiProperty({ example: '2025-12-31' }) @IsString() @Matches(ISO_DATE)
  asOfDate: string;
}

const LETTER_DESCRIPTION =
  'the letter in plain JSON, on its form (common/src/forms): { formId, header: {…}, sections: { <key>: { status, rows? } } }. ' +
  'Validated against the form, then encrypted by the gateway for the firm and the client only (the responder is added when the client authorizes); only ciphertext and a salted hash reach the ledger.';

export const WIDENED_RULE = 'the same JWE (protected header, iv, ciphertext, tag and existing recipients unchanged, in order) with recipients appended that wrap the same content key (SDK addRecipients)';

export class IssueConfirmationDto {
  @ApiPropertyOptional({ example: 'CF-2026-000001', description: 'request id; generated when absent (send one, or an Idempotency-Key, to make retries safe)' })
  @IsOptional() @IsString() @Matches(REQUEST_ID)
  id?: string;

  @ApiProperty({ enum: CONFIRMATION_KINDS }) @IsIn(CONFIRMATION_KINDS as readonly string[])
  kind: ConfirmationKind;

  @ApiPropertyOptional({ example: 'bank-letter-2020', description: 'defaults to the form of the kind' })
  @IsOptional() @IsString() @MaxLength(64)
  formId?: string;

  @ApiProperty({ type: EngagementDto }) @ValidateNested() @Type(() => EngagementDto)
  engagement: EngagementDto;

  @ApiProperty({ example: 'BANK1-SH', description: 'registry id of the bank, branch or counterparty enterprise' })
  @IsString() @Matches(INSTITUTION_ID)
  addresseeId: string;

  @ApiProperty({ enum: FEE_PAYERS }) @IsIn(FEE_PAYERS as readonly string[])
  feePayer: FeePayer;

  @ApiProperty({ type: 'object', additionalProperties: true, description: LETTER_DESCRIPTION }) @IsObject()
  letter: Record<string, unknown>;
}

export class AuthorizeDto {
  @ApiProperty({ description: 'the client consents to the bank fee' }) @IsBoolean()
  feeConsent: boolean;

  @ApiPropertyOptional({ description: "sha256 hex of the client's JWS over the letter's contentHash" })
  @IsOptional() @IsString() @Matches(SHA256_HEX)
  signatureHash?: string;

  @ApiPropertyOptional({
    maxLength: MAX_CIPHERTEXT_CHARS,
    description: `the letter widened to the responder's current encryption key (and the addressed branch's, when the letter names a branch): ${WIDENED_RULE}. ` +
      "Made by the client's own software when this gateway does not hold its institution key; when absent the gateway widens it with the key it holds.",
  })
  @IsOptional() @IsString() @MaxLength(MAX_CIPHERTEXT_CHARS)
  letterCiphertext?: string;
}

export class AuditorAcceptDto {
  @ApiPropertyOptional({
    maxLength: MAX_CIPHERTEXT_CHARS,
    description: `the reply widened to the client's current encryption key: ${WIDENED_RULE}. ` +
      "Made by the firm's own software when this gateway does not hold its institution key; when absent the gateway widens it with the key it holds.",
  })
  @IsOptional() @IsString() @MaxLength(MAX_CIPHERTEXT_CHARS)
  replyCiphertext?: string;
}

export class ReasonDto {
  @ApiProperty({ maxLength: 1000, description: 'a short reason — it is visible to every channel member: no account data', example: 'addressed to the wrong branch' })
  @IsString() @Length(1, 1000)
  reason: string;
}

export class ReturnDto {
  @ApiProperty({ enum: RETURN_REASONS }) @IsIn(RETURN_REASONS as readonly string[])
  reasonCode: ReturnReason;

  @ApiPropertyOptional({ maxLength: 1000, description: 'required for OTHER' }) @IsOptional() @IsString() @MaxLength(1000)
  note?: string;
}

export class PrepareReplyDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'the reply in plain JSON: { formId, conclusion: agrees|disagrees, differences: [...], sections: {...}, handler, reviewer, date }. ' +
      "Validated against the letter, signed (JWS, the institution's signing key) and encrypted for firm and responder by the gateway (the client is added when the auditor accepts).",
  })
  @IsObject()
  content: Record<string, unknown>;
}

export class ResendDto {
  @ApiPropertyOptional({ description: 'id of the new request; generated when absent' }) @IsOptional() @IsString() @Matches(REQUEST_ID)
  id?: string;

  @ApiPropertyOptional({ description: "another branch of the same responder; default the original's addressee" })
  @IsOptional() @IsString() @Matches(INSTITUTION_ID)
  addresseeId?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: LETTER_DESCRIPTION }) @IsObject()
  letter: Record<string, unknown>;
}

export class AlternativeProcedureDto {
  @ApiProperty({ enum: ALTERNATIVE_PROCEDURE_CODES }) @IsIn(ALTERNATIVE_PROCEDURE_CODES as readonly string[])
  procedure: AlternativeProcedureCode;

  @ApiProperty({ description: 'salted sha256 hex of the working paper', example: '1a646e63d08ac6194f6e36b1773cf7c29960ffd30207b4a7e1fcabd797f28121' }) @IsString() @Matches(SHA256_HEX)
  workpaperHash: string;
}
