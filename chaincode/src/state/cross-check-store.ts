import { Context } from 'fabric-contract-api';
import { CrossCheckLedgerRecord, Page } from '@econfirm/common';
import { placement } from './confirmation-placement';
import { readIndexPage, readJson, writeJson } from './ledger';
import { readPrivateIndexPage, readPrivateJson, writePrivateJson } from './private-ledger';
import { unmarshal } from './marshal';

/**
 * One key per confirmation: the latest recorded summary. It names the request, its firm and its
 * responder, so once the confirmation ledger is private (state/confirmation-placement.ts) it is
 * private data of the platform collection under the request's pseudonym, `xcheck`[ρ('xcheck', id)]
 * (its value is salted by the summary's ciphertext, which is random). Before that, and for
 * summaries recorded before it, the public key `xcheck`[id], whose history keeps each summary.
 */
const CROSS_CHECK = 'xcheck';

function publicKey(ctx: Context, confirmationId: string): string {
  return ctx.stub.createCompositeKey(CROSS_CHECK, [confirmationId]);
}

/** The latest summary (read only in evaluations and after a step's own reads: it may read the public key). */
export async function findCrossCheck(ctx: Context, confirmationId: string): Promise<CrossCheckLedgerRecord | undefined> {
  const place = await placement(ctx);
  const stored = place.private ? await readPrivateJson<CrossCheckLedgerRecord>(ctx, ctx.stub.createCompositeKey(CROSS_CHECK, [place.pseudonym(CROSS_CHECK, confirmationId)])) : undefined;
  return stored ?? readJson<CrossCheckLedgerRecord>(ctx, publicKey(ctx, confirmationId));
}

export async function saveCrossCheck(ctx: Context, record: CrossCheckLedgerRecord): Promise<void> {
  const place = await placement(ctx);
  if (!place.private) return writeJson(ctx, publicKey(ctx, record.confirmationId), record);
  return writePrivateJson(ctx, ctx.stub.createCompositeKey(CROSS_CHECK, [place.pseudonym(CROSS_CHECK, record.confirmationId)]), record);
}

/**
 * Every recorded cross-check, one page (evaluate only): the private ones in pseudonym order, then
 * the public ones in id order — the private range's last page hands over the public range's
 * partial key as its bookmark, as the confirmation lists do (confirmation-store.ts).
 */
export async function pageCrossChecks(ctx: Context, pageSize: number, bookmark: string): Promise<Page<CrossCheckLedgerRecord>> {
  const place = await placement(ctx);
  const publicRange = ctx.stub.createCompositeKey(CROSS_CHECK, []);
  const publicPage = (): Promise<Page<CrossCheckLedgerRecord>> =>
    readIndexPage(ctx, CROSS_CHECK, [], pageSize, bookmark === publicRange ? '' : bookmark, ([confirmationId]) => readJson<CrossCheckLedgerRecord>(ctx, publicKey(ctx, confirmationId)));
  if (!place.private || bookmark === publicRange || (bookmark !== '' && !/^[0-9a-f]{64}$/.test(ctx.stub.splitCompositeKey(bookmark).attributes[0] ?? ''))) {
    return publicPage();
  }
  const page = await readPrivateIndexPage(ctx, CROSS_CHECK, [], pageSize, bookmark, async (_attributes, value) => unmarshal<CrossCheckLedgerRecord>(value));
  return page.bookmark === '' ? { ...page, bookmark: publicRange } : page;
}
