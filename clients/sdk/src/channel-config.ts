import type { Network } from '@hyperledger/fabric-gateway';
import { common, msp, orderer as ordererProtos } from '@hyperledger/fabric-protos';
import { X509Certificate } from 'node:crypto';
import { chainInfo, readBlock } from './blocks';
import { ordererSignatureProblems } from './orderer-signatures';

/**
 * The configuration in force at block `number` and the number of the block that carries it (the one
 * its LAST_CONFIG points to), through qscc. The pointer is taken only from a block the ordering
 * service signed: the block's orderer signatures must hold under the configuration it was cut in —
 * the one it names, or for a configuration block (which names itself) the one before — and under
 * BFT a quorum of that configuration's consenters, their ids mapped to their identities. The genesis
 * block is unsigned: it is the trust root (pin its hash, TrustAnchor, to trust it for a reason).
 */
export async function channelConfigInForce(network: Network, number: bigint): Promise<{ index: bigint; config: common.Config }> {
  const block = await readBlock(network, number);
  const index = BigInt(block.lastConfigIndex);
  if (index > number) throw new Error(`block ${number}'s LAST_CONFIG names block ${index}, after it`);
  const config = (index === number ? block : await readBlock(network, index)).config;
  if (!config) throw new Error(`block ${index} carries no channel configuration`);
  if (number > 0n) {
    const signing = index === number ? (await channelConfigInForce(network, number - 1n)).config : config;
    const problems = ordererSignatureProblems(block, ordererMspCertificates(signing), orderingServiceOf(signing));
    if (problems.length > 0) throw new Error(`block ${number} is not signed by the ordering service, so its LAST_CONFIG is not to be trusted: ${problems.join('; ')}`);
  }
  return { index, config };
}

/** The configuration in force at block `number` (channelConfigInForce: its LAST_CONFIG pointer, the block's orderer signatures checked). */
export async function channelConfigAt(network: Network, number: bigint): Promise<common.Config> {
  return (await channelConfigInForce(network, number)).config;
}

/**
 * The channel's current configuration: the one the last block's LAST_CONFIG pointer names (qscc,
 * readable by every channel member), so CA changes made by config updates after genesis are honoured.
 */
export async function currentChannelConfig(network: Network): Promise<common.Config> {
  return channelConfigAt(network, (await chainInfo(network)).height - 1n);
}

/** The Fabric MSP definitions of a configuration group's orgs ('Application' or 'Orderer'), by MSP id. */
export function mspConfigsOf(config: common.Config, group: 'Application' | 'Orderer'): Map<string, msp.FabricMSPConfig> {
  const orgs = config.getChannelGroup()?.getGroupsMap().get(group);
  if (!orgs) throw new Error(`the channel configuration has no ${group} group`);
  const found = new Map<string, msp.FabricMSPConfig>();
  orgs.getGroupsMap().forEach((org: common.ConfigGroup, name: string) => {
    const value = org.getValuesMap().get('MSP');
    if (!value) return;
    const fabric = msp.FabricMSPConfig.deserializeBinary(msp.MSPConfig.deserializeBinary(value.getValue_asU8()).getConfig_asU8());
    found.set(fabric.getName() || name, fabric);
  });
  return found;
}

/** The CA certificates (roots and intermediates) of every org's MSP of a configuration group, by MSP id. */
function mspCertificates(config: common.Config, group: 'Application' | 'Orderer', into = new Map<string, X509Certificate[]>()): Map<string, X509Certificate[]> {
  // A configuration without application orgs (a test chain, an orderer-only channel) has no such members.
  if (group === 'Application' && !config.getChannelGroup()?.getGroupsMap().get(group)) return into;
  mspConfigsOf(config, group).forEach((fabric, mspId) => {
    into.set(mspId, [...fabric.getRootCertsList_asU8(), ...fabric.getIntermediateCertsList_asU8()].map((pem) => new X509Certificate(Buffer.from(pem))));
  });
  return into;
}

/** The CA certificates (roots and intermediates) of every ordering org's MSP in the configuration, by MSP id. */
export function ordererMspCertificates(config: common.Config): Map<string, X509Certificate[]> {
  return mspCertificates(config, 'Orderer');
}

/** The CA certificates of every member org's MSP in the configuration — application and ordering orgs — by MSP id. */
export function memberMspCertificates(config: common.Config): Map<string, X509Certificate[]> {
  return mspCertificates(config, 'Application', mspCertificates(config, 'Orderer'));
}

/** One SmartBFT consenter as the channel configuration's consenter mapping (Orderer group value `Orderers`) names it. */
export interface Consenter {
  /** The id a BFT block signature's identifier header names. */
  id: number;
  mspId: string;
  /** Its signing certificate, PEM: the identity its block signatures verify under. */
  identity: Uint8Array;
  host: string;
  port: number;
  /** The TLS certificates (PEM) its cluster links present and serve. */
  clientTlsCert: Uint8Array;
  serverTlsCert: Uint8Array;
}

/** The ordering service a configuration sets up: its consensus type and, for BFT, the consenters and the quorum of signatures a block needs. */
export interface OrderingService {
  /** ConsensusType.type: 'etcdraft' or 'BFT'. */
  type: string;
  /** BFT only: the consenter mapping. */
  consenters?: readonly Consenter[];
  /** BFT only: signatures of distinct consenters a block needs (2f+1 of n = 3f+1). */
  quorum?: number;
}

/**
 * Fabric's BFT quorum (common/policies/bft.go ComputeBFTQuorum): with n consenters, f = ⌊(n−1)/3⌋
 * may be faulty and a block needs ⌈(n+f+1)/2⌉ signatures — 3 of 4, 5 of 7. configtxgen writes exactly
 * this as the Orderer group's BlockValidation policy of a BFT channel.
 */
export function bftQuorum(consenters: number): number {
  const faulty = Math.floor((consenters - 1) / 3);
  return Math.ceil((consenters + faulty + 1) / 2);
}

export function orderingServiceOf(config: common.Config): OrderingService {
  const orderer = config.getChannelGroup()?.getGroupsMap().get('Orderer');
  if (!orderer) throw new Error('the channel configuration has no Orderer group');
  const consensus = orderer.getValuesMap().get('ConsensusType');
  const type = consensus ? ordererProtos.ConsensusType.deserializeBinary(consensus.getValue_asU8()).getType() : '';
  if (type !== 'BFT') return { type };
  const mapping = orderer.getValuesMap().get('Orderers');
  if (!mapping) throw new Error('the channel configuration orders by BFT but has no consenter mapping (Orderer group value Orderers)');
  const consenters = common.Orderers.deserializeBinary(mapping.getValue_asU8())
    .getConsenterMappingList()
    .map((c) => ({ id: c.getId(), mspId: c.getMspId(), identity: c.getIdentity_asU8(), host: c.getHost(), port: c.getPort(), clientTlsCert: c.getClientTlsCert_asU8(), serverTlsCert: c.getServerTlsCert_asU8() }));
  return { type, consenters, quorum: bftQuorum(consenters.length) };
}
