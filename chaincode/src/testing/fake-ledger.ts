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

interface Write {
  txId: string;
  seconds: number;
  value: Uint8Array | undefined;
}

interface KeyValue {
  namespace: string;
  key: string;
  value: Uint8Array;
}

/**
 * World state for unit tests: a sinon stub of ChaincodeStub over an in-memory sorted map, with
 * key history and a settable transaction clock. Each `as(identity)` gives a fresh Context as one
 * transaction would; writes are visible immediately (no MVCC).
 */
export class FakeLedger {
  readonly state = new Map<string, Uint8Array>();
  readonly history = new Map<string, Write[]>();
  readonly events: { name: string; payload: unknown }[] = [];
  private txCounter = 0;
  /** Like the peer's ledger.state.totalQueryLimit: an unpaginated range query returns at most this many. */
  totalQueryLimit = 100_000;
  /** Transaction time, seconds since the epoch. Default: Monday 2026-03-02T09:00:00Z. */
  nowSeconds = Date.UTC(2026, 2, 2, 9) / 1000;

  setNow(iso: string): void {
    this.nowSeconds = Date.parse(iso) / 1000;
  }

  as(identity: TestIdentity): Context {
    const txId = `tx${++this.txCounter}`;
    const seconds = this.nowSeconds;
    const stub = sinon.createStubInstance(ChaincodeStub);
    stub.createCompositeKey.callsFake(ChaincodeStub.prototype.createCompositeKey);
    stub.splitCompositeKey.callsFake(ChaincodeStub.prototype.splitCompositeKey);
    stub.getTxID.returns(txId);
    stub.getTxTimestamp.returns({ seconds: { toNumber: () => seconds }, nanos: 0 } as unknown as ReturnType<ChaincodeStub['getTxTimestamp']>);
    stub.getState.callsFake(async (key: string) => this.state.get(key) ?? new Uint8Array());
    stub.putState.callsFake(async (key: string, value: Uint8Array) => this.write(key, Buffer.from(value), txId, seconds));
    stub.deleteState.callsFake(async (key: string) => this.write(key, undefined, txId, seconds));
    stub.setEvent.callsFake((name: string, payload: Uint8Array) => {
      this.events.push({ name, payload: JSON.parse(Buffer.from(payload).toString('utf8')) });
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
    stub.getHistoryForKey.callsFake(((key: string) =>
      Promise.resolve(
        iterate(
          [...(this.history.get(key) ?? [])].reverse().map((write) => ({
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

  private write(key: string, value: Buffer | undefined, txId: string, seconds: number): void {
    if (value === undefined) this.state.delete(key);
    else this.state.set(key, value);
    const writes = this.history.get(key) ?? [];
    writes.push({ txId, seconds, value });
    this.history.set(key, writes);
  }

  private entriesInRange(startKey: string, endKey: string): KeyValue[] {
    return [...this.state.keys()]
      .filter((key) => key >= startKey && key < endKey)
      .sort()
      .map((key) => ({ namespace: 'econfirm', key, value: this.state.get(key) as Uint8Array }));
  }

  private entriesWithPrefix(prefix: string): KeyValue[] {
    return [...this.state.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort()
      .map((key) => ({ namespace: 'econfirm', key, value: this.state.get(key) as Uint8Array }));
  }
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
