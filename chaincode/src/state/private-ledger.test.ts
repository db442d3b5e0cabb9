import { expect } from 'chai';
import { ErrorCode, LedgerError } from '@econfirm/common';
import { FakeLedger } from '../testing/fake-ledger';
import { Who } from '../testing/fixtures';
import { PLATFORM_COLLECTION, privatePartialRange, pseudonym, readPrivateIndexPage, readPrivateJson, scanPrivateByPseudonym, writePrivateJson } from './private-ledger';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);

async function refusal(work: () => Promise<unknown>): Promise<LedgerError> {
  try {
    await work();
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error('accepted');
}

/** Writes index entries `idx` [party, n] in one transaction. */
async function writeIndex(ledger: FakeLedger, party: string, count: number): Promise<void> {
  const ctx = ledger.as(Who.admin);
  for (let n = 0; n < count; n += 1) {
    await writePrivateJson(ctx, ctx.stub.createCompositeKey('idx', [party, String(n).padStart(3, '0')]), { party, n });
  }
}

describe('private ledger helpers (the platform collection)', () => {
  it('writes plaintext to the collection only: public state stays empty and a non-member holds hashes', async () => {
    const ledger = new FakeLedger();
    const ctx = ledger.as(Who.admin);
    await writePrivateJson(ctx, ctx.stub.createCompositeKey('cf', ['CF-2026-000001']), { id: 'CF-2026-000001', clientId: 'CLIENT1', responderId: 'BANK1' });
    expect(await readPrivateJson(ctx, 'anything'), 'nothing committed yet').to.equal(undefined);
    const view = ledger.nonMemberView();
    expect(view.publicState.size).to.equal(0);
    expect(view.hashes).to.have.length(1);
    expect(JSON.stringify(view.hashes)).to.not.include('CF-2026-000001').and.not.include('CLIENT1');
    expect(view.hashes[0]?.collection).to.equal(PLATFORM_COLLECTION);
    expect(ledger.privateState(PLATFORM_COLLECTION).size).to.equal(1);
    const read = ledger.as(Who.admin);
    expect(await readPrivateJson(read, read.stub.createCompositeKey('cf', ['CF-2026-000001']))).to.deep.equal({ id: 'CF-2026-000001', clientId: 'CLIENT1', responderId: 'BANK1' });
  });

  it('pseudonyms are deterministic under one key, differ under another and per part list, and refuse a short key', () => {
    expect(pseudonym(KEY, 'BANK1', 'CF-1')).to.equal(pseudonym(KEY, 'BANK1', 'CF-1'));
    expect(pseudonym(KEY, 'BANK1', 'CF-1')).to.match(/^[0-9a-f]{64}$/);
    expect(pseudonym(KEY, 'BANK1', 'CF-1')).to.not.equal(pseudonym(OTHER_KEY, 'BANK1', 'CF-1'));
    // Canonical JSON of the list: no ambiguity between ['BANK1', 'CF-1'] and ['BANK1C', 'F-1'].
    expect(pseudonym(KEY, 'BANK1', 'CF-1')).to.not.equal(pseudonym(KEY, 'BANK1C', 'F-1'));
    expect(() => pseudonym(Buffer.alloc(16), 'x')).to.throw(/fewer than 32 bytes/);
  });

  it('pages through one prefix with bookmarks, in key order, and never into another party', async () => {
    const ledger = new FakeLedger();
    await writeIndex(ledger, 'A', 5);
    await writeIndex(ledger, 'B', 3);
    const seen: number[] = [];
    let bookmark = '';
    let pages = 0;
    do {
      const page = await readPrivateIndexPage(ledger.as(Who.admin), 'idx', ['A'], 2, bookmark, async (attributes) => Number(attributes[1]));
      expect(page.fetchedRecordsCount).to.equal(page.records.length);
      seen.push(...page.records);
      bookmark = page.bookmark;
      pages += 1;
    } while (bookmark !== '' && pages < 10);
    expect(seen).to.deep.equal([0, 1, 2, 3, 4]);
    expect(pages).to.equal(3);
  });

  it('refuses a bookmark outside the caller\'s prefix (the issue-11 walk into another party)', async () => {
    const ledger = new FakeLedger();
    await writeIndex(ledger, 'A', 2);
    await writeIndex(ledger, 'B', 2);
    const ctx = ledger.as(Who.admin);
    const walk = ctx.stub.createCompositeKey('idx', []);
    const err = await refusal(() => readPrivateIndexPage(ctx, 'idx', ['B'], 10, walk, async (attributes) => attributes));
    expect(err.code).to.equal(ErrorCode.InvalidArgument);
    expect(err.message).to.match(/bookmark: is not a bookmark of this list/);
    // A well-formed bookmark of another party's range is refused alike.
    const other = ctx.stub.createCompositeKey('idx', ['A', '001']);
    expect((await refusal(() => readPrivateIndexPage(ctx, 'idx', ['B'], 10, other, async (attributes) => attributes))).code).to.equal(ErrorCode.InvalidArgument);
  });

  it('an empty prefix gives an empty page without a bookmark', async () => {
    const page = await readPrivateIndexPage(new FakeLedger().as(Who.admin), 'idx', ['nobody'], 5, '', async (attributes) => attributes);
    expect(page).to.deep.equal({ records: [], bookmark: '', fetchedRecordsCount: 0 });
  });

  it('scans every record by the 16 ranges of its pseudonym, past a totalQueryLimit one range read would stop at', async () => {
    const ledger = new FakeLedger();
    ledger.totalQueryLimit = 10;
    const ctx = ledger.as(Who.admin);
    const ids = Array.from({ length: 60 }, (_, n) => `CF-${n}`);
    for (const id of ids) await writePrivateJson(ctx, ctx.stub.createCompositeKey('cf', [pseudonym(KEY, id)]), { id });
    const scanned = await scanPrivateByPseudonym<{ id: string }>(ledger.as(Who.admin), 'cf');
    expect(scanned.map((record) => record.id).sort()).to.deep.equal([...ids].sort());
    // What one unbounded range read returns: no more than the limit.
    const one = await privatePartialRange(ledger.as(Who.admin), 'cf', []);
    let count = 0;
    for (let next = await one.next(); !next.done; next = await one.next()) count += 1;
    expect(count).to.equal(10);
  });
});
