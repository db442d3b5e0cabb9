import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONFIRMATION_KINDS, FORMS, INSTITUTION_ID, ISO_DATE, REQUEST_ID } from '@econfirm/common';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';

/** GET /v1/bulk/templates/{file}: a letter kind (its columns described) or `<kind>.csv` (its header row). */
export const TEMPLATE_FILES: readonly string[] = CONFIRMATION_KINDS.flatMap((kind) => [kind, `${kind}.csv`]);

export class BulkTemplateParam {
  @ApiProperty({ enum: TEMPLATE_FILES, description: 'a letter kind, or <kind>.csv', example: 'bank-form-1.csv' }) @IsIn(TEMPLATE_FILES) file: string;
}

/** A bulk job: the gateway's own record, its id a UUID. */
export class BulkJobIdParam {
  @ApiProperty({ format: 'uuid', description: 'bulk job id', example: '0d8f6a52-3c1e-4b7a-9e2f-5a6b7c8d9e0f' }) @IsUUID() id: string;
}

/** The multipart fields of an upload besides `file`: the letter kind and the engagement. */
export class BulkUploadFields {
  @ApiProperty({ enum: CONFIRMATION_KINDS, example: 'bank-form-1' })
  @IsIn(CONFIRMATION_KINDS as unknown as string[])
  kind: string;

  // A form of the catalogue; whether it is one of `kind`'s the upload service says (cross-member).
  @ApiPropertyOptional({ example: 'bank-letter-2020', description: "form edition, one of `kind`'s; default: the kind's current form" })
  @IsOptional()
  @IsString()
  @IsIn(FORMS.map((form) => form.formId))
  formId?: string;

  // The ledger formats at the edge (and so in the document); the upload service checks them again
  // with the period's order, which no schema can say.
  @ApiProperty({ example: 'ENG-2025-CLIENT1' }) @IsString() @Matches(REQUEST_ID) engagementId: string;
  @ApiProperty({ example: 'CLIENT1' }) @IsString() @Matches(INSTITUTION_ID) clientId: string;
  @ApiProperty({ example: '2025-01-01' }) @IsString() @Matches(ISO_DATE) periodStart: string;
  @ApiProperty({ example: '2025-12-31' }) @IsString() @Matches(ISO_DATE) periodEnd: string;
  @ApiProperty({ example: '2025-12-31' }) @IsString() @Matches(ISO_DATE) asOfDate: string;
}

/** OpenAPI schema of the upload body. */
export class BulkUploadBody extends BulkUploadFields {
  @ApiProperty({ type: 'string', format: 'binary', description: 'the letters: CSV (UTF-8, RFC 4180) or XLSX (first worksheet), header row = the template columns' })
  file: unknown;
}

export class RowIssueDto {
  @ApiProperty({ example: 7, description: 'line of the CSV file / row of the worksheet (the header is line 1)' }) line: number;
  @ApiProperty({ example: 'balance', description: 'column name' }) field: string;
  @ApiProperty({ example: 'not a valid amount' }) problem: string;
}

export class BulkProgressDto {
  @ApiProperty() letters: number;
  @ApiProperty({ description: 'letters on the ledger' }) issued: number;
  @ApiProperty() chunks: number;
  @ApiProperty({ description: 'IssueBatch transactions committed' }) chunksApplied: number;
  @ApiProperty({ description: 'chunks found already on the ledger when re-sent after a restart' }) chunksRecovered: number;
}

export class BulkJobDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['rejected', 'queued', 'running', 'completed', 'failed'] }) status: string;
  @ApiProperty({ enum: CONFIRMATION_KINDS }) kind: string;
  @ApiProperty() formId: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) engagement: Record<string, unknown>;
  @ApiProperty() fileName: string;
  @ApiProperty({ enum: ['csv', 'xlsx'] }) format: string;
  @ApiProperty({ description: 'data rows in the file' }) rows: number;
  @ApiProperty({ type: BulkProgressDto }) progress: BulkProgressDto;
  @ApiProperty({ type: [RowIssueDto], description: 'why a rejected job was rejected' }) issues: RowIssueDto[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'why a job failed after validation: { code, message }' }) error?: Record<string, unknown>;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiPropertyOptional() finishedAt?: string;
}

export class BulkLetterResultDto {
  @ApiProperty({ description: "the letter's first line (the request id is derived from it)" }) line: number;
  @ApiProperty({ type: [Number] }) lines: number[];
  @ApiProperty() letterRef: string;
  @ApiProperty({ example: 'BK-2f0c…-L2' }) requestId: string;
  @ApiProperty() addresseeId: string;
  @ApiProperty({ enum: ['pending', 'issued', 'failed'] }) status: string;
  @ApiPropertyOptional({ description: 'salted hash of the sealed letter (as on the ledger)' }) contentHash?: string;
}

export class TemplateColumnDto {
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['letter', 'item'] }) scope: string;
  @ApiProperty() required: boolean;
  @ApiProperty() type: string;
  @ApiPropertyOptional({ type: [String] }) sections?: string[];
  @ApiProperty() description: string;
}

export class LetterTemplateDto {
  @ApiProperty({ enum: CONFIRMATION_KINDS }) kind: string;
  @ApiProperty() formId: string;
  @ApiProperty() itemRows: boolean;
  @ApiProperty({ enum: ['none', 'requested'] }) defaultSectionStatus: string;
  @ApiProperty({ type: [TemplateColumnDto] }) columns: TemplateColumnDto[];
}
