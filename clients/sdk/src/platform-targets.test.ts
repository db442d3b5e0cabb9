import { common } from '@hyperledger/fabric-protos';
import type { Contract, Network, ProposalOptions } from '@hyperledger/fabric-gateway';
import { expect } from 'chai';
import { sealAnswer, SealedTransient } from '@econfirm/common';
import { platformTargets, withPlatformTargets } from './platform-targets';
import { evaluate, submitAndWait, type ContractOf } from './submit';

/** What the fake peers were asked: each proposal's options and each qscc height read's options. */
interface Asked {
  proposals: ProposalOptions[];
  evaluations: ProposalOptions[];
  heightReads: ProposalOptions[];
}

/**
 * A network whose read peer reports `heights` one after another (the last repeating), and a
 * contract whose every submit commits in block 7: enough of fabric-gateway's surface for the calls.
 */
function fakeNetwork(heights: number[]): { network: Network; contract: Contract; asked: Asked } {
  const asked: Asked = { proposals: [], evaluations: [], heightReads: [] };
  let read = 0;
  const qscc = {
    evaluate: async (_name: string, options: ProposalOptions) => {
      asked.heightReads.push(options);
      const info = new common.BlockchainInfo();
      info.setHeight(heights[Math.min(read++, heights.length - 1)] ?? 0);
      return info.serializeBinary();
    },
  };
  const network = { getName: () => 'econfirm', getContract: () => qscc } as unknown as Network;
  const contract = {
    getContractName: () => 'confirmation',
    newProposal: (_name: string, options: ProposalOptions) => {
      asked.proposals.push(options);
      // A sealed step's answer is sealed under the proposal's secret (sealed-steps.ts).
      const secret = options.transientData?.[SealedTransient.AnswerSecret];
      const result = typeof secret === 'string' ? new TextEncoder().encode(sealAnswer(Buffer.from(secret, 'hex'), 'tx1', '{}')) : new Uint8Array();
      return {
        endorse: async () => ({
          getTransactionId: () => 'tx1',
          submit: async () => ({ getStatus: async () => ({ successful: true, code: 0, blockNumber: 7n, transactionId: 'tx1' }), getResult: () => result }),
        }),
      };
    },
    evaluate: async (_name: string, options: ProposalOptions) => {
      asked.evaluations.push(options);
      return new Uint8Array();
    },
  } as unknown as Contract;
  return { network, contract, asked };
}

describe('platform targets: confirmation and cross-check calls go to the platform collection’s members (issue 11, step 2)', () => {
  it('marks the platform contracts only; a bank or firm reads on the operator’s peers, the regulator on its own', () => {
    const { network } = fakeNetwork([8]);
    const targetsOf = (name: 'confirmation' | 'crosscheck' | 'registry' | 'mortgage', mspId: string) => platformTargets(withPlatformTargets(fakeNetwork([8]).contract, name, mspId, network));
    expect(targetsOf('confirmation', 'Bank1MSP')).to.include({ network }).and.deep.include({ endorse: ['OperatorMSP', 'RegulatorMSP'], read: ['OperatorMSP'] });
    expect(targetsOf('crosscheck', 'Firm1MSP')?.read).to.deep.equal(['OperatorMSP']);
    expect(targetsOf('confirmation', 'RegulatorMSP')?.read).to.deep.equal(['RegulatorMSP']);
    expect(targetsOf('registry', 'Bank1MSP')).to.equal(undefined);
    expect(targetsOf('mortgage', 'Bank1MSP')).to.equal(undefined);
  });

  it('submitAndWait endorses on the members, then waits until the read peer has the block; evaluate reads on the read org', async () => {
    const { network, contract, asked } = fakeNetwork([6, 7, 8]); // the read peer commits block 7 on the third look
    const confirmation = withPlatformTargets(contract, 'confirmation', 'Firm1MSP', network) as ContractOf<'confirmation'>;
    const outcome = await submitAndWait(confirmation, 'Issue', { arguments: ['{}'] });
    expect(outcome.blockNumber).to.equal(7n);
    expect(asked.proposals.map((p) => p.endorsingOrganizations)).to.deep.equal([['OperatorMSP', 'RegulatorMSP']]);
    expect(asked.heightReads).to.have.length(3);
    for (const read of asked.heightReads) expect(read).to.deep.include({ arguments: ['econfirm'], endorsingOrganizations: ['OperatorMSP'] });
    // Another write committed in the same block: the read peer is known to have it, nothing asked.
    await submitAndWait(confirmation, 'BankAccept', { arguments: ['CF-1'] });
    expect(asked.heightReads).to.have.length(3);
    await evaluate(confirmation, 'GetConfirmation', ['CF-1']);
    expect(asked.evaluations).to.deep.equal([{ arguments: ['CF-1'], endorsingOrganizations: ['OperatorMSP'] }]);
  });

  it('an explicit endorsingOrganizations wins; any other contract keeps the plan the gateway derives and waits for nothing', async () => {
    const { network, contract, asked } = fakeNetwork([8]);
    await submitAndWait(withPlatformTargets(contract, 'confirmation', 'Bank1MSP', network) as ContractOf<'confirmation'>, 'BankAccept', { arguments: ['CF-1'], endorsingOrganizations: ['Bank1MSP', 'OperatorMSP'] });
    expect(asked.proposals[0]?.endorsingOrganizations).to.deep.equal(['Bank1MSP', 'OperatorMSP']);
    const registry = fakeNetwork([8]);
    await submitAndWait(withPlatformTargets(registry.contract, 'registry', 'OperatorMSP', registry.network) as ContractOf<'registry'>, 'RegisterInstitution', { arguments: ['{}'] });
    await evaluate(withPlatformTargets(registry.contract, 'registry', 'OperatorMSP', registry.network) as ContractOf<'registry'>, 'GetInstitution', ['BANK1']);
    expect(registry.asked.proposals[0]).to.not.have.property('endorsingOrganizations');
    expect(registry.asked.evaluations).to.deep.equal([{ arguments: ['BANK1'] }]);
    expect(registry.asked.heightReads).to.deep.equal([]);
  });

  it('a committed write is never reported failed because the read peer cannot be asked', async () => {
    const { network, contract } = fakeNetwork([8]);
    (network.getContract('qscc') as unknown as { evaluate: () => Promise<never> }).evaluate = async () => {
      throw new Error('read peer down');
    };
    const outcome = await submitAndWait(withPlatformTargets(contract, 'confirmation', 'Firm1MSP', network) as ContractOf<'confirmation'>, 'Issue', { arguments: ['{}'] });
    expect(outcome.transactionId).to.equal('tx1');
  });
});
