import { expect } from 'chai';
import { ensureDemoInstitutions } from '../support/institutions';
import { FaultGateway } from './support/fault-gateway';
import { network, type NodeName } from './support/processes';
import { sleep, underLoad } from './support/scenario';

const EVERY_NODE: NodeName[] = ['orderer1', 'orderer2', 'orderer3', 'operator', 'bank1', 'firm1', 'regulator', 'chaincode', 'evm'];

/**
 * Fault suite, a power cut: every process of the network and the gateway is SIGKILLed in the same
 * instant under load (three Raft WALs, four peer ledgers and the gateway's SQLite stopped
 * mid-write), then started again the way an operator would: network/up.sh, scripts/gateway.sh
 * start. Last in the suite: it restores everything it stops.
 */
describe('fault: a power cut stops every process at once', function () {
  this.timeout(480_000);
  const gateway = new FaultGateway();

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    await gateway.start();
  });

  after(async function () {
    // Whatever happened above, the network and the gateway are left as they were found: up.
    await network.up();
    if (gateway.pid() === undefined) await gateway.start();
    await gateway.stop();
  });

  it('nothing acknowledged is lost or doubled, and everything comes back with up.sh and gateway.sh start', async function () {
    await underLoad(gateway, 'power-cut', async () => {
      const pids = [...(await Promise.all(EVERY_NODE.map((n) => network.pid(n)))), gateway.pid()];
      expect(pids.filter((p) => p === undefined), 'every process runs before the cut').to.deep.equal([]);
      // One synchronous loop: the kills land within microseconds of each other.
      for (const pid of pids as number[]) process.kill(pid, 'SIGKILL');
      await sleep(3000);
      await network.up();
      await gateway.start();
    });
  });
});
