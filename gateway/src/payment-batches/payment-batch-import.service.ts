import { Inject, Injectable } from '@nestjs/common';
import { InstitutionKind, InstitutionStatus } from '@econfirm/common';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { readUploadedSheet } from '../bulk/uploaded-sheet';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';
import { toGatewayError } from '../errors/gateway-exception.filter';
import { RegistryReader } from '../institutions/registry-reader.service';
import { requestContext } from '../logging/request-context';
import type { Executed } from '../transactions/executed';
import { readBatchLines } from './batch-file';
import { MAX_BATCH_LINES, type ImportPaymentBatchFields } from './dto/payment-batch.dto';
import { ImportProgressService } from './import-progress.service';
import { PaymentBatchesService } from './payment-batches.service';

export interface BatchImportInput {
  fields: ImportPaymentBatchFields;
  fileName: string;
  bytes: Uint8Array;
  /** The request's Idempotency-Key: the handle of its progress (none, no progress kept). */
  idempotencyKey?: string;
}

/**
 * A payment batch from a CSV or XLSX file (one row per payee): read by the bulk table reader within
 * the `bulk` limits, every line checked, then settled exactly as POST /v1/payment-batches settles
 * (PaymentBatchesService.settle: the same sealing, the same answer, one batch id settling once).
 * A file with any bad line is refused with all of them and nothing reaches the ledger.
 */
@Injectable()
export class PaymentBatchImportService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly batches: PaymentBatchesService,
    private readonly registry: RegistryReader,
    private readonly progress: ImportProgressService,
  ) {}

  async import(principal: Principal, input: BatchImportInput): Promise<Executed> {
    if (principal.custody !== 'custodial') {
      // The import's progress follows a transaction the gateway signs and submits itself; an
      // offline credential settles with POST /v1/payment-batches and signs the proposal it gets.
      throw new GatewayError('OFFLINE_SIGNING_REQUIRED', 'an import is signed by a custodial identity of the tenant; an offline credential settles the batch with POST /v1/payment-batches and signs it');
    }
    const key = input.idempotencyKey;
    if (key !== undefined) this.progress.start(principal, key, input.fileName);
    try {
      // The reader stops at the ledger's bound: a file of more payees is refused while it is read.
      const limits = { ...this.config.bulk, maxRows: Math.min(this.config.bulk.maxRows, MAX_BATCH_LINES) };
      const sheet = await readUploadedSheet(input.bytes, input.fileName, limits, 'split the payees into several batches; nothing was settled');
      const { lines, issues } = readBatchLines(sheet, MAX_BATCH_LINES);
      if (issues.length > 0) {
        const first = issues[0];
        throw new GatewayError('ROWS_INVALID', `${issues.length} problem(s) in the file, first: line ${first?.line}, ${first?.field}: ${first?.problem}; nothing was settled`, { issues });
      }
      // The registry last, as the letter bulk does: the file's own problems first, without a ledger read.
      await this.checkPayer(principal, input.fields.payerId);
      const id = input.fields.id ?? `PB-${randomUUID()}`;
      const totalMinor = lines.reduce((sum, l) => sum + BigInt(l.amountMinor), 0n).toString();
      this.progress.update(principal, key, { stage: 'endorsing', batchId: id, lines: lines.length, totalMinor });
      const context = requestContext.getStore();
      if (context && key !== undefined) context.onOrdered = (transactionId) => this.progress.update(principal, key, { stage: 'ordering', transactionId });
      const settled = await this.batches.settle(principal, {
        id,
        payerId: input.fields.payerId,
        currency: input.fields.currency,
        instructionReference: input.fields.instructionReference,
        lines: lines.map(({ payeeReference, amountMinor }) => ({ payeeReference, amountMinor })),
      });
      this.progress.update(principal, key, { stage: 'committed' });
      return settled;
    } catch (err) {
      const error = toGatewayError(err);
      this.progress.update(principal, key, { stage: error.httpStatus < 500 ? 'refused' : 'failed', error: { code: error.code, message: error.message } });
      throw err;
    }
  }

  /** The payer as the chaincode will want it (SettlePaymentBatch: an active enterprise or client), before anything is sealed. */
  private async checkPayer(principal: Principal, payerId: string): Promise<void> {
    const payer = await this.registry.get(principal, payerId).catch((err: unknown) => {
      if (err instanceof GatewayError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    });
    const problem = !payer
      ? 'not in the registry'
      : payer.kind !== InstitutionKind.Enterprise && payer.kind !== InstitutionKind.Client
        ? `is a ${payer.kind}; the payer is an enterprise or a client`
        : payer.status !== InstitutionStatus.Active
          ? `is ${payer.status}`
          : undefined;
    if (problem) throw new GatewayError('VALIDATION_FAILED', `payerId ${payerId} ${problem}`, { issues: [{ path: 'payerId', problem }] });
  }
}
