import { expect } from 'chai';
import { AtRestCipher } from '../database/at-rest-cipher';
import { openDatabase } from '../database/database.module';
import { unitConfig, unitIdempotencyStore } from '../testing/fixtures';
import { IdempotencyStore } from './idempotency.store';

describe('IdempotencyStore', function () {
  let store: IdempotencyStore;
  const t0 = 1_700_000_000_000;

  beforeEach(function () {
    store = unitIdempotencyStore();
  });

  it('the first request claims the key; a retry of the same request replays the stored outcome', function () {
    expect(store.begin('firm1', 'k', 'fp', t0)).to.deep.equal({ kind: 'claimed', earlier: [] });
    expect(store.begin('firm1', 'k', 'fp', t0 + 1)).to.deep.equal({ kind: 'in-progress' });
    store.complete('firm1', 'k', { status: 201, body: { id: 'CF-1' } });
    expect(store.begin('firm1', 'k', 'fp', t0 + 2)).to.deep.equal({ kind: 'replay', outcome: { status: 201, body: { id: 'CF-1' } } });
  });

  it('refuses the key for a different request, and keeps tenants apart', function () {
    store.begin('firm1', 'k', 'fp', t0);
    store.complete('firm1', 'k', { status: 200, body: null });
    expect(store.begin('firm1', 'k', 'other', t0)).to.deep.equal({ kind: 'mismatch' });
    expect(store.begin('bank1', 'k', 'other', t0)).to.deep.equal({ kind: 'claimed', earlier: [] });
  });

  it('a released claim (a retryable failure) can be claimed again; a stale pending claim is taken over', function () {
    store.begin('firm1', 'k', 'fp', t0);
    store.release('firm1', 'k');
    expect(store.begin('firm1', 'k', 'fp', t0)).to.deep.equal({ kind: 'claimed', earlier: [] });
    expect(store.begin('firm1', 'k', 'fp', t0 + 11 * 60_000)).to.deep.equal({ kind: 'claimed', earlier: [] });
  });

  it("a claim held by a gateway that died is taken over at once by the next process, with the transactions it sent to ordering", function () {
    const config = unitConfig();
    const db = openDatabase(':memory:');
    const crashed = new IdempotencyStore(db, config, new AtRestCipher(config.keysDir));
    expect(crashed.begin('firm1', 'k', 'fp', t0)).to.deep.equal({ kind: 'claimed', earlier: [] });
    crashed.recordTransaction('firm1', 'k', 0, 'tx-a');
    // Killed here: no complete(), no release(). The restarted gateway opens the same database.
    const restarted = new IdempotencyStore(db, config, new AtRestCipher(config.keysDir));
    expect(restarted.begin('firm1', 'k', 'fp', t0 + 5000)).to.deep.equal({ kind: 'claimed', earlier: ['tx-a'] });
    // Now it is the restarted process's own claim: a concurrent retry waits.
    expect(restarted.begin('firm1', 'k', 'fp', t0 + 5001)).to.deep.equal({ kind: 'in-progress' });
  });

  it('a 5xx after a transaction went to ordering keeps its id for the retry; before that, the claim is forgotten', function () {
    store.begin('firm1', 'k', 'fp', t0);
    store.recordTransaction('firm1', 'k', 0, 'tx-a');
    store.recordTransaction('firm1', 'k', 1, 'tx-b');
    store.release('firm1', 'k');
    expect(store.begin('firm1', 'k', 'fp', t0 + 1)).to.deep.equal({ kind: 'claimed', earlier: ['tx-a', 'tx-b'] });
    store.begin('firm1', 'j', 'fp', t0);
    store.release('firm1', 'j');
    expect(store.begin('firm1', 'j', 'other', t0 + 1)).to.deep.equal({ kind: 'claimed', earlier: [] });
  });

  it('forgets records older than the configured retention', function () {
    store.begin('firm1', 'k', 'fp', t0);
    store.complete('firm1', 'k', { status: 200, body: {} });
    expect(store.begin('firm1', 'k', 'other', t0 + 25 * 3600_000)).to.deep.equal({ kind: 'claimed', earlier: [] });
  });
});
