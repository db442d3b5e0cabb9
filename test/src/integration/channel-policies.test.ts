import { expect } from 'chai';
import { chainInfo, LedgerCallError, newInstitutionKeys, openLedger, RegistryClient, registrationInput, submitAndWait, type LedgerSession } from '@econfirm/sdk';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { freshRegistrationId, networkDir } from '../support/institutions';
import { descriptor, uniqueName, withLedger } from '../support/network';

/**
 * The channel's Application Readers and Writers (network/lib/generate.sh application_member_rule;
 * network/README.md, Consortium mode, point 3): Readers take any identity a member's MSP
 * validates — one MEMBER principal each, cheaper for Fabric to evaluate — while Writers take only
 * a member's admins and clients. So the key every peer host holds, the peer's own, reads the chain
 * but cannot submit anything: the endorser refuses it by the channel policy, before any chaincode
 * runs (ENDORSE_FAILED naming the policy, not a contract refusal). Widening Writers to MEMBER as well would fail the second case.
 */
describe('channel policies on the real network: a peer key reads the chain and cannot submit', function () {
  this.timeout(60_000);
  let ledger: LedgerSession;

  before(() => {
    // The operator's peer's own signing identity (cryptogen: OU=peer), as a session identity.
    const msp = path.join(networkDir(), 'crypto', 'peerOrganizations', 'operator.econfirm.net', 'peers', 'peer0.operator.econfirm.net', 'msp');
    const file = (dir: string): string => path.join(msp, dir, readdirSync(path.join(msp, dir))[0]);
    const network = descriptor();
    const operator = network.orgs.find((o) => o.key === 'operator');
    if (!operator) throw new Error('network.json has no operator org');
    operator.identities.push({ name: 'peer0-own-key', role: 'peer', certPath: file('signcerts'), keyPath: file('keystore') });
    ledger = openLedger({ descriptor: network, orgKey: 'operator', identityName: 'peer0-own-key' });
  });

  after(() => ledger.close());

  it('reads the chain with it: qscc answers (Readers: the MEMBER principal)', async () => {
    expect((await chainInfo(ledger.network)).height > 0n).to.be.true;
  });

  it('cannot submit with it: the endorser refuses it by /Channel/Application/Writers (admin and client only), nothing written', async () => {
    const id = uniqueName('PEERKEY').toUpperCase();
    const profile = { id, kind: 'enterprise' as const, mspId: 'OperatorMSP', nameZh: '节点密钥测试企业', nameEn: `Peer Key ${id}`, registrationId: freshRegistrationId('91K') };
    const refusal = await submitAndWait(ledger.contract('registry'), 'RegisterInstitution', { arguments: [JSON.stringify(registrationInput(profile, newInstitutionKeys(id)))] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal, 'the submit went through').to.be.instanceOf(LedgerCallError);
    expect((refusal as LedgerCallError).code).to.equal('ENDORSE_FAILED');
    expect((refusal as LedgerCallError).contractRefusal, 'refused by the chaincode, not by the channel').to.equal(false);
    expect((refusal as LedgerCallError).message).to.match(/policy \[\/Channel\/Application\/Writers\]: \[signature set did not satisfy policy\]/);
    const after = await withLedger('operator', 'admin', (admin) => new RegistryClient(admin).get(id).then(() => 'registered', (error: unknown) => (error instanceof LedgerCallError ? error.code : String(error))));
    expect(after).to.equal('NOT_FOUND');
  });
});
