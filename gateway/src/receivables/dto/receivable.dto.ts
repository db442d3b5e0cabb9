import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RECEIVABLE_STATES } from '@econfirm/common';
import { SealedContentDto } from '../../confirmations/dto/confirmation.dto';

/** OpenAPI schemas of receivables as the routes answer them (common/src/domain/receivable.ts). */

export class ReceivableStepDto {
  @ApiProperty() action: string;
  @ApiProperty({ enum: RECEIVABLE_STATES }) state: string;
  @ApiProperty({ description: 'certificate identity of the actor' }) by: string;
  @ApiProperty({ description: 'transaction time' }) at: string;
}

export class ReceivableLienDto {
  @ApiProperty() bankId: string;
  @ApiProperty() financingId: string;
  @ApiProperty() at: string;
  @ApiProperty() by: string;
  @ApiPropertyOptional({ description: "set when the obligor's payment released it" }) releasedAt?: string;
}

export class ReceivablePaymentDto {
  @ApiProperty() paymentHash: string;
  @ApiProperty({ description: 'the lien bank for a financed part, else the holder' }) payeeId: string;
  @ApiProperty() at: string;
}

export class ReceivableDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'the receivable the obligor confirmed (itself for a root)' }) rootId: string;
  @ApiPropertyOptional() parentId?: string;
  @ApiProperty() obligorId: string;
  @ApiProperty() originalCreditorId: string;
  @ApiProperty() holderId: string;
  @ApiProperty({ type: [String], description: 'chain of holders (流转路径), the original creditor first' }) holders: string[];
  @ApiProperty() currency: string;
  @ApiProperty() issueDate: string;
  @ApiProperty() maturityDate: string;
  @ApiProperty({ description: 'salted hash of the amount (its opening is in terms)' }) amountHash: string;
  @ApiProperty() contractHash: string;
  @ApiProperty() invoiceHash: string;
  @ApiProperty({ type: [String], description: 'lien keys of the invoices (common receivableInvoiceKey)' }) invoiceKeys: string[];
  @ApiProperty({ type: SealedContentDto, description: "amount, salt, contract and invoice numbers — opened when addressed to the caller's institution" }) terms: SealedContentDto;
  @ApiProperty({ enum: RECEIVABLE_STATES }) state: string;
  @ApiPropertyOptional() confirmedAt?: string;
  @ApiPropertyOptional() confirmedBy?: string;
  @ApiPropertyOptional({ type: [String] }) childIds?: string[];
  @ApiPropertyOptional({ description: 'the bank asked for financing, or that financed' }) bankId?: string;
  @ApiPropertyOptional({ type: ReceivableLienDto }) lien?: ReceivableLienDto;
  @ApiPropertyOptional({ type: ReceivablePaymentDto }) payment?: ReceivablePaymentDto;
  @ApiPropertyOptional() recourseAgainstId?: string;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty({ type: [ReceivableStepDto] }) steps: ReceivableStepDto[];
}

export class ReceivablePageDto {
  @ApiProperty({ type: [ReceivableDto] }) records: ReceivableDto[];
  @ApiProperty() bookmark: string;
  @ApiProperty() fetchedRecordsCount: number;
}

export class ReceivableLimitRecordDto {
  @ApiProperty() obligorId: string;
  @ApiProperty() currency: string;
  @ApiProperty() limitHash: string;
  @ApiProperty({ type: SealedContentDto, description: '`{amount, salt}`, opened for the obligor and the regulator' }) limit: SealedContentDto;
  @ApiProperty() setBy: string;
  @ApiProperty() at: string;
}

export class ReceivableIssuedDto {
  @ApiProperty() obligorId: string;
  @ApiProperty() issuedHash: string;
  @ApiProperty({ type: SealedContentDto, description: 'the confirmed total so far, `{amount, salt}`' }) issued: SealedContentDto;
  @ApiProperty() confirmations: number;
  @ApiProperty() at: string;
}

export class ReceivableCreditDto {
  @ApiProperty({ type: ReceivableLimitRecordDto }) limit: ReceivableLimitRecordDto;
  @ApiPropertyOptional({ type: ReceivableIssuedDto, description: 'absent before the first confirmation' }) issued?: ReceivableIssuedDto;
}
