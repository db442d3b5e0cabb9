import type { Network } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { evaluate } from '@econfirm/sdk';

/** The MSP ids of the channel's application orgs, read from the genesis (config) block. */
export async function applicationMspIds(network: Network): Promise<string[]> {
  const bytes = await evaluate(network.getContract('qscc'), 'GetBlockByNumber', [network.getName(), '0']);
  const block = common.Block.deserializeBinary(bytes);
  const envelope = common.Envelope.deserializeBinary(block.getData()?.getDataList_asU8()[0] ?? new Uint8Array());
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig();
  const application = config?.getChannelGroup()?.getGroupsMap().get('Application');
  if (!application) {
    throw new Error('the genesis block carries no Application group');
  }
  return application
    .getGroupsMap()
    .getEntryList()
    .map(([name]: [string, unknown]) => name)
    .sort();
}
