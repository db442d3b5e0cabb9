import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { PLATFORM_COLLECTION, PLATFORM_COLLECTION_MSPS } from '@econfirm/common';
import { chainInfo, committedDefinition, evaluate, readBlock, submitAndWait, type LedgerSession } from '@econfirm/sdk';
import { isConfirmationStateKey, refusedByContract } from '../support/ledger-calls';
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

  it('from the block that started the private store on, no public write holds a key of the confirmation ledger; its writes are the collection’s hashes', async () => {
    // Read through bank1's peer, which is not a member: what any member's peer serves (qscc).
    const { publicKeys, privateWrites, startBlock } = await withLedger('bank1', 'admin', async (bank) => {
      const height = (await chainInfo(bank.network)).height;
      let start: bigint | undefined;
      const keys: string[] = [];
      let hashed = 0;
      for (let number = 0n; number < height; number++) {
        for (const transaction of (await readBlock(bank.network, number)).transactions) {
          if (!transaction.isValid) continue;
          for (const set of transaction.actions.flatMap((a) => a.readWriteSets).filter((rw) => rw.namespace === 'econfirm')) {
            if (set.writes.some((w) => w.key === 'confirmationPrivateStore')) start = number;
            if (start === undefined) continue;
            keys.push(...set.writes.map((w) => w.key).filter(isConfirmationStateKey));
            hashed += set.collections.filter((c) => c.collection === PLATFORM_COLLECTION).reduce((n, c) => n + c.writes.length, 0);
          }
        }
      }
      return { publicKeys: keys, privateWrites: hashed, startBlock: start };
    });
    expect(startBlock, 'network/deploy.sh started the private store (StartPrivateStore wrote its marker)').to.not.equal(undefined);
    expect(publicKeys, 'public writes of the confirmation ledger after the start').to.deep.equal([]);
    // The suites before this one issued requests: they went to the collection.
    expect(privateWrites, 'writes to the platform collection').to.be.greaterThan(0);
  });

  it('a confirmation read sent to a peer that is not a member cannot be answered; on the members it is the ledger’s', async () => {
    await withLedger('firm1', 'auditor1', async (firm) => {
      const unknownId = `CF-${randomBytes(6).toString('hex')}`;
      // Through the SDK, on the platform's read peer: an unknown id is NOT_FOUND, as ever.
      expect(await refused('NOT_FOUND', evaluate(firm.contract('confirmation'), 'GetConfirmation', [unknownId]))).to.contain(unknownId);
      // Sent to firm1's own peer, which holds neither the records nor the pseudonym key.
      const onOwnPeer = await firm
        .contract('confirmation')
        .evaluate('GetConfirmation', { arguments: [unknownId], endorsingOrganizations: ['Firm1MSP'] })
        .then(() => 'answered', (err: { message: string; details?: { message: string }[] }) => [err.message, ...(err.details ?? []).map((d) => d.message)].join(' '));
      expect(onOwnPeer).to.match(/pseudonym key|econfirmPlatform|private data|collection/i);
    });
  });

  it('the pseudonym key is set once (network/deploy.sh did it): a second key is refused ALREADY_EXISTS, any other identity FORBIDDEN', async () => {
    // Endorsed by the members' peers, which hold the collection: they see the key deploy.sh set.
    expect(await withLedger('operator', 'admin', (admin) => refused('ALREADY_EXISTS', setPseudonymKey(admin)))).to.include('cannot be replaced');
    for (const [org, name] of [['bank1', 'admin'], ['regulator', 'regulator1'], ['firm1', 'auditor1']] as const) {
      await withLedger(org, name, (ledger) => refused('FORBIDDEN', setPseudonymKey(ledger)));
    }
  });
});
