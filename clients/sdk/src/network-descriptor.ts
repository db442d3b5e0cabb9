import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One node endpoint as the network scripts describe it (`network/up.sh` writes network.json). */
export interface NodeEndpoint {
  name: string;
  endpoint: string;
  /** TLS server name the node's certificate carries; we dial 127.0.0.1 but verify this name. */
  hostAlias: string;
  tlsRootCertPath: string;
  operationsUrl: string;
}

export interface OrdererEndpoint extends NodeEndpoint {
  adminEndpoint: string;
  /** The ordering org that runs it: OrdererMSP (Raft), or the institution's own, e.g. Bank1OrdererMSP (BFT). */
  mspId: string;
  /** Its name in the network scripts (orderer1 …): the pid file `run/<key>.pid`, `logs/<key>.log`. */
  key: string;
}

export interface IdentityFiles {
  name: string;
  role: string;
  institution?: string;
  certPath: string;
  keyPath: string;
}

export type OrgKind = 'operator' | 'bank' | 'firm' | 'regulator';

export interface OrgDescriptor {
  key: string;
  mspId: string;
  kind: OrgKind;
  peers: NodeEndpoint[];
  caCertPath: string;
  identities: IdentityFiles[];
}

export interface NetworkDescriptor {
  channel: string;
  /** The ordering service: 3 Raft orderers of one org, or 4 SmartBFT orderers of 4 orgs (`up.sh --bft`); absent in descriptors written before it was recorded: raft. */
  consensus?: 'raft' | 'bft';
  chaincode: { name: string; version: string; sequence: number; packageId: string };
  orgs: OrgDescriptor[];
  orderers: OrdererEndpoint[];
}

/** Where `network/up.sh` writes the descriptor unless ECONFIRM_NETWORK_DIR says otherwise. */
export function defaultDescriptorPath(repoRoot: string): string {
  const dir = process.env.ECONFIRM_NETWORK_DIR ?? path.join(repoRoot, '.network');
  return path.join(dir, 'network.json');
}

export function loadNetworkDescriptor(file: string): NetworkDescriptor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the network descriptor ${file} (is the network up?): ${(err as Error).message}`);
  }
  return assertDescriptor(parsed, file);
}

function assertDescriptor(value: unknown, file: string): NetworkDescriptor {
  const d = value as Partial<NetworkDescriptor>;
  if (typeof d?.channel !== 'string' || !Array.isArray(d.orgs) || !Array.isArray(d.orderers) || typeof d.chaincode?.name !== 'string') {
    throw new Error(`${file} is not an econfirm network descriptor (channel, chaincode, orgs, orderers expected)`);
  }
  return d as NetworkDescriptor;
}

export function findOrg(descriptor: NetworkDescriptor, orgKey: string): OrgDescriptor {
  const org = descriptor.orgs.find((o) => o.key === orgKey);
  if (!org) {
    throw new Error(`no org '${orgKey}' in the network descriptor (have: ${descriptor.orgs.map((o) => o.key).join(', ')})`);
  }
  return org;
}

/**
 * Whose peer an org's identities connect through by default: its own, or — for an org without a
 * peer (the second bank, the consortium's members) — the operator's, which hosts the peerless.
 */
export function defaultGatewayOrgKey(org: OrgDescriptor): string {
  return org.peers.length > 0 ? org.key : 'operator';
}

export function findIdentity(descriptor: NetworkDescriptor, orgKey: string, name: string): IdentityFiles {
  const org = findOrg(descriptor, orgKey);
  const identity = org.identities.find((i) => i.name === name);
  if (!identity) {
    throw new Error(`no identity '${name}' in org '${orgKey}' (have: ${org.identities.map((i) => i.name).join(', ')})`);
  }
  return identity;
}
