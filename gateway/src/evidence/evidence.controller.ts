import { applyDecorators, Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { type SchemaObject, ApiBearerAuth, ApiBody, ApiConflictResponse, ApiConsumes, ApiExtraModels, ApiForbiddenResponse, ApiGatewayTimeoutResponse, ApiNotFoundResponse, ApiServiceUnavailableResponse, ApiOkResponse, ApiOperation, ApiPayloadTooLargeResponse, ApiUnprocessableEntityResponse, ApiProperty, ApiPropertyOptional, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Role } from '@econfirm/common';
import { IsObject, IsOptional, IsString, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import { ConfirmationIdParam, EngagementIdParam, MortgageIdParam, ReceivableIdParam } from '../http/path-params';
import { ApiCallerErrors, ApiIdempotent, ErrorResponse, RETRY_AFTER } from '../openapi/common.dto';
import { EvidenceService } from './evidence.service';

const EVIDENCE_ERRORS = applyDecorators(
  ApiConflictResponse({ type: ErrorResponse, description: 'NO_INSTITUTION_KEYS: this gateway holds no evidence key for the firm' }),
  ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'EVIDENCE_NOT_CONFIGURED, LEDGER_UNAVAILABLE' }),
  ApiGatewayTimeoutResponse({ type: ErrorResponse, description: 'LEDGER_TIMEOUT' }),
);

/** A route that answers a signed PDF: documented so, its type set before it runs (an error is JSON all the same: gateway-exception.filter.ts). */
const SIGNED_PDF = applyDecorators(
  ApiOkResponse({ description: 'the signed PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }),
  Header('Content-Type', 'application/pdf'),
);

/**
 * The answer of a PDF route: the bytes as an attachment named after the record. The name is
 * built from the path id, which the route's param class has checked against the ledger's format
 * (no quote or separator can reach the header).
 */
function pdfAttachment(pdf: Buffer, fileName: string): StreamableFile {
  return new StreamableFile(pdf, { type: 'application/pdf', disposition: `attachment; filename="${fileName}"`, length: pdf.length });
}

/** The media type of the bundle's progress stream (one JSON object per line). */
const NDJSON = 'application/x-ndjson';

/** Does the caller ask for the progress stream? Only when it names NDJSON (a browser's or curl's default Accept gets JSON). */
function acceptsProgress(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.split(';')[0]?.trim().toLowerCase() === NDJSON);
}

/** Base64 as the verifier decodes it (whitespace allowed). */
const BASE64_TEXT = /^[A-Za-z0-9+/=\s]+$/;

/**
 * The JSON body of POST /v1/evidence/verify as documented: VerifyJsonDto's members, at least one
 * of them (the server refuses `{}`; with both, the bundle is verified).
 */
const VERIFY_JSON_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    pdf: { type: 'string', pattern: BASE64_TEXT.source, description: 'the evidence PDF, base64' },
    bundle: {
      type: 'object',
      properties: { manifestJws: { type: 'string' }, files: { type: 'object', additionalProperties: { type: 'string' } } },
      required: ['manifestJws', 'files'],
      description: 'an engagement bundle as GET evidence-bundle returns it: { manifestJws, files: { name: base64 } }',
    },
  },
  minProperties: 1,
  additionalProperties: false,
};

export class VerifyJsonDto {
  @ApiPropertyOptional({ description: 'the evidence PDF, base64' }) @IsOptional() @IsString() @Matches(BASE64_TEXT) pdf?: string;
  @ApiPropertyOptional({
    type: 'object',
    properties: { manifestJws: { type: 'string' }, files: { type: 'object', additionalProperties: { type: 'string' } } },
    required: ['manifestJws', 'files'],
    description: 'an engagement bundle as GET evidence-bundle returns it: { manifestJws, files: { name: base64 } }',
  })
  @IsOptional()
  @IsObject()
  bundle?: { manifestJws: string; files: Record<string, string> };
}

class CheckDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['pass', 'fail', 'skipped'] }) status: string;
  @ApiProperty() code: string;
  @ApiProperty() detail: string;
}

class AnchorFactsDto {
  @ApiProperty({ description: 'decimal EVM chain id of the node the verifier asked' }) chainId: string;
  @ApiProperty({ description: 'the EvidenceAnchor contract the verifier trusts' }) contract: string;
  @ApiProperty() root: string;
  @ApiProperty({ format: 'date-time', description: 'the block time the contract recorded: the evidence existed no later than this' }) anchoredAt: string;
  @ApiPropertyOptional({ description: "block of the evidence's anchor transaction, when the chain still has it" }) blockNumber?: number;
  @ApiPropertyOptional() txHash?: string;
}

class VerdictDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ enum: ['online', 'offline'] }) mode: string;
  @ApiPropertyOptional({ enum: ['confirmation', 'mortgage-certificate', 'receivable-voucher'], description: 'confirmation evidence, a registration certificate or a receivable voucher' }) kind?: string;
  @ApiPropertyOptional() confirmationId?: string;
  @ApiPropertyOptional({ description: 'the engagement a confirmation is of' }) engagementId?: string;
  @ApiPropertyOptional({ description: 'the registration a certificate is of' }) mortgageId?: string;
  @ApiPropertyOptional({ description: 'the receivable a voucher is of' }) receivableId?: string;
  @ApiPropertyOptional() evidenceHash?: string;
  @ApiPropertyOptional({ description: 'the institution that generated the evidence' }) generatedBy?: string;
  @ApiPropertyOptional({ type: AnchorFactsDto, description: "what the EVM chain says of the evidence's anchor (when the evm-anchor check passed)" }) anchor?: AnchorFactsDto;
  @ApiProperty({ type: [CheckDto] }) checks: CheckDto[];
}

class BundleVerdictDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ type: CheckDto, description: "the manifest's signature and file hashes" }) manifest: CheckDto;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(VerdictDto) }, description: 'file name → its verdict' }) files: Record<string, VerdictDto>;
}

class EvidenceBundleDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'format, channel, engagementId, generatedAt, generatedBy, files (name, confirmation id, sha256)' }) manifest: Record<string, unknown>;
  @ApiProperty({ description: "compact JWS over the manifest, by the firm's evidence key" }) manifestJws: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'file name → PDF, base64' }) files: Record<string, string>;
}

function readRawBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new GatewayError('PAYLOAD_TOO_LARGE', `a PDF larger than ${limit} bytes is not accepted`, { maxBytes: limit });
    // A declared length over the bound is refused before a byte is read.
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Signed PDF evidence (clients/evidence/README.md): generated by the caller's tenant, verifiable by anyone. */
@ApiTags('evidence')
@ApiBearerAuth()
@ApiCallerErrors()
@ApiExtraModels(VerdictDto, BundleVerdictDto, EvidenceBundleDto)
@Controller('v1')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Get('confirmations/:id/evidence.pdf')
  @Roles(Role.Auditor)
  @ApiOperation({ summary: "The confirmation's evidence PDF, signed (PAdES + JWS) by the caller's firm" })
  @SIGNED_PDF
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN: auditors of the firm only; IDENTITY_REFUSED' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @EVIDENCE_ERRORS
  async pdf(@CurrentPrincipal() p: Principal, @Param() { id }: ConfirmationIdParam): Promise<StreamableFile> {
    return pdfAttachment(await this.evidence.pdf(p, id), `${id}.pdf`);
  }

  @Get('mortgages/:id/certificate.pdf')
  @Roles(Role.MortgageOfficer, Role.BankOfficer, Role.BankReviewer, Role.Registrar, Role.RegistryReviewer, Role.Regulator, Role.Auditor)
  @ApiOperation({
    summary:
      "The electronic registration certificate (不动产登记证明) of a registered mortgage, issued and signed (PAdES + JWS) by the registration centre. For the mortgagee bank, the registry, the regulator and an auditor with the client's grant; the names, unit number, location, amount and certificate number are printed only in a party's copy (bank, registry)",
  })
  @SIGNED_PDF
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN: the role may not fetch certificates (clients); IDENTITY_REFUSED' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'NOT_FOUND: no such registration, or one the caller may not read' })
  @ApiConflictResponse({ type: ErrorResponse, description: "CERTIFICATE_NOT_ISSUED: not registered (details.state); NO_INSTITUTION_KEYS: this gateway holds no keys of the registration centre" })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'EVIDENCE_NOT_CONFIGURED: this gateway does not host the registration centre or holds no evidence certificate for it; LEDGER_UNAVAILABLE' })
  @ApiGatewayTimeoutResponse({ type: ErrorResponse, description: 'LEDGER_TIMEOUT' })
  async mortgageCertificate(@CurrentPrincipal() p: Principal, @Param() { id }: MortgageIdParam): Promise<StreamableFile> {
    return pdfAttachment(await this.evidence.mortgageCertificate(p, id), `${id}-certificate.pdf`);
  }

  // Beside the certificate, not in ReceivablesController: it is the same signed-evidence path (this
  // service's signer and failure mapping), and `receivables/:id` cannot take a second segment.
  @Get('receivables/:id/voucher.pdf')
  @Roles(Role.ClientSigner, Role.BankOfficer, Role.BankReviewer, Role.Regulator)
  @ApiOperation({
    summary:
      "The receivable voucher (电子债权凭证) of a receivable its obligor confirmed: the chain of holders back to the root with each step's transaction and block, the lineage, the lien; issued and signed (PAdES + JWS) by the caller's institution. For the obligor, holders past and present, the financing bank and the regulator (the ledger's GetReceivableEvidence decides); the terms are printed in a copy whose issuer they are sealed to, by their hashes otherwise",
  })
  @SIGNED_PDF
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN: the role may not fetch vouchers (auditors, registrars); IDENTITY_REFUSED' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'NOT_FOUND: no such receivable, or one the caller may not read' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'VOUCHER_NOT_ISSUED: the obligor has not confirmed the receivable (registered, rejected, cancelled)' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: "EVIDENCE_NOT_CONFIGURED: this gateway holds no evidence certificate for the caller's institution; LEDGER_UNAVAILABLE" })
  @ApiGatewayTimeoutResponse({ type: ErrorResponse, description: 'LEDGER_TIMEOUT' })
  async receivableVoucher(@CurrentPrincipal() p: Principal, @Param() { id }: ReceivableIdParam): Promise<StreamableFile> {
    return pdfAttachment(await this.evidence.receivableVoucher(p, id), `${id}-voucher.pdf`);
  }

  @Get('engagements/:id/evidence-bundle')
  @Roles(Role.Auditor)
  @ApiOperation({
    summary: "One signed evidence PDF per letter of the engagement and a signed manifest (JWS over the files' hashes)",
    description: `With \`Accept: ${NDJSON}\` the answer streams its progress, one JSON object per line: \`{"progress":{"done":n,"total":m}}\` once the letters are listed and after each signed letter, then \`{"bundle":{…}}\` (the JSON answer) or, when generation fails after the first line, \`{"error":{code,message,requestId}}\`. A refusal before the letters are listed is an HTTP status, as without it.`,
  })
  @ApiOkResponse({
    description: 'the bundle (application/json), or its progress and then the bundle as NDJSON',
    content: { 'application/json': { schema: { $ref: getSchemaPath(EvidenceBundleDto) } }, [NDJSON]: { schema: { type: 'string', description: 'NDJSON: progress lines, then one bundle or error line' } } },
  })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN: auditors of the firm only; IDENTITY_REFUSED' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @EVIDENCE_ERRORS
  async bundle(@CurrentPrincipal() p: Principal, @Param() { id }: EngagementIdParam, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    // Accept is read from the request, not with @Headers('accept'): Nest's OpenAPI would declare it
    // a required header parameter, which OpenAPI 3 ignores and a fuzzer enforces (openapi.test.ts).
    if (acceptsProgress(req.headers.accept)) {
      // The response closing before it finished is the caller hanging up (Nest pipes the stream
      // into the response and leaves the source running): the bundle is then abandoned.
      const hangUp = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) hangUp.abort();
      });
      return new StreamableFile(await this.evidence.bundleProgress(p, id, hangUp.signal), { type: NDJSON, disposition: 'inline' });
    }
    return this.evidence.bundle(p, id);
  }

  @Post('evidence/verify')
  @HttpCode(200)
  // Auditors and the regulator only: online verification reads blocks as the caller, and a client
  // or bank must not learn a record through a hand-made document (issue 10 §2).
  @Roles(Role.Auditor, Role.Regulator)
  @ApiOperation({ summary: 'Verify an evidence PDF (raw application/pdf body, or JSON { pdf } / { bundle }); ?offline=true skips the ledger. Auditors and the regulator only' })
  @ApiConsumes('application/pdf', 'application/json')
  @ApiBody({
    description: 'application/pdf: the PDF bytes; application/json: { pdf: base64 } or { bundle: { manifestJws, files } }',
    // A JSON body is { pdf } and/or { bundle } (the server refuses {} and unknown members); the
    // binary alternative is application/pdf's (validator-constraints.ts gives each media type its
    // own alternative: @ApiBody cannot).
    schema: { oneOf: [VERIFY_JSON_SCHEMA, { type: 'string', format: 'binary' }] },
  })
  @ApiOkResponse({
    description: 'the verdict with every check (a bundle: per file); ok=false is still 200',
    content: { 'application/json': { schema: { oneOf: [{ $ref: getSchemaPath(VerdictDto) }, { $ref: getSchemaPath(BundleVerdictDto) }] } } },
  })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN: auditors and the regulator only; IDENTITY_REFUSED: the network refused the caller (online verification reads the ledger as the caller)' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponse, description: 'PAYLOAD_TOO_LARGE: a PDF over evidence.verifier.maxPdfBytes' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'VERIFY_TIME_EXCEEDED, EVIDENCE_UNREADABLE: the document could not be checked within the verifier’s time or memory, nothing about it was established; IDEMPOTENCY_KEY_REUSED' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'VERIFIER_BUSY: every verifier busy and the queue full (Retry-After); LEDGER_UNAVAILABLE', headers: RETRY_AFTER })
  @ApiGatewayTimeoutResponse({ type: ErrorResponse, description: 'LEDGER_TIMEOUT' })
  @ApiIdempotent()
  async verify(@CurrentPrincipal() p: Principal, @Req() req: Request, @Body() body: VerifyJsonDto | undefined, @Query('offline') offline?: string): Promise<unknown> {
    const skipLedger = offline === 'true' || offline === '1';
    if (req.is('application/pdf')) return this.evidence.verifyPdf(p, await readRawBody(req, this.evidence.maxPdfBytes), skipLedger);
    if (body?.bundle) {
      if (typeof body.bundle.manifestJws !== 'string' || typeof body.bundle.files !== 'object' || body.bundle.files === null) {
        throw new GatewayError('VALIDATION_FAILED', 'bundle must be { manifestJws, files }');
      }
      return this.evidence.verifyBundle(p, body.bundle, skipLedger);
    }
    if (typeof body?.pdf === 'string' && BASE64_TEXT.test(body.pdf)) return this.evidence.verifyPdf(p, Buffer.from(body.pdf, 'base64'), skipLedger);
    throw new GatewayError('VALIDATION_FAILED', 'send the PDF as application/pdf, or JSON { pdf: base64 } or { bundle }');
  }
}

