import { Context } from 'fabric-contract-api';
import { ConfirmationRequest, Engagement, ErrorCode, HistoryEntry, LedgerError, Page } from '@econfirm/common';
import { currentDueAt } from '../lifecycle/deadlines';
import { ConfirmationStatsRow, statsRow } from '../stats/stats-row';
import { placement, Placement, startPrivateStore } from './confirmation-placement';
import { drain, INDEX_VALUE, readHistory, readIndexPage, readJson, scanAll, writeJson } from './ledger';
import { unmarshal } from './marshal';
import { PLATFORM_COLLECTION, privatePartialRange, readPrivateIndexPage, readPrivateJson, scanPrivateByPseudonym, writePrivateJson } from './private-ledger';
import { txTimeIso } from './tx-time';

const CONFIRMATION = 'cf';
const ENGAGEMENT = 'eng';
/** One statistics row per request (stats/stats-row.ts), written with every save of the record. */
const STATS_ROW = 'cfs';
/**
 * A private record's versions, `cfv`[ρ(id), n]: Fabric keeps no history of private keys, so each
 * save of a private record also writes its version, which GetConfirmationHistory and the evidence
 * read as they read a public key's history.
 */
const VERSION = 'cfv';
/** Versions per record fit in 8 digits many times over; zero-padded so the range is in save order. */
const VERSION_DIGITS = 8;
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
 * In the private store the first attribute, the party, is its pseudonym ρ('party', id): the
 * blocks carry each private key's SHA-256, and one unguessable component is what keeps a member
 * from recomputing it; the rest stays in the clear (on the member peers only) so the lists keep
 * their id and due order.
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

type Where = 'public' | 'private';

/** A statistics row as the collection holds it: salted with its pseudonym, counting the record's versions. */
interface PrivateStatsRow extends ConfirmationStatsRow {
  ref: string;
  versions: number;
}

/** The keys of one request (or index entry) where it lives: plain ids in public state, pseudonyms in the collection. */
class Keys {
  constructor(
    private readonly ctx: Context,
    private readonly place: Placement,
    readonly where: Where,
  ) {}

  private composite(type: string, attributes: string[]): string {
    return this.ctx.stub.createCompositeKey(type, attributes);
  }

  private ref(id: string): string {
    return this.where === 'private' ? this.place.pseudonym(CONFIRMATION, id) : id;
  }

  record(id: string): string {
    return this.composite(CONFIRMATION, [this.ref(id)]);
  }

  row(id: string): string {
    return this.composite(STATS_ROW, [this.ref(id)]);
  }

  index(index: ConfirmationIndex, [party, ...rest]: string[]): string {
    return this.composite(index, [this.where === 'private' ? this.place.pseudonym('party', party) : party, ...rest]);
  }

  engagement(firmId: string, engagementId: string): string {
    return this.where === 'private'
      ? this.composite(ENGAGEMENT, [this.place.pseudonym(ENGAGEMENT, firmId, engagementId)])
      : this.composite(ENGAGEMENT, [firmId, engagementId]);
  }

  /**
   * A value whose every field a member could guess (a statistics row: ids, state, times; an
   * engagement: ids, dates) carries the pseudonym in the collection: the blocks hold SHA-256 of
   * each private value, which a member could otherwise recompute to confirm a guess. (A record
   * needs none: its ciphertexts are random.)
   */
  salted<T extends object>(value: T, ...pseudonymParts: string[]): T {
    return this.where === 'private' ? { ...value, ref: this.place.pseudonym(...pseudonymParts) } : value;
  }

  read<T>(key: string): Promise<T | undefined> {
    return this.where === 'private' ? readPrivateJson<T>(this.ctx, key) : readJson<T>(this.ctx, key);
  }

  write(key: string, value: unknown): Promise<void> {
    return this.where === 'private' ? writePrivateJson(this.ctx, key, value) : writeJson(this.ctx, key, value);
  }

  async putIndex(index: ConfirmationIndex, attributes: string[]): Promise<void> {
    const key = this.index(index, attributes);
    if (this.where === 'private') await this.ctx.stub.putPrivateData(PLATFORM_COLLECTION, key, INDEX_VALUE);
    else await this.ctx.stub.putState(key, INDEX_VALUE);
  }

  async deleteIndex(index: ConfirmationIndex, attributes: string[]): Promise<void> {
    const key = this.index(index, attributes);
    if (this.where === 'private') await this.ctx.stub.deletePrivateData(PLATFORM_COLLECTION, key);
    else await this.ctx.stub.deleteState(key);
  }

  async writeVersion(request: ConfirmationRequest, n: number): Promise<void> {
    const entry: HistoryEntry<ConfirmationRequest> = { txId: this.ctx.stub.getTxID(), timestamp: txTimeIso(this.ctx), isDelete: false, value: request };
    await writePrivateJson(this.ctx, this.composite(VERSION, [this.ref(request.id), String(n).padStart(VERSION_DIGITS, '0')]), entry);
  }

  /** Newest first, as a public key's history (evaluate only: a private range read). */
  async versions(id: string): Promise<HistoryEntry<ConfirmationRequest>[]> {
    const iterator = await privatePartialRange(this.ctx, VERSION, [this.ref(id)]);
    return (await drain(iterator, (kv) => unmarshal<HistoryEntry<ConfirmationRequest>>(kv.value))).reverse();
  }
}

/** Where a read looks, in order: the collection once the private store started, public state where public records may exist. */
async function readPlaces(ctx: Context): Promise<Keys[]> {
  const place = await placement(ctx);
  const places: Where[] = [...(place.private ? (['private'] as const) : []), ...(place.publicRecords ? (['public'] as const) : [])];
  return places.map((where) => new Keys(ctx, place, where));
}

/** Where new records go: the collection once the private store started, else public state. */
async function newKeys(ctx: Context): Promise<Keys> {
  const place = await placement(ctx);
  return new Keys(ctx, place, place.private ? 'private' : 'public');
}

/** The request and where it lives. */
async function locate(ctx: Context, id: string): Promise<{ request: ConfirmationRequest; keys: Keys } | undefined> {
  for (const keys of await readPlaces(ctx)) {
    const request = await keys.read<ConfirmationRequest>(keys.record(id));
    if (request) return { request, keys };
  }
  return undefined;
}

export async function findConfirmation(ctx: Context, id: string): Promise<ConfirmationRequest | undefined> {
  return (await locate(ctx, id))?.request;
}

export async function getConfirmation(ctx: Context, id: string): Promise<ConfirmationRequest> {
  const request = await findConfirmation(ctx, id);
  if (!request) throw new LedgerError(ErrorCode.NotFound, `confirmation ${id} does not exist`);
  return request;
}

export async function confirmationExists(ctx: Context, id: string): Promise<boolean> {
  return (await locate(ctx, id)) !== undefined;
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

/**
 * Writes the request and moves its state and due-date index entries with it — where it lives: a
 * new request where new records go, a stored one where it is (a public record stays public).
 */
export async function saveConfirmation(ctx: Context, request: ConfirmationRequest, previous?: ConfirmationRequest): Promise<void> {
  const keys = previous ? (await locate(ctx, previous.id))?.keys : await newKeys(ctx);
  if (!keys) throw new LedgerError(ErrorCode.NotFound, `confirmation ${request.id} does not exist`);
  await keys.write(keys.record(request.id), request);
  if (keys.where === 'private') {
    // The private row counts the versions: a range read of them would not be allowed here (Fabric
    // refuses private range queries in a transaction that writes).
    const versions = previous ? ((await keys.read<PrivateStatsRow>(keys.row(request.id)))?.versions ?? 0) : 0;
    await keys.writeVersion(request, versions);
    await keys.write(keys.row(request.id), { ...keys.salted(statsRow(request), CONFIRMATION, request.id), versions: versions + 1 });
  } else {
    await keys.write(keys.row(request.id), statsRow(request));
  }
  if (previous) {
    for (const [index, attributes] of movingIndexes(previous)) await keys.deleteIndex(index, attributes);
  } else {
    for (const [index, attributes] of stableIndexes(request)) await keys.putIndex(index, attributes);
  }
  // The responder's inbox entry is written at delivery (ClientAuthorize), not at issue: an index
  // key is in the responder's range reads (and, in public state, in the block), so it may exist
  // only once the responder may know of the request (issue 11).
  if (request.sentAt && !previous?.sentAt) await keys.putIndex(ConfirmationIndex.ByResponder, [request.responderId, request.id]);
  for (const [index, attributes] of movingIndexes(request)) await keys.putIndex(index, attributes);
}

/** Every version of the request, newest first: a public key's history, or a private record's version entries. */
export async function confirmationHistory(ctx: Context, id: string): Promise<HistoryEntry<ConfirmationRequest>[]> {
  const located = await locate(ctx, id);
  if (!located) return [];
  return located.keys.where === 'private' ? located.keys.versions(id) : readHistory<ConfirmationRequest>(ctx, located.keys.record(id));
}

/**
 * One page of a list, `prefix` starting with the party. In the private store the collection's
 * range comes first; where public records may exist, its last page's bookmark is the public
 * range's partial key, from which the public entries follow. Each bookmark must lie in the
 * caller's own range (readIndexPage, readPrivateIndexPage), whichever it is. `rangeDone`, asked
 * after the page is read, ends a range early (the overdue list stops at the first entry not due).
 */
export async function readConfirmationPage<T>(
  ctx: Context,
  index: ConfirmationIndex,
  prefix: string[],
  pageSize: number,
  bookmark: string,
  load: (attributes: string[]) => Promise<T | undefined>,
  rangeDone: () => boolean = () => false,
): Promise<Page<T>> {
  const place = await placement(ctx);
  const publicRange = ctx.stub.createCompositeKey(index, prefix);
  if (!place.private || (place.publicRecords && bookmark.startsWith(publicRange))) {
    const page = await readIndexPage(ctx, index, prefix, pageSize, bookmark === publicRange ? '' : bookmark, load);
    return rangeDone() ? { ...page, bookmark: '' } : page;
  }
  const [party, ...rest] = prefix;
  const page = await readPrivateIndexPage(ctx, index, [place.pseudonym('party', party), ...rest], pageSize, bookmark, (attributes) => load(attributes));
  const done = page.bookmark === '' || rangeDone();
  return done ? { ...page, bookmark: place.publicRecords ? publicRange : '' } : page;
}

export interface EngagementRecord extends Engagement {
  firmId: string;
}

/** Engagement ids are the firm's own; the first letter fixes client, period and as-of date. */
export async function findEngagement(ctx: Context, firmId: string, engagementId: string): Promise<EngagementRecord | undefined> {
  for (const keys of await readPlaces(ctx)) {
    const engagement = await keys.read<EngagementRecord>(keys.engagement(firmId, engagementId));
    if (engagement) return engagement;
  }
  return undefined;
}

/** A new engagement goes where new records go (one whose first letter was public keeps its public record). */
export async function saveEngagement(ctx: Context, engagement: EngagementRecord): Promise<void> {
  const keys = await newKeys(ctx);
  await keys.write(keys.engagement(engagement.firmId, engagement.id), keys.salted(engagement, ENGAGEMENT, engagement.firmId, engagement.id));
}

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * What the statistics read of every request on the channel, in id order (evaluate only: it pages):
 * the private rows, and the public ones — the rows once the index was started on an empty
 * ledger, else the whole records — where public records may exist.
 */
export async function allStatsRows(ctx: Context): Promise<ConfirmationStatsRow[]> {
  const place = await placement(ctx);
  const indexed = place.publicRecords ? await readJson<{ startedAt: string }>(ctx, STATS_INDEX_MARKER) : undefined;
  const publicRows = !place.publicRecords ? [] : indexed ? await scanAll<ConfirmationStatsRow>(ctx, STATS_ROW) : await scanAll<ConfirmationRequest>(ctx, CONFIRMATION);
  if (!place.private) return publicRows;
  return [...publicRows, ...(await scanPrivateByPseudonym<ConfirmationStatsRow>(ctx, STATS_ROW))].sort(byId);
}

/** Whether any public confirmation record exists. Reads at most one key: cheap on any ledger. */
async function anyPublicRecord(ctx: Context): Promise<boolean> {
  const iterator = await ctx.stub.getStateByPartialCompositeKey(CONFIRMATION, []);
  try {
    return !(await iterator.next()).done;
  } finally {
    await iterator.close();
  }
}

/**
 * Starts the statistics rows' index: set when no request is on the ledger (every later one is
 * saved with its row), left unset when requests are (those have no row). Once set, again: no-op.
 * `started`: this transaction is the one that sets it — evaluated (a query), that means the index
 * is not started yet and a submit would start it.
 */
export async function startStatsIndex(ctx: Context, by: string): Promise<{ indexed: boolean; started: boolean }> {
  if (await readJson(ctx, STATS_INDEX_MARKER)) return { indexed: true, started: false };
  if (await anyPublicRecord(ctx)) return { indexed: false, started: false };
  await writeJson(ctx, STATS_INDEX_MARKER, { startedAt: txTimeIso(ctx), by, txId: ctx.stub.getTxID() });
  return { indexed: true, started: true };
}

/** Starts the private store (state/confirmation-placement.ts): new records go to the platform collection. */
export function startConfirmationPrivateStore(ctx: Context, by: string): Promise<{ private: true; started: boolean; publicRecords: boolean }> {
  return startPrivateStore(ctx, by, () => anyPublicRecord(ctx));
}
