import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  InstitutionKind,
  newSalt,
  paymentBatchTotalHash,
  saltedHash,
  type PaymentBatchInput,
  type PaymentBatchRecord,
  type PaymentLineOpening,
  type TransactionName,
} from '@econfirm/common';
import { recipientOf, seal } from '@econfirm/sdk';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { ConfirmationContentService } from '../confirmations/confirmation-content.service';
import { GatewayError } from '../errors/gateway-error';
import { parseResult as parse, type LedgerCall } from '../fabric/ledger-call';
import { RegistryReader } from '../institutions/registry-reader.service';
import { Executed } from '../transactions/executed';
import { ResultPresenters } from '../transactions/result-presenters';
import { TransactionExecutor } from '../transactions/transaction-executor.service';
import type { ListPaymentBatchesQuery, SettlePaymentBatchDto } from './dto/payment-batch.dto';

export const PAYMENT_BATCH_PRESENTER = 'payment-batch';
export const PAYMENT_BATCH_PAGE_PRESENTER = 'payment-batch-page';

/** What `lines` holds, sealed for the payer and the bank: each payee's account and amount with its salt. */
export interface SealedBatchLines {
  lines: (PaymentLineOpening & { payeeReference: string })[];
  instruction: { reference: string; salt: string };
}

function call(transaction: TransactionName<'payment-batch'>, args: string[], transient?: Record<string, unknown>): LedgerCall {
  const encoded = transient ? Object.fromEntries(Object.entries(transient).map(([k, v]) => [k, JSON.stringify(v)])) : undefined;
  return { contract: 'payment-batch', transaction, args, ...(encoded ? { transient: encoded } : {}) };
}

/** The lines as a caller gave them, for comparing a resubmission with what was settled. */
function asGiven(lines: readonly { payeeReference: string; amount: string }[]): string {
  return JSON.stringify(lines.map((l) => [l.payeeReference, l.amount]));
}

/**
 * Whether a settled batch's opened lines are exactly what `dto` asks to settle again. The opened
 * content is whatever its settler sealed — another tool may have settled the id through the SDK
 * with other members (the fuzzer hit one: 500 'reading reference' on POST /v1/payment-batches) —
 * so its shape is checked here, and anything else is simply not the same batch.
 */
export function isSameBatch(settled: Pick<PaymentBatchRecord, 'payerId' | 'currency'>, opened: unknown, dto: Pick<SettlePaymentBatchDto, 'payerId' | 'currency' | 'instructionReference' | 'lines'>): boolean {
  if (!isSealedBatchLines(opened)) return false;
  return (
    settled.payerId === dto.payerId &&
    settled.currency === dto.currency &&
    opened.instruction.reference === dto.instructionReference &&
    asGiven(opened.lines) === asGiven(dto.lines.map((l) => ({ payeeReference: l.payeeReference, amount: l.amountMinor })))
  );
}

function isSealedBatchLines(value: unknown): value is SealedBatchLines {
  if (typeof value !== 'object' || value === null) return false;
  const { lines, instruction } = value as Partial<Record<keyof SealedBatchLines, unknown>>;
  const text = (v: unknown): boolean => typeof v === 'string';
  return (
    typeof instruction === 'object' && instruction !== null && text((instruction as { reference?: unknown }).reference) &&
    Array.isArray(lines) && lines.every((l: unknown) => typeof l === 'object' && l !== null && text((l as { payeeReference?: unknown }).payeeReference) && text((l as { amount?: unknown }).amount))
  );
}

/**
 * Batch payments over the ledger (chaincode/src/contracts/payment-batch-contract.ts): the bank's
 * officer posts plain lines; the gateway salts each payee's account and amount, seals the lines for
 * the payer and the bank and the total for the regulator too, and sends the openings in the
 * transient map. One batch id settles once: the same lines again answer the settled batch.
 */
@Injectable()
export class PaymentBatchesService implements OnModuleInit {
  constructor(
    private readonly executor: TransactionExecutor,
    private readonly presenters: ResultPresenters,
    private readonly content: ConfirmationContentService,
    private readonly registry: RegistryReader,
  ) {}

  onModuleInit(): void {
    this.presenters.registerRecordAndPage<PaymentBatchRecord>(PAYMENT_BATCH_PRESENTER, PAYMENT_BATCH_PAGE_PRESENTER, (principal, record) => this.present(principal, record));
  }

  private async present(principal: Principal, record: PaymentBatchRecord): Promise<Record<string, unknown>> {
    return { ...record, summary: await this.content.openFor(principal, record.summary), lines: await this.content.openFor(principal, record.lines) };
  }

  async settle(principal: Principal, dto: SettlePaymentBatchDto): Promise<Executed> {
    const id = dto.id ?? `PB-${randomUUID()}`;
    const settled = await this.settled(principal, id);
    if (settled) return this.resubmitted(principal, settled, dto);
    const lines = dto.lines.map((line) => {
      const salt = newSalt();
      return { payeeReference: line.payeeReference, payeeRef: saltedHash(line.payeeReference, salt), amount: line.amountMinor, salt };
    });
    const total = lines.reduce((sum, line) => sum + BigInt(line.amount), 0n).toString();
    const totalSalt = newSalt();
    const instruction = { reference: dto.instructionReference, salt: newSalt() };
    const payer = await this.registry.get(principal, dto.payerId);
    const bank = await this.registry.get(principal, principal.institutionId);
    const regulators = await this.registry.activeOfKind(principal, InstitutionKind.Regulator);
    const sealedLines: SealedBatchLines = { lines, instruction };
    const input: PaymentBatchInput = {
      id,
      payerId: dto.payerId,
      currency: dto.currency,
      count: lines.length,
      totalHash: paymentBatchTotalHash(total, lines.length, dto.currency, totalSalt),
      instructionHash: saltedHash(instruction.reference, instruction.salt),
      summary: await seal({ total, count: lines.length, currency: dto.currency, salt: totalSalt }, [payer, bank, ...regulators].map(recipientOf)),
      lines: await seal(sealedLines, [payer, bank].map(recipientOf)),
    };
    const openings = { lines: lines.map(({ payeeRef, amount, salt }) => ({ payeeRef, amount, salt })), totalSalt };
    return this.executor.submit(principal, call('SettlePaymentBatch', [JSON.stringify(input)], { lines: openings }), { presenter: PAYMENT_BATCH_PRESENTER, successStatus: 201 });
  }

  get(principal: Principal, id: string): Promise<Executed> {
    return this.executor.evaluate(principal, call('GetPaymentBatch', [id]), { presenter: PAYMENT_BATCH_PRESENTER });
  }

  list(principal: Principal, query: ListPaymentBatchesQuery): Promise<Executed> {
    return this.executor.evaluate(principal, call('ListPaymentBatches', [query.partyId ?? '', String(query.pageSize ?? 50), query.bookmark ?? '']), { presenter: PAYMENT_BATCH_PAGE_PRESENTER });
  }

  private async settled(principal: Principal, id: string): Promise<PaymentBatchRecord | undefined> {
    try {
      return parse<PaymentBatchRecord>(await this.executor.readAsTenant(principal, call('GetPaymentBatch', [id])));
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** The same batch again answers the settled one (nothing is paid twice); other lines under its id are refused. */
  private async resubmitted(principal: Principal, settled: PaymentBatchRecord, dto: SettlePaymentBatchDto): Promise<Executed> {
    const opened = await this.content.openFor<unknown>(principal, settled.lines);
    if (!isSameBatch(settled, opened.content, dto)) throw new GatewayError('ALREADY_EXISTS', `payment batch ${settled.id} was settled with other content`);
    return new Executed(200, await this.present(principal, settled));
  }
}
