import { expect } from 'chai';
import { unitIdempotencyStore } from '../testing/fixtures';
import { IdempotencyStore } from './idempotency.store';

describe('IdempotencyStore', function () {
  let store: IdempotencyStore;
  const t0 = 1_700_000_000_000;

  beforeEach(function () {
    store = unitIdempotencyStore();
  });

  it('the first request claims the key; a retry of the same request replays the stored outcome', function () {
    expect(store.begin('firm1', 'k', 'fp', t0)).to.deep.equal({ kind: 'claimed' });
    expect(store.begin('firm1', 'k', 'fp', t0 + 1)).to.deep.equal({ kind: 'in-progress' });
    store.complete('firm1', 'k', { status: 201, body: { id: 'CF-1' } });
    expect(store.begin('firm1', 'k', 'fp', t0 + 2)).to.deep.equal({ kind: 'replay', outcome: { status: 201, body: { id: 'CF-1' } } });
  });

  it('refuses the key for a different request, and keeps tenants apart', function () {
    store.begin('firm1', 'k', 'fp', t0);
    store.complete('firm1', 'k', { status: 200, body: null });
    expect(store.begin('firm1', 'k', 'other', t0)).to.deep.equal({ kind: 'mismatch' });
    expect(store.begin('bank1', 'k', 'other', t0)).to.deep.equal({ kind: 'claimed' });
  });

  it('a released claim (a retryable failure) can be claimed again; a stale pending claim is taken over', function () {
    store.begin('firm1', 'k', 'fp', t0);
    store.release('firm1', 'k');
    expect(store.begin('firm1', 'k', 'fp', t0)).to.deep.equal({ kind: 'claimed' });
    expect(store.begin('firm1', 'k', 'fp', t0 + 11 * 60_000)).to.deep.equal({ kind: 'claimed' });
  });

  it('forgets records older than the configured retention', function () {
    store.begin('firm1', 'k', 'fp', t0);
    store.complete('firm1', 'k', { status: 200, body: {} });
    expect(store.begin('firm1', 'k', 'other', t0 + 25 * 3600_000)).to.deep.equal({ kind: 'claimed' });
  });
});
