import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AMOUNT_MINOR, CURRENCY_CODE, INSTITUTION_ID, ISO_DATE, REASON_CODE, RECEIVABLE_STATES, REQUEST_ID, SHA256_HEX, type ReceivableState } from '@econfirm/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

/** An invoice's code and number as printed (VAT invoices: 10–12 + 8 digits); only its lien key reaches the ledger in the clear. */
const INVOICE_NUMBER = /^[0-9A-Za-z -]{4,40}$/;
const AMOUNT_EXAMPLE = { example: '150000000', description: 'integer minor units (fen) as a decimal string: 150000000 = ¥1,500,000.00; never a float' };

/** What the supplier registers. The amount and the references are sealed by the gateway for the supplier and the obligor. */
export class RegisterReceivableDto {
  @ApiPropertyOptional({ example: 'RCV-2026-000001', description: 'generated when absent' }) @IsOptional() @IsString() @Matches(REQUEST_ID) id?: string;
  @ApiProperty({ example: 'ENT1', description: 'the core enterprise that owes it' }) @IsString() @Matches(INSTITUTION_ID) obligorId: string;
  @ApiProperty(AMOUNT_EXAMPLE) @IsString() @Matches(AMOUNT_MINOR) amountMinor: string;
  @ApiProperty({ example: 'CNY' }) @IsString() @Matches(CURRENCY_CODE) currency: string;
  @ApiProperty({ example: '2026-03-01' }) @IsString() @Matches(ISO_DATE) issueDate: string;
  @ApiProperty({ example: '2026-09-01', description: 'promised payment date; never changes' }) @IsString() @Matches(ISO_DATE) maturityDate: string;
  @ApiProperty({ example: 'HT-2026-0042', description: 'the trade contract' }) @IsString() @MaxLength(64) contractNumber: string;
  @ApiProperty({ example: ['3100261130 00012345'], description: 'the invoices the receivable rests on (at most one active lien per invoice)' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) @Matches(INVOICE_NUMBER, { each: true }) invoiceNumbers: string[];
  @ApiPropertyOptional({ example: '钢材 200 吨' }) @IsOptional() @IsString() @MaxLength(500) goods?: string;
}

export class SplitPartDto {
  @ApiPropertyOptional({ description: 'generated when absent' }) @IsOptional() @IsString() @Matches(REQUEST_ID) id?: string;
  @ApiProperty(AMOUNT_EXAMPLE) @IsString() @Matches(AMOUNT_MINOR) amountMinor: string;
}

export class SplitReceivableDto {
  @ApiProperty({ type: [SplitPartDto], description: '2–20 parts whose amounts sum exactly to the receivable' })
  @IsArray() @ArrayMinSize(2) @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => SplitPartDto) parts: SplitPartDto[];
}

export class TransferReceivableDto {
  @ApiProperty({ example: 'SUP2', description: 'another registered enterprise (not the obligor)' }) @IsString() @Matches(INSTITUTION_ID) toId: string;
}

export class FinancingRequestDto {
  @ApiProperty({ example: 'BANK1' }) @IsString() @Matches(INSTITUTION_ID) bankId: string;
}

export class FinanceReceivableDto {
  @ApiProperty({ example: 'FIN-2026-0007', description: "the bank's own reference of the financing" }) @IsString() @Matches(REQUEST_ID) financingId: string;
}

export class ReasonCodeDto {
  @ApiProperty({ example: 'NO_SUCH_DELIVERY', description: 'a code: free text could carry names onto the channel' }) @IsString() @Matches(REASON_CODE) reason: string;
}

export class PaymentDto {
  @ApiProperty({ description: "salted SHA-256 of the payment's bank reference (the payer's system keeps reference and salt)", example: '040ffd5925d40e11c67b7238a7fc9957850b8b9a46e9729fab88c24d6a98aff2' }) @IsString() @Matches(SHA256_HEX) paymentHash: string;
}

export class RecourseDto {
  @ApiProperty({ example: 'SUP1', description: 'an earlier holder in the chain' }) @IsString() @Matches(INSTITUTION_ID) againstId: string;
}

export class ReceivableLimitDto {
  @ApiProperty({ example: '1000000000000', description: 'the ceiling of the obligor\'s confirmed total, integer minor units' }) @IsString() @Matches(AMOUNT_MINOR) amountMinor: string;
  @ApiProperty({ example: 'CNY' }) @IsString() @Matches(CURRENCY_CODE) currency: string;
}

export class ListReceivablesQuery {
  @ApiPropertyOptional({ enum: RECEIVABLE_STATES }) @IsOptional() @IsIn(RECEIVABLE_STATES as readonly string[]) state?: ReceivableState;
  @ApiPropertyOptional({ description: "regulator: that institution's receivables" }) @IsOptional() @IsString() @Matches(INSTITUTION_ID) partyId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4096) bookmark?: string;
}
