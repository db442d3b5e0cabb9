import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway, type Network, type Signer } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ContractName } from '@econfirm/common';
import { defaultGatewayOrgKey, findIdentity, findOrg, type NetworkDescriptor } from './network-descriptor';
import { withPlatformTargets } from './platform-targets';
import type { ContractOf } from './submit';

/** Explicit deadlines for every kind of gateway call: a stuck peer must never hang a caller. */
export interface CallDeadlines {
  evaluateMs: number;
  endorseMs: number;
  submitMs: number;
  commitStatusMs: number;
}

export const DEFAULT_DEADLINES: CallDeadlines = {
  evaluateMs: 10_000,
  endorseMs: 20_000,
  submitMs: 10_000,
  commitStatusMs: 60_000,
};

export interface OpenLedgerOptions {
  descriptor: NetworkDescriptor;
  orgKey: string;
  identityName: string;
  /** Whose peer to use as gateway peer (default the identity's own org's, or the operator's for an org without peers: defaultGatewayOrgKey). */
  gatewayOrgKey?: string;
  /** Which of that org's peers (default the first). */
  peerIndex?: number;
  deadlines?: Partial<CallDeadlines>;
  /** A gRPC client to that peer shared with other sessions (see peerClient); the session does not close it. */
  client?: grpc.Client;
  /**
   * Offline signing: the certificate only, no private key. The session can then only build
   * unsigned proposals (gateway.newProposal) that the key holder signs elsewhere.
   */
  offlineCertificate?: Uint8Array;
  /**
   * The identity's signer when its key is not a file, e.g. an HSM signer (fabric-gateway's
   * newHSMSignerFactory): the certificate still comes from the descriptor, its key file is never read.
   */
  signer?: Signer;
}

/** A connection to the channel as one identity; close() releases the gRPC channel. */
export interface LedgerSession {
  readonly gateway: Gateway;
  readonly network: Network;
  readonly mspId: string;
  /** One contract of the chaincode, typed by its name (common's CONTRACT_TRANSACTIONS): evaluate/submitAndWait then take only its transactions. */
  contract<C extends ContractName>(contractName: C): ContractOf<C>;
  close(): void;
}

/** A gRPC client to one peer of `gatewayOrgKey` (TLS verified against its host alias). */
export function peerClient(descriptor: NetworkDescriptor, gatewayOrgKey: string, peerIndex = 0): grpc.Client {
  const gatewayOrg = findOrg(descriptor, gatewayOrgKey);
  const peer = gatewayOrg.peers[peerIndex];
  if (!peer) {
    throw new Error(`org '${gatewayOrg.key}' runs no peer to use as gateway; pass gatewayOrgKey to connect through another org's peer`);
  }
  return new grpc.Client(peer.endpoint, grpc.credentials.createSsl(readFileSync(peer.tlsRootCertPath)), {
    'grpc.ssl_target_name_override': peer.hostAlias,
  });
}

export function openLedger(options: OpenLedgerOptions): LedgerSession {
  const { descriptor, orgKey, identityName } = options;
  const org = findOrg(descriptor, orgKey);
  const ownClient = options.client === undefined;
  const client = options.client ?? peerClient(descriptor, options.gatewayOrgKey ?? defaultGatewayOrgKey(org), options.peerIndex ?? 0);
  const files = options.offlineCertificate ? undefined : findIdentity(descriptor, orgKey, identityName);
  const deadlines = { ...DEFAULT_DEADLINES, ...options.deadlines };
  const gateway = connect({
    client,
    identity: { mspId: org.mspId, credentials: files ? readFileSync(files.certPath) : (options.offlineCertificate as Uint8Array) },
    signer: files ? (options.signer ?? signers.newPrivateKeySigner(createPrivateKey(readFileSync(files.keyPath)))) : undefined,
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + deadlines.evaluateMs }),
    endorseOptions: () => ({ deadline: Date.now() + deadlines.endorseMs }),
    submitOptions: () => ({ deadline: Date.now() + deadlines.submitMs }),
    commitStatusOptions: () => ({ deadline: Date.now() + deadlines.commitStatusMs }),
  });
  const network = gateway.getNetwork(descriptor.channel);
  return {
    gateway,
    network,
    mspId: org.mspId,
    contract: <C extends ContractName>(contractName: C) => withPlatformTargets(network.getContract(descriptor.chaincode.name, contractName), contractName, org.mspId, network) as ContractOf<C>,
    close: () => {
      gateway.close();
      if (ownClient) client.close();
    },
  };
}
