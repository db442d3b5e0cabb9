import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AMOUNT_MINOR, CURRENCY_CODE, INSTITUTION_ID, REQUEST_ID } from '@econfirm/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { SealedContentDto } from '../../confirmations/dto/confirmation.dto';
import { IDEMPOTENCY_KEY } from '../../idempotency/idempotency.interceptor';

/** The ledger's bound (chaincode models/payment-batch-input.ts MAX_BATCH_LINES). */
export const MAX_BATCH_LINES = 5000;

export class PaymentLineDto {
  @ApiProperty({ example: '6217 0012 3456 7890 123', description: "the payee's account (a farmer's card number); only a salted hash reaches the ledger" })
  @IsString() @MaxLength(64) payeeReference: string;
  @ApiProperty({ example: '350000', description: 'integer minor units (fen), positive' }) @IsString() @Matches(AMOUNT_MINOR) amountMinor: string;
}

/** What the paying bank settles for its customer. Each line is sealed for the payer and the bank; the total for the regulator too. */
export class SettlePaymentBatchDto {
  @ApiPropertyOptional({ example: 'PB-2026-000001', description: 'generated when absent; one batch id settles once' }) @IsOptional() @IsString() @Matches(REQUEST_ID) id?: string;
  @ApiProperty({ example: 'ENT1', description: 'the payer (a registered enterprise or client)' }) @IsString() @Matches(INSTITUTION_ID) payerId: string;
  @ApiProperty({ example: 'CNY' }) @IsString() @Matches(CURRENCY_CODE) currency: string;
  @ApiProperty({ example: 'ZL-2026-0301-07', description: "the payer's payment instruction (kept by the bank; a salted hash on the ledger)" }) @IsString() @MaxLength(64) instructionReference: string;
  @ApiProperty({ type: [PaymentLineDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_BATCH_LINES) @ValidateNested({ each: true }) @Type(() => PaymentLineDto) lines: PaymentLineDto[];
}

export class ListPaymentBatchesQuery {
  @ApiPropertyOptional({ description: "regulator: that institution's batches" }) @IsOptional() @IsString() @Matches(INSTITUTION_ID) partyId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4096) bookmark?: string;
}

export class PaymentBatchDto {
  @ApiProperty() id: string;
  @ApiProperty() payerId: string;
  @ApiProperty() bankId: string;
  @ApiProperty() currency: string;
  @ApiProperty() count: number;
  @ApiProperty({ description: 'salted hash of {total, count, currency}: common paymentBatchTotalHash' }) totalHash: string;
  @ApiProperty() instructionHash: string;
  @ApiProperty({ type: SealedContentDto, description: '{total, count, currency, salt}: opened for the payer, the bank and the regulator' }) summary: SealedContentDto;
  @ApiProperty({ type: SealedContentDto, description: 'every line with its salt: opened for the payer and the bank' }) lines: SealedContentDto;
  @ApiProperty({ type: [String], description: 'common paymentLineHash of each line, in order' }) lineHashes: string[];
  @ApiProperty() requestHash: string;
  @ApiProperty() settledBy: string;
  @ApiProperty() settledAt: string;
}

export class PaymentBatchPageDto {
  @ApiProperty({ type: [PaymentBatchDto] }) records: PaymentBatchDto[];
  @ApiProperty() bookmark: string;
  @ApiProperty() fetchedRecordsCount: number;
}

/** The multipart fields of an import besides `file`: what POST /v1/payment-batches takes besides its lines. */
export class ImportPaymentBatchFields {
  @ApiPropertyOptional({ example: 'PB-2026-000001', description: 'generated when absent; one batch id settles once' }) @IsOptional() @IsString() @Matches(REQUEST_ID) id?: string;
  @ApiProperty({ example: 'ENT1', description: 'the payer (an active enterprise or client of the registry)' }) @IsString() @Matches(INSTITUTION_ID) payerId: string;
  @ApiProperty({ example: 'CNY' }) @IsString() @Matches(CURRENCY_CODE) currency: string;
  @ApiProperty({ example: 'ZL-2026-0301-07', description: "the payer's payment instruction (kept by the bank; a salted hash on the ledger)" }) @IsString() @MaxLength(64) instructionReference: string;
}

/** OpenAPI schema of the import body. */
export class ImportPaymentBatchBody extends ImportPaymentBatchFields {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'the payees: CSV (UTF-8, RFC 4180) or XLSX (first worksheet); header row payeeReference,amount (GET /v1/payment-batches/import/template.csv); amounts in yuan with at most 2 decimals',
  })
  file: unknown;
}

export class PaymentBatchImportErrorDto {
  @ApiProperty() code: string;
  @ApiProperty() message: string;
}

/** Where an import stands (import-progress.service.ts): one transaction, so its steps rather than a count. */
export class PaymentBatchImportProgressDto {
  @ApiProperty({ description: 'the Idempotency-Key the import was sent with' }) key: string;
  @ApiProperty({ enum: ['validating', 'endorsing', 'ordering', 'committed', 'refused', 'failed'] }) stage: string;
  @ApiProperty() fileName: string;
  @ApiPropertyOptional({ description: 'once the file is valid' }) batchId?: string;
  @ApiPropertyOptional({ description: 'payees, once the file is valid' }) lines?: number;
  @ApiPropertyOptional({ description: 'their total in minor units, once the file is valid' }) totalMinor?: string;
  @ApiPropertyOptional({ description: 'once endorsed and sent to ordering' }) transactionId?: string;
  @ApiPropertyOptional({ type: PaymentBatchImportErrorDto, description: 'why it was refused or failed' }) error?: PaymentBatchImportErrorDto;
  @ApiProperty() startedAt: string;
  @ApiProperty() updatedAt: string;
}

/** GET /v1/payment-batches/imports/{key}: the Idempotency-Key the import was sent with (its handle). */
export class ImportKeyParam {
  @ApiProperty({ description: 'the Idempotency-Key the import was sent with', example: 'import-2026-0001' }) @Matches(IDEMPOTENCY_KEY) key: string;
}
