import { Context } from 'fabric-contract-api';
import { PaymentBatchRecord } from '@econfirm/common';
import { putIndex, readJson, writeJson } from './ledger';

const BATCH = 'pay~batch';

export const PaymentBatchIndex = {
  /** Per party (payer, bank): its batches. */
  ByParty: 'pay~party~id',
} as const;

export function findPaymentBatch(ctx: Context, id: string): Promise<PaymentBatchRecord | undefined> {
  return readJson<PaymentBatchRecord>(ctx, ctx.stub.createCompositeKey(BATCH, [id]));
}

export function paymentBatchParties(record: PaymentBatchRecord): string[] {
  return [...new Set([record.payerId, record.bankId])].sort();
}

/** A batch is written once: settled is final. */
export async function savePaymentBatch(ctx: Context, record: PaymentBatchRecord): Promise<void> {
  await writeJson(ctx, ctx.stub.createCompositeKey(BATCH, [record.id]), record);
  for (const party of paymentBatchParties(record)) await putIndex(ctx, PaymentBatchIndex.ByParty, [party, record.id]);
}
