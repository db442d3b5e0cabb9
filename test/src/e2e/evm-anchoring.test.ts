import { ANCHOR_PROOF_FORMAT, ConfirmationState, EVIDENCE_ANCHOR_ABI, sha256Hex, type AnchoredProof } from '@econfirm/common';
import {
  ATTACHMENT,
  certificateLeafFacts,
  voucherLeafFacts,
  channelMspRoots,
  checkAnchor,
  evidenceLeafFacts,
  extractAttachments,
  parseAnchorProof,
  parseEvidenceJson,
  parseMortgageCertificateJson,
  parseReceivableVoucherJson,
  verifyEvidencePdf,
  type EvidenceDocument,
  type MortgageCertificateDocument,
  type ReceivableVoucherDocument,
  type TrustRoots,
} from '@econfirm/evidence';
import { AnchoringService, batchTree, type AnchorBatchRow } from '@econfirm/gateway';
import { evaluate } from '@econfirm/sdk';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AbiCoder, Interface, keccak256, Wallet, parseEther } from 'ethers';
import { anchoringOn, completeConfirmation, startAnchoringGateway, waitForBatches, type AnchoringSettings } from '../support/anchoring';
import { anchorContract, evmDeployment, evmProvider } from '../support/evm';
import { freePort } from '../support/browser';
import { E2E_TENANTS, TestGateway, type Caller, type DemoCallers, type RegistryCallers } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { networkScript, REPO_ROOT, uniqueName, withLedger } from '../support/network';
import { receivableTenants } from '../support/receivables';

const ABI = new Interface(EVIDENCE_ANCHOR_ABI);

async function evidencePdf(gw: TestGateway, c: DemoCallers, id: string): Promise<Buffer> {
  const url = `/v1/confirmations/${id}/evidence.pdf`;
  const res = await gw.getBytes(c.auditor, url);
  expect(res.status, String(res.body)).to.equal(200);
  return res.body as Buffer;
}

async function attached(pdf: Buffer): Promise<{ doc: EvidenceDocument; anchor?: ReturnType<typeof parseAnchorProof> }> {
  const files = await extractAttachments(pdf);
  const json = files.find((f) => f.name === ATTACHMENT.evidenceJson);
  const anchor = files.find((f) => f.name === ATTACHMENT.anchorJson);
  return { doc: parseEvidenceJson((json?.bytes as Buffer).toString('utf8')), ...(anchor ? { anchor: parseAnchorProof(anchor.bytes.toString('utf8')) } : {}) };
}

/** A signed PDF of `url` as `caller`, the document in its evidence.json parsed by `parse`, and its anchor.json. */
async function signedDocument<D>(gw: TestGateway, caller: Caller, url: string, parse: (text: string) => D): Promise<{ pdf: Buffer; doc: D; anchor?: ReturnType<typeof parseAnchorProof> }> {
  const res = await gw.getBytes(caller, url);
  expect(res.status, String(res.body).slice(0, 300)).to.equal(200);
  const pdf = res.body as Buffer;
  const files = await extractAttachments(pdf);
  const json = files.find((f) => f.name === ATTACHMENT.evidenceJson);
  const anchor = files.find((f) => f.name === ATTACHMENT.anchorJson);
  return { pdf, doc: parse((json?.bytes as Buffer).toString('utf8')), ...(anchor ? { anchor: parseAnchorProof(anchor.bytes.toString('utf8')) } : {}) };
}

/** The document of the record's current version (certificate, voucher) once its item's batch is confirmed on the chain. */
async function anchoredDocument<D>(gw: TestGateway, service: AnchoringService, caller: Caller, url: string, parse: (text: string) => D, itemOf: (doc: D) => string): Promise<{ pdf: Buffer; doc: D; proof: AnchoredProof }> {
  const itemId = itemOf((await signedDocument(gw, caller, url, parse)).doc);
  await waitForBatches(service, `${itemId} anchored`, (batches) => batches.some((b) => b.state === 'confirmed' && b.root === service.store.item(itemId)?.batchRoot), 90_000);
  const again = await signedDocument(gw, caller, url, parse);
  expect(again.anchor?.status, 'generated after the batch is confirmed').to.equal('anchored');
  return { pdf: again.pdf, doc: again.doc, proof: again.anchor as AnchoredProof };
}

const anchoredLogs = async (root: string): Promise<number> => {
  const provider = evmProvider();
  try {
    return (await provider.getLogs({ address: evmDeployment().address, topics: [ABI.getEvent('EvidenceAnchored')?.topicHash ?? null, root], fromBlock: 0, toBlock: 'latest' })).length;
  } finally {
    provider.destroy();
  }
};

const fabricBatch = (root: string): Promise<{ root: string; leaves: string[]; count: number; txId: string }> =>
  withLedger('regulator', 'regulator1', async (ledger) => JSON.parse(Buffer.from(await evaluate(ledger.contract('anchor'), 'GetAnchorBatch', [root])).toString('utf8')) as { root: string; leaves: string[]; count: number; txId: string });

/**
 * Issue 15 on the real network and the real EVM development node: completed confirmations are
 * batched, recorded on the channel, anchored on the chain; the evidence PDF carries its proof and
 * verifies against the chain alone; restarts, a dropped transaction and an unauthorized key.
 */
describe('public EVM anchoring of evidence through the gateway (issue 15)', function () {
  this.timeout(240_000);
  const run = uniqueName('anc').replace(/[^A-Za-z0-9-]/g, '');
  const engagementId = `ENG-${run}`;
  let roots: TrustRoots;

  before(async () => {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    networkScript('identity.sh', 'evidence', 'firm1', 'FIRM1');
    // The verifier's own trust material, exported once (econfirm verify --export-roots does the same).
    roots = await withLedger('firm1', 'auditor1', (ledger) => channelMspRoots(ledger.network));
  });

  describe('a batch of two completed confirmations', () => {
    let gw: TestGateway;
    let c: DemoCallers;
    let service: AnchoringService;
    const ids = [`CF-${run}-A`, `CF-${run}-B`];
    let batch: AnchorBatchRow;
    let pdf: Buffer;

    before(async () => {
      gw = await startAnchoringGateway(anchoringOn());
      c = gw.demoCallers();
      service = gw.app.get(AnchoringService);
    });
    after(() => gw?.close());

    it('evidence of a completed confirmation whose batch is not anchored yet says "anchoring pending"', async () => {
      await completeConfirmation(gw, c, ids[0] as string, engagementId);
      // maxItems 2, interval 60 s: one item waits.
      const { anchor } = await attached(await evidencePdf(gw, c, ids[0] as string));
      expect(anchor).to.deep.equal({ format: ANCHOR_PROOF_FORMAT, status: 'pending' });
    });

    it('two completed items make a batch: recorded on the channel, anchored, confirmed; the Fabric record matches the root on the chain', async () => {
      await completeConfirmation(gw, c, ids[1] as string, engagementId);
      await service.settle(90_000);
      const confirmed = service.store.batches(['confirmed']);
      const item = service.store.item(`confirmation:${ids[0]}`);
      batch = confirmed.find((b) => b.root === item?.batchRoot) as AnchorBatchRow;
      expect(batch, 'the batch of the first item').to.not.equal(undefined);
      expect(batch.count).to.equal(2);
      expect(service.store.item(`confirmation:${ids[1]}`)?.batchRoot).to.equal(batch.root);
      expect(batchTree(batch.leaves).root).to.equal(batch.root);

      const recorded = await fabricBatch(batch.root);
      expect(recorded).to.include({ root: batch.root, count: 2, txId: batch.fabricTx });
      expect([...recorded.leaves].sort()).to.deep.equal([...batch.leaves].sort());

      const provider = evmProvider();
      try {
        const onChain = (await anchorContract(provider).getFunction('anchorOf')(batch.root)) as { ledgerRef: string; anchorer: string; timestamp: bigint };
        const ledgerRef = keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'uint64', 'string'], ['econfirm', BigInt(batch.fabricBlock as string), batch.fabricTx]));
        expect(onChain.ledgerRef, 'the chain points at the Fabric transaction').to.equal(ledgerRef);
        expect(onChain.anchorer).to.equal(evmDeployment().anchorer);
        const receipt = await provider.getTransactionReceipt(batch.evmTx as string);
        expect(receipt?.blockNumber).to.equal(batch.evmBlock);
        expect(new Date(Number(onChain.timestamp) * 1000).toISOString()).to.equal(batch.anchoredAt);
      } finally {
        provider.destroy();
      }
      expect(await anchoredLogs(batch.root), 'anchored once').to.equal(1);
    });

    it('evidence generated now embeds the proof, root, chain id, contract and transaction, and verifies against the chain alone', async () => {
      pdf = await evidencePdf(gw, c, ids[0] as string);
      const { doc, anchor } = await attached(pdf);
      expect(anchor?.status).to.equal('anchored');
      const proof = anchor as AnchoredProof;
      expect(proof).to.include({ root: batch.root, chainId: evmDeployment().chainId, contract: evmDeployment().address, txHash: batch.evmTx, blockNumber: batch.evmBlock });
      expect(proof.proof).to.have.length(1);
      // The anchor check alone: the PDF and an EVM node the verifier chose, nothing of Fabric.
      const check = await checkAnchor(evidenceLeafFacts(doc), proof, { rpcUrl: evmDeployment().rpcUrl, contract: evmDeployment().address, chainId: evmDeployment().chainId });
      expect(check.status, check.detail).to.equal('pass');
      expect(check.anchor?.anchoredAt).to.equal(batch.anchoredAt);
      // The whole verifier offline (roots exported earlier), the anchor against the node.
      const verdict = await verifyEvidencePdf(pdf, { roots, evm: { rpcUrl: evmDeployment().rpcUrl, contract: evmDeployment().address } });
      const evm = verdict.checks.find((k) => k.id === 'evm-anchor');
      expect(evm?.status, evm?.detail).to.equal('pass');
      expect(verdict.ok, JSON.stringify(verdict.checks.filter((k) => k.status === 'fail'))).to.equal(true);
      expect(verdict.anchor).to.include({ root: batch.root, anchoredAt: batch.anchoredAt, blockNumber: batch.evmBlock });
    });

    it('POST /v1/evidence/verify checks the anchor on the chain the gateway is configured with and reports the block time', async () => {
      const res = await gw.http().post('/v1/evidence/verify?offline=true').set('Authorization', await gw.bearer(c.auditor, 'POST', '/v1/evidence/verify?offline=true')).set('Content-Type', 'application/pdf').send(pdf);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const evm = (res.body.checks as Array<{ id: string; status: string }>).find((k) => k.id === 'evm-anchor');
      expect(evm?.status).to.equal('pass');
      expect(res.body.anchor.anchoredAt).to.equal(batch.anchoredAt);
    });

    it('econfirm verify --offline --evm-rpc … --evm-contract …: the CLI checks the anchor on the node and prints the block time', () => {
      const work = mkdtempSync(path.join(tmpdir(), 'econfirm-anchor-cli-'));
      try {
        const cli = (...args: string[]) => spawnSync('node', [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), ...args], { encoding: 'utf8', cwd: REPO_ROOT });
        const exported = cli('verify', '--export-roots', path.join(work, 'roots'));
        expect(exported.status, exported.stderr).to.equal(0);
        writeFileSync(path.join(work, 'evidence.pdf'), pdf);
        const deployment = evmDeployment();
        const out = cli('verify', path.join(work, 'evidence.pdf'), '--offline', '--roots', path.join(work, 'roots'), '--evm-rpc', deployment.rpcUrl, '--evm-contract', deployment.address, '--evm-chain-id', deployment.chainId);
        expect(out.status, out.stdout + out.stderr).to.equal(0);
        expect(out.stdout).to.match(/PASS {2}evm-anchor/);
        expect(out.stdout).to.include(`anchored no later than ${batch.anchoredAt} on EVM chain ${deployment.chainId}`);
        const untrusted = cli('verify', path.join(work, 'evidence.pdf'), '--offline', '--roots', path.join(work, 'roots'), '--evm-rpc', deployment.rpcUrl, '--evm-contract', Wallet.createRandom().address);
        expect(untrusted.status).to.equal(1);
        expect(untrusted.stdout).to.match(/FAIL {2}evm-anchor +CONTRACT_MISMATCH/);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('verify-anchor-by-hand.sh: pdfdetach, python3, curl to the node and keccak alone reach the same root and block time', () => {
      const work = mkdtempSync(path.join(tmpdir(), 'econfirm-anchor-hand-'));
      try {
        const file = path.join(work, 'evidence.pdf');
        writeFileSync(file, pdf);
        const script = path.join(REPO_ROOT, 'clients/evidence/scripts/verify-anchor-by-hand.sh');
        const deployment = evmDeployment();
        const out = spawnSync(script, [file, deployment.rpcUrl, deployment.address], { encoding: 'utf8' });
        expect(out.status, out.stdout + out.stderr).to.equal(0);
        expect(out.stdout).to.include(`proof leads to root ${batch.root}`);
        expect(out.stdout).to.include(`ANCHOR VALID: existed no later than ${(batch.anchoredAt as string).replace('.000Z', 'Z')}`);
        const untrusted = spawnSync(script, [file, deployment.rpcUrl, Wallet.createRandom().address], { encoding: 'utf8' });
        expect(untrusted.status).to.equal(1);
        expect(untrusted.stdout).to.match(/ANCHOR INVALID: the evidence names contract/);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('a tampered PDF, a proof for another root, a forged leaf and a contract the verifier does not trust all fail', async () => {
      const trust = { rpcUrl: evmDeployment().rpcUrl, contract: evmDeployment().address };
      const flipped = Buffer.from(pdf);
      const at = flipped.indexOf('econfirm evidence') + 2;
      flipped[at] = (flipped[at] as number) ^ 0x01;
      expect((await verifyEvidencePdf(flipped, { roots, evm: trust })).ok, 'flipped byte').to.equal(false);

      const { doc, anchor } = await attached(pdf);
      const proof = anchor as AnchoredProof;
      // Another anchored root (a batch of its own, on the chain) with this evidence's proof.
      const other = service.store.batches(['confirmed']).find((b) => b.root !== proof.root);
      const otherRoot = other?.root ?? batchTree([`0x${'11'.repeat(32)}`, `0x${'22'.repeat(32)}`]).root;
      expect((await checkAnchor(evidenceLeafFacts(doc), { ...proof, root: otherRoot }, trust)).code).to.equal('ANCHOR_PROOF_INVALID');
      // The proof of the other item of the batch: leads to the root, but not from this evidence.
      const sibling = batch.leaves.find((l) => l !== proof.leaf.value) as string;
      expect((await checkAnchor(evidenceLeafFacts(doc), { ...proof, proof: batchTree(batch.leaves).getProof([sibling]) }, trust)).code).to.equal('ANCHOR_PROOF_INVALID');
      expect((await checkAnchor(evidenceLeafFacts(doc), { ...proof, leaf: { ...proof.leaf, salt: '00'.repeat(32) } }, trust)).code).to.equal('ANCHOR_PROOF_INVALID');
      expect((await checkAnchor(evidenceLeafFacts({ ...doc, record: { ...doc.record, state: ConfirmationState.Replied } }), proof, trust)).code).to.equal('ANCHOR_PROOF_INVALID');
      expect((await checkAnchor(evidenceLeafFacts(doc), { ...proof, batch: { ...proof.batch, txId: 'f'.repeat(64) } }, trust)).code).to.equal('LEDGER_REF_MISMATCH');
      expect((await checkAnchor(evidenceLeafFacts(doc), proof, { ...trust, contract: Wallet.createRandom().address })).code).to.equal('CONTRACT_MISMATCH');
      expect((await checkAnchor(evidenceLeafFacts(doc), proof, { ...trust, chainId: '1' })).code).to.equal('CHAIN_MISMATCH');
      expect((await checkAnchor(evidenceLeafFacts(doc), proof, { ...trust, rpcUrl: `http://127.0.0.1:${await freePort()}` })).code).to.equal('EVM_UNAVAILABLE');
    });

    it('/metrics and /readyz expose the queue and the batches', async () => {
      const metrics = await gw.http().get('/metrics');
      expect(metrics.text).to.match(/econfirm_gateway_anchoring_batches\{state="confirmed"\} [1-9]/);
      expect(metrics.text).to.match(/econfirm_gateway_anchoring_pending_items 0/);
      expect(metrics.text).to.match(/econfirm_gateway_anchoring_gas_used_total [1-9]/);
      const ready = await gw.http().get('/readyz');
      expect(ready.status).to.equal(200);
      expect(ready.body.anchoring).to.include({ enabled: true, chainId: evmDeployment().chainId, contract: evmDeployment().address, pendingItems: 0 });
      expect(ready.body.anchoring.batches.confirmed).to.be.greaterThan(0);
    });
  });

  it('a restart mid-batch neither loses nor repeats a batch (recorded on the channel, the chain unreachable, the answer of the record lost)', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const gw = await startAnchoringGateway(anchoringOn({ rpcUrl: dead, maxItems: 1 }));
    try {
      const c = gw.demoCallers();
      const id = `CF-${run}-R`;
      await completeConfirmation(gw, c, id, engagementId);
      let service = gw.app.get(AnchoringService);
      const [stuck] = await waitForBatches(service, 'recorded on the channel', (b) => b.some((x) => x.state === 'recorded'));
      const recorded = stuck as AnchorBatchRow;
      expect(recorded.lastError ?? service.status().lastError, 'the chain is unreachable').to.be.a('string');
      // As if the gateway died after the channel committed the record but before it saved the answer.
      service.store.update(recorded.root, { state: 'built', fabricTx: null, fabricBlock: null, ledgerRef: null }, new Date().toISOString());
      (gw.config.anchoring as AnchoringSettings).rpcUrl = evmDeployment().rpcUrl;
      await gw.restart();
      service = gw.app.get(AnchoringService);
      await service.settle(90_000);
      const batches = service.store.batches();
      expect(batches, 'no new batch').to.have.length(1);
      const done = batches[0] as AnchorBatchRow;
      expect(done).to.include({ root: recorded.root, state: 'confirmed', fabricTx: recorded.fabricTx, count: 1 });
      expect(service.store.item(`confirmation:${id}`)?.batchRoot).to.equal(recorded.root);
      expect((await fabricBatch(recorded.root)).txId, 'one record on the channel').to.equal(recorded.fabricTx);
      expect(await anchoredLogs(recorded.root), 'anchored once').to.equal(1);
      // Another restart with nothing to do changes nothing.
      const before = service.store.batches();
      await gw.restart();
      await gw.app.get(AnchoringService).settle(10_000);
      expect(gw.app.get(AnchoringService).store.batches()).to.deep.equal(before);
    } finally {
      await gw.close();
    }
  });

  it('a dropped anchor transaction is sent again and confirmed once', async () => {
    const provider = evmProvider();
    const gw = await startAnchoringGateway(anchoringOn({ maxItems: 1 }));
    try {
      const c = gw.demoCallers();
      // Transactions wait in the node's pool until mined by hand.
      await provider.send('evm_setAutomine', [false]);
      await provider.send('evm_setIntervalMining', [0]);
      await completeConfirmation(gw, c, `CF-${run}-D`, engagementId);
      const service = gw.app.get(AnchoringService);
      const [sent] = await waitForBatches(service, 'sent', (b) => b.some((x) => x.state === 'sent'));
      const first = (sent as AnchorBatchRow).evmTx as string;
      expect(await provider.send('hardhat_dropTransaction', [first])).to.equal(true);
      expect(await provider.getTransaction(first), 'gone from the pool').to.equal(null);
      // Sent again: the same nonce and call signed deterministically, hence the same hash, back in the pool.
      const [resent] = await waitForBatches(service, 'sent again', (b) => b.some((x) => x.state === 'sent' && x.sends === 2), 30_000);
      expect(await provider.getTransaction((resent as AnchorBatchRow).evmTx as string), 'in the pool again').to.not.equal(null);
      await provider.send('evm_setAutomine', [true]);
      await provider.send('evm_setIntervalMining', [1000]);
      await provider.send('evm_mine', []);
      await service.settle(60_000);
      const done = service.store.batch((sent as AnchorBatchRow).root) as AnchorBatchRow;
      expect(done).to.include({ state: 'confirmed', sends: 2 });
      expect(await anchoredLogs(done.root)).to.equal(1);
      const metrics = await gw.http().get('/metrics');
      expect(metrics.text).to.match(/econfirm_gateway_anchoring_reanchors_total [1-9]/);
    } finally {
      await provider.send('evm_setAutomine', [true]);
      await provider.send('evm_setIntervalMining', [1000]);
      provider.destroy();
      await gw.close();
    }
  });

  it('a key without ANCHORER_ROLE (from an environment variable) anchors nothing: the contract refuses it and the batch waits', async () => {
    const stranger = Wallet.createRandom();
    const provider = evmProvider();
    const env = `ECONFIRM_TEST_ANCHOR_KEY_${run.replace(/-/g, '_').toUpperCase()}`;
    process.env[env] = stranger.privateKey;
    const gw = await startAnchoringGateway(anchoringOn({ key: { env }, maxItems: 1 }));
    try {
      // Gas money, so that only the role stands in the way.
      await (await (await provider.getSigner(0)).sendTransaction({ to: stranger.address, value: parseEther('1') })).wait();
      await completeConfirmation(gw, gw.demoCallers(), `CF-${run}-U`, engagementId);
      const service = gw.app.get(AnchoringService);
      const [refused] = await waitForBatches(service, 'refused by the contract', (b) => b.some((x) => x.state === 'recorded' && /AnchorUnauthorized/.test(x.lastError ?? '')));
      const batch = refused as AnchorBatchRow;
      expect(batch.evmTx).to.equal(undefined);
      expect(await anchorContract(provider).getFunction('isAnchored')(batch.root)).to.equal(false);
      expect((await gw.http().get('/readyz')).body.anchoring).to.include({ anchorer: stranger.address });
    } finally {
      delete process.env[env];
      provider.destroy();
      await gw.close();
    }
  });

  /**
   * A registration certificate is anchored too, from the registration centre's outbox: each
   * version of the registration that has a certificate (registered, then discharged) is its own
   * leaf, and a certificate generated once its batch is confirmed carries its proof.
   */
  describe('registration certificates (不动产登记证明)', () => {
    const id = `MTG-${run}`;
    const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
    let gw: TestGateway;
    let service: AnchoringService;
    let officer: Caller;
    let registry: RegistryCallers;
    let registered: { pdf: Buffer; doc: MortgageCertificateDocument; proof: AnchoredProof };

    before(async () => {
      await ensureDemoInstitutions('BANK1', 'CLIENT1', 'MREG1');
      networkScript('identity.sh', 'evidence', 'operator', 'MREG1');
      gw = await startAnchoringGateway(anchoringOn({ maxItems: 1 }), [...E2E_TENANTS, { id: 'mreg1', institutionId: 'MREG1', orgKey: 'operator' }]);
      service = gw.app.get(AnchoringService);
      officer = gw.demoCallers().mortgageOfficer;
      registry = gw.registryCallers();
      const filed = await gw.post(officer, '/v1/mortgages', {
        id, registryId: 'MREG1', unitNumber: `310115 003003 GB${tag.slice(-5)} F${tag.slice(-8)}`, location: '上海市浦东新区锚定路9号', propertyType: 'residential', mortgageType: 'ordinary',
        securedPrincipal: '5200000.00', currency: 'CNY', debtTermStart: '2026-01-01', debtTermEnd: '2041-01-01',
        mortgagors: [{ name: '华东制造股份有限公司', institutionId: 'CLIENT1' }], consentHash: sha256Hex(run),
      });
      expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    });
    after(() => gw?.close());

    it('an application and a registration in review (no certificate yet) are not anchored; the registered version is, and its certificate verifies against the chain alone', async () => {
      const before = service.store.batches().length;
      const res = await gw.registryStep(registry, `/v1/mortgages/${id}/registration`, { certificateNumber: `沪(2026)浦东新区不动产证明第${tag.slice(-10)}号` });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      registered = await anchoredDocument(gw, service, officer, `/v1/mortgages/${id}/certificate.pdf`, parseMortgageCertificateJson, (doc) => `mortgage-certificate:${id}:${doc.timeline[doc.timeline.length - 1]?.txId}`);
      const { doc, proof } = registered;
      expect(doc.record.state).to.equal('registered');
      expect(service.store.batches().length, 'one batch: the registered version (the application and the registration in review made none)').to.equal(before + 1);
      expect(proof).to.include({ chainId: evmDeployment().chainId, contract: evmDeployment().address });
      expect((await fabricBatch(proof.root)).root, 'the batch is recorded on the channel').to.equal(proof.root);
      // The whole verifier offline (roots exported earlier), the anchor against the node.
      const verdict = await verifyEvidencePdf(registered.pdf, { roots, evm: { rpcUrl: evmDeployment().rpcUrl, contract: evmDeployment().address } });
      expect(verdict.kind).to.equal('mortgage-certificate');
      const evm = verdict.checks.find((k) => k.id === 'evm-anchor');
      expect(evm?.status, evm?.detail).to.equal('pass');
      expect(verdict.ok, JSON.stringify(verdict.checks.filter((k) => k.status === 'fail'))).to.equal(true);
      expect(verdict.anchor).to.include({ root: proof.root, anchoredAt: proof.anchoredAt });
    });

    it("the leaf is the certificate's own: another state, another sealed hash or the proof on a confirmation's facts fail", async () => {
      const { doc, proof } = registered;
      const trust = { rpcUrl: evmDeployment().rpcUrl, contract: evmDeployment().address };
      expect((await checkAnchor(certificateLeafFacts(doc), proof, trust)).status).to.equal('pass');
      expect((await checkAnchor(certificateLeafFacts({ ...doc, record: { ...doc.record, state: 'discharged' } as MortgageCertificateDocument['record'] }), proof, trust)).code).to.equal('ANCHOR_PROOF_INVALID');
      expect((await checkAnchor(certificateLeafFacts({ ...doc, certificate: { ...doc.certificate, contentHash: 'f'.repeat(64) } }), proof, trust)).code).to.equal('ANCHOR_PROOF_INVALID');
      const last = doc.timeline[doc.timeline.length - 1]?.txId as string;
      const asConfirmation = { channel: doc.channel, kind: 'confirmation' as const, id: doc.record.id, state: doc.record.state, letterHash: doc.application.contentHash, txId: last };
      expect((await checkAnchor(asConfirmation, proof, trust)).code).to.equal('ANCHOR_PROOF_INVALID');
      // And by hand, with standard tools only.
      const work = mkdtempSync(path.join(tmpdir(), 'econfirm-anchor-cert-'));
      try {
        const file = path.join(work, 'certificate.pdf');
        writeFileSync(file, registered.pdf);
        const out = spawnSync(path.join(REPO_ROOT, 'clients/evidence/scripts/verify-anchor-by-hand.sh'), [file, trust.rpcUrl, trust.contract], { encoding: 'utf8' });
        expect(out.status, out.stdout + out.stderr).to.equal(0);
        expect(out.stdout).to.include(`proof leads to root ${proof.root}`);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('a discharge is a new version: anchored as its own leaf; the registered certificate keeps its proof', async () => {
      expect((await gw.post(officer, `/v1/mortgages/${id}/discharge-request`, { reason: 'repaid' })).status).to.equal(200);
      expect((await gw.registryStep(registry, `/v1/mortgages/${id}/discharge`, { caseNumber: `DC-${tag}`, reason: 'repaid' })).status).to.equal(200);
      // The discharge-requested and -in-review versions may be read after the discharge (the latest is anchored then): wait for the last.
      const discharged = await anchoredDocument(gw, service, officer, `/v1/mortgages/${id}/certificate.pdf`, parseMortgageCertificateJson, (doc) => `mortgage-certificate:${id}:${doc.timeline[doc.timeline.length - 1]?.txId}`);
      expect(discharged.doc.record.state).to.equal('discharged');
      expect(discharged.proof.leaf.value).to.not.equal(registered.proof.leaf.value);
      const trust = { rpcUrl: evmDeployment().rpcUrl, contract: evmDeployment().address };
      expect((await checkAnchor(certificateLeafFacts(discharged.doc), discharged.proof, trust)).status).to.equal('pass');
      expect((await checkAnchor(certificateLeafFacts(registered.doc), registered.proof, trust)).status, 'the earlier version stays anchored').to.equal('pass');
    });
  });

  /** Receivable vouchers likewise: each version of a confirmed receivable (confirmed, then transferred) is its own leaf. */
  describe('receivable vouchers (电子债权凭证)', () => {
    const tag = `V${run.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;
    const id = `RCV-${run}`;
    let gw: TestGateway;
    let service: AnchoringService;
    let holder: Caller;
    let obligor: Caller;
    let newHolder: Caller;
    let confirmed: { pdf: Buffer; doc: ReceivableVoucherDocument; proof: AnchoredProof };
    let nextHolder: string;
    /** The anchoring item of the receivable's version a voucher is of (its own last step). */
    const voucherItem = (doc: ReceivableVoucherDocument): string => `receivable-voucher:${id}:${doc.timeline.filter((step) => step.receivableId === id).pop()?.txId}`;

    before(async () => {
      const parties = await receivableTenants(tag);
      for (const party of [parties.supA, parties.supB]) networkScript('identity.sh', 'evidence', 'operator', party.record.id);
      nextHolder = parties.supB.record.id;
      gw = await startAnchoringGateway(anchoringOn({ maxItems: 1 }), [...E2E_TENANTS, ...parties.tenants]);
      service = gw.app.get(AnchoringService);
      holder = gw.custodial('supa', parties.identities.supa);
      obligor = gw.custodial('core', parties.identities.core);
      newHolder = gw.custodial('supb', parties.identities.supb);
      const admin = gw.custodial('operator', 'admin');
      const limitUrl = `/v1/receivables/limits/${parties.core.record.id}`;
      const limit = await gw.http().put(limitUrl).set('Authorization', await gw.bearer(admin, 'PUT', limitUrl)).send({ amountMinor: '90000000', currency: 'CNY' });
      expect(limit.status, JSON.stringify(limit.body)).to.equal(200);
      const today = new Date().toISOString().slice(0, 10);
      const registered = await gw.post(holder, '/v1/receivables', { id, obligorId: parties.core.record.id, amountMinor: '4200000', currency: 'CNY', issueDate: today, maturityDate: today, contractNumber: `HT-${tag}`, invoiceNumbers: [`INV-${tag}`], goods: '钢材 10 吨' });
      expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    });
    after(() => gw?.close());

    it("a registered receivable is not anchored; the obligor's confirmation is, and the holder's voucher verifies against the chain alone", async () => {
      const before = service.store.batches().length;
      expect((await gw.post(obligor, `/v1/receivables/${id}/confirmation`)).status).to.equal(200);
      confirmed = await anchoredDocument(gw, service, holder, `/v1/receivables/${id}/voucher.pdf`, parseReceivableVoucherJson, voucherItem);
      expect(confirmed.doc.record.state).to.equal('confirmed');
      expect(service.store.batches().length, 'one batch: the confirmed version (the registration made none)').to.equal(before + 1);
      const verdict = await verifyEvidencePdf(confirmed.pdf, { roots, evm: { rpcUrl: evmDeployment().rpcUrl, contract: evmDeployment().address } });
      expect(verdict.kind).to.equal('receivable-voucher');
      const evm = verdict.checks.find((k) => k.id === 'evm-anchor');
      expect(evm?.status, evm?.detail).to.equal('pass');
      expect(verdict.ok, JSON.stringify(verdict.checks.filter((k) => k.status === 'fail'))).to.equal(true);
      expect(verdict.anchor).to.include({ root: confirmed.proof.root, anchoredAt: confirmed.proof.anchoredAt });
      const trust = { rpcUrl: evmDeployment().rpcUrl, contract: evmDeployment().address };
      expect((await checkAnchor(voucherLeafFacts({ ...confirmed.doc, record: { ...confirmed.doc.record, holderId: nextHolder } }), confirmed.proof, trust)).code, 'another holder').to.equal('ANCHOR_PROOF_INVALID');
      expect((await checkAnchor(voucherLeafFacts({ ...confirmed.doc, terms: { ...confirmed.doc.terms, contentHash: 'f'.repeat(64) } }), confirmed.proof, trust)).code, 'other terms').to.equal('ANCHOR_PROOF_INVALID');
      const work = mkdtempSync(path.join(tmpdir(), 'econfirm-anchor-voucher-'));
      try {
        const file = path.join(work, 'voucher.pdf');
        writeFileSync(file, confirmed.pdf);
        const out = spawnSync(path.join(REPO_ROOT, 'clients/evidence/scripts/verify-anchor-by-hand.sh'), [file, trust.rpcUrl, trust.contract], { encoding: 'utf8' });
        expect(out.status, out.stdout + out.stderr).to.equal(0);
        expect(out.stdout).to.include(`proof leads to root ${confirmed.proof.root}`);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('a transfer is a new version with its own leaf; the confirmed voucher keeps its proof', async () => {
      const moved = await gw.post(holder, `/v1/receivables/${id}/transfer`, { toId: nextHolder });
      expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
      const transferred = await anchoredDocument(gw, service, newHolder, `/v1/receivables/${id}/voucher.pdf`, parseReceivableVoucherJson, voucherItem);
      expect(transferred.doc.record).to.include({ state: 'transferred', holderId: nextHolder });
      expect(transferred.proof.leaf.value).to.not.equal(confirmed.proof.leaf.value);
      const trust = { rpcUrl: evmDeployment().rpcUrl, contract: evmDeployment().address };
      expect((await checkAnchor(voucherLeafFacts(transferred.doc), transferred.proof, trust)).status).to.equal('pass');
      expect((await checkAnchor(voucherLeafFacts(confirmed.doc), confirmed.proof, trust)).status, 'the earlier version stays anchored').to.equal('pass');
    });
  });
});
