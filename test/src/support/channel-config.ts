import type { Network } from '@hyperledger/fabric-gateway';
import { readBlock } from '@econfirm/sdk';

/** The MSP ids of the channel's application orgs, read from the genesis (config) block. */
export async function applicationMspIds(network: Network): Promise<string[]> {
  const application = (await readBlock(network, 0n)).config?.getChannelGroup()?.getGroupsMap().get('Application');
  if (!application) {
    throw new Error('the genesis block carries no Application group');
  }
  return application
    .getGroupsMap()
    .getEntryList()
    .map(([name]: [string, unknown]) => name)
    .sort();
}
