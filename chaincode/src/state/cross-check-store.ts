import { Context } from 'fabric-contract-api';
import { CrossCheckLedgerRecord, Page } from '@econfirm/common';
import { readIndexPage, readJson, writeJson } from './ledger';

/** One key per confirmation: the latest recorded summary (earlier ones stay in the key's history). */
const CROSS_CHECK = 'xcheck';

function key(ctx: Context, confirmationId: string): string {
  return ctx.stub.createCompositeKey(CROSS_CHECK, [confirmationId]);
}

export function findCrossCheck(ctx: Context, confirmationId: string): Promise<CrossCheckLedgerRecord | undefined> {
  return readJson<CrossCheckLedgerRecord>(ctx, key(ctx, confirmationId));
}

export function saveCrossCheck(ctx: Context, record: CrossCheckLedgerRecord): Promise<void> {
  return writeJson(ctx, key(ctx, record.confirmationId), record);
}

/** Every recorded cross-check in key order, one page (evaluate only). */
export function pageCrossChecks(ctx: Context, pageSize: number, bookmark: string): Promise<Page<CrossCheckLedgerRecord>> {
  return readIndexPage(ctx, CROSS_CHECK, [], pageSize, bookmark, ([confirmationId]) => findCrossCheck(ctx, confirmationId));
}

