import { Context } from 'fabric-contract-api';
import { ErrorCode, HistoryEntry, LedgerError, Page } from '@econfirm/common';
import { marshal, unmarshal } from './marshal';
import { timestampMillis } from './tx-time';
import { invalid } from '../validation/field-reader';

interface ClosableIterator<T> {
  next(): Promise<{ value: T; done: boolean }>;
  close(): Promise<void>;
}

/** Maps every item of a shim iterator in order, always closing it. */
export async function drain<T, R>(iterator: ClosableIterator<T>, map: (item: T) => R | Promise<R>): Promise<R[]> {
  const results: R[] = [];
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) results.push(await map(next.value));
  } finally {
    await iterator.close();
  }
  return results;
}

/** Value stored under index keys: the key itself carries the data. */
export const INDEX_VALUE = new Uint8Array([0]);

export async function readJson<T>(ctx: Context, key: string): Promise<T | undefined> {
  const bytes = await ctx.stub.getState(key);
  return bytes && bytes.length > 0 ? unmarshal<T>(bytes) : undefined;
}

export async function readRequired<T>(ctx: Context, key: string, what: string): Promise<T> {
  const value = await readJson<T>(ctx, key);
  if (value === undefined) throw new LedgerError(ErrorCode.NotFound, `${what} does not exist`);
  return value;
}

export async function keyExists(ctx: Context, key: string): Promise<boolean> {
  const bytes = await ctx.stub.getState(key);
  return bytes !== undefined && bytes !== null && bytes.length > 0;
}

export async function writeJson(ctx: Context, key: string, value: unknown): Promise<void> {
  await ctx.stub.putState(key, marshal(value));
}

export async function putIndex(ctx: Context, indexName: string, attributes: string[]): Promise<void> {
  await ctx.stub.putState(ctx.stub.createCompositeKey(indexName, attributes), INDEX_VALUE);
}

export async function deleteIndex(ctx: Context, indexName: string, attributes: string[]): Promise<void> {
  await ctx.stub.deleteState(ctx.stub.createCompositeKey(indexName, attributes));
}

/** All index entries under a partial key, as their attribute lists (submit-safe: no pagination). */
export async function listIndex(ctx: Context, indexName: string, prefix: string[]): Promise<string[][]> {
  const iterator = await ctx.stub.getStateByPartialCompositeKey(indexName, prefix);
  return drain(iterator, (kv) => ctx.stub.splitCompositeKey(kv.key).attributes);
}

/**
 * One page of an index, each entry turned into a record by `load` (e.g. the last attribute is the
 * record id). Pagination is only allowed in evaluate (read-only) transactions.
 */
export async function readIndexPage<T>(
  ctx: Context,
  indexName: string,
  prefix: string[],
  pageSize: number,
  bookmark: string,
  load: (attributes: string[]) => Promise<T | undefined>,
): Promise<Page<T>> {
  const partialKey = ctx.stub.createCompositeKey(indexName, prefix);
  // The peer takes the bookmark as the range's start key and bounds only its end (issue 11): a
  // bookmark from before the caller's prefix would page through other parties' index keys.
  if (bookmark !== '' && !bookmark.startsWith(partialKey)) throw invalid('bookmark', 'is not a bookmark of this list');
  const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(indexName, prefix, pageSize, bookmark);
  const loaded = await drain(iterator, (kv) => load(ctx.stub.splitCompositeKey(kv.key).attributes));
  const records = loaded.filter((record): record is T => record !== undefined);
  // The shim leaves metadata out when the page is empty (e.g. a fresh ledger).
  return { records, bookmark: metadata?.bookmark ?? '', fetchedRecordsCount: metadata?.fetchedRecordsCount ?? 0 };
}

/**
 * Every record of a composite-key type, read page by page (evaluate only). One unpaginated range
 * query would stop silently at the peer's `ledger.state.totalQueryLimit` (100,000 by default):
 * pages of `pageSize` each stay under it, and the bookmarks go on to the end.
 */
export async function scanAll<T>(ctx: Context, objectType: string, pageSize = 1000): Promise<T[]> {
  const records: T[] = [];
  let bookmark = '';
  do {
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(objectType, [], pageSize, bookmark);
    records.push(...(await drain(iterator, (kv) => unmarshal<T>(kv.value))));
    bookmark = metadata?.bookmark ?? '';
  } while (bookmark !== '');
  return records;
}

export async function readHistory<T>(ctx: Context, key: string): Promise<HistoryEntry<T>[]> {
  const iterator = await ctx.stub.getHistoryForKey(key);
  return drain(iterator, ({ txId, timestamp, isDelete, value }) => ({
    txId,
    timestamp: new Date(timestampMillis(timestamp)).toISOString(),
    isDelete,
    value: !isDelete && value && value.length > 0 ? unmarshal<T>(value) : null,
  }));
}
