import { expect } from 'chai';
import { backoffDelay, backoffSchedule, sleep } from './backoff';

describe('backoff', function () {
  it('doubles from the base delay and stops at the cap', function () {
    expect(backoffSchedule(6, 100, 1000)).to.deep.equal([100, 200, 400, 800, 1000]);
    expect(backoffDelay(1, 250, 60_000)).to.equal(250);
    expect(backoffDelay(40, 1, 5000)).to.equal(5000);
  });

  it('has no delay before a single attempt and refuses attempt numbers below 1', function () {
    expect(backoffSchedule(1, 100, 1000)).to.deep.equal([]);
    expect(() => backoffDelay(0, 100, 1000)).to.throw(RangeError);
    expect(() => backoffDelay(1.5, 100, 1000)).to.throw(RangeError);
  });

  it('sleep ends early when aborted', async function () {
    const stop = new AbortController();
    const started = Date.now();
    const pending = sleep(60_000, stop.signal);
    stop.abort();
    await pending;
    expect(Date.now() - started).to.be.below(60_000);
  });
});
