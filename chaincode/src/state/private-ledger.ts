import { createHmac } from 'node:crypto';
import { Context } from 'fabric-contract-api';
import { canonicalJson, Page, PLATFORM_COLLECTION } from '@econfirm/common';
import { drain } from './ledger';
import { marshal, unmarshal } from './marshal';
import { invalid } from '../validation/field-reader';

/**
 * Private data of the platform collection (network/collections.json; chaincode/README.md, Need to
 * know on the channel): the plaintext lives on the member peers (operator, regulator) only, the
 * blocks carry SHA-256 of each key and value. These helpers are what a ledger moving its records
 * there builds on; each mirrors a public one of `ledger.ts`.
 */
export { PLATFORM_COLLECTION };

/** Fabric's end of a composite-key range: the partial key followed by the largest code point. */
const RANGE_END = '\u{10FFFF}';

const HEX_DIGITS = '0123456789abcdef';

type KeyValueIterator = { next(): Promise<{ value: { key: string; value: Uint8Array }; done: boolean }>; close(): Promise<void> };

/**
 * A range of a private collection, `[startKey, endKey)`, as an iterator. fabric-shim 2.5 resolves
 * getPrivateDataByRange to the handler's `{ iterator }` (the public range reads unwrap it; this one
 * does not: stub.js), which is taken apart here. Fabric refuses a private range query in a
 * transaction that writes (its transaction simulator: "Queries on pvt data is supported only in a
 * read-only transaction", and no write after one), so only evaluated transactions call this.
 */
export async function privateRange(ctx: Context, startKey: string, endKey: string, collection = PLATFORM_COLLECTION): Promise<KeyValueIterator> {
  const result = (await ctx.stub.getPrivateDataByRange(collection, startKey, endKey)) as unknown as KeyValueIterator | { iterator: KeyValueIterator };
  return 'iterator' in result ? result.iterator : result;
}

/** Every entry of a private composite-key range whose partial key is `type` and `attributes` (evaluate only, as privateRange). */
export function privatePartialRange(ctx: Context, type: string, attributes: string[], collection = PLATFORM_COLLECTION): Promise<KeyValueIterator> {
  const partialKey = ctx.stub.createCompositeKey(type, attributes);
  return privateRange(ctx, partialKey, `${partialKey}${RANGE_END}`, collection);
}

export async function readPrivateJson<T>(ctx: Context, key: string, collection = PLATFORM_COLLECTION): Promise<T | undefined> {
  const bytes = await ctx.stub.getPrivateData(collection, key);
  return bytes && bytes.length > 0 ? unmarshal<T>(bytes) : undefined;
}

export async function writePrivateJson(ctx: Context, key: string, value: unknown, collection = PLATFORM_COLLECTION): Promise<void> {
  await ctx.stub.putPrivateData(collection, key, marshal(value));
}

export async function deletePrivate(ctx: Context, key: string, collection = PLATFORM_COLLECTION): Promise<void> {
  await ctx.stub.deletePrivateData(collection, key);
}

/**
 * A keyed pseudonym: HMAC-SHA-256 under the platform's key of the canonical JSON of `parts`, hex.
 * The hashed read-write sets hash each key unsalted, so a key built from guessable parts (an
 * institution id, a state, a sequential request id) could be recomputed by any member from the
 * blocks; one built from pseudonyms cannot without the key. Deterministic on every endorser.
 */
export function pseudonym(key: Uint8Array, ...parts: string[]): string {
  if (key.length < 32) throw new Error('pseudonym key: fewer than 32 bytes');
  return createHmac('sha256', key).update(canonicalJson(parts)).digest('hex');
}

/**
 * One page of a private index. Private range reads have no pagination in Fabric, so the page is a
 * range from the bookmark (or the prefix) to the end of the prefix, read until `pageSize` entries
 * and one more (whose key is the next bookmark), then closed. As in `readIndexPage`, a bookmark
 * must lie inside the caller's own partial key: the range's start is the bookmark, and nothing
 * else would hold it there.
 */
export async function readPrivateIndexPage<T>(
  ctx: Context,
  indexName: string,
  prefix: string[],
  pageSize: number,
  bookmark: string,
  load: (attributes: string[], value: Uint8Array) => Promise<T | undefined>,
  collection = PLATFORM_COLLECTION,
): Promise<Page<T>> {
  const partialKey = ctx.stub.createCompositeKey(indexName, prefix);
  if (bookmark !== '' && !bookmark.startsWith(partialKey)) throw invalid('bookmark', 'is not a bookmark of this list');
  const iterator = await privateRange(ctx, bookmark || partialKey, `${partialKey}${RANGE_END}`, collection);
  const entries: { key: string; value: Uint8Array }[] = [];
  try {
    for (let next = await iterator.next(); !next.done && entries.length <= pageSize; next = await iterator.next()) {
      entries.push({ key: next.value.key, value: next.value.value });
    }
  } finally {
    await iterator.close();
  }
  const page = entries.slice(0, pageSize);
  const records: T[] = [];
  for (const { key, value } of page) {
    const record = await load(ctx.stub.splitCompositeKey(key).attributes, value);
    if (record !== undefined) records.push(record);
  }
  return { records, bookmark: entries[pageSize]?.key ?? '', fetchedRecordsCount: page.length };
}

/**
 * Every record of a composite-key type whose first attribute is a pseudonym (hex), read as 16
 * ranges by its first digit (evaluate only). An unbounded private range read stops silently at
 * the peer's `totalQueryLimit` and has no bookmark to go on from; 16 ranges each below the limit
 * hold 16 times as many. Records come back in key order.
 */
export async function scanPrivateByPseudonym<T>(ctx: Context, objectType: string, collection = PLATFORM_COLLECTION): Promise<T[]> {
  const base = ctx.stub.createCompositeKey(objectType, []);
  const records: T[] = [];
  for (const digit of HEX_DIGITS) {
    const iterator = await privateRange(ctx, `${base}${digit}`, `${base}${digit}${RANGE_END}`, collection);
    records.push(...(await drain(iterator, (kv) => unmarshal<T>(kv.value))));
  }
  return records;
}
