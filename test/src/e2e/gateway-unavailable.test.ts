import { defaultDescriptorPath, type NetworkDescriptor } from '@econfirm/sdk';
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestGateway, type Caller } from '../support/gateway';
import { REPO_ROOT } from '../support/network';

/**
 * Fabric trouble mapped to precise answers: the real network's descriptor with every
 * peer endpoint replaced — by a port nobody listens on (503 LEDGER_UNAVAILABLE), or by a socket
 * that accepts and never answers (the explicit deadline: 504 LEDGER_TIMEOUT).
 */
describe('gateway e2e: unreachable or silent peers', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-gw-down-'));
  const sockets: Socket[] = [];
  let blackHole: Server;

  function descriptorWithPeersAt(endpoint: string, name: string): string {
    const descriptor = JSON.parse(readFileSync(defaultDescriptorPath(REPO_ROOT), 'utf8')) as NetworkDescriptor;
    for (const org of descriptor.orgs) for (const peer of org.peers) peer.endpoint = endpoint;
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(descriptor));
    return file;
  }

  before(async function () {
    blackHole = createServer((socket) => sockets.push(socket)); // accepts, never speaks
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });

  after(function () {
    for (const s of sockets) s.destroy();
    blackHole.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function withGateway(descriptorPath: string, work: (gw: TestGateway, auditor: Caller) => Promise<void>): Promise<void> {
    const gw = await TestGateway.start({ networkDescriptorPath: descriptorPath });
    try {
      await work(gw, gw.custodial('firm1', 'auditor1'));
    } finally {
      await gw.close();
    }
  }

  it('no peer listening: reads and writes answer 503 LEDGER_UNAVAILABLE, /readyz 503', async function () {
    // Port 9 (discard) on loopback: nothing listens there on the test machines.
    await withGateway(descriptorWithPeersAt('127.0.0.1:9', 'refused'), async (gw, auditor) => {
      const ready = await gw.http().get('/readyz');
      expect(ready.status).to.equal(503);
      expect(ready.body.error.code).to.equal('NOT_READY');
      const read = await gw.get(auditor, '/v1/confirmations/CF-any');
      expect(read.status, JSON.stringify(read.body)).to.equal(503);
      expect(read.body.error.code).to.equal('LEDGER_UNAVAILABLE');
      const write = await gw.post(auditor, '/v1/confirmations/CF-any/recall', { reason: 'x' });
      expect(write.status, JSON.stringify(write.body)).to.equal(503);
    });
  });

  it('a peer that never answers: the explicit deadline ends the call with 504 LEDGER_TIMEOUT', async function () {
    const port = (blackHole.address() as AddressInfo).port;
    const file = descriptorWithPeersAt(`127.0.0.1:${port}`, 'silent');
    const deadlines = { evaluateMs: 1500, endorseMs: 1500, submitMs: 1500, commitStatusMs: 1500 };
    const slow = await TestGateway.start({ networkDescriptorPath: file, deadlines });
    try {
      const auditor = slow.custodial('firm1', 'auditor1');
      const read = await slow.get(auditor, '/v1/confirmations/CF-any');
      expect(read.status, JSON.stringify(read.body)).to.equal(504);
      expect(read.body.error.code).to.equal('LEDGER_TIMEOUT');
      expect(read.body.error.details.phase).to.equal('evaluate');
    } finally {
      await slow.close();
    }
  });
});
