/// <reference types="multer" />
import { Body, Controller, Get, Headers, Param, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { errorCodesText, Role } from '@econfirm/common';
import type { Response } from 'express';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { PaymentBatchIdParam } from '../http/path-params';
import { templateCsv } from '../bulk/letter-template';
import { UploadLimitInterceptor } from '../bulk/uploaded-sheet';
import { GatewayError } from '../errors/gateway-error';
import { IdempotentUpload, UploadIdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { ApiCallerErrors, ApiIdempotencyKeyHeader, ApiLedgerErrors, ApiNeverForbidden, ErrorResponse } from '../openapi/common.dto';
import { Executed, ExecutedInterceptor } from '../transactions/executed';
import { BATCH_TEMPLATE } from './batch-file';
import {
  ImportPaymentBatchBody,
  ImportKeyParam,
  ImportPaymentBatchFields,
  ListPaymentBatchesQuery,
  PaymentBatchDto,
  PaymentBatchImportProgressDto,
  PaymentBatchPageDto,
  SettlePaymentBatchDto,
} from './dto/payment-batch.dto';
import { ImportProgressService } from './import-progress.service';
import { PaymentBatchImportService } from './payment-batch-import.service';
import { PaymentBatchesService } from './payment-batches.service';

const OF_THE_CREDENTIAL = ApiNeverForbidden("any caller (no role check, no ledger call): the progress of another credential's import answers 404");

/** Batch payments (批量代付): one settlement paying many payees for a payer. */
@ApiTags('payment-batches')
@ApiBearerAuth()
@UseInterceptors(ExecutedInterceptor)
@Controller('v1/payment-batches')
export class PaymentBatchesController {
  constructor(
    private readonly batches: PaymentBatchesService,
    private readonly imports: PaymentBatchImportService,
    private readonly progress: ImportProgressService,
  ) {}

  @Post()
  @Roles(Role.BankOfficer)
  @ApiIdempotencyKeyHeader('a retry with the same key returns the first outcome; the batch id itself also settles once')
  @ApiOperation({ summary: "The payer's bank settles many payees in one transaction; per-payee amounts sealed for payer and bank, the total for the regulator too. The same lines under a settled id answer 200 with the settled batch." })
  @ApiCreatedResponse({ type: PaymentBatchDto })
  @ApiOkResponse({ type: PaymentBatchDto, description: 'the batch was already settled with these lines' })
  @ApiLedgerErrors()
  settle(@CurrentPrincipal() p: Principal, @Body() body: SettlePaymentBatchDto): Promise<Executed> {
    return this.batches.settle(p, body);
  }

  @Get('import/template.csv')
  @ApiOperation({ summary: 'The header row of an import file (payeeReference,amount), as CSV to fill' })
  @ApiOkResponse({ description: 'the header row (text/csv)', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiCallerErrors()
  @ApiNeverForbidden('any caller (no role check, no ledger call)')
  template(@Res({ passthrough: true }) res: Response): string {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="payment-batch.csv"');
    return templateCsv(BATCH_TEMPLATE);
  }

  @Post('import')
  @Roles(Role.BankOfficer)
  @IdempotentUpload()
  @UseInterceptors(UploadLimitInterceptor, FileInterceptor('file'), UploadIdempotencyInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImportPaymentBatchBody })
  @ApiIdempotencyKeyHeader('a retry with the same key (same file and fields) returns the first outcome; the key is also the handle of the progress (GET /v1/payment-batches/imports/{key})')
  @ApiOperation({
    summary:
      'A batch from a CSV or XLSX file, one row per payee: every line checked first; a file with any bad line is answered 422 with each line and its reason and nothing is settled; a good one is settled as POST /v1/payment-batches settles it, in one transaction',
  })
  @ApiCreatedResponse({ type: PaymentBatchDto })
  @ApiOkResponse({ type: PaymentBatchDto, description: 'the batch was already settled with these lines' })
  @ApiLedgerErrors([], { offlineProposal: false })
  @ApiBadRequestResponse({ type: ErrorResponse, description: `${errorCodesText(400, ['MALFORMED_JSON', 'VALIDATION_FAILED'])} (a field, a missing file; once the file is good, a payer that is no active enterprise or client)` })
  @ApiPayloadTooLargeResponse({ type: ErrorResponse, description: errorCodesText(413, ['UPLOAD_TOO_LARGE', 'TOO_MANY_ROWS', 'TOO_MANY_CELLS', 'UNCOMPRESSED_TOO_LARGE']) })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponse,
    description: `${errorCodesText(422, ['ROWS_INVALID', 'INVALID_FILE', 'IDEMPOTENCY_KEY_REUSED', 'INVALID_ARGUMENT', 'RECIPIENTS_REFUSED'])} (ROWS_INVALID: details.issues [{line, field, problem}])`,
  })
  async import(
    @CurrentPrincipal() principal: Principal,
    @Body() fields: ImportPaymentBatchFields,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    if (!file) throw new GatewayError('VALIDATION_FAILED', 'multipart field "file" is required', { issues: [{ path: 'file', problem: 'required' }] });
    const executed = await this.imports.import(principal, { fields, fileName: file.originalname, bytes: file.buffer, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) });
    // Answered here, not by the controller's ExecutedInterceptor: the upload's idempotency
    // interceptor (on this route, inside that one) records the status as it is set now.
    res.status(executed.status);
    return executed.body;
  }

  @Get('imports/:key')
  @ApiOperation({ summary: "Where the caller's import under that key stands (validating, endorsing, ordering, committed, refused, failed), while it runs and for 15 minutes after; in this gateway process only" })
  @ApiOkResponse({ type: PaymentBatchImportProgressDto })
  @ApiNotFoundResponse({ type: ErrorResponse, description: errorCodesText(404, ['NOT_FOUND']) })
  @ApiCallerErrors()
  @OF_THE_CREDENTIAL
  importProgress(@CurrentPrincipal() principal: Principal, @Param() { key }: ImportKeyParam): PaymentBatchImportProgressDto {
    return this.progress.get(principal, key);
  }

  @Get()
  @ApiOperation({ summary: "The caller's batches (payer or bank); the regulator names a party" })
  @ApiOkResponse({ type: PaymentBatchPageDto })
  @ApiLedgerErrors()
  list(@CurrentPrincipal() p: Principal, @Query() query: ListPaymentBatchesQuery): Promise<Executed> {
    return this.batches.list(p, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One batch: the summary opened for payer, bank and regulator, the lines for payer and bank' })
  @ApiOkResponse({ type: PaymentBatchDto })
  @ApiLedgerErrors()
  get(@CurrentPrincipal() p: Principal, @Param() { id }: PaymentBatchIdParam): Promise<Executed> {
    return this.batches.get(p, id);
  }
}
