import { Context } from 'fabric-contract-api';
import { ConfirmationRequest, Engagement, HistoryEntry } from '@econfirm/common';
import { currentDueAt } from '../lifecycle/deadlines';
import { deleteIndex, keyExists, putIndex, readHistory, readJson, readRequired, scanAll, writeJson } from './ledger';

const CONFIRMATION = 'cf';
const ENGAGEMENT = 'eng';

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

/** Every request, for the regulator's statistics (an evaluate-only scan of metadata). */
/** Every request on the channel (the regulator's statistics; evaluate only: it pages). */
export async function allConfirmations(ctx: Context): Promise<ConfirmationRequest[]> {
  return scanAll<ConfirmationRequest>(ctx, CONFIRMATION);
}
