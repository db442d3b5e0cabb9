import { LedgerCallError } from '@econfirm/sdk';
import { expect } from 'chai';
import { CommittedHighWater, RECENT_COMMIT_MS, maybeStaleRefusal } from './peer-catch-up';

/** A peer's chain height that grows by one block each time it is read after `lagReads` reads. */
function lagging(height: bigint, lagReads: number): { read: () => Promise<bigint>; reads: () => number } {
  let reads = 0;
  return {
    read: () => {
      reads++;
      return Promise.resolve(reads > lagReads ? height + BigInt(reads - lagReads) : height);
    },
    reads: () => reads,
  };
}

describe('peer catch-up after another tenant’s commit (fabric/peer-catch-up.ts)', function () {
  it('a peer behind the gateway’s last commit is waited for, and then the refused step is worth asking again', async function () {
    const mark = new CommittedHighWater();
    mark.note(41n);
    mark.note(40n); // an older commit does not lower the mark
    expect(mark.block).to.equal(41n);
    // Height 41 = blocks 0..40: block 41 is not there yet; it arrives after two more reads.
    const peer = lagging(41n, 2);
    expect(await mark.caughtUp(peer.read, 2_000, 5)).to.equal(true);
    expect(peer.reads()).to.equal(3);
  });

  it('a peer that already has the block leaves the refusal as it is (read once, no wait)', async function () {
    const mark = new CommittedHighWater();
    mark.note(41n);
    const peer = lagging(42n, 1_000);
    expect(await mark.caughtUp(peer.read, 2_000, 5)).to.equal(false);
    expect(peer.reads()).to.equal(1);
  });

  it('a peer still behind when the time is up is not asked again', async function () {
    const mark = new CommittedHighWater();
    mark.note(41n);
    expect(await mark.caughtUp(lagging(30n, 1_000_000).read, 50, 5)).to.equal(false);
  });

  it('a refusal moments after the gateway’s last commit is asked again after a pause even when the caller’s peer has the block (another endorser may lag)', async function () {
    let clock = 1_000_000;
    const mark = new CommittedHighWater(() => clock);
    mark.note(41n);
    clock += 150;
    const peer = lagging(42n, 1_000);
    const started = Date.now();
    expect(await mark.worthAskingAgain(peer.read, 30, 2_000, 5)).to.equal(true);
    expect(Date.now() - started).to.be.at.least(25);
    expect(peer.reads()).to.equal(1);
  });

  it('a refusal long after the last commit, on a peer that has the block, is the ledger’s answer: not asked again', async function () {
    let clock = 1_000_000;
    const mark = new CommittedHighWater(() => clock);
    mark.note(41n);
    clock += RECENT_COMMIT_MS + 1;
    expect(await mark.worthAskingAgain(lagging(42n, 1_000).read, 30, 2_000, 5)).to.equal(false);
  });

  it('a peer behind the last commit that catches up is asked again however long ago the commit was', async function () {
    let clock = 1_000_000;
    const mark = new CommittedHighWater(() => clock);
    mark.note(41n);
    clock += RECENT_COMMIT_MS * 10;
    expect(await mark.worthAskingAgain(lagging(41n, 2).read, 30, 2_000, 5)).to.equal(true);
  });

  it('only the refusals a lagging peer would give count: INVALID_STATE_TRANSITION and NOT_FOUND from the contract', function () {
    const refusal = (code: string, contractRefusal = true) => new LedgerCallError(code, `${code}: …`, 'endorse', 'AuditorAccept', 'tx1', contractRefusal);
    expect(maybeStaleRefusal(refusal('INVALID_STATE_TRANSITION'))).to.equal(true);
    expect(maybeStaleRefusal(refusal('NOT_FOUND'))).to.equal(true);
    expect(maybeStaleRefusal(refusal('FORBIDDEN'))).to.equal(false);
    expect(maybeStaleRefusal(refusal('UNAVAILABLE', false))).to.equal(false);
    expect(maybeStaleRefusal(new Error('NOT_FOUND'))).to.equal(false);
  });
});
