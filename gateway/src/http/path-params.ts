import { ApiProperty } from '@nestjs/swagger';
import { INSTITUTION_ID, REQUEST_ID, TRANSACTION_ID } from '@econfirm/common';
import { Matches } from 'class-validator';

/**
 * The path ids of the ledger's records, one class per kind, taken whole by a route
 * (`@Param() { id }: ConfirmationIdParam`): the global validation pipe (validation.ts) checks them
 * with the ledger's own formats (common/src/domain/formats.ts) like any body or query, so a
 * malformed id is refused 400 VALIDATION_FAILED with the issue's path before anything is asked of
 * the ledger, and the OpenAPI document carries each pattern (openapi/validator-constraints.ts).
 * Ids of the gateway's own records (webhooks, bulk jobs, import keys) have their classes in their
 * modules' DTOs.
 */

export class ConfirmationIdParam {
  @ApiProperty({ description: 'confirmation request id', example: 'CF-2026-000001' }) @Matches(REQUEST_ID) id: string;
}

export class EngagementIdParam {
  @ApiProperty({ description: 'engagement id', example: 'ENG-2025-CLIENT1' }) @Matches(REQUEST_ID) id: string;
}

export class InstitutionIdParam {
  @ApiProperty({ description: 'registry id of the institution', example: 'BANK1' }) @Matches(INSTITUTION_ID) id: string;
}

export class MortgageIdParam {
  @ApiProperty({ description: 'mortgage application id', example: 'MTG-2026-000001' }) @Matches(REQUEST_ID) id: string;
}

export class ReceivableIdParam {
  @ApiProperty({ description: 'receivable id', example: 'RCV-2026-000001' }) @Matches(REQUEST_ID) id: string;
}

export class PaymentBatchIdParam {
  @ApiProperty({ description: 'payment batch id', example: 'PB-2026-000001' }) @Matches(REQUEST_ID) id: string;
}

/** An offline transaction: its Fabric transaction id, as the proposal step answered it. */
export class TransactionIdParam {
  @ApiProperty({ description: 'the Fabric transaction id (64 lowercase hex)', example: '1b5b9ccb3e8d006a5230de9bda23ff91edc794d4f56410560830b418528e446c' }) @Matches(TRANSACTION_ID) id: string;
}

/** The core enterprise of PUT|GET /v1/receivables/limits/{obligorId}. */
export class ObligorIdParam {
  @ApiProperty({ description: 'the core enterprise (registry id)', example: 'ENT1' }) @Matches(INSTITUTION_ID) obligorId: string;
}

/** The audit firm of DELETE …/auditor-access/{firmId}: a registry id, refused at the edge like the grant's body. */
export class AuditorFirmParam {
  @ApiProperty({ example: 'FIRM1', description: 'the audit firm whose access ends' }) @Matches(INSTITUTION_ID) firmId: string;
}
