import type { InstitutionProfile } from '@econfirm/common';
import { blockHeaderHash, chainInfo, comparePeers, evaluate, LedgerCallError, newInstitutionKeys, readBlock, readTransaction, registrationInput, submitAndWait, type LedgerSession } from '@econfirm/sdk';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ensureDemoInstitutions, freshRegistrationId, networkDir, registerFresh } from '../support/institutions';
import { REPO_ROOT, session, uniqueName, withLedger } from '../support/network';
import { FaultGateway } from './support/fault-gateway';
import { network } from './support/processes';
import { underLoad } from './support/scenario';

const run = promisify(execFile);

/** network/snapshot.sh as an operator runs it; its stdout and the seconds it took. */
async function snapshotScript(...args: string[]): Promise<{ out: string; seconds: number }> {
  const t0 = Date.now();
  try {
    const { stdout } = await run(path.join(REPO_ROOT, 'network', 'snapshot.sh'), args, { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
    return { out: stdout.trim(), seconds: (Date.now() - t0) / 1000 };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`network/snapshot.sh ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

const PEER_ORGS = ['operator', 'bank1', 'firm1', 'regulator'] as const;

/**
 * Fault suite, a peer rebuilt from a Fabric ledger snapshot: under the steady lifecycle load, the
 * operator's peer writes a snapshot of the channel, bank1's peer is stopped, its data moved aside,
 * and it joins the channel again from that snapshot (network/snapshot.sh). Every acknowledged
 * request is on the ledger once (as in every scenario); then the rebuilt peer serves the same
 * height and block hashes as the others, endorses and commits a new transaction, and serves no
 * block of the snapshot's range — that is how a peer joined from a snapshot is.
 */
describe('fault: a peer rebuilt from a ledger snapshot', function () {
  this.timeout(300_000);
  const gateway = new FaultGateway();
  let snapshotDir = '';
  let snapshotBlock = 0n;

  /** An institution registered before the snapshot and not touched after it. */
  const earlier = uniqueName('PRESNAP').toUpperCase();

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    await withLedger('operator', 'admin', (admin) =>
      registerFresh(admin, { id: earlier, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '快照前企业', nameEn: 'Pre-snapshot Enterprise', registrationId: freshRegistrationId('91P') }),
    );
    await gateway.start();
  });

  after(async function () {
    await gateway.stop();
    // The suite leaves the network as it found it: bank1's peer back on its own full ledger (the
    // one the rebuild moved aside; it catches up from the orderers), so that later suites on this
    // network can read every block and history through it.
    const nodes = path.join(networkDir(), 'nodes', 'bank1');
    const aside = readdirSync(nodes).filter((d) => d.startsWith('data.before-rebuild-')).sort();
    if (aside.length > 0) {
      if ((await network.pid('bank1')) !== undefined) await network.kill('bank1');
      rmSync(path.join(nodes, 'data'), { recursive: true, force: true });
      renameSync(path.join(nodes, aside[0] as string), path.join(nodes, 'data'));
      for (const d of aside.slice(1)) rmSync(path.join(nodes, d), { recursive: true, force: true });
    }
    if ((await network.pid('bank1')) === undefined) await network.start('bank1');
    if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
  });

  it('bank1 rebuilt from the operator peer’s snapshot under load: nothing acknowledged lost or doubled', async function () {
    await underLoad(gateway, 'peer-snapshot', async () => {
      const taken = await snapshotScript('take', 'operator');
      snapshotDir = taken.out;
      snapshotBlock = BigInt(path.basename(snapshotDir));
      const rebuilt = await snapshotScript('rebuild', 'bank1', snapshotDir);
      console.log(`      snapshot report: ${JSON.stringify({ block: snapshotBlock.toString(), takeSeconds: taken.seconds, rebuildSeconds: rebuilt.seconds })}`);
    });
    expect(existsSync(path.join(snapshotDir, '_snapshot_signable_metadata.json'))).to.equal(true);
  });

  it('a damaged snapshot is refused before the peer is stopped', async function () {
    if (!snapshotDir) this.skip();
    const damaged = `${snapshotDir}.damaged`;
    cpSync(snapshotDir, damaged, { recursive: true });
    try {
      const file = path.join(damaged, 'public_state.data');
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      writeFileSync(file, bytes);
      const pid = await network.pid('bank1');
      const refused = await snapshotScript('rebuild', 'bank1', damaged).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(refused?.message).to.match(/public_state\.data does not match the snapshot's metadata/);
      expect(await network.pid('bank1'), 'the peer was not touched').to.equal(pid);
    } finally {
      rmSync(damaged, { recursive: true, force: true });
    }
  });

  describe('the rebuilt peer', function () {
    const sessions = new Map<string, LedgerSession>();
    const on = (org: string): LedgerSession => sessions.get(org) as LedgerSession;

    before(function () {
      if (!snapshotDir) this.skip();
      for (const org of PEER_ORGS) sessions.set(org, session('regulator', 'regulator1', org));
    });

    after(function () {
      for (const s of sessions.values()) s.close();
    });

    it('says it joined from the snapshot, and the snapshot is of this chain (its last block hash is the one the others serve)', async function () {
      expect((await chainInfo(on('bank1').network)).snapshotBlock).to.equal(snapshotBlock);
      expect((await chainInfo(on('operator').network)).snapshotBlock).to.equal(undefined);
      const meta = JSON.parse(readFileSync(path.join(snapshotDir, '_snapshot_signable_metadata.json'), 'utf8')) as { channel_name: string; last_block_number: number; last_block_hash: string };
      expect(meta.channel_name).to.equal('econfirm');
      expect(BigInt(meta.last_block_number)).to.equal(snapshotBlock);
      expect(blockHeaderHash((await readBlock(on('firm1').network, snapshotBlock)).header).toString('hex')).to.equal(meta.last_block_hash);
    });

    it('serves the same height and block hashes as every other peer (econfirm ledger compare’s check), every block since the snapshot alike', async function () {
      // Peers commit at their own pace: wait (bounded) until all four are at one height.
      let agreement = await comparePeers(PEER_ORGS.map((org) => ({ name: org, network: on(org).network })));
      for (let i = 0; i < 40 && agreement.behind.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 250));
        agreement = await comparePeers(PEER_ORGS.map((org) => ({ name: org, network: on(org).network })));
      }
      expect(agreement.behind, JSON.stringify(agreement)).to.deep.equal([]);
      expect(agreement.agree, JSON.stringify(agreement)).to.equal(true);
      expect(agreement.peers.find((p) => p.peer === 'bank1')?.snapshotBlock).to.equal(snapshotBlock.toString());
      const height = BigInt(agreement.commonHeight);
      expect(height > snapshotBlock + 1n, 'blocks were committed after the snapshot (the load went on)').to.equal(true);
      for (let b = snapshotBlock + 1n; b < height; b++) {
        const [mine, theirs] = await Promise.all([readBlock(on('bank1').network, b), readBlock(on('operator').network, b)]);
        expect(blockHeaderHash(mine.header).toString('hex'), `block ${b}`).to.equal(blockHeaderHash(theirs.header).toString('hex'));
      }
    });

    it('endorses and commits a new transaction (bank1 named as an endorser, through its own peer)', async function () {
      // A registry write: the confirmation ledger's steps are endorsed by the platform collection's
      // members only (clients/sdk/src/platform-targets.ts), and bank1's peer is not one.
      const id = uniqueName('SNAPENT').toUpperCase();
      const profile: InstitutionProfile = { id, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '快照测试企业', nameEn: 'Snapshot Test Enterprise', registrationId: freshRegistrationId('91S') };
      const admin = session('operator', 'admin', 'bank1');
      try {
        // The peer may not have caught up with the latest registry writes yet: asked again, bounded.
        let transactionId = '';
        for (let attempt = 1; ; attempt++) {
          try {
            const outcome = await submitAndWait(admin.contract('registry'), 'RegisterInstitution', {
              arguments: [JSON.stringify(registrationInput(profile, newInstitutionKeys(id)))],
              endorsingOrganizations: ['Bank1MSP', 'Firm1MSP'],
            });
            transactionId = outcome.transactionId;
            break;
          } catch (err) {
            if (attempt >= 10) throw err;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
        const committed = await readTransaction(on('bank1').network, transactionId);
        expect(committed.validation).to.equal('VALID');
        const endorsers = committed.actions.flatMap((a) => a.endorsements.map((e) => e.endorser.mspId)).sort();
        expect(endorsers).to.deep.equal(['Bank1MSP', 'Firm1MSP']);
      } finally {
        admin.close();
      }
    });

    it('keeps no history from before the snapshot: a key’s history through it starts after the snapshot, the other peers have it all', async function () {
      // A registry record's key history (a confirmation's private record has none: its versions
      // are data, read on the collection's members wherever the caller's gateway peer is).
      const history = async (org: string): Promise<string[]> => {
        const auditor = session('firm1', 'auditor1', org);
        try {
          const entries = JSON.parse(Buffer.from(await evaluate(auditor.contract('registry'), 'GetInstitutionHistory', [earlier])).toString('utf8')) as Array<{ txId: string }>;
          return entries.map((h) => h.txId);
        } finally {
          auditor.close();
        }
      };
      const full = await history('firm1');
      expect(full.length, 'issued before the snapshot').to.be.greaterThan(0);
      expect(await history('operator')).to.deep.equal(full);
      expect(await history('bank1'), 'nothing of a record written only before the snapshot').to.deep.equal([]);
    });

    it('serves no block of the snapshot’s range: qscc refuses it as a peer bootstrapped from a snapshot', async function () {
      for (const b of [0n, snapshotBlock]) {
        const refused = await readBlock(on('bank1').network, b).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(refused, `block ${b}`).to.be.instanceOf(LedgerCallError);
        expect(String((refused as Error).message)).to.match(new RegExp(`cannot serve block \\[${b}\\]\\. The ledger is bootstrapped from a snapshot\\. First available block = \\[${snapshotBlock + 1n}\\]`));
      }
      // Every other peer still serves them.
      expect((await readBlock(on('operator').network, 0n)).header.getNumber()).to.equal(0);
    });
  });
});
