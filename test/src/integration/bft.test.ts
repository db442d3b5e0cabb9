import type { InstitutionProfile } from '@econfirm/common';
import {
  ChainChecker,
  chainInfo,
  currentChannelConfig,
  loadNetworkDescriptor,
  newInstitutionKeys,
  openLedger,
  ordererMspCertificates,
  orderingServiceOf,
  readBlock,
  readTransaction,
  registrationInput,
  submitAndWait,
  verifyChain,
  type LedgerSession,
  type NetworkDescriptor,
} from '@econfirm/sdk';
import { common } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, uniqueName, untilCommitted } from '../support/network';

/**
 * BFT ordering (`network/up.sh --bft`): four SmartBFT orderers run by the operator, two banks and
 * the regulator, each under its own ordering MSP, on a network of its own (own directory and ports,
 * wiped afterwards). What must hold: the channel configuration names the four consenters; the
 * ledger audit accepts the BFT chain and refuses a tampered or under-signed block; with one orderer
 * (the leader) stopped under load nothing acknowledged is lost, and the orderer catches up.
 */
describe('BFT ordering: 4 SmartBFT orderers of 4 institutions', function () {
  this.timeout(600_000);
  const env = {
    ...process.env,
    ECONFIRM_NETWORK_DIR: path.join(REPO_ROOT, '.network-bft'),
    // Beside the main network (base … base+400) and the consortium test (base+2100 …).
    ECONFIRM_PORT_BASE: String(Number(process.env.ECONFIRM_PORT_BASE ?? 7050) + 2600),
    ECONFIRM_CONSENSUS: 'bft',
  };
  const script = (name: string, ...args: string[]): string =>
    execFileSync(path.join(REPO_ROOT, 'network', name), args, { cwd: REPO_ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let descriptor: NetworkDescriptor;
  let regulator: LedgerSession;
  let operator: LedgerSession;
  const keys = newInstitutionKeys('BFTTEST');
  const run = uniqueName('BFT').toUpperCase();

  /** One small registry write (a key and its index key, endorsed by two orgs); resolves when committed VALID. */
  const register = (n: string) => {
    const profile: InstitutionProfile = { id: `${run}-${n}`, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '拜占庭容错测试企业', nameEn: 'BFT Test Enterprise', registrationId: '91310000BFT000001' };
    return submitAndWait(operator.contract('registry'), 'RegisterInstitution', { arguments: [JSON.stringify(registrationInput(profile, keys))] });
  };
  const metric = async (url: string, name: string): Promise<number | undefined> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{channel="${descriptor.channel}"}`));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };

  before(() => {
    script('clean.sh');
    script('up.sh', '--bft');
    descriptor = loadNetworkDescriptor(path.join(env.ECONFIRM_NETWORK_DIR, 'network.json'));
    regulator = openLedger({ descriptor, orgKey: 'regulator', identityName: 'regulator1' });
    operator = openLedger({ descriptor, orgKey: 'operator', identityName: 'admin' });
  });
  after(() => {
    regulator?.close();
    operator?.close();
    script('clean.sh');
  });

  it('names four consenters of four ordering orgs — ids, signing identities, TLS certificates — in the channel configuration, and commits the chaincode', async () => {
    expect(descriptor.consensus).to.equal('bft');
    expect(descriptor.orderers.map((o) => o.mspId)).to.deep.equal(['OperatorOrdererMSP', 'Bank1OrdererMSP', 'Bank2OrdererMSP', 'RegulatorOrdererMSP']);
    const config = await currentChannelConfig(regulator.network);
    const ordering = orderingServiceOf(config);
    expect(ordering.type).to.equal('BFT');
    expect(ordering.quorum).to.equal(3);
    expect(ordering.consenters?.map((c) => [c.id, c.mspId, `${c.host}:${c.port}`])).to.deep.equal(descriptor.orderers.map((o, i) => [i + 1, o.mspId, o.endpoint]));
    const cas = ordererMspCertificates(config);
    for (const c of ordering.consenters ?? []) {
      // Each consenter's identity and TLS certificate come from its own org's CAs, not a shared one.
      const identity = new X509Certificate(Buffer.from(c.identity));
      expect(cas.get(c.mspId)?.some((ca) => identity.checkIssued(ca))).to.equal(true, `${c.mspId}'s consenter identity`);
      const tls = new X509Certificate(Buffer.from(c.serverTlsCert));
      const orderer = descriptor.orderers[c.id - 1];
      expect(tls.checkIssued(new X509Certificate(readFileSync(orderer?.tlsRootCertPath ?? '')))).to.equal(true, `${c.mspId}'s TLS certificate`);
      expect(Buffer.from(c.clientTlsCert).equals(Buffer.from(c.serverTlsCert))).to.equal(true);
    }
    expect(new Set([...cas.values()].map((list) => list[0]?.fingerprint256)).size).to.equal(4);
    expect(descriptor.chaincode.sequence).to.be.at.least(1);
    const outcome = await register('first');
    // Acknowledged when the operator's peer committed it; the regulator's peer commits the block a moment later.
    await untilCommitted(regulator, outcome.blockNumber);
    expect((await readTransaction(regulator.network, outcome.transactionId)).isValid).to.equal(true);
  });

  it('passes `ledger verify` over the BFT chain: every block after genesis signed by a quorum of consenters named by id', async () => {
    const out = execFileSync('node', [path.join(REPO_ROOT, 'clients', 'cli', 'dist', 'main.js'), '--as', 'regulator/regulator1', 'ledger', 'verify'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    const report = JSON.parse(out) as { breaks: unknown[]; anchoredToPeerHeight: boolean; blocksChecked: number; validationReplayed: boolean };
    expect(report.breaks).to.deep.equal([]);
    expect(report.anchoredToPeerHeight).to.equal(true);
    expect(report.validationReplayed).to.equal(true);
    const height = (await chainInfo(regulator.network)).height;
    expect(report.blocksChecked).to.equal(Number(height));
    for (let n = 1n; n < height; n++) {
      const { signatures } = (await readBlock(regulator.network, n)).ordererSignatures;
      const ids = signatures.map((s) => (s.kind === 'consenter' ? s.consenterId : 0));
      expect(ids.every((id) => id >= 1 && id <= 4), `block ${n} signers ${ids.join(',')}`).to.equal(true);
      expect(new Set(ids).size).to.be.at.least(3);
    }
  });

  it('fails when a block signature is tampered with, or when fewer than a quorum signed', async () => {
    const height = (await chainInfo(regulator.network)).height;
    const blocks: common.Block[] = [];
    for (let n = 0n; n < height; n++) blocks.push((await readBlock(regulator.network, n)).proto);
    const target = blocks.length - 1;
    const check = (edit: (metadata: common.Metadata) => void): string[] => {
      const copy = blocks.map((b) => common.Block.deserializeBinary(b.serializeBinary()));
      const block = copy[target] as common.Block;
      const list = block.getMetadata()?.getMetadataList_asU8() ?? [];
      const metadata = common.Metadata.deserializeBinary(list[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array());
      edit(metadata);
      list[common.BlockMetadataIndex.SIGNATURES] = metadata.serializeBinary();
      block.getMetadata()?.setMetadataList(list);
      const checker = new ChainChecker(0n, undefined, { orderers: new Map(), members: new Map() });
      copy.forEach((b) => checker.add(b));
      return checker.breaks.map((b) => `${b.block}: ${b.reason}`);
    };
    expect(check(() => undefined)).to.deep.equal([]);
    const flipped = check((metadata) => {
      const first = metadata.getSignaturesList()[0] as common.MetadataSignature;
      const signature = Buffer.from(first.getSignature_asU8());
      signature[signature.length - 1] = (signature[signature.length - 1] as number) ^ 0x01;
      first.setSignature(signature);
    });
    // The forged signature fails, and the two left are below the quorum (BFT blocks carry just the quorum's, 3).
    expect(flipped).to.have.lengthOf(2);
    expect(flipped[0]).to.match(new RegExp(`^${target}: orderer signature 1 of 3 \\(consenter \\d \\(\\w+OrdererMSP\\)\\): does not verify$`));
    expect(flipped[1]).to.equal(`${target}: signed by 2 distinct consenter(s) of 4: a BFT block needs a quorum of 3`);
    const twoLeft = check((metadata) => metadata.setSignaturesList(metadata.getSignaturesList().slice(0, 2)));
    expect(twoLeft).to.deep.equal([`${target}: signed by 2 distinct consenter(s) of 4: a BFT block needs a quorum of 3`]);
  });

  it('loses nothing acknowledged when the leading orderer stops under load; it catches up when it comes back', async () => {
    const leaders = await Promise.all(descriptor.orderers.map((o) => metric(o.operationsUrl, 'consensus_BFT_is_leader')));
    const leader = descriptor.orderers[leaders.indexOf(1)];
    if (!leader) throw new Error(`no BFT leader among the orderers (is_leader ${leaders.join(',')})`);
    const acknowledged: Array<{ transactionId: string; blockNumber: bigint; afterStop: boolean }> = [];
    let failures = 0;
    let stopped = false;
    let done = false;
    let i = 0;
    const worker = async () => {
      while (!done) {
        const afterStop = stopped;
        try {
          const { transactionId, blockNumber } = await register(`load-${i++}`);
          acknowledged.push({ transactionId, blockNumber, afterStop });
        } catch {
          failures += 1; // not acknowledged: the client knows it must retry; nothing is owed
        }
      }
    };
    const workers = [1, 2, 3, 4].map(() => worker());
    const until = async (what: string, ok: () => boolean, seconds: number) => {
      for (const deadline = Date.now() + seconds * 1000; !ok(); ) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    try {
      await until('load before the stop', () => acknowledged.length >= 20, 60);
      const pid = Number(readFileSync(path.join(env.ECONFIRM_NETWORK_DIR, 'run', `${leader.key}.pid`), 'utf8'));
      process.kill(pid, 'SIGKILL'); // a crash, not a goodbye
      stopped = true;
      // The other three elect a new leader (view change) and go on ordering.
      await until('commits with the leader stopped', () => acknowledged.filter((a) => a.afterStop).length >= 20, 120);
    } finally {
      done = true;
      await Promise.all(workers);
    }
    await untilCommitted(regulator, acknowledged.reduce((top, a) => (a.blockNumber > top ? a.blockNumber : top), 0n));
    for (const { transactionId } of acknowledged) {
      expect((await readTransaction(regulator.network, transactionId)).isValid, transactionId).to.equal(true);
    }
    expect(acknowledged.filter((a) => a.afterStop).length).to.be.at.least(20);
    console.log(`      ${acknowledged.length} acknowledged (${acknowledged.filter((a) => a.afterStop).length} with ${leader.key} down), ${failures} refused, none lost`);

    // Back: up.sh starts what is not running; the orderer pulls the blocks it missed from the
    // others (SmartBFT's SyncOnStart) until its ledger is as high as the peers'.
    script('up.sh', '--bft');
    const height = Number((await chainInfo(regulator.network)).height);
    let caughtUp: number | undefined;
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 500))) {
      caughtUp = await metric(leader.operationsUrl, 'ledger_blockchain_height').catch(() => undefined);
      if (caughtUp !== undefined && caughtUp >= height) break;
    }
    expect(caughtUp, `${leader.key}'s ledger height`).to.be.at.least(height);
    await register('after-restart');
    const report = await verifyChain(regulator.network);
    expect(report.breaks).to.deep.equal([]);
  });
});
