import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { IdleMemoryReclaim, type GcFunction } from './idle-reclaim';

describe('IdleMemoryReclaim: one memory-reducing collection per quiet spell', () => {
  let now: number;
  let calls: Parameters<GcFunction>[0][];
  const gc: GcFunction = (options) => void calls.push(options);
  beforeEach(() => {
    now = 1_000_000;
    calls = [];
  });
  /** A request through the middleware; `end()` finishes it. */
  const request = (reclaim: IdleMemoryReclaim) => {
    const res = new EventEmitter();
    let passed = false;
    reclaim.middleware({} as Request, res as unknown as Response, (() => (passed = true)) as NextFunction);
    expect(passed).to.equal(true);
    return { end: () => res.emit('close') };
  };

  it('collects (major, sync, last-resort) once the gateway has been quiet for idleMs since start-up, and only once', () => {
    const reclaim = new IdleMemoryReclaim(10_000, gc, () => now);
    now += 9_999;
    expect(reclaim.tick()).to.equal(false);
    now += 1;
    expect(reclaim.tick()).to.equal(true);
    expect(calls).to.deep.equal([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    now += 60_000;
    expect(reclaim.tick(), 'nothing happened since').to.equal(false);
    expect(reclaim.count).to.equal(1);
  });

  it("a request's start and its end are activity: the quiet spell starts again after each", () => {
    const reclaim = new IdleMemoryReclaim(10_000, gc, () => now);
    now += 20_000;
    const r = request(reclaim);
    now += 9_000;
    expect(reclaim.tick()).to.equal(false);
    r.end();
    now += 9_000;
    expect(reclaim.tick(), 'ended 9 s ago').to.equal(false);
    now += 1_000;
    expect(reclaim.tick()).to.equal(true);
    request(reclaim).end();
    now += 10_000;
    expect(reclaim.tick(), 'a new quiet spell, a new collection').to.equal(true);
    expect(calls).to.have.length(2);
  });

  it('does nothing without gc() (no --expose-gc) or with idleMs 0', () => {
    now += 60_000;
    expect(new IdleMemoryReclaim(10_000, undefined, () => now).tick()).to.equal(false);
    expect(new IdleMemoryReclaim(0, gc, () => now).tick()).to.equal(false);
    expect(calls).to.deep.equal([]);
  });
});
