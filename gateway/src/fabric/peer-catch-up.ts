import { LedgerCallError } from '@econfirm/sdk';

/**
 * One gateway serves many tenants, each through its own org's peer, and the peers commit the same
 * block moments apart. A step one tenant takes right after another tenant's commit (the bank's
 * reviewer approves, the auditor accepts at once) can be endorsed on the second tenant's peer
 * before that peer has the first one's block, and is refused as if it were not allowed:
 * INVALID_STATE_TRANSITION ("it is reply-prepared") or NOT_FOUND. The gateway keeps the highest
 * block its own writes committed in; on such a refusal, when the caller's peer is behind that
 * block, it waits (bounded) until the peer has it and asks once more (LedgerService). A peer
 * that is not behind leaves the refusal as it is: then it is the ledger's answer.
 */
export const STALE_REFUSAL_CODES: ReadonlySet<string> = new Set(['INVALID_STATE_TRANSITION', 'NOT_FOUND']);

/** How long a caller's peer is waited for to reach the gateway's last committed block. */
export const PEER_CATCH_UP_MS = 2_000;

/** A contract refusal that a peer a block or two behind would also give. */
export function maybeStaleRefusal(err: unknown): boolean {
  return err instanceof LedgerCallError && err.contractRefusal && STALE_REFUSAL_CODES.has(err.code);
}

export class CommittedHighWater {
  private highest = -1n;

  /** The block a write of this gateway committed in. */
  note(blockNumber: bigint): void {
    if (blockNumber > this.highest) this.highest = blockNumber;
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
}
