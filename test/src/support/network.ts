import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { chainInfo, defaultDescriptorPath, loadNetworkDescriptor, openLedger, type LedgerSession, type NetworkDescriptor } from '@econfirm/sdk';

/** test/dist/support → the repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export function descriptor(): NetworkDescriptor {
  return loadNetworkDescriptor(defaultDescriptorPath(REPO_ROOT));
}

/** Opens a session as `<orgKey>/<identityName>`; the caller closes it (use `withLedger`). */
export function session(orgKey: string, identityName: string, gatewayOrgKey?: string): LedgerSession {
  return openLedger({ descriptor: descriptor(), orgKey, identityName, gatewayOrgKey });
}

/**
 * The highest block any session of this process saw committed on its peer when it closed. Calls
 * of a test follow one another across orgs (the operator registers, the regulator approves at
 * once), and each org's peer commits a block a moment after another's; so a session opened after
 * another closed first waits until its own peer is as high (`withLedger`). CI failed on this race
 * now and then (integration/bft.test.ts: 'no such transaction ID in index').
 */
let highestSeen = -1n;

/** Runs `work` as `<orgKey>/<identityName>` and always closes the connection. */
export async function withLedger<T>(
  orgKey: string,
  identityName: string,
  work: (ledger: LedgerSession) => Promise<T>,
  gatewayOrgKey?: string,
): Promise<T> {
  const ledger = session(orgKey, identityName, gatewayOrgKey);
  try {
    await catchUp(ledger);
    return await work(ledger);
  } finally {
    await noteHeight(ledger);
    ledger.close();
  }
}

/**
 * Waits (bounded, quietly) for the session's peer to reach the highest block seen. Quietly: a test
 * may act as an identity that may not query the chain, or on a peer it has stopped; its own call
 * then answers for itself.
 */
async function catchUp(ledger: LedgerSession): Promise<void> {
  if (highestSeen < 0n) return;
  await untilCommitted(ledger, highestSeen, 10_000).catch(() => undefined);
}

async function noteHeight(ledger: LedgerSession): Promise<void> {
  const height = await chainInfo(ledger.network).then(
    (info) => info.height,
    () => 0n,
  );
  if (height - 1n > highestSeen) highestSeen = height - 1n;
}

/** A name no earlier run on the same (reused) network can have taken. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Runs one of the network's own scripts, as an operator would, e.g. identity.sh issue …. */
export function networkScript(script: string, ...args: string[]): string {
  return execFileSync(path.join(REPO_ROOT, 'network', script), args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Waits (bounded) until the peer a session evaluates on has committed block `blockNumber`. A write
 * is acknowledged when the writer's peer commits it; another org's peer commits the same block a
 * moment later, so a read as that org right after the write must wait for it, as any cross-org
 * client must (integration/receivable.test.ts, integration/mortgage.test.ts).
 */
export async function untilCommitted(ledger: LedgerSession, blockNumber: bigint, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await chainInfo(ledger.network)).height <= blockNumber) {
    if (Date.now() > deadline) throw new Error(`the peer of ${ledger.mspId}'s gateway has not committed block ${blockNumber} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
