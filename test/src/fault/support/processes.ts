import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { networkDir } from '../../support/institutions';
import { REPO_ROOT } from '../../support/network';

const run = promisify(execFile);

/** A node of the network as network/node.sh names it. */
export type NodeName = 'orderer1' | 'orderer2' | 'orderer3' | 'operator' | 'bank1' | 'firm1' | 'regulator' | 'chaincode' | 'evm';

/** The port base the network was brought up with (network/up.sh records it). */
export function portBase(): number {
  return Number(process.env.ECONFIRM_PORT_BASE ?? readFileSync(path.join(networkDir(), 'port-base'), 'utf8').trim());
}

async function script(relative: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await run(path.join(REPO_ROOT, relative), args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${relative} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** The network's own process management (network/node.sh, network/up.sh): the suite writes none of its own. */
export const network = {
  /** SIGKILL the named nodes at once (one kill(1) call): a crash, not a shutdown. */
  kill: (...names: NodeName[]): Promise<string> => script('network/node.sh', ['kill', ...names]),
  /** Starts one stopped node as up.sh does and waits until it is healthy (an orderer: until Raft has a leader). */
  start: (name: NodeName): Promise<string> => script('network/node.sh', ['start', name]),
  /** The orderer leading the channel's Raft cluster now. */
  leader: async (): Promise<NodeName> => (await script('network/node.sh', ['leader'])) as NodeName,
  pid: async (name: NodeName): Promise<number | undefined> => {
    try {
      return Number(await script('network/node.sh', ['pid', name]));
    } catch {
      return undefined;
    }
  },
  /**
   * network/netcut.sh: `route` an org's peer to the orderers through toxiproxy (the peer restarted
   * on its own core.yaml), `cut` and `heal` that link, `unroute` it again; the script refuses an org without a peer.
   */
  netcut: (verb: 'route' | 'cut' | 'heal' | 'unroute', org: string): Promise<string> => script('network/netcut.sh', [verb, org]),
  /** network/up.sh: starts whatever is stopped (idempotent), what an operator runs after a power cut. */
  up: (): Promise<string> => script('network/up.sh', []),
};

/** scripts/gateway.sh for the fault suite's own gateway: its own folder and port beside any demo gateway. */
export function gatewayScript(dir: string, port: number): (command: 'start' | 'stop' | 'status' | 'backup' | 'restore', ...args: string[]) => Promise<string> {
  return (command, ...args) => script('scripts/gateway.sh', [command, ...args], { ECONFIRM_GATEWAY_DIR: dir, ECONFIRM_GATEWAY_PORT: String(port) });
}
