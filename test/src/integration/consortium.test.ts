import { expect } from 'chai';
import { LedgerCallError, RegistryClient, loadNetworkDescriptor, openLedger } from '@econfirm/sdk';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { applicationMspIds } from '../support/channel-config';
import { REPO_ROOT, uniqueName } from '../support/network';

/**
 * The full consortium of the banking association's platform — 37 banks and 89 audit firms as
 * channel members — on its own network (own directory and ports), wiped afterwards.
 */
describe('the 126-org consortium network', function () {
  this.timeout(600_000);
  const env = {
    ...process.env,
    ECONFIRM_NETWORK_DIR: path.join(REPO_ROOT, '.network-consortium'),
    // Beside the main network's ports (base … base+79, gateway base+393), whatever base that is, so
    // several checkouts on one machine each run this suite without colliding.
    ECONFIRM_PORT_BASE: String(Number(process.env.ECONFIRM_PORT_BASE ?? 7050) + 2100),
    ECONFIRM_CONSORTIUM: 'full',
  };
  const script = (name: string, ...args: string[]): string =>
    execFileSync(path.join(REPO_ROOT, 'network', name), args, { cwd: REPO_ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const descriptorFile = path.join(env.ECONFIRM_NETWORK_DIR, 'network.json');

  before(() => {
    script('clean.sh');
    script('up.sh', '--consortium');
  });
  after(() => {
    script('clean.sh');
  });

  it('has 37 banks and 89 firms besides the operator and the regulator in the channel configuration', async () => {
    const descriptor = loadNetworkDescriptor(descriptorFile);
    const ledger = openLedger({ descriptor, orgKey: 'regulator', identityName: 'regulator1' });
    try {
      const msps = await applicationMspIds(ledger.network);
      expect(msps.filter((m) => /^Bank\d+MSP$/.test(m))).to.have.lengthOf(37);
      expect(msps.filter((m) => /^Firm\d+MSP$/.test(m))).to.have.lengthOf(89);
      expect(msps).to.include.members(['OperatorMSP', 'RegulatorMSP']);
      expect(msps).to.have.lengthOf(128);
    } finally {
      ledger.close();
    }
  });

  it('admits a 129th member by a config update only once the Application Admins policy is met, and serves it from then on', async () => {
    // One signer of the two the policy asks (lib/generate.sh): the orderer refuses, the channel keeps 128 members.
    expect(() => script('org.sh', 'add', 'bank38', '--signers', 'operator')).to.throw(/refused adding Bank38MSP \(signed by operator\).*signature set did not satisfy policy/s);
    // The org exists now (its CA made the certificate) but the channel does not know it: every peer refuses it.
    const name = uniqueName('officer');
    script('identity.sh', 'issue', 'bank38', name, 'bank-officer');
    const listAsNewcomer = async (): Promise<number> => {
      const ledger = openLedger({ descriptor: loadNetworkDescriptor(descriptorFile), orgKey: 'bank38', identityName: name, gatewayOrgKey: 'operator' });
      try {
        return (await new RegistryClient(ledger).list('', 10)).records.length;
      } finally {
        ledger.close();
      }
    };
    const refusal = await listAsNewcomer().then(() => undefined, (error: unknown) => error);
    expect(refusal).to.be.instanceOf(LedgerCallError);
    expect((refusal as LedgerCallError).message).to.match(/creator org unknown/);

    const added = JSON.parse(script('org.sh', 'add', 'bank38').trim().split('\n').pop() ?? '') as { mspId: string; configBlock: number; configBlockBytes: number; seconds: number; signers: string[] };
    // The measurement network/README.md quotes (time to admit, size of the config block).
    console.log(`      admitted: ${JSON.stringify(added)}`);
    expect(added).to.include({ mspId: 'Bank38MSP' });
    expect(added.signers).to.deep.equal(['operator', 'regulator']);
    const regulator = openLedger({ descriptor: loadNetworkDescriptor(descriptorFile), orgKey: 'regulator', identityName: 'regulator1' });
    try {
      const msps = await applicationMspIds(regulator.network, BigInt(added.configBlock));
      expect(msps).to.include('Bank38MSP');
      expect(msps).to.have.lengthOf(129);
    } finally {
      regulator.close();
    }
    expect(await listAsNewcomer()).to.be.at.least(0);
    // A second admission of the same org changes nothing.
    expect(() => script('org.sh', 'add', 'bank38')).to.throw(/Bank38MSP is already a member/);
  });

  it('serves a member that runs no peer through another member\'s gateway peer', async () => {
    const name = uniqueName('officer');
    script('identity.sh', 'issue', 'bank37', name, 'bank-officer');
    const descriptor = loadNetworkDescriptor(descriptorFile);
    expect(descriptor.orgs.find((o) => o.key === 'bank37')?.peers).to.have.lengthOf(0);
    const ledger = openLedger({ descriptor, orgKey: 'bank37', identityName: name, gatewayOrgKey: 'firm1' });
    try {
      const page = await new RegistryClient(ledger).list('', 10);
      expect(page.records).to.be.an('array');
    } finally {
      ledger.close();
    }
  });
});
