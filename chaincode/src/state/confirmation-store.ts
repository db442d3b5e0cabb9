import { Context } from 'fabric-contract-api';
import { ConfirmationRequest, Engagement, HistoryEntry } from '@econfirm/common';
import { currentDueAt } from '../lifecycle/deadlines';
import { ConfirmationStatsRow, statsRow } from '../stats/stats-row';
import { deleteIndex, keyExists, putIndex, readHistory, readJson, readRequired, scanAll, writeJson } from './ledger';
import { txTimeIso } from './tx-time';

const CONFIRMATION = 'cf';
const ENGAGEMENT = 'eng';
/** One statistics row per request (stats/stats-row.ts), written with every save of the record. */
const STATS_ROW = 'cfs';
/**
 * Set once, on a ledger that held no request yet (StartStatisticsIndex, run by network/deploy.sh):
 * from then on every request has its row, so the statistics read the rows. A simple key, outside
 * every composite range. On a ledger whose first requests were written before the rows existed
 * it is never set, and the statistics read the records, as before.
 */
const STATS_INDEX_MARKER = 'confirmationStatsIndex';

/**
 * Secondary indexes (LevelDB has no rich queries). Every key is unique to one request, so
 * issuing many requests in one transaction, or in parallel ones, never collides on a shared key.
 */
export const ConfirmationIndex = {
  ByFirm: 'cf~firm~id',
  ByEngagement: 'cf~firm~eng~id',
  ByClient: 'cf~client~id',
  ByResponder: 'cf~resp~id',
  /** Per party institution, so each party pages through its own requests only. */
  ByPartyState: 'cf~party~state~id',
  /** Waiting requests per party by due instant: ISO instants sort in time order, overdue first. */
  ByPartyDue: 'cf~party~due~id',
} as const;
export type ConfirmationIndex = (typeof ConfirmationIndex)[keyof typeof ConfirmationIndex];

function confirmationKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey(CONFIRMATION, [id]);
}

export function findConfirmation(ctx: Context, id: string): Promise<ConfirmationRequest | undefined> {
  return readJson<ConfirmationRequest>(ctx, confirmationKey(ctx, id));
}

export function getConfirmation(ctx: Context, id: string): Promise<ConfirmationRequest> {
  return readRequired<ConfirmationRequest>(ctx, confirmationKey(ctx, id), `confirmation ${id}`);
}

export function confirmationExists(ctx: Context, id: string): Promise<boolean> {
  return keyExists(ctx, confirmationKey(ctx, id));
}

function stableIndexes(request: ConfirmationRequest): [ConfirmationIndex, string[]][] {
  return [
    [ConfirmationIndex.ByFirm, [request.firmId, request.id]],
    [ConfirmationIndex.ByEngagement, [request.firmId, request.engagementId, request.id]],
    [ConfirmationIndex.ByClient, [request.clientId, request.id]],
  ];
}

/** The institutions that may see the request: the responder only once the letter was delivered. */
function partyIds(request: ConfirmationRequest): string[] {
  return [request.firmId, request.clientId, ...(request.sentAt ? [request.responderId] : [])];
}

function movingIndexes(request: ConfirmationRequest): [ConfirmationIndex, string[]][] {
  const dueAt = currentDueAt(request);
  return partyIds(request).flatMap((party): [ConfirmationIndex, string[]][] => [
    [ConfirmationIndex.ByPartyState, [party, request.state, request.id]],
    ...(dueAt ? [[ConfirmationIndex.ByPartyDue, [party, dueAt, request.id]] as [ConfirmationIndex, string[]]] : []),
  ]);
}

/** Writes the request and moves its state and due-date index entries with it. */
export async function saveConfirmation(ctx: Context, request: ConfirmationRequest, previous?: ConfirmationRequest): Promise<void> {
  await writeJson(ctx, confirmationKey(ctx, request.id), request);
  await writeJson(ctx, ctx.stub.createCompositeKey(STATS_ROW, [request.id]), statsRow(request));
  if (previous) {
    for (const [index, attributes] of movingIndexes(previous)) await deleteIndex(ctx, index, attributes);
  } else {
    for (const [index, attributes] of stableIndexes(request)) await putIndex(ctx, index, attributes);
  }
  // The responder's inbox entry is written at delivery (ClientAuthorize), not at issue: an index
  // key is in the block and in the responder's range reads, so it may exist only once the
  // responder may know of the request (issue 11).
  if (request.sentAt && !previous?.sentAt) await putIndex(ctx, ConfirmationIndex.ByResponder, [request.responderId, request.id]);
  for (const [index, attributes] of movingIndexes(request)) await putIndex(ctx, index, attributes);
}

export function confirmationHistory(ctx: Context, id: string): Promise<HistoryEntry<ConfirmationRequest>[]> {
  return readHistory<ConfirmationRequest>(ctx, confirmationKey(ctx, id));
}

export interface EngagementRecord extends Engagement {
  firmId: string;
}

/** Engagement ids are the firm's own; the first letter fixes client, period and as-of date. */
export function findEngagement(ctx: Context, firmId: string, engagementId: string): Promise<EngagementRecord | undefined> {
  return readJson<EngagementRecord>(ctx, ctx.stub.createCompositeKey(ENGAGEMENT, [firmId, engagementId]));
}

export function saveEngagement(ctx: Context, engagement: EngagementRecord): Promise<void> {
  return writeJson(ctx, ctx.stub.createCompositeKey(ENGAGEMENT, [engagement.firmId, engagement.id]), engagement);
}

/**
 * What the statistics read of every request on the channel, in id order (evaluate only: it pages):
 * the rows once the index was started on an empty ledger, else the whole records.
 */
export async function allStatsRows(ctx: Context): Promise<ConfirmationStatsRow[]> {
  const indexed = await readJson<{ startedAt: string }>(ctx, STATS_INDEX_MARKER);
  return indexed ? scanAll<ConfirmationStatsRow>(ctx, STATS_ROW) : scanAll<ConfirmationRequest>(ctx, CONFIRMATION);
}

/**
 * Starts the statistics rows' index: set when no request is on the ledger (every later one is
 * saved with its row), left unset when requests are (those have no row). Once set, again: no-op.
 * `started`: this transaction is the one that sets it — evaluated (a query), that means the index
 * is not started yet and a submit would start it. Reads at most one record key: cheap on any ledger.
 */
export async function startStatsIndex(ctx: Context, by: string): Promise<{ indexed: boolean; started: boolean }> {
  if (await readJson(ctx, STATS_INDEX_MARKER)) return { indexed: true, started: false };
  const iterator = await ctx.stub.getStateByPartialCompositeKey(CONFIRMATION, []);
  let empty = true;
  try {
    empty = (await iterator.next()).done;
  } finally {
    await iterator.close();
  }
  if (!empty) return { indexed: false, started: false };
  await writeJson(ctx, STATS_INDEX_MARKER, { startedAt: txTimeIso(ctx), by, txId: ctx.stub.getTxID() });
  return { indexed: true, started: true };
}
