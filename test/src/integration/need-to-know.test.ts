import { expect } from 'chai';
import { committedDefinition } from '@econfirm/sdk';
import { withLedger } from '../support/network';

/**
 * Issue 11 (chaincode/README.md, Need to know on the channel): the platform collection is part of
 * the committed chaincode definition, as any member reads it from the channel's `_lifecycle`.
 * Its members hold the plaintext; every other peer only the hashes.
 */
describe('need to know on the channel: the platform collection on the real Fabric network', function () {
  this.timeout(60_000);

  it('the committed econfirm definition carries econfirmPlatform, held by the operator and the regulator only', async () => {
    const definition = await withLedger('bank1', 'officer1', (ledger) => committedDefinition(ledger.network, 'econfirm'));
    expect(definition.sequence > 0n).to.be.true;
    const platform = definition.collections.find((collection) => collection.name === 'econfirmPlatform');
    expect(platform, `collections: ${definition.collections.map((c) => c.name).join(', ') || 'none'}`).to.not.be.undefined;
    expect(platform?.memberMspIds.slice().sort()).to.deep.equal(['OperatorMSP', 'RegulatorMSP']);
    // The parties' own identities submit and read (the chaincode's party checks decide): Fabric's
    // member-only checks would refuse a bank's or firm's client.
    expect(platform?.memberOnlyRead).to.equal(false);
    expect(platform?.memberOnlyWrite).to.equal(false);
    expect(platform?.blockToLive).to.equal(0);
  });
});
