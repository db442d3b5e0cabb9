import { expect } from 'chai';
import { RegistryClient, loadNetworkDescriptor, openLedger } from '@econfirm/sdk';
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
