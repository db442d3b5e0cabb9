import type { Network } from '@hyperledger/fabric-gateway';
import { common, msp } from '@hyperledger/fabric-protos';
import { X509Certificate } from 'node:crypto';
import { chainInfo, readBlock } from './blocks';

/** The configuration in force at block `number` (the one its LAST_CONFIG points to), through qscc. */
export async function channelConfigAt(network: Network, number: bigint): Promise<common.Config> {
  const index = (await readBlock(network, number)).lastConfigIndex;
  const config = (await readBlock(network, index)).config;
  if (!config) throw new Error(`block ${index} carries no channel configuration`);
  return config;
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
