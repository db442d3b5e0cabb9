import { LedgerCallError } from '@econfirm/sdk';

/**
 * One gateway serves many tenants, each through its own org's peer, and the peers commit the same
 * block moments apart. A step one tenant takes right after another tenant's commit (the bank's
 * reviewer approves, the auditor accepts at once) can be endorsed on the second tenant's peer
 * before that peer has the first one's block, and is refused as if it were not allowed:
 * INVALID_STATE_TRANSITION ("it is reply-prepared") or NOT_FOUND. The gateway keeps the highest
 * block its own writes committed in; on such a refusal, when the caller's peer is behind that
 * block, it waits (bounded) until the peer has it and asks once more (LedgerService).
 *
 * The caller's peer is not the only one that simulates the step: the Fabric gateway peer sends the
 * proposal to the other endorsers the policy needs (2 of 4 orgs, network/lib/common.sh), picked
 * from discovery's view of their heights, which lags. One of those may be the peer a block behind,
 * and the caller's own peer may have caught up between its refusal and the height read. So a
 * refusal that comes within RECENT_COMMIT_MS of this gateway's last commit is asked once more after
 * STALE_RETRY_PAUSE_MS even when the caller's peer is not behind (e2e evm-anchoring, CI: "cannot
 * AuditorAccept … it is reply-prepared" right after the reviewer's approval had committed). A
 * refusal long after the last commit is the ledger's answer at once. Asking again is safe: a
 * refusal is made at endorsement, nothing was ordered.
 */
export const STALE_REFUSAL_CODES: ReadonlySet<string> = new Set(['INVALID_STATE_TRANSITION', 'NOT_FOUND']);

/** How long a caller's peer is waited for to reach the gateway's last committed block. */
export const PEER_CATCH_UP_MS = 2_000;

/** A refusal this soon after the gateway's last commit may come from an endorser that lags. */
export const RECENT_COMMIT_MS = 3_000;

/** How long the other endorsers are given to commit that block before the step is asked again. */
export const STALE_RETRY_PAUSE_MS = 400;

/** A contract refusal that a peer a block or two behind would also give. */
export function maybeStaleRefusal(err: unknown): boolean {
  return err instanceof LedgerCallError && err.contractRefusal && STALE_REFUSAL_CODES.has(err.code);
}

export class CommittedHighWater {
  private highest = -1n;
  private notedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number = Date.now) {}

  /** The block a write of this gateway committed in. */
  note(blockNumber: bigint): void {
    if (blockNumber > this.highest) this.highest = blockNumber;
    this.notedAt = this.now();
  }

  get block(): bigint {
    return this.highest;
  }

  /**
   * Whether the peer whose chain height `height` reads was behind the high-water mark and has
   * caught up with it within `timeoutMs` — then a refused step is worth asking again. False when it
   * was not behind (the refusal is the ledger's answer) or is still behind when the time is up.
   */
  async caughtUp(height: () => Promise<bigint>, timeoutMs = PEER_CATCH_UP_MS, pollMs = 100): Promise<boolean> {
    const target = this.highest;
    if ((await height()) > target) return false;
    for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      if ((await height()) > target) return true;
    }
    return false;
  }

  /**
   * Whether a step refused as a lagging peer would refuse it is worth asking again: the caller's
   * peer was behind and has caught up (`caughtUp`), or this gateway committed a block moments ago,
   * so another endorser may have been behind; then after a pause (`pauseMs`) for it to commit.
   */
  async worthAskingAgain(height: () => Promise<bigint>, pauseMs = STALE_RETRY_PAUSE_MS, catchUpMs = PEER_CATCH_UP_MS, pollMs = 100): Promise<boolean> {
    const recent = this.now() - this.notedAt <= RECENT_COMMIT_MS;
    if (await this.caughtUp(height, catchUpMs, pollMs)) return true;
    if (!recent) return false;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    return true;
  }
}
