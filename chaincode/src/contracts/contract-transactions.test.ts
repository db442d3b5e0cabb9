import { CONTRACT_TRANSACTIONS, type ContractName } from '@econfirm/common';
import { expect } from 'chai';
import { contracts } from '../index';

/** reflect-metadata's reader, which fabric-contract-api's decorators load and write through (annotations/transaction.js). */
const metadata = Reflect as unknown as { getMetadata(key: string, target: object): unknown };

/**
 * common's CONTRACT_TRANSACTIONS, the names the gateway and the clients call, is exactly what the
 * deployed contracts serve: each contract's name and its @Transaction methods (the metadata
 * fabric-contract-api's decorator records and the peer's chaincode reads).
 */
describe('the contract table of common (CONTRACT_TRANSACTIONS) and the chaincode', () => {
  const served = new Map(
    contracts.map((Contract) => {
      const contract = new Contract();
      const transactions = (metadata.getMetadata('fabric:transactions', Contract.prototype) as { name: string }[] | undefined) ?? [];
      return [contract.getName(), transactions.map((t) => t.name).sort()] as const;
    }),
  );

  it('names every contract the chaincode serves, and no other', () => {
    expect([...served.keys()].sort()).to.deep.equal(Object.keys(CONTRACT_TRANSACTIONS).sort());
  });

  for (const name of Object.keys(CONTRACT_TRANSACTIONS) as ContractName[]) {
    it(`lists exactly the transactions of the ${name} contract`, () => {
      expect([...CONTRACT_TRANSACTIONS[name]].sort()).to.deep.equal(served.get(name));
    });
  }
});
