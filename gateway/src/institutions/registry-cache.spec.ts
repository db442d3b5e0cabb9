import type { Institution } from '@econfirm/common';
import { expect } from 'chai';
import { RegistryCache } from './registry-cache';

const record = (id: string, kid: string, updatedAt = '2026-01-01T00:00:00.000Z', status = 'active'): Institution =>
  ({ id, status, updatedAt, encryptionKey: { kid }, signingKey: { kid: `${kid}-sig` }, retiredKeys: [] }) as unknown as Institution;

describe('RegistryCache', function () {
  let now = 1_000_000;
  const clock = () => now;
  const cache = () => new RegistryCache({ ttlMs: 30_000, maxEntries: 3 }, clock);

  it('serves a kept record until its TTL, then not', function () {
    const c = cache();
    expect(c.put('BANK1', record('BANK1', 'enc-1'), c.generation('BANK1'))).to.equal(true);
    now += 29_999;
    expect(c.get('BANK1')?.encryptionKey.kid).to.equal('enc-1');
    now += 1;
    expect(c.get('BANK1')).to.equal(undefined);
  });

  it('an event drops the record at once (rotated keys, suspension): the next read goes to the ledger', function () {
    const c = cache();
    c.put('BANK1', record('BANK1', 'enc-1'), c.generation('BANK1'));
    c.put('FIRM1', record('FIRM1', 'f-enc-1'), c.generation('FIRM1'));
    c.invalidate('BANK1', '2026-02-01T00:00:00.000Z');
    expect(c.get('BANK1')).to.equal(undefined);
    expect(c.get('FIRM1')?.encryptionKey.kid).to.equal('f-enc-1');
  });

  it('a read that started before the event is not kept when it finishes after it', function () {
    const c = cache();
    const generation = c.generation('BANK1');
    c.invalidate('BANK1');
    expect(c.put('BANK1', record('BANK1', 'enc-1'), generation)).to.equal(false);
    expect(c.get('BANK1')).to.equal(undefined);
    expect(c.put('BANK1', record('BANK1', 'enc-2'), c.generation('BANK1'))).to.equal(true);
  });

  it('a record older than the event (a peer that has not committed its block) is not kept', function () {
    const c = cache();
    c.invalidate('BANK1', '2026-02-01T10:00:00.000Z');
    expect(c.put('BANK1', record('BANK1', 'enc-1', '2026-01-01T00:00:00.000Z'), c.generation('BANK1'))).to.equal(false);
    expect(c.get('BANK1')).to.equal(undefined);
    expect(c.put('BANK1', record('BANK1', 'enc-2', '2026-02-01T10:00:00.000Z', 'suspended'), c.generation('BANK1'))).to.equal(true);
    expect(c.get('BANK1')?.status).to.equal('suspended');
  });

  it('keeps at most maxEntries, dropping the oldest', function () {
    const c = cache();
    for (const id of ['A', 'B', 'C', 'D']) c.put(id, record(id, `${id}-1`), c.generation(id));
    expect(c.size).to.equal(3);
    expect(c.get('A')).to.equal(undefined);
    expect(c.get('D')?.id).to.equal('D');
  });

  it('ttlMs 0 disables it', function () {
    const c = new RegistryCache({ ttlMs: 0, maxEntries: 10 }, clock);
    expect(c.put('A', record('A', 'a'), c.generation('A'))).to.equal(false);
    expect(c.get('A')).to.equal(undefined);
  });
});
