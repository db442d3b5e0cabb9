import { expect } from 'chai';
import { ensureDemoInstitutions } from '../support/institutions';
import { FaultGateway } from './support/fault-gateway';
import { network, type NodeName } from './support/processes';
import { sleep, underLoad } from './support/scenario';

/** How long a crashed node stays down: long enough for requests to hit it, short enough for CI. */
const DOWN_MS = 10_000;

/** SIGKILL `name`, keep it down, start it again with the network's own script. */
async function crash(name: NodeName): Promise<void> {
  await network.kill(name);
  expect(await network.pid(name)).to.equal(undefined);
  await sleep(DOWN_MS);
  await network.start(name);
}

/**
 * Fault suite, nodes: under a steady load of confirmation lifecycles through a gateway process,
 * one node crashes (SIGKILL) and comes back. Every acknowledged request is on the ledger exactly
 * once, none is there twice, none committed without its client's retry finding it; the gateway's
 * readiness comes back by itself.
 */
describe('fault: a node crashes under load and comes back', function () {
  this.timeout(420_000);
  const gateway = new FaultGateway();

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    await gateway.start();
  });

  after(async function () {
    await gateway.stop();
  });

  it('the Raft leader orderer', async function () {
    const leader = await network.leader();
    await underLoad(gateway, 'orderer-leader', () => crash(leader));
    expect(await network.leader()).to.be.a('string');
  });

  it('a Raft follower orderer', async function () {
    const leader = await network.leader();
    const follower = (['orderer1', 'orderer2', 'orderer3'] as const).find((o) => o !== leader) as NodeName;
    await underLoad(gateway, 'orderer-follower', () => crash(follower));
  });

  it("the peer of an endorsing org (the bank's, its tenant's gateway peer)", async function () {
    await underLoad(gateway, 'peer-bank1', () => crash('bank1'));
  });

  it('the chaincode server every peer dials', async function () {
    await underLoad(gateway, 'chaincode', () => crash('chaincode'));
  });
});
