import type { InstitutionProfile } from '@econfirm/common';
import { chainInfo, evaluate, loadNetworkDescriptor, newInstitutionKeys, openLedger, registrationInput, RegistryClient, submitAndWait, type LedgerSession, type NetworkDescriptor } from '@econfirm/sdk';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import * as path from 'node:path';
import { REPO_ROOT, uniqueName } from '../support/network';

/**
 * One host per organization (`network/up.sh --hosts=netns`, network/lib/hosts.sh): the same
 * scripts bring up a network whose organizations each run on a host of their own — a Linux network
 * namespace with its own address, and a directory holding only that organization's keys and
 * ledgers — on a network of its own (own directory, ports and subnet, wiped afterwards). What must
 * hold for the scripts to work across machines: every node in its organization's namespace,
 * listening on that host's address only; every node seeing nothing of the network directory but
 * its organization's own, where the only private keys are that organization's; and the ledger
 * working across the hosts (endorsed on two, committed on all four).
 */
describe('one host per organization: network namespaces, own addresses, own directories', function () {
  this.timeout(600_000);
  const netDir = path.join(REPO_ROOT, '.network-hosts');
  // Beside the main network (base … base+400), the consortium (base+2100 …) and BFT (base+2600 …) tests.
  const base = Number(process.env.ECONFIRM_PORT_BASE ?? 7050) + 3200;
  const env = { ...process.env, ECONFIRM_NETWORK_DIR: netDir, ECONFIRM_PORT_BASE: String(base) };
  const script = (name: string, ...args: string[]): string =>
    execFileSync(path.join(REPO_ROOT, 'network', name), args, { cwd: REPO_ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // As network/lib/common.sh computes them.
  const s = Math.floor(base / 100) % 250 + 1;
  const subnet = `10.231.${s}`;
  const HOSTS: Record<string, number> = { orderer: 10, operator: 11, bank1: 12, firm1: 13, regulator: 14 };
  /** Each node and the organization whose host runs it. */
  const NODES: Array<[string, string]> = [
    ['orderer1', 'orderer'], ['orderer2', 'orderer'], ['orderer3', 'orderer'],
    ['operator', 'operator'], ['bank1', 'bank1'], ['firm1', 'firm1'], ['regulator', 'regulator'],
    // Each peer org's own chaincode server, on its own host: no org's endorsement is computed by another's process.
    ['chaincode-operator', 'operator'], ['chaincode-bank1', 'bank1'], ['chaincode-firm1', 'firm1'], ['chaincode-regulator', 'regulator'],
  ];
  const pidOf = (node: string) => readFileSync(path.join(netDir, 'run', `${node}.pid`), 'utf8').trim();
  const nsOf = (org: string) => `ec${s}-${org}`;
  let descriptor: NetworkDescriptor;
  let operator: LedgerSession;

  before(function () {
    expect(process.getuid?.(), 'hosts mode makes network namespaces and mounts: the suite runs as root (as CI does)').to.equal(0);
    script('clean.sh');
    script('up.sh', '--hosts=netns');
    descriptor = loadNetworkDescriptor(path.join(netDir, 'network.json'));
    operator = openLedger({ descriptor, orgKey: 'operator', identityName: 'admin' });
  });
  after(function () {
    operator?.close();
    script('clean.sh');
    // The namespaces and the bridge go with the network.
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.to.contain(`ec${s}-`);
  });

  it("runs every node in its organization's network namespace, listening on that host's address and not on this machine's loopback", async function () {
    const namespaces = new Map<string, string>();
    for (const [node, org] of NODES) {
      const ns = execFileSync('ip', ['netns', 'identify', pidOf(node)], { encoding: 'utf8' }).trim();
      expect(ns, node).to.equal(nsOf(org));
      namespaces.set(org, ns);
      const listening = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-Htln'], { encoding: 'utf8' });
      expect(listening, `${node} listens on its host's address`).to.contain(`${subnet}.${HOSTS[org]}:`);
      expect(listening, `nothing on ${org}'s host listens on a wildcard address`).not.to.match(/(^|\s)(\*|0\.0\.0\.0|\[::\]):\d+/m);
    }
    expect(new Set(namespaces.values()).size, 'one namespace per organization').to.equal(5);
    // The descriptor dials each node at its host's address; nothing answers there on 127.0.0.1.
    for (const org of descriptor.orgs.filter((o) => o.peers.length > 0)) expect(org.peers[0]?.endpoint).to.equal(`${subnet}.${HOSTS[org.key]}:${org.peers[0]?.endpoint.split(':')[1]}`);
    for (const orderer of descriptor.orderers) {
      expect(orderer.endpoint.startsWith(`${subnet}.${HOSTS.orderer}:`), orderer.name).to.equal(true);
      const port = Number(orderer.endpoint.split(':')[1]);
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port });
        socket.on('connect', () => { socket.destroy(); resolve(false); });
        socket.on('error', () => resolve(true));
      });
      expect(refused, `${orderer.name} on this machine's 127.0.0.1:${port}`).to.equal(true);
    }
  });

  it("lets each node see of the network directory only its organization's own, whose private keys are that organization's alone", function () {
    for (const [node, org] of NODES) {
      const seen = execFileSync('nsenter', ['-t', pidOf(node), '-m', 'find', netDir, '-maxdepth', '2'], { encoding: 'utf8' }).trim().split('\n').sort();
      expect(seen, node).to.deep.equal([netDir, path.join(netDir, 'hosts'), path.join(netDir, 'hosts', org)]);
    }
    // Every certificate the network generated, by its public key: whose key is each private key?
    const owners = new Map<string, string>();
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? files(path.join(dir, f)) : [path.join(dir, f)]));
    for (const file of files(path.join(netDir, 'crypto')).filter((f) => f.endsWith('.pem') || f.endsWith('.crt'))) {
      const cert = new X509Certificate(readFileSync(file));
      owners.set(cert.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'), cert.subject);
    }
    for (const org of Object.keys(HOSTS)) {
      const domain = org === 'orderer' ? 'orderer.econfirm.net' : `${org}.econfirm.net`;
      const keys = files(path.join(netDir, 'hosts', org)).filter((f) => /(_sk|\.key)$/.test(f));
      expect(keys.length, `${org} holds its nodes' keys`).to.be.greaterThan(0);
      for (const key of keys) {
        const spki = createPublicKey(createPrivateKey(readFileSync(key))).export({ type: 'spki', format: 'der' }).toString('hex');
        const subject = owners.get(spki);
        // The chaincode server's pair was issued by the operator's TLS CA outside cryptogen (O=operator.econfirm.net).
        expect(subject ?? (key.includes(`${path.sep}chaincode${path.sep}`) ? `O=${domain}` : undefined), `${path.relative(netDir, key)} is a key of ${org}`).to.contain(domain);
      }
    }
  });

  it("has the regulator statistics' row index started by deploy.sh on the fresh ledger (asked as a query: indexed, and not by this query)", async function () {
    // A query that answered started: true would mean deploy.sh never submitted it (as c9f8a00 did).
    const answer = JSON.parse(Buffer.from(await evaluate(operator.contract('confirmation'), 'StartStatisticsIndex', [])).toString('utf8')) as unknown;
    expect(answer).to.deep.equal({ indexed: true, started: false });
  });

  it('works across the hosts: a registry write endorsed on two of them is committed on all four peers', async function () {
    const profile: InstitutionProfile = { id: uniqueName('HOSTS').toUpperCase(), kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '多主机测试企业', nameEn: 'Hosts Test Enterprise', registrationId: '91310000HST000001' };
    const { transactionId } = await submitAndWait(operator.contract('registry'), 'RegisterInstitution', { arguments: [JSON.stringify(registrationInput(profile, newInstitutionKeys(profile.id)))] });
    expect(transactionId).to.match(/^[0-9a-f]{64}$/);
    const heights = new Set<bigint>();
    for (const [org, identityName] of [['operator', 'admin'], ['bank1', 'admin'], ['firm1', 'admin'], ['regulator', 'regulator1']] as const) {
      const reader = openLedger({ descriptor, orgKey: org, identityName, gatewayOrgKey: org });
      try {
        // Each peer's own height once it has the block (gossip or its own delivery from the orderers).
        for (let i = 0; i < 50; i++) {
          const found = await new RegistryClient(reader).get(profile.id).then(() => true, () => false);
          if (found) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        expect((await new RegistryClient(reader).get(profile.id)).nameEn, `${org}'s peer`).to.equal('Hosts Test Enterprise');
        heights.add((await chainInfo(reader.network)).height);
      } finally {
        reader.close();
      }
    }
    expect(heights.size, 'the same height on every host').to.equal(1);
  });

  it("runs each peer org's chaincode on its own host, under its own TLS CA: with the operator's server down, Bank1 and Firm1 still endorse", async function () {
    for (const org of ['operator', 'bank1', 'firm1', 'regulator']) {
      const server = new X509Certificate(readFileSync(path.join(netDir, 'hosts', org, 'chaincode', 'tls', 'server.crt')));
      const orgTlsCa = new X509Certificate(readFileSync(path.join(netDir, 'crypto', 'peerOrganizations', `${org}.econfirm.net`, 'tlsca', `tlsca.${org}.econfirm.net-cert.pem`)));
      expect(server.verify(orgTlsCa.publicKey), `${org}'s chaincode server certificate is from ${org}'s TLS CA`).to.equal(true);
      expect(server.subjectAltName, `${org}'s chaincode server is dialled at ${org}'s host`).to.contain(`IP Address:${subnet}.${HOSTS[org]}`);
    }
    script('node.sh', 'kill', 'chaincode-operator');
    const bank = openLedger({ descriptor, orgKey: 'bank1', identityName: 'admin', gatewayOrgKey: 'bank1' });
    try {
      const profile: InstitutionProfile = { id: uniqueName('HOSTSCC').toUpperCase(), kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '多主机链码测试企业', nameEn: 'Hosts Chaincode Test Enterprise', registrationId: '91310000HST000002' };
      // Endorsed by Bank1's and Firm1's peers, each running the chaincode of its own server; the
      // shared server of the default mode would have taken both endorsements down with it.
      const { transactionId } = await submitAndWait(operator.contract('registry'), 'RegisterInstitution', {
        arguments: [JSON.stringify(registrationInput(profile, newInstitutionKeys(profile.id)))],
        endorsingOrganizations: ['Bank1MSP', 'Firm1MSP'],
      });
      expect(transactionId).to.match(/^[0-9a-f]{64}$/);
      // Read on Bank1's peer once it has the block (submitAndWait waited for the operator's peer).
      let name: string | undefined;
      for (let i = 0; i < 50 && name === undefined; i++) {
        name = await new RegistryClient(bank).get(profile.id).then((record) => record.nameEn, () => undefined);
        if (name === undefined) await new Promise((r) => setTimeout(r, 200));
      }
      expect(name).to.equal('Hosts Chaincode Test Enterprise');
      // The operator's peer cannot endorse while its own server is down.
      const refused = await submitAndWait(operator.contract('registry'), 'RegisterInstitution', {
        arguments: [JSON.stringify(registrationInput({ ...profile, id: `${profile.id}B` }, newInstitutionKeys(`${profile.id}B`)))],
        endorsingOrganizations: ['OperatorMSP', 'Firm1MSP'],
      }).then(() => false, () => true);
      expect(refused, "the operator's peer endorses nothing without its chaincode server").to.equal(true);
    } finally {
      bank.close();
      script('node.sh', 'start', 'chaincode-operator');
    }
  });
});
