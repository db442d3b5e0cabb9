import { EVIDENCE_ANCHOR_ABI } from '@econfirm/common';
import { AbiCoder, Contract, FetchRequest, Interface, JsonRpcProvider, keccak256, Network, Wallet, type Signer, type TransactionReceipt } from 'ethers';
import { readFileSync } from 'node:fs';
import type { AnchoringSettings } from '../config/gateway-config';
import { openHsmEvmSigner } from './hsm-evm-signer';

const ABI = new Interface(EVIDENCE_ANCHOR_ABI);

/** One JSON-RPC call may take this long (ethers' default is 5 minutes: a silent node would hold up a shutdown). */
const RPC_TIMEOUT_MS = 15_000;

/** ledgerRef = keccak256(abi.encode(string channel, uint64 blockNumber, string txId)) (contracts/README.md). */
export function ledgerRefOf(channel: string, blockNumber: bigint, txId: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'uint64', 'string'], [channel, blockNumber, txId]));
}

/** Where a root was anchored: the transaction whose EvidenceAnchored event carries it. */
export interface AnchorLocation {
  txHash: string;
  blockNumber: number;
  blockHash: string;
}

/** The name of the contract's custom error in a revert, if that is what failed. */
export function revertName(err: unknown): string | undefined {
  const data = (err as { data?: unknown; info?: { error?: { data?: unknown } } } | undefined)?.data ?? (err as { info?: { error?: { data?: unknown } } })?.info?.error?.data;
  if (typeof data !== 'string' || data.length < 10) return undefined;
  try {
    return ABI.parseError(data)?.name;
  } catch {
    return undefined;
  }
}

/** The anchorer's key: from its file (hex, first line) or environment variable — never from the config file itself. */
function anchorerKey(key: { file: string } | { env: string }, env: NodeJS.ProcessEnv): string {
  if ('env' in key) {
    const value = env[key.env];
    if (!value) throw new Error(`anchoring: the environment variable ${key.env} holding the anchorer key is not set`);
    return value.trim();
  }
  return readFileSync(key.file, 'utf8').split('\n')[0]?.trim() ?? '';
}

/**
 * EvidenceAnchor on the configured chain, through ethers over plain JSON-RPC: the gateway's only
 * road to the EVM side. The chain id is fixed by the config and checked against the node before
 * anything is sent, so no anchor lands on a chain the evidence would not name.
 */
export class EvmAnchorClient {
  private readonly contract: Contract;
  private chainChecked = false;

  private constructor(
    private readonly settings: AnchoringSettings,
    readonly provider: JsonRpcProvider,
    signer: Signer,
    readonly address: string,
    private readonly release: () => void,
  ) {
    this.contract = new Contract(settings.contractAddress, ABI, signer);
  }

  /**
   * The client with the anchorer's key: a Wallet over the key from its file or variable, or a
   * signer whose key stays in the PKCS#11 token (opened and checked here, so a key that cannot
   * sign stops the start-up).
   */
  static async open(settings: AnchoringSettings, env: NodeJS.ProcessEnv = process.env): Promise<EvmAnchorClient> {
    const endpoint = new FetchRequest(settings.rpcUrl);
    endpoint.timeout = RPC_TIMEOUT_MS;
    const provider = new JsonRpcProvider(endpoint, undefined, { staticNetwork: Network.from(BigInt(settings.chainId)), cacheTimeout: -1, batchMaxCount: 1 });
    try {
      if ('hsm' in settings.key) {
        const signer = await openHsmEvmSigner(settings.key.hsm, env, provider);
        return new EvmAnchorClient(settings, provider, signer, signer.address, () => signer.close());
      }
      const wallet = new Wallet(anchorerKey(settings.key, env), provider);
      return new EvmAnchorClient(settings, provider, wallet, wallet.address, () => undefined);
    } catch (err) {
      provider.destroy();
      throw err;
    }
  }

  /** Refuses a node on another chain than the configured one (asked once, then on every failure). */
  async checkChain(): Promise<void> {
    if (this.chainChecked) return;
    const reported = BigInt((await this.provider.send('eth_chainId', [])) as string);
    if (reported.toString() !== this.settings.chainId) throw new Error(`the JSON-RPC endpoint is on chain ${reported}, not the configured ${this.settings.chainId}`);
    this.chainChecked = true;
  }

  forgetChain(): void {
    this.chainChecked = false;
  }

  async isAnchored(root: string): Promise<boolean> {
    return (await this.contract.getFunction('isAnchored')(root)) as boolean;
  }

  async isAnchorer(): Promise<boolean> {
    const role = (await this.contract.getFunction('ANCHORER_ROLE')()) as string;
    return (await this.contract.getFunction('hasRole')(role, this.address)) as boolean;
  }

  /** Sends anchor(root, ledgerRef, uri); answers the transaction hash as soon as the node took it. */
  async send(root: string, ledgerRef: string, uri: string): Promise<string> {
    const tx = (await this.contract.getFunction('anchor')(root, ledgerRef, uri)) as { hash: string };
    return tx.hash;
  }

  receipt(txHash: string): Promise<TransactionReceipt | null> {
    return this.provider.getTransactionReceipt(txHash);
  }

  /** Whether any node-side trace of the transaction is left (mined or still in the pool). */
  async known(txHash: string): Promise<boolean> {
    return (await this.provider.getTransaction(txHash)) !== null;
  }

  head(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  async block(blockNumber: number): Promise<{ hash: string; timestamp: number } | undefined> {
    const block = await this.provider.getBlock(blockNumber);
    return block?.hash ? { hash: block.hash, timestamp: block.timestamp } : undefined;
  }

  /** The transaction that anchored `root`, from the contract's EvidenceAnchored event (topic 1 = root). */
  async locate(root: string): Promise<AnchorLocation | undefined> {
    const logs = await this.provider.getLogs({ address: this.settings.contractAddress, topics: [ABI.getEvent('EvidenceAnchored')?.topicHash ?? null, root], fromBlock: 0, toBlock: 'latest' });
    const log = logs[logs.length - 1];
    return log ? { txHash: log.transactionHash, blockNumber: log.blockNumber, blockHash: log.blockHash } : undefined;
  }

  close(): void {
    this.provider.destroy();
    this.release();
  }
}
