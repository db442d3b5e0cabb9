import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { nodeEnvironment, nodesRssMB, SMALL_STACK_IDLE_GOAL_MB, stackIdleMB } from './node-rss';

describe('bench: the stack’s idle RSS from the network’s pid files', () => {
  let dir: string;
  const saved = process.env.ECONFIRM_NETWORK_DIR;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-node-rss-'));
    mkdirSync(path.join(dir, 'run'));
    // This process stands in for a running node; a pid that cannot exist for a stopped one.
    writeFileSync(path.join(dir, 'run', 'operator.pid'), String(process.pid));
    writeFileSync(path.join(dir, 'run', 'bank1.pid'), '2147483646');
    process.env.ECONFIRM_NETWORK_DIR = dir;
  });
  after(() => {
    if (saved === undefined) delete process.env.ECONFIRM_NETWORK_DIR;
    else process.env.ECONFIRM_NETWORK_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads each running node’s RSS, NaN for one not running, and sums the running ones with the gateway against 1 GiB', () => {
    const nodes = nodesRssMB();
    expect(Object.keys(nodes)).to.deep.equal(['bank1', 'operator']);
    expect(nodes.bank1).to.be.NaN;
    const own = process.memoryUsage.rss() / 2 ** 20;
    expect(nodes.operator).to.be.within(own * 0.5, own * 2);
    const stack = stackIdleMB(100);
    expect(stack.totalMB).to.be.closeTo((stack.nodesMB.operator as number) + 100, 0.2);
    expect(stack).to.include({ gatewayMB: 100, goalMB: SMALL_STACK_IDLE_GOAL_MB, met: stack.totalMB <= 1024 });
    expect(stackIdleMB(2000).met).to.equal(false);
  });

  it('reads a variable of a running node’s environment as it was started, and nothing for an unset one or a stopped node', async () => {
    // A node started with GOGC=37, as network/lib/nodes.sh starts peers and orderers.
    const node = spawn('sleep', ['30'], { env: { ...process.env, GOGC: '37' }, stdio: 'ignore' });
    try {
      writeFileSync(path.join(dir, 'run', 'orderer1.pid'), String(node.pid));
      expect(nodeEnvironment('orderer1', 'GOGC')).to.equal('37');
      expect(nodeEnvironment('orderer1', 'ECONFIRM_NO_SUCH_VARIABLE')).to.equal(undefined);
      expect(nodeEnvironment('bank1', 'PATH')).to.equal(undefined);
    } finally {
      node.kill();
      await once(node, 'exit');
      rmSync(path.join(dir, 'run', 'orderer1.pid'));
    }
  });
});
