import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { networkDir } from '../support/institutions';

/** RSS in MB (one decimal) of every node the network's pid files name (peers, orderers, chaincode server, EVM node); NaN for one not running. */
export function nodesRssMB(): Record<string, number> {
  const run = path.join(networkDir(), 'run');
  const out: Record<string, number> = {};
  for (const file of readdirSync(run).filter((f) => f.endsWith('.pid')).sort()) {
    const pid = readFileSync(path.join(run, file), 'utf8').trim();
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      out[file.replace(/\.pid$/, '')] = Math.round((kb / 1024) * 10) / 10;
    } catch {
      out[file.replace(/\.pid$/, '')] = Number.NaN; // not running (a fault test may have stopped it)
    }
  }
  return out;
}

/** A variable of a running node's environment (`/proc/<pid>/environ`), or undefined when it is not set or the node is not running. */
export function nodeEnvironment(node: string, name: string): string | undefined {
  try {
    const pid = readFileSync(path.join(networkDir(), 'run', `${node}.pid`), 'utf8').trim();
    const entry = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith(`${name}=`));
    return entry?.slice(name.length + 1);
  } catch {
    return undefined;
  }
}

/** Issue 18: the whole small stack (4 peers, 3 orderers, chaincode, gateway, EVM node) at most 1 GiB at idle. */
export const SMALL_STACK_IDLE_GOAL_MB = 1024;

/** The stack's idle RSS: every node and the gateway, their sum, and whether it is within the goal. */
export function stackIdleMB(gatewayRssMB: number): { nodesMB: Record<string, number>; gatewayMB: number; totalMB: number; goalMB: number; met: boolean } {
  const nodesMB = nodesRssMB();
  const totalMB = Math.round((Object.values(nodesMB).filter(Number.isFinite).reduce((a, b) => a + b, 0) + gatewayRssMB) * 10) / 10;
  return { nodesMB, gatewayMB: gatewayRssMB, totalMB, goalMB: SMALL_STACK_IDLE_GOAL_MB, met: totalMB <= SMALL_STACK_IDLE_GOAL_MB };
}
