/// <reference types="multer" />
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiExtraModels,
  ApiPayloadTooLargeResponse,
  ApiTags,
  getSchemaPath,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Role } from '@econfirm/common';
import type { Response } from 'express';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import { IdempotentUpload, UploadIdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { ApiCallerErrors, ApiIdempotencyKeyHeader, ApiNeverForbidden, ErrorResponse } from '../openapi/common.dto';

const IDEMPOTENCY = ApiIdempotencyKeyHeader('a retry with the same key (same file and fields) returns the first job instead of uploading twice');
import { BulkJobsService } from './bulk-jobs.service';
import { BulkUploadService, templateFor } from './bulk-upload.service';
import { BulkJobDto, BulkJobIdParam, BulkLetterResultDto, BulkTemplateParam, BulkUploadBody, BulkUploadFields, LetterTemplateDto } from './dto/bulk.dto';
import { templateCsv } from './letter-template';
import { UploadLimitInterceptor } from './uploaded-sheet';

const ANY_CALLER = ApiNeverForbidden("any caller of the tenant (no role check, no ledger call); another tenant's job answers 404");

/**
 * Bulk issuance: an engagement's letters as CSV or XLSX, validated as a whole (nothing is issued
 * if any row is bad), then applied in IssueBatch chunks in the background.
 */
@ApiTags('bulk')
@ApiBearerAuth()
@ApiCallerErrors()
@ApiExtraModels(LetterTemplateDto)
@Controller('v1/bulk')
export class BulkController {
  constructor(
    private readonly uploads: BulkUploadService,
    private readonly jobs: BulkJobsService,
  ) {}

  @Get('templates/:file')
  @ApiOperation({ summary: 'Column template of a letter kind: {kind}.csv is the header row to fill; {kind} alone describes every column (JSON)' })
  @ApiOkResponse({
    description: '{kind}.csv: the header row (text/csv); {kind}: every column described (JSON)',
    content: { 'application/json': { schema: { $ref: getSchemaPath(LetterTemplateDto) } }, 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'VALIDATION_FAILED (unknown kind or form)' })
  @ANY_CALLER
  template(@Param() { file }: BulkTemplateParam, @Res({ passthrough: true }) res: Response): unknown {
    const csv = file.endsWith('.csv');
    const { template } = templateFor(csv ? file.slice(0, -4) : file);
    if (!csv) return template;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${template.kind}.csv"`);
    return templateCsv(template);
  }

  @Post('jobs')
  @HttpCode(202)
  @Roles(Role.Auditor)
  @IdempotentUpload()
  @UseInterceptors(UploadLimitInterceptor, FileInterceptor('file'), UploadIdempotencyInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: BulkUploadBody })
  @ApiOperation({ summary: "Upload an engagement's letters (CSV or XLSX): every row validated first; 202 with the queued job, or 422 naming each bad line and field (nothing issued)" })
  @ApiAcceptedResponse({ type: BulkJobDto })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'VALIDATION_FAILED (kind, engagement, missing file)' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN: auditors only' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponse, description: 'UPLOAD_TOO_LARGE (bytes), TOO_MANY_ROWS' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'OFFLINE_SIGNING_REQUIRED (an offline credential cannot sign the chunks), IDEMPOTENCY_IN_PROGRESS' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'ROWS_INVALID (details.issues: [{line, field, problem}], details.jobId), INVALID_FILE, IDEMPOTENCY_KEY_REUSED' })
  @IDEMPOTENCY
  async upload(@CurrentPrincipal() principal: Principal, @Body() fields: BulkUploadFields, @UploadedFile() file: Express.Multer.File | undefined): Promise<BulkJobDto> {
    if (!file) throw new GatewayError('VALIDATION_FAILED', 'multipart field "file" is required', { issues: [{ path: 'file', problem: 'required' }] });
    const job = await this.uploads.upload(principal, {
      kind: fields.kind,
      ...(fields.formId ? { formId: fields.formId } : {}),
      engagement: { id: fields.engagementId, clientId: fields.clientId, periodStart: fields.periodStart, periodEnd: fields.periodEnd, asOfDate: fields.asOfDate },
      fileName: file.originalname,
      bytes: file.buffer,
    });
    return this.jobs.view(job);
  }

  @Get('jobs')
  @ApiOperation({ summary: "The tenant's bulk jobs, newest first (at most 100)" })
  @ApiOkResponse({ type: [BulkJobDto] })
  @ANY_CALLER
  list(@CurrentPrincipal() principal: Principal): BulkJobDto[] {
    return this.jobs.list(principal);
  }

  @Get('jobs/:id')
  @ApiOperation({ summary: 'A bulk job: status, progress (letters issued, chunks applied), validation issues or failure' })
  @ApiOkResponse({ type: BulkJobDto })
  @ApiNotFoundResponse({ type: ErrorResponse, description: "NOT_FOUND (also another tenant's job)" })
  @ANY_CALLER
  get(@CurrentPrincipal() principal: Principal, @Param() { id }: BulkJobIdParam): BulkJobDto {
    return this.jobs.get(principal, id);
  }

  @Get('jobs/:id/letters')
  @ApiOperation({ summary: "Per-letter result of a job: its lines, request id, status and content hash" })
  @ApiOkResponse({ type: [BulkLetterResultDto] })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ANY_CALLER
  letters(@CurrentPrincipal() principal: Principal, @Param() { id }: BulkJobIdParam): BulkLetterResultDto[] {
    return this.jobs.letters(principal, id);
  }

  @Post('jobs/:id/resumption')
  @Roles(Role.Auditor)
  @ApiOperation({ summary: 'Re-queue a failed job (e.g. after the ledger was unavailable too long): applied chunks stay, the failed one is sent again' })
  @ApiAcceptedResponse({ type: BulkJobDto })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN: auditors only' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'INVALID_STATE_TRANSITION: only a failed job is resumed; IDEMPOTENCY_IN_PROGRESS' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'IDEMPOTENCY_KEY_REUSED' })
  @IDEMPOTENCY
  @HttpCode(202)
  resume(@CurrentPrincipal() principal: Principal, @Param() { id }: BulkJobIdParam): BulkJobDto {
    return this.jobs.resume(principal, id);
  }
}
