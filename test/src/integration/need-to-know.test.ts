import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { PLATFORM_COLLECTION_MSPS } from '@econfirm/common';
import { committedDefinition, submitAndWait, type LedgerSession } from '@econfirm/sdk';
import { refusedByContract } from '../support/ledger-calls';
import { withLedger } from '../support/network';

/** SetPseudonymKey with fresh random bytes, endorsed by the collection's members. */
function setPseudonymKey(ledger: LedgerSession): Promise<unknown> {
  return submitAndWait(ledger.contract('confirmation'), 'SetPseudonymKey', {
    transientData: { pseudonymKey: randomBytes(32) },
    endorsingOrganizations: PLATFORM_COLLECTION_MSPS,
  });
}

const refused = refusedByContract;

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

  it('the pseudonym key is set once (network/deploy.sh did it): a second key is refused ALREADY_EXISTS, any other identity FORBIDDEN', async () => {
    // Endorsed by the members' peers, which hold the collection: they see the key deploy.sh set.
    expect(await withLedger('operator', 'admin', (admin) => refused('ALREADY_EXISTS', setPseudonymKey(admin)))).to.include('cannot be replaced');
    for (const [org, name] of [['bank1', 'admin'], ['regulator', 'regulator1'], ['firm1', 'auditor1']] as const) {
      await withLedger(org, name, (ledger) => refused('FORBIDDEN', setPseudonymKey(ledger)));
    }
  });
});
