import { createHash } from 'node:crypto';
import * as sinon from 'sinon';
import { ChaincodeStub, ClientIdentity } from 'fabric-shim';
import { Context } from 'fabric-contract-api';
import { IdentityAttribute, Role } from '@econfirm/common';

/** A test identity: MSP, role attribute, optional institution attribute, certificate id. */
export interface TestIdentity {
  mspId: string;
  role?: Role | string;
  institution?: string;
  id?: string;
}

export interface Write {
  txId: string;
  seconds: number;
  value: Uint8Array | undefined;
}

interface KeyValue {
  namespace: string;
  key: string;
  value: Uint8Array;
}

/** One transaction's write set and event, applied to the ledger when it commits. */
interface PendingTransaction {
  txId: string;
  seconds: number;
  /** Last write per key wins, as in a Fabric write set. */
  writes: Map<string, Uint8Array | undefined>;
  /** Private data writes, per collection, last write per key wins. */
  privateWrites: Map<string, Map<string, Uint8Array | undefined>>;
  /** Fabric keeps one event per transaction: the last setEvent wins. */
  event?: { name: string; payload: unknown };
  committed: boolean;
}

/**
 * World state for unit tests: a sinon stub of ChaincodeStub over an in-memory sorted map, with
 * key history and a settable transaction clock. Each `as(identity)` gives a fresh Context as one
 * transaction would, and reads like a peer's simulation: every read (getState, range queries,
 * history) sees the committed state, never the transaction's own writes, which are collected in
 * a write set. The transaction commits when the next one starts (`as`) or when the test reads
 * `state`, `history`, `events` or `snapshot()`; a Context is one transaction, so writing through
 * it after it committed is an error. There is no MVCC: transactions run one after the other.
 * A transaction that throws after writing still commits here, so "a refusal writes nothing" tests
 * stay strict (the chaincode must refuse before it writes).
 */
/** The id of the fake ledger's `n`th transaction: 64 hex digits, as Fabric's (SHA-256 of nonce and creator). */
export function fakeTxId(n: number): string {
  return createHash('sha256').update(`tx${n}`).digest('hex');
}

export class FakeLedger {
  private readonly committedState = new Map<string, Uint8Array>();
  private readonly committedHistory = new Map<string, Write[]>();
  private readonly committedEvents: { name: string; payload: unknown }[] = [];
  /** Private data collections as a member peer holds them (collection → key → value). */
  private readonly committedPrivate = new Map<string, Map<string, Uint8Array>>();
  private pending: PendingTransaction | undefined;
  private txCounter = 0;
  /** Like the peer's ledger.state.totalQueryLimit: an unpaginated range query returns at most this many. */
  totalQueryLimit = 100_000;
  /** Transaction time, seconds since the epoch. Default: Monday 2026-03-02T09:00:00Z. */
  nowSeconds = Date.UTC(2026, 2, 2, 9) / 1000;

  setNow(iso: string): void {
    this.nowSeconds = Date.parse(iso) / 1000;
  }

  /** The committed world state (key → value). */
  get state(): ReadonlyMap<string, Uint8Array> {
    this.commit();
    return this.committedState;
  }

  /** Committed writes per key, oldest first. */
  get history(): ReadonlyMap<string, readonly Write[]> {
    this.commit();
    return this.committedHistory;
  }

  /** A private data collection's committed plaintext, as a member peer holds it (key → value). */
  privateState(collection: string): ReadonlyMap<string, Uint8Array> {
    this.commit();
    return this.committedPrivate.get(collection) ?? new Map<string, Uint8Array>();
  }

  /**
   * What a peer that is not a member of any collection holds: public state as it is, and per
   * collection only SHA-256 of each key and value (hex), as the hashed read-write sets carry them.
   */
  nonMemberView(): { publicState: ReadonlyMap<string, Uint8Array>; hashes: { collection: string; keyHash: string; valueHash: string }[] } {
    this.commit();
    const hashes = [...this.committedPrivate.entries()].flatMap(([collection, entries]) =>
      [...entries.entries()].map(([key, value]) => ({ collection, keyHash: sha256Hex(Buffer.from(key, 'utf8')), valueHash: sha256Hex(value) })),
    );
    return { publicState: this.committedState, hashes };
  }

  /** The event of each committed transaction that set one, in order. */
  get events(): readonly { name: string; payload: unknown }[] {
    this.commit();
    return this.committedEvents;
  }

  /** `transient`: the proposal's transient map, each value JSON-encoded unless it is a string or bytes (taken as they are). */
  as(identity: TestIdentity, transient: Record<string, unknown> = {}): Context {
    this.commit();
    const txId = fakeTxId(++this.txCounter);
    const seconds = this.nowSeconds;
    const tx: PendingTransaction = { txId, seconds, writes: new Map(), privateWrites: new Map(), committed: false };
    this.pending = tx;
    // Like the peer's transaction simulator (Fabric lockbased_txmgr): a transaction that queries a
    // range of private data may not write, and one that wrote may not query one.
    let privateRangeQueried = false;
    const refuseWriteAfterPrivateQuery = (): void => {
      if (privateRangeQueried) throw new Error(`txid [${txId}]: Transaction has already performed queries on pvt data. Writes are not allowed`);
    };
    /** The peer's refusal of a private range query after a write, as the shim's rejected promise; undefined when allowed. */
    const refusePrivateQueryAfterWrite = (): Promise<never> | undefined => {
      if (tx.writes.size > 0 || tx.privateWrites.size > 0) return Promise.reject(new Error(`GET_STATE_BY_RANGE failed: txid [${txId}]: Queries on pvt data is supported only in a read-only transaction`));
      privateRangeQueried = true;
      return undefined;
    };
    const record = (key: string, value: Uint8Array | undefined): void => {
      if (tx.committed) throw new Error(`FakeLedger: transaction ${txId} has committed; a Context is one transaction — take a new ledger.as(…)`);
      refuseWriteAfterPrivateQuery();
      tx.writes.set(key, value);
    };
    const recordPrivate = (collection: string, key: string, value: Uint8Array | undefined): void => {
      if (tx.committed) throw new Error(`FakeLedger: transaction ${txId} has committed; a Context is one transaction — take a new ledger.as(…)`);
      refuseWriteAfterPrivateQuery();
      const writes = tx.privateWrites.get(collection) ?? new Map<string, Uint8Array | undefined>();
      writes.set(key, value);
      tx.privateWrites.set(collection, writes);
    };
    const stub = sinon.createStubInstance(ChaincodeStub);
    stub.createCompositeKey.callsFake(ChaincodeStub.prototype.createCompositeKey);
    stub.splitCompositeKey.callsFake(ChaincodeStub.prototype.splitCompositeKey);
    stub.getTxID.returns(txId);
    const transientMap = new Map(Object.entries(transient).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8')]));
    stub.getTransient.returns(transientMap as unknown as ReturnType<ChaincodeStub['getTransient']>);
    stub.getTxTimestamp.returns({ seconds: { toNumber: () => seconds }, nanos: 0 } as unknown as ReturnType<ChaincodeStub['getTxTimestamp']>);
    stub.getState.callsFake(async (key: string) => this.committedState.get(key) ?? new Uint8Array());
    stub.putState.callsFake(async (key: string, value: Uint8Array) => record(key, Buffer.from(value)));
    stub.deleteState.callsFake(async (key: string) => record(key, undefined));
    stub.setEvent.callsFake((name: string, payload: Uint8Array) => {
      if (tx.committed) throw new Error(`FakeLedger: transaction ${txId} has committed`);
      tx.event = { name, payload: JSON.parse(Buffer.from(payload).toString('utf8')) };
    });
    stub.getStateByPartialCompositeKey.callsFake(((type: string, attributes: string[]) =>
      Promise.resolve(iterate(this.entriesWithPrefix(stub.createCompositeKey(type, attributes)).slice(0, this.totalQueryLimit)))) as unknown as ChaincodeStub['getStateByPartialCompositeKey']);
    stub.getStateByPartialCompositeKeyWithPagination.callsFake(((type: string, attributes: string[], pageSize: number, bookmark?: string) => {
      // Like the peer: the bookmark is the range's start key, and only the end key (the partial
      // key followed by U+10FFFF) bounds the range — nothing holds a bookmark inside the prefix.
      const partial = stub.createCompositeKey(type, attributes);
      const all = this.entriesInRange(bookmark || partial, `${partial}\u{10FFFF}`);
      const page = all.slice(0, pageSize);
      const next = all[pageSize]?.key ?? '';
      // Like the real shim: an empty page comes back without metadata.
      const metadata = page.length === 0 ? undefined : { fetchedRecordsCount: page.length, bookmark: next };
      return Promise.resolve({ iterator: iterate(page), metadata });
    }) as unknown as ChaincodeStub['getStateByPartialCompositeKeyWithPagination']);
    // Private data reads, like a member peer's simulation: committed data only, no own writes.
    // Fabric keeps no history for private data, so getHistoryForKey knows only public keys.
    stub.getPrivateData.callsFake(async (collection: string, key: string) => this.committedPrivate.get(collection)?.get(key) ?? new Uint8Array());
    stub.getPrivateDataHash.callsFake(async (collection: string, key: string) => {
      const value = this.committedPrivate.get(collection)?.get(key);
      return value ? createHash('sha256').update(value).digest() : new Uint8Array();
    });
    stub.putPrivateData.callsFake(async (collection: string, key: string, value: Uint8Array) => recordPrivate(collection, key, Buffer.from(value)));
    stub.deletePrivateData.callsFake(async (collection: string, key: string) => recordPrivate(collection, key, undefined));
    // Like the peer: start key inclusive, end key exclusive, at most totalQueryLimit results. Like
    // fabric-shim 2.5 (stub.js getPrivateDataByRange): the promise resolves to the handler's
    // result, `{ iterator }`, not to the iterator as the public range reads do.
    stub.getPrivateDataByRange.callsFake(((collection: string, startKey: string, endKey: string) => {
      return refusePrivateQueryAfterWrite() ?? Promise.resolve({ iterator: iterate(this.privateEntriesInRange(collection, startKey || '\x01', endKey).slice(0, this.totalQueryLimit)) });
    }) as unknown as ChaincodeStub['getPrivateDataByRange']);
    stub.getPrivateDataByPartialCompositeKey.callsFake(((collection: string, type: string, attributes: string[]) => {
      const partial = stub.createCompositeKey(type, attributes);
      return refusePrivateQueryAfterWrite() ?? Promise.resolve({ iterator: iterate(this.privateEntriesInRange(collection, partial, `${partial}\u{10FFFF}`).slice(0, this.totalQueryLimit)) });
    }) as unknown as ChaincodeStub['getPrivateDataByPartialCompositeKey']);
    stub.getHistoryForKey.callsFake(((key: string) =>
      Promise.resolve(
        iterate(
          [...(this.committedHistory.get(key) ?? [])].reverse().map((write) => ({
            txId: write.txId,
            isDelete: write.value === undefined,
            value: write.value ?? new Uint8Array(),
            timestamp: { seconds: { toNumber: () => write.seconds }, nanos: 0 },
          })),
        ),
      )) as unknown as ChaincodeStub['getHistoryForKey']);

    const ctx = new Context();
    ctx.stub = stub;
    ctx.clientIdentity = fakeIdentity(identity);
    return ctx;
  }

  eventNames(): string[] {
    return this.events.map((event) => event.name);
  }

  lastEvent(): { name: string; payload: unknown } | undefined {
    return this.events[this.events.length - 1];
  }

  /** Snapshot of state, to prove a refused transaction wrote nothing. */
  snapshot(): string {
    return JSON.stringify([...this.state.entries()].map(([k, v]) => [k, Buffer.from(v).toString('hex')]));
  }

  /** Applies the open transaction's write set and event (a no-op when none is open). */
  commit(): void {
    const tx = this.pending;
    if (!tx) return;
    this.pending = undefined;
    tx.committed = true;
    for (const [key, value] of tx.writes) {
      if (value === undefined) this.committedState.delete(key);
      else this.committedState.set(key, value);
      const writes = this.committedHistory.get(key) ?? [];
      writes.push({ txId: tx.txId, seconds: tx.seconds, value });
      this.committedHistory.set(key, writes);
    }
    for (const [collection, writes] of tx.privateWrites) {
      const entries = this.committedPrivate.get(collection) ?? new Map<string, Uint8Array>();
      for (const [key, value] of writes) {
        if (value === undefined) entries.delete(key);
        else entries.set(key, value);
      }
      this.committedPrivate.set(collection, entries);
    }
    if (tx.event) this.committedEvents.push(tx.event);
  }

  private privateEntriesInRange(collection: string, startKey: string, endKey: string): KeyValue[] {
    const entries = this.committedPrivate.get(collection) ?? new Map<string, Uint8Array>();
    return [...entries.keys()]
      .filter((key) => key >= startKey && key < endKey)
      .sort()
      .map((key) => ({ namespace: 'econfirm', key, value: entries.get(key) as Uint8Array }));
  }

  private entriesInRange(startKey: string, endKey: string): KeyValue[] {
    return [...this.state.keys()]
      .filter((key) => key >= startKey && key < endKey)
      .sort()
      .map((key) => ({ namespace: 'econfirm', key, value: this.state.get(key) as Uint8Array }));
  }

  private entriesWithPrefix(prefix: string): KeyValue[] {
    return [...this.committedState.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort()
      .map((key) => ({ namespace: 'econfirm', key, value: this.committedState.get(key) as Uint8Array }));
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function iterate<T>(items: T[]): { next(): Promise<{ value: T; done: boolean }>; close(): Promise<void> } {
  let index = 0;
  return {
    next: async () => (index < items.length ? { value: items[index++], done: false } : { value: undefined as unknown as T, done: true }),
    close: async () => undefined,
  };
}

function fakeIdentity(identity: TestIdentity): ClientIdentity {
  const attributes: Record<string, string | undefined> = {
    [IdentityAttribute.Role]: identity.role,
    [IdentityAttribute.Institution]: identity.institution,
  };
  return {
    getMSPID: () => identity.mspId,
    getID: () => identity.id ?? `x509::CN=${identity.role ?? 'user'}@${identity.institution ?? identity.mspId}::CN=ca`,
    getAttributeValue: (name: string) => attributes[name] ?? null,
  } as unknown as ClientIdentity;
}
