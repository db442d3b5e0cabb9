import { EVIDENCE_ANCHOR_ABI, parseEvmDeployment, type EvmDeployment } from '@econfirm/common';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './network';

/** The network directory's EVM deployment (network/lib/evm.sh). */
export function evmDeployment(): EvmDeployment {
  const dir = process.env.ECONFIRM_NETWORK_DIR ?? path.join(REPO_ROOT, '.network');
  return parseEvmDeployment(readFileSync(path.join(dir, 'evm', 'deployment.json'), 'utf8'));
}

/** A JSON-RPC provider on the development node, without ethers' polling cache (tests read their own writes). */
export function evmProvider(deployment = evmDeployment()): JsonRpcProvider {
  return new JsonRpcProvider(deployment.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 200 });
}

/** EvidenceAnchor at the deployment's address, through the ABI econfirm's own code uses. */
export function anchorContract(runner: JsonRpcProvider | Wallet | Awaited<ReturnType<JsonRpcProvider['getSigner']>>, deployment = evmDeployment()): Contract {
  return new Contract(deployment.address, EVIDENCE_ANCHOR_ABI, runner);
}

/** The anchorer's wallet, from the key file the deployment names. */
export function anchorerWallet(provider: JsonRpcProvider, deployment = evmDeployment()): Wallet {
  return new Wallet(readFileSync(deployment.anchorerKeyFile, 'utf8').trim(), provider);
}
