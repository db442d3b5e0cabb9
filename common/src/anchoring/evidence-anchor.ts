/**
 * The vocabulary of public EVM anchoring (contracts/README.md), shared by the gateway's anchoring
 * service, the evidence verifier and the tests: the part of EvidenceAnchor's ABI they call (in the
 * human-readable form ethers and viem read; test/src/integration/evm-anchor.test.ts checks it
 * against the compiled contract) and the deployment file network/lib/evm.sh writes.
 */
export const EVIDENCE_ANCHOR_ABI = [
  'function ANCHORER_ROLE() view returns (bytes32)',
  'function anchor(bytes32 root, bytes32 ledgerRef, string uri)',
  'function anchorOf(bytes32 root) view returns (tuple(bytes32 ledgerRef, address anchorer, uint64 timestamp, string uri))',
  'function isAnchored(bytes32 root) view returns (bool)',
  'function hasRole(bytes32 role, address account) view returns (bool)',
  'event EvidenceAnchored(bytes32 indexed root, bytes32 indexed ledgerRef, address indexed anchorer, uint64 timestamp)',
  'error AnchorUnauthorized(address account)',
  'error AnchorAlreadyExists(bytes32 root)',
  'error AnchorEmptyBatch()',
  'error AnchorEmptyLedgerRef()',
  'error AnchorNotFound(bytes32 root)',
] as const;

/** `$ECONFIRM_NETWORK_DIR/evm/deployment.json`, written by contracts/scripts/deploy-anchor.ts. */
export interface EvmDeployment {
  format: 'econfirm-evm-deployment/1';
  /** Decimal chain id. */
  chainId: string;
  rpcUrl: string;
  contract: 'EvidenceAnchor';
  address: string;
  deploymentTx: string;
  deploymentBlock: number;
  admin: string;
  anchorer: string;
  /** The anchorer's private key (hex), mode 0600. */
  anchorerKeyFile: string;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Parses a deployment file's JSON, refusing anything that is not one. */
export function parseEvmDeployment(text: string): EvmDeployment {
  const value = JSON.parse(text) as Partial<EvmDeployment> | null;
  if (value?.format !== 'econfirm-evm-deployment/1') throw new Error(`not an econfirm EVM deployment (format '${String(value?.format)}')`);
  if (typeof value.chainId !== 'string' || !/^[1-9]\d*$/.test(value.chainId)) throw new Error('deployment chainId: a decimal chain id');
  if (typeof value.address !== 'string' || !ADDRESS.test(value.address)) throw new Error('deployment address: a 20-byte hex address');
  if (typeof value.rpcUrl !== 'string' || !/^https?:\/\//.test(value.rpcUrl)) throw new Error('deployment rpcUrl: an http(s) URL');
  return value as EvmDeployment;
}
