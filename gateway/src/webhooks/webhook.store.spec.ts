import { expect } from 'chai';
import { openDatabase } from '../database/database.module';
import { WebhookStore, type Webhook } from './webhook.store';

describe('webhook delivery state (SQLite)', function () {
  const setup = (cursor = 0) => {
    const store = new WebhookStore(openDatabase(':memory:'));
    const hook = store.create({ tenantId: 'bank1', url: 'http://127.0.0.1:9/hook', events: [], active: true, cursor });
    return { store, hook };
  };
  const retryAt = (attempts: number) => 1_000_000 + attempts;

  it('a delivered event advances the cursor and clears the attempts', function () {
    const { store, hook } = setup();
    expect(store.recordAttempt(hook, 1, { ok: true, httpStatus: 204 }, 3, retryAt)).to.equal(true);
    const after = store.get('bank1', hook.id) as Webhook;
    expect(after).to.include({ cursor: 1, attempts: 0, nextAttemptAt: 0 });
    expect(store.attempts(hook.id).map((a) => [a.sequence, a.attempt, a.outcome, a.httpStatus])).to.deep.equal([[1, 1, 'delivered', 204]]);
  });

  it('failures schedule retries, then dead-letter at the limit and move on', function () {
    const { store, hook } = setup();
    store.recordAttempt(hook, 1, { ok: false, httpStatus: 503 }, 3, retryAt);
    let now = store.get('bank1', hook.id) as Webhook;
    expect(now).to.include({ cursor: 0, attempts: 1, nextAttemptAt: 1_000_001 });
    store.recordAttempt(now, 1, { ok: false, error: 'fetch failed (ECONNREFUSED)' }, 3, retryAt);
    now = store.get('bank1', hook.id) as Webhook;
    expect(now).to.include({ cursor: 0, attempts: 2, nextAttemptAt: 1_000_002 });
    store.recordAttempt(now, 1, { ok: false, httpStatus: 500 }, 3, retryAt);
    now = store.get('bank1', hook.id) as Webhook;
    expect(now).to.include({ cursor: 1, attempts: 0 });
    expect(store.deadLetters(hook.id)).to.have.length(1);
    expect(store.deadLetters(hook.id)[0]).to.include({ sequence: 1, attempts: 3, lastError: 'HTTP 500' });
    store.recordRedelivery(hook.id, 1, { ok: true, httpStatus: 200 });
    expect(store.deadLetter(hook.id, 1)).to.have.property('redeliveredAt');
    expect(store.deadLetters(hook.id, false)).to.deep.equal([]);
    expect(store.attempts(hook.id).map((a) => a.kind)).to.deep.equal(['scheduled', 'scheduled', 'scheduled', 'redelivery']);
  });

  it('a replay rewinds the cursor, and an attempt that was in flight meanwhile is not applied', function () {
    const { store, hook } = setup(5);
    const inFlight = store.get('bank1', hook.id) as Webhook;
    store.rewind('bank1', hook.id, 2);
    expect(store.recordAttempt(inFlight, 6, { ok: true }, 3, retryAt)).to.equal(false);
    expect(store.get('bank1', hook.id)).to.include({ cursor: 1 });
  });

  it('is tenant-scoped: another tenant cannot read, change or delete it', function () {
    const { store, hook } = setup();
    expect(store.get('firm1', hook.id)).to.equal(undefined);
    expect(store.update('firm1', hook.id, { active: false })).to.equal(undefined);
    expect(store.delete('firm1', hook.id)).to.equal(false);
    expect(store.list('firm1')).to.deep.equal([]);
    expect(store.update('bank1', hook.id, { active: false, events: ['ConfirmationChanged'] })).to.include({ active: false });
    expect(store.active()).to.deep.equal([]);
    expect(store.delete('bank1', hook.id)).to.equal(true);
  });
});
