import type { Network } from '@hyperledger/fabric-gateway';
import { msp, peer } from '@hyperledger/fabric-protos';
import { evaluate, systemContract } from './submit';

/** A private data collection of a committed chaincode definition, as the channel holds it. */
export interface CommittedCollection {
  name: string;
  /** The MSP ids the member-orgs signature policy names. */
  memberMspIds: string[];
  requiredPeerCount: number;
  maximumPeerCount: number;
  blockToLive: number;
  memberOnlyRead: boolean;
  memberOnlyWrite: boolean;
}

/** The sequence and collections of the chaincode definition committed on the channel. */
export interface CommittedDefinition {
  sequence: bigint;
  version: string;
  collections: CommittedCollection[];
}

/** The MSP ids of the ROLE principals (e.g. `OperatorMSP.member`) of the member-orgs policy. */
function memberMspIds(config: peer.StaticCollectionConfig): string[] {
  const principals = config.getMemberOrgsPolicy()?.getSignaturePolicy()?.getIdentitiesList() ?? [];
  return principals
    .filter((principal) => principal.getPrincipalClassification() === msp.MSPPrincipal.Classification.ROLE)
    .map((principal) => msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8()).getMspIdentifier());
}

/**
 * Reads the committed definition of `chaincodeName` from the channel's `_lifecycle` (the same
 * answer as `peer lifecycle chaincode querycommitted`): what a member can check about which
 * collections the chaincode writes and who holds their plaintext (chaincode/README.md, Need to
 * know on the channel).
 */
export async function committedDefinition(network: Network, chaincodeName: string): Promise<CommittedDefinition> {
  const args = new peer.lifecycle.QueryChaincodeDefinitionArgs();
  args.setName(chaincodeName);
  const result = peer.lifecycle.QueryChaincodeDefinitionResult.deserializeBinary(
    await evaluate(systemContract(network, '_lifecycle'), 'QueryChaincodeDefinition', [args.serializeBinary()]),
  );
  const collections = (result.getCollections()?.getConfigList() ?? []).flatMap((entry): CommittedCollection[] => {
    const config = entry.getStaticCollectionConfig();
    if (!config) return [];
    return [
      {
        name: config.getName(),
        memberMspIds: memberMspIds(config),
        requiredPeerCount: config.getRequiredPeerCount(),
        maximumPeerCount: config.getMaximumPeerCount(),
        blockToLive: Number(config.getBlockToLive()),
        memberOnlyRead: config.getMemberOnlyRead(),
        memberOnlyWrite: config.getMemberOnlyWrite(),
      },
    ];
  });
  return { sequence: BigInt(result.getSequence()), version: result.getVersion(), collections };
}
