import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openDatabase } from '../database/database.module';
import { decodeEventData, EventDecodeError, type LedgerEvent } from './event-model';
import { OutboxStore } from './outbox.store';

const changed = (block: number, tx: string, id: string, state: string): LedgerEvent => ({
  type: 'ConfirmationChanged',
  blockNumber: BigInt(block),
  transactionId: tx,
  data: { ids: [id], state, action: 'X' },
});

describe('event checkpoint and outbox (SQLite)', function () {
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-outbox-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with no checkpoint, then resumes after the last recorded transaction across a reopen', function () {
    const file = path.join(dir, 'gw.db');
    let db = openDatabase(file);
    let store = new OutboxStore(db, 'econfirm/econfirm');
    expect(store.checkpoint.getBlockNumber()).to.equal(undefined);
    store.checkpoint.startAt(10n);
    expect(store.checkpoint.getBlockNumber()).to.equal(10n);
    expect(store.checkpoint.getTransactionId()).to.equal(undefined);
    store.record(changed(11, 'tx-a', 'CF-1', 'issued'), '2026-01-01T00:00:00.000Z', [{ tenantId: 'firm1', data: { ids: ['CF-1'], state: 'issued' } }]);
    store.record(changed(11, 'tx-b', 'CF-2', 'issued'), '2026-01-01T00:00:01.000Z', []);
    db.close();

    db = openDatabase(file);
    store = new OutboxStore(db, 'econfirm/econfirm');
    expect(store.checkpoint.getBlockNumber()).to.equal(11n);
    expect(store.checkpoint.getTransactionId()).to.equal('tx-b');
    expect(store.processed('tx-a')).to.equal(true);
    expect(store.processed('tx-b')).to.equal(true);
    expect(store.processed('tx-c')).to.equal(false);
    expect(store.list('firm1', 0, 10).map((e) => e.sequence)).to.deep.equal([1]);
    db.close();
  });

  it('numbers each tenant’s events 1, 2, 3… independently and never records a transaction twice', function () {
    const store = new OutboxStore(openDatabase(':memory:'), 's');
    const both = (id: string) => [
      { tenantId: 'firm1', data: { ids: [id] } },
      { tenantId: 'bank1', data: { ids: [id] } },
    ];
    store.record(changed(5, 't1', 'CF-1', 'issued'), 'ts1', [{ tenantId: 'firm1', data: { ids: ['CF-1'] } }]);
    store.record(changed(6, 't2', 'CF-1', 'authorized'), 'ts2', both('CF-1'));
    store.record(changed(6, 't3', 'CF-1', 'accepted'), 'ts3', both('CF-1'));
    expect(store.record(changed(6, 't3', 'CF-1', 'accepted'), 'ts3', both('CF-1'))).to.deep.equal([]);
    expect(store.list('firm1', 0, 10).map((e) => [e.sequence, e.transactionId])).to.deep.equal([
      [1, 't1'],
      [2, 't2'],
      [3, 't3'],
    ]);
    expect(store.list('bank1', 0, 10).map((e) => [e.sequence, e.transactionId])).to.deep.equal([
      [1, 't2'],
      [2, 't3'],
    ]);
    expect(store.list('firm1', 1, 1).map((e) => e.sequence)).to.deep.equal([2]);
    expect(store.lastSequence('firm1')).to.equal(3);
    expect(store.lastSequence('nobody')).to.equal(0);
    const event = store.get('bank1', 2);
    expect(event).to.deep.include({ type: 'ConfirmationChanged', ids: ['CF-1'], transactionId: 't3', blockNumber: '6', timestamp: 'ts3' });
  });

  it('filters by event type', function () {
    const store = new OutboxStore(openDatabase(':memory:'), 's');
    store.record(changed(1, 'a', 'CF-1', 'issued'), 't', [{ tenantId: 'x', data: { ids: ['CF-1'] } }]);
    store.record({ type: 'InstitutionRegistered', blockNumber: 2n, transactionId: 'b', data: { ids: ['BANK9'] } }, 't', [{ tenantId: 'x', data: { ids: ['BANK9'] } }]);
    expect(store.list('x', 0, 10, ['InstitutionRegistered']).map((e) => e.sequence)).to.deep.equal([2]);
    expect(store.list('x', 0, 10, []).map((e) => e.sequence)).to.deep.equal([1, 2]);
  });

  it('a skipped (unknown or malformed) event moves the checkpoint and counts as processed', function () {
    const store = new OutboxStore(openDatabase(':memory:'), 's');
    store.skip(7n, 'weird', 'SomethingElse');
    expect(store.checkpoint.getBlockNumber()).to.equal(7n);
    expect(store.checkpoint.getTransactionId()).to.equal('weird');
    expect(store.processed('weird')).to.equal(true);
  });
});

describe('decodeEventData', function () {
  const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

  it('keeps only id and state fields', function () {
    expect(decodeEventData('ConfirmationChanged', bytes({ id: 'CF-1', state: 'authorized', action: 'ClientAuthorize', balance: '1234.56' }))).to.deep.equal({
      ids: ['CF-1'],
      state: 'authorized',
      action: 'ClientAuthorize',
    });
    expect(decodeEventData('ConfirmationsIssued', bytes({ ids: ['CF-1', 'CF-2'], state: 'issued', engagementId: 'ENG-1' }))).to.deep.equal({
      ids: ['CF-1', 'CF-2'],
      state: 'issued',
      engagementId: 'ENG-1',
    });
    expect(decodeEventData('InstitutionUpdated', bytes({ id: 'BANK1', change: 'status', status: 'suspended' }))).to.deep.equal({
      ids: ['BANK1'],
      change: 'status',
      status: 'suspended',
    });
  });

  it('refuses payloads the chaincode does not emit', function () {
    expect(() => decodeEventData('ConfirmationChanged', Buffer.from('not json'))).to.throw(EventDecodeError);
    expect(() => decodeEventData('ConfirmationChanged', bytes({ state: 'issued' }))).to.throw(EventDecodeError);
    expect(() => decodeEventData('ConfirmationChanged', bytes({ id: 'CF 1 with spaces' }))).to.throw(EventDecodeError);
    expect(() => decodeEventData('ConfirmationsIssued', bytes({ ids: [] }))).to.throw(EventDecodeError);
    expect(() => decodeEventData('ConfirmationChanged', bytes({ id: 'CF-1', state: { nested: true } }))).to.throw(EventDecodeError);
  });
});
