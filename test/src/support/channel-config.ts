import type { Network } from '@hyperledger/fabric-gateway';
import { readBlock } from '@econfirm/sdk';

/** The MSP ids of the channel's application orgs, read from a config block (default: the genesis block). */
export async function applicationMspIds(network: Network, configBlock = 0n): Promise<string[]> {
  const application = (await readBlock(network, configBlock)).config?.getChannelGroup()?.getGroupsMap().get('Application');
  if (!application) {
    throw new Error(`block ${configBlock} carries no Application group`);
  }
  return application
    .getGroupsMap()
    .getEntryList()
    .map(([name]: [string, unknown]) => name)
    .sort();
}
