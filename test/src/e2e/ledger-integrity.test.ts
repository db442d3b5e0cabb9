import { blockDataHash, blockHeaderHash, blocksInFile, ChainChecker, currentChannelConfig, memberMspCertificates, ordererMspCertificates, parseBlock } from '@econfirm/sdk';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Caller, TestGateway } from '../support/gateway';
import { networkDir } from '../support/institutions';
import { REPO_ROOT, withLedger } from '../support/network';

interface ChainReport {
  height: string;
  fromBlock: string;
  toBlock: string;
  blocksChecked: number;
  transactionsByValidation: Record<string, number>;
  transactionsChecked: number;
  breaks: Array<{ block: string; reason: string }>;
  anchoredToPeerHeight: boolean;
  trustAnchor?: { block: string; headerHash: string; matched: boolean };
  checkpoint: { block: string; headerHash: string };
  nextFromBlock?: string;
}

/** The envelope with its first action's first endorser replaced by `identity` (msp.SerializedIdentity bytes); no signature redone. */
function withEndorser(bytes: Uint8Array, identity: Uint8Array): Uint8Array {
  const envelope = common.Envelope.deserializeBinary(bytes);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const action = transaction.getActionsList()[0] as peer.TransactionAction;
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = actionPayload.getAction() as peer.ChaincodeEndorsedAction;
  (endorsed.getEndorsementsList()[0] as peer.Endorsement).setEndorser(identity);
  actionPayload.setAction(endorsed);
  action.setPayload(actionPayload.serializeBinary());
  payload.setData(transaction.serializeBinary());
  envelope.setPayload(payload.serializeBinary());
  return envelope.serializeBinary();
}

/** The envelope with its first action's endorsements cut to the first `keep`; no signature redone. */
function withEndorsementsCut(bytes: Uint8Array, keep: number): Uint8Array {
  const envelope = common.Envelope.deserializeBinary(bytes);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const action = transaction.getActionsList()[0] as peer.TransactionAction;
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const endorsed = actionPayload.getAction() as peer.ChaincodeEndorsedAction;
  endorsed.setEndorsementsList(endorsed.getEndorsementsList().slice(0, keep));
  actionPayload.setAction(endorsed);
  action.setPayload(actionPayload.serializeBinary());
  payload.setData(transaction.serializeBinary());
  envelope.setPayload(payload.serializeBinary());
  return envelope.serializeBinary();
}

/** The envelope with one bit of its creator's signature flipped. */
function withForgedSignature(bytes: Uint8Array): Uint8Array {
  const envelope = common.Envelope.deserializeBinary(bytes);
  const signature = Buffer.from(envelope.getSignature_asU8());
  signature[signature.length - 1] ^= 0x01;
  envelope.setSignature(signature);
  return envelope.serializeBinary();
}

/** A copy of `block` whose envelope `index` is `bytes`, its data hash made to match (a rewriter's work; the orderers' signatures cannot follow). */
function withEnvelope(block: common.Block, index: number, bytes: Uint8Array): common.Block {
  const copy = common.Block.deserializeBinary(block.serializeBinary());
  const data = copy.getData() as common.BlockData;
  const list = [...data.getDataList_asU8()];
  list[index] = bytes;
  data.setDataList(list);
  (copy.getHeader() as common.BlockHeader).setDataHash(blockDataHash(copy));
  return copy;
}

/**
 * The regulator audits the chain's integrity (GET /v1/ledger/integrity): the gateway recomputes
 * every block's data hash and header hash from what the peer serves, and the last header must hash
 * to the peer's own current block hash — the peer's value is the oracle our hashing must meet.
 */
describe('gateway e2e: the regulator checks the integrity of the chain', function () {
  this.timeout(180_000);
  let gw: TestGateway;
  let regulator: Caller;
  let auditor: Caller;

  before(async function () {
    gw = await TestGateway.start();
    regulator = gw.custodial('regulator', 'regulator1');
    auditor = gw.custodial('firm1', 'auditor1');
  });

  after(async function () {
    await gw?.close();
  });

  const integrity = async (query = ''): Promise<ChainReport> => {
    const res = await gw.get(regulator, `/v1/ledger/integrity${query}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as ChainReport;
  };

  it('the whole chain holds: no break, every block linked, the last header hashes to the peer’s current block hash', async function () {
    let report = await integrity();
    let checked = report.blocksChecked;
    const breaks = [...report.breaks];
    while (report.nextFromBlock) {
      report = await integrity(`?fromBlock=${report.nextFromBlock}`);
      checked += report.blocksChecked;
      breaks.push(...report.breaks);
    }
    expect(breaks).to.deep.equal([]);
    expect(report.anchoredToPeerHeight).to.equal(true);
    expect(checked).to.equal(Number(report.height));
    expect(report.transactionsByValidation.VALID).to.be.greaterThan(0);
    // Real Fabric signatures of creators and endorsers verify as our checker reads them.
    expect(report.transactionsChecked).to.be.greaterThan(0);
  });

  it('a pinned trust anchor: the genesis hash the regulator holds matches; another hash is named; a checkpoint pins the next audit', async function () {
    const genesisHash = await withLedger('regulator', 'regulator1', async (ledger) => {
      const bytes = await ledger.network.getContract('qscc').evaluateTransaction('GetBlockByNumber', ledger.network.getName(), '0');
      return blockHeaderHash(common.Block.deserializeBinary(bytes).getHeader() as common.BlockHeader).toString('hex');
    });
    const pinned = await integrity(`?toBlock=3&anchorBlock=0&anchorHash=${genesisHash}`);
    expect(pinned.trustAnchor).to.deep.equal({ block: '0', headerHash: genesisHash, matched: true });
    expect(pinned.breaks).to.deep.equal([]);
    const other = 'ab'.repeat(32);
    const rewritten = await integrity(`?toBlock=3&anchorBlock=0&anchorHash=${other}`);
    expect(rewritten.trustAnchor?.matched).to.equal(false);
    expect(rewritten.breaks).to.deep.equal([{ block: '0', reason: 'its header hash is not the pinned trust anchor’s: this is not the chain the anchor names' }]);
    // The next audit starts where this one ended, pinned by its checkpoint.
    expect(pinned.checkpoint.block).to.equal('3');
    const next = await integrity(`?fromBlock=4&toBlock=5&anchorBlock=3&anchorHash=${pinned.checkpoint.headerHash}`);
    expect(next.trustAnchor?.matched).to.equal(true);
    expect(next.breaks).to.deep.equal([]);
    // A peer serving fewer blocks than an audit already reached: the anchor beyond its chain is told.
    const far = BigInt(pinned.height) + 5n;
    const shorter = await integrity(`?anchorBlock=${far}&anchorHash=${pinned.checkpoint.headerHash}`);
    expect(shorter.trustAnchor?.matched).to.equal(false);
    expect(shorter.breaks.map((b) => b.block)).to.include(far.toString());
    for (const query of ['?anchorBlock=0', `?anchorHash=${genesisHash}`, `?anchorBlock=0&anchorHash=${genesisHash.toUpperCase()}`]) {
      const res = await gw.get(regulator, `/v1/ledger/integrity${query}`);
      expect(res.status, query).to.equal(400);
      expect(res.body.error.code, query).to.equal('VALIDATION_FAILED');
    }
  });

  it("transactions: a forged creator signature, an endorsement by a certificate no channel CA issued, and a VALID id seen twice are each named", async function () {
    const { blocks, cas, at } = await withLedger('regulator', 'regulator1', async (ledger) => {
      const qscc = ledger.network.getContract('qscc');
      const read = async (n: bigint) => common.Block.deserializeBinary(await qscc.evaluateTransaction('GetBlockByNumber', ledger.network.getName(), n.toString()));
      const config = await currentChannelConfig(ledger.network);
      // The last block holding a VALID endorser transaction, and the block before it (to link to).
      const height = BigInt((await integrity('?fromBlock=0&toBlock=0')).height);
      for (let n = height - 1n; n > 1n; n--) {
        const candidate = await read(n);
        const index = parseBlock(candidate).transactions.findIndex((tx) => tx.isValid && tx.type === common.HeaderType.ENDORSER_TRANSACTION);
        if (index >= 0) return { blocks: [await read(n - 1n), candidate], cas: { orderers: ordererMspCertificates(config), members: memberMspCertificates(config) }, at: { n, index } };
      }
      throw new Error('no block with a VALID endorser transaction');
    });
    const [before, target] = blocks as [common.Block, common.Block];
    const txId = parseBlock(target).transactions[at.index]?.transactionId as string;
    const check = (list: common.Block[]) => {
      const checker = new ChainChecker(at.n - 1n, undefined, cas);
      list.forEach((b) => checker.add(b));
      return checker.breaks.map((b) => `${b.block}: ${b.reason}`);
    };
    expect(check([before, target])).to.deep.equal([]);
    const envelope = (target.getData() as common.BlockData).getDataList_asU8()[at.index] as Uint8Array;

    const forged = check([before, withEnvelope(target, at.index, withForgedSignature(envelope))]);
    expect(forged).to.include(`${at.n}: transaction ${at.index} (${txId}): creator: the ${parseBlock(target).transactions[at.index]?.creator.mspId} signature over the envelope does not verify`);

    const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-stranger-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=stranger', '-days', '1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    const endorserMsp = parseBlock(target).transactions[at.index]?.actions[0]?.endorsements[0]?.endorser.mspId as string;
    const stranger = new msp.SerializedIdentity();
    stranger.setMspid(endorserMsp);
    stranger.setIdBytes(readFileSync(path.join(dir, 'cert.pem')));
    const foreign = check([before, withEnvelope(target, at.index, withEndorser(envelope, stranger.serializeBinary()))]);
    expect(foreign).to.include(`${at.n}: transaction ${at.index} (${txId}): action 0, endorsement 0: its certificate was not issued by a CA of ${endorserMsp}`);

    // The same block again as the next one (renumbered and linked): its transactions are VALID a second time.
    const again = common.Block.deserializeBinary(target.serializeBinary());
    const header = again.getHeader() as common.BlockHeader;
    header.setNumber(Number(at.n + 1n));
    header.setPreviousHash(blockHeaderHash(target.getHeader() as common.BlockHeader));
    const repeated = check([before, target, again]);
    expect(repeated).to.include(`${at.n + 1n}: transaction ${at.index} (${txId}) is VALID a second time (first in block ${at.n})`);
    expect(repeated).to.include(`${at.n + 1n}: no valid signature of an ordering node of the channel`);

    // Every orderer signature must hold, not one of them: a forged second one beside the real one is named.
    const twice = common.Block.deserializeBinary(target.serializeBinary());
    const list = [...(twice.getMetadata() as common.BlockMetadata).getMetadataList_asU8()];
    const metadata = common.Metadata.deserializeBinary(list[common.BlockMetadataIndex.SIGNATURES] as Uint8Array);
    const real = metadata.getSignaturesList()[0] as common.MetadataSignature;
    const fake = common.MetadataSignature.deserializeBinary(real.serializeBinary());
    const bytes = Buffer.from(fake.getSignature_asU8());
    bytes[bytes.length - 1] ^= 0x01;
    fake.setSignature(bytes);
    metadata.setSignaturesList([real, fake]);
    list[common.BlockMetadataIndex.SIGNATURES] = metadata.serializeBinary();
    (twice.getMetadata() as common.BlockMetadata).setMetadataList(list);
    expect(check([before, twice])).to.deep.equal([`${at.n}: orderer signature 2 of 2 (OrdererMSP): does not verify`]);
  });

  it('a range: only those blocks, linked to the one before; not anchored unless it reaches the last', async function () {
    const report = await integrity('?fromBlock=1&toBlock=3');
    expect(report).to.include({ fromBlock: '1', toBlock: '3', blocksChecked: 3, anchoredToPeerHeight: false });
    expect(report.breaks).to.deep.equal([]);
  });

  it('real blocks from the peer: linked and signed by the orderers; one flipped byte breaks the chain there, a consistent rewrite lacks the signatures', async function () {
    const read = () =>
      withLedger('regulator', 'regulator1', async (ledger) => {
        const qscc = ledger.network.getContract('qscc');
        const block = async (n: number) => common.Block.deserializeBinary(await qscc.evaluateTransaction('GetBlockByNumber', ledger.network.getName(), String(n)));
        return { blocks: [await block(1), await block(2), await block(3)], orderers: ordererMspCertificates(await currentChannelConfig(ledger.network)) };
      });
    const { blocks, orderers } = await read();
    expect([...orderers.keys()]).to.deep.equal(['OrdererMSP']);
    const link = (list: common.Block[]) => {
      const checker = new ChainChecker(2n, blockHeaderHash(list[0]?.getHeader() as common.BlockHeader), orderers);
      list.slice(1).forEach((b) => checker.add(b));
      return checker.breaks;
    };
    expect(link(blocks)).to.deep.equal([]);

    const data = (blocks[1] as common.Block).getData() as common.BlockData;
    const first = Buffer.from(data.getDataList_asU8()[0] as Uint8Array);
    first[first.length - 1] ^= 0x01;
    data.setDataList([first, ...data.getDataList_asU8().slice(1)]);
    expect(link(blocks)).to.deep.equal([{ block: '2', reason: "its data does not hash to the header's data hash" }]);

    // Rewritten consistently: the data hash fixed, the next block's previous hash fixed — every hash holds, no orderer signed it.
    (blocks[1]?.getHeader() as common.BlockHeader).setDataHash(blockDataHash(blocks[1] as common.Block));
    (blocks[2]?.getHeader() as common.BlockHeader).setPreviousHash(blockHeaderHash(blocks[1]?.getHeader() as common.BlockHeader));
    const unsigned = 'no valid signature of an ordering node of the channel';
    expect(link(blocks)).to.deep.equal([{ block: '2', reason: unsigned }, { block: '3', reason: unsigned }]);
  });

  it('the same check from the command line (econfirm ledger verify): exit 0 when the chain holds, 2 for a range outside it', function () {
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients', 'cli', 'dist', 'main.js'), '--as', 'regulator/regulator1', 'ledger', 'verify', ...args], { encoding: 'utf8' });
    const whole = cli();
    expect(whole.status, whole.stderr).to.equal(0);
    const pages = whole.stdout.trim().split(/\n(?=\{)/).map((page) => JSON.parse(page) as ChainReport);
    expect(pages.flatMap((p) => p.breaks)).to.deep.equal([]);
    expect(pages.at(-1)?.anchoredToPeerHeight).to.equal(true);
    const outside = cli('5', '2');
    expect(outside.status).to.equal(2);
    expect(outside.stderr).to.contain('no blocks in 5..2');
    // Pinned: the genesis hash of the first page holds; another is exit 1; a malformed anchor is a usage error.
    const genesis = pages[0]?.fromBlock === '0' ? cli('0', '0') : undefined;
    const genesisHash = genesis ? (JSON.parse(genesis.stdout) as ChainReport).checkpoint.headerHash : '';
    const pinned = cli('0', '3', '--anchor', `0:${genesisHash}`);
    expect(pinned.status, pinned.stderr).to.equal(0);
    expect((JSON.parse(pinned.stdout) as ChainReport).trustAnchor?.matched).to.equal(true);
    expect(cli('0', '3', '--anchor', `0:${'cd'.repeat(32)}`).status).to.equal(1);
    expect(cli('--anchor', 'zero').status).to.equal(2);
    // Every peer serves the same chain: one header hash at the height all of them hold.
    const compare = spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients', 'cli', 'dist', 'main.js'), '--as', 'regulator/regulator1', 'ledger', 'compare'], { encoding: 'utf8' });
    expect(compare.status, compare.stderr).to.equal(0);
    const agreement = JSON.parse(compare.stdout) as { agree: boolean; peers: Array<{ headerHashAtCommon: string }> };
    expect(agreement.agree).to.equal(true);
    expect(agreement.peers.length).to.be.greaterThan(1);
    expect(new Set(agreement.peers.map((p) => p.headerHashAtCommon)).size).to.equal(1);
  });

  it('offline, on a copy of a peer’s block files (econfirm ledger verify --block-files): holds under the pinned genesis hash; a flipped byte, another anchor and a half-written last block are each told', async function () {
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients', 'cli', 'dist', 'main.js'), 'ledger', 'verify', '--block-files', ...args], { encoding: 'utf8', env: { ...process.env, ECONFIRM_NETWORK_DIR: '/nonexistent' } });
    const copy = mkdtempSync(path.join(tmpdir(), 'econfirm-blockfiles-'));
    cpSync(path.join(networkDir(), 'nodes', 'regulator', 'data', 'ledgersData', 'chains', 'chains', 'econfirm'), copy, { recursive: true });
    const genesis = (await integrity('?fromBlock=0&toBlock=0')).checkpoint.headerHash;
    // No network, no identity (the descriptor does not exist): the files and the anchor are all it has.
    const held = cli(copy, '--anchor', `0:${genesis}`);
    expect(held.status, held.stderr).to.equal(0);
    const report = JSON.parse(held.stdout) as ChainReport & { partialTailBytes?: number };
    expect(report.trustAnchor?.matched).to.equal(true);
    expect(report.breaks).to.deep.equal([]);
    expect(report.blocksChecked).to.be.greaterThan(3);
    expect(report.transactionsChecked).to.be.greaterThan(0);
    expect(report).to.include({ validationReplayed: true });
    expect(cli(copy, '--anchor', `0:${'ef'.repeat(32)}`).status).to.equal(1);

    const file = path.join(copy, readdirSync(copy).filter((f) => f.startsWith('blockfile_')).sort()[0] as string);
    const bytes = readFileSync(file);

    // Nothing signs the validation codes: flipped in the TRANSACTIONS_FILTER metadata, every signature
    // still holds, and only replaying the read-write sets from block 0 tells.
    const blocks = [...blocksInFile(bytes)];
    const flip = (number: number, index: number, code: number): string[] => {
      const copied = blocks.map((b) => common.Block.deserializeBinary(b.serializeBinary()));
      const metadata = [...(copied[number]?.getMetadata() as common.BlockMetadata).getMetadataList_asU8()];
      const flags = Buffer.from(metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] as Uint8Array);
      flags[index] = code;
      metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = flags;
      (copied[number]?.getMetadata() as common.BlockMetadata).setMetadataList(metadata);
      const checker = new ChainChecker(0n, undefined, { orderers: new Map(), members: new Map() });
      copied.forEach((b) => checker.add(b));
      return checker.breaks.map((b) => `${b.block}: ${b.reason}`);
    };
    const find = (wanted: (tx: ReturnType<typeof parseBlock>['transactions'][number]) => boolean) => {
      for (let n = blocks.length - 1; n > 0; n--) {
        const index = parseBlock(blocks[n] as common.Block).transactions.findIndex(wanted);
        if (index >= 0) return { n, index, txId: parseBlock(blocks[n] as common.Block).transactions[index]?.transactionId as string };
      }
      return undefined;
    };
    const valid = find((tx) => tx.isValid && tx.type === common.HeaderType.ENDORSER_TRANSACTION && tx.actions.some((a) => a.readWriteSets.some((set) => set.reads.length > 0)));
    expect(valid, 'a VALID transaction that reads state').to.not.equal(undefined);
    if (valid) {
      const MVCC_READ_CONFLICT = 11;
      expect(flip(valid.n, valid.index, MVCC_READ_CONFLICT)).to.include(`${valid.n}: transaction ${valid.index} (${valid.txId}): recorded MVCC_READ_CONFLICT, but every read held (replay of the read-write sets)`);
    }
    // Ranges are replayed too (the phantom check): the clean chain above agreed with every range a
    // VALID transaction iterated — a bank's or firm's caller resolution ranges over its MSP's
    // institutions — and a phantom invented in the metadata is told.
    const ranged = find((tx) => tx.isValid && tx.type === common.HeaderType.ENDORSER_TRANSACTION && tx.actions.some((a) => a.readWriteSets.some((set) => set.rangeQueries.length > 0)));
    expect(ranged, 'a VALID transaction that iterates a range').to.not.equal(undefined);
    if (ranged) {
      expect(flip(ranged.n, ranged.index, peer.TxValidationCode.PHANTOM_READ_CONFLICT)).to.include(`${ranged.n}: transaction ${ranged.index} (${ranged.txId}): recorded PHANTOM_READ_CONFLICT, but every read held (replay of the read-write sets)`);
    }
    const phantom = find((tx) => tx.validation === 'PHANTOM_READ_CONFLICT');
    if (phantom) expect(flip(phantom.n, phantom.index, 0).some((b) => b.startsWith(`${phantom.n}: transaction ${phantom.index} (${phantom.txId}): recorded VALID, but its `))).to.equal(true);
    // Endorsements that do not satisfy the policy the chain's committed chaincode definition set.
    const endorsedTwice = find((tx) => tx.isValid && tx.actions[0]?.chaincode.name === 'econfirm' && (tx.actions[0]?.endorsements.length ?? 0) >= 2);
    expect(endorsedTwice, 'an econfirm transaction endorsed by two orgs').to.not.equal(undefined);
    if (endorsedTwice) {
      const target = blocks[endorsedTwice.n] as common.Block;
      const cut = withEnvelope(target, endorsedTwice.index, withEndorsementsCut((target.getData() as common.BlockData).getDataList_asU8()[endorsedTwice.index] as Uint8Array, 1));
      const checker = new ChainChecker(0n, undefined, { orderers: new Map(), members: new Map() });
      blocks.forEach((b, n) => checker.add(n === endorsedTwice.n ? cut : b));
      const reasons = checker.breaks.filter((b) => b.block === String(endorsedTwice.n)).map((b) => b.reason);
      expect(reasons.some((r) => r.startsWith(`transaction ${endorsedTwice.index} (${endorsedTwice.txId}): action 0: its endorsements (`) && r.endsWith(`) do not satisfy econfirm's endorsement policy OutOf(2, OperatorMSP.peer, Bank1MSP.peer, Firm1MSP.peer, RegulatorMSP.peer)`)), reasons.join('\n')).to.equal(true);
      // The other way: a valid transaction marked ENDORSEMENT_POLICY_FAILURE (hidden from the state by
      // a peer) — its signatures hold and its endorsements satisfy the policy, which is told.
      expect(flip(endorsedTwice.n, endorsedTwice.index, peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE)).to.include(
        `${endorsedTwice.n}: transaction ${endorsedTwice.index} (${endorsedTwice.txId}): recorded ENDORSEMENT_POLICY_FAILURE, but its signatures hold and its endorsements satisfy every endorsement policy in force`,
      );
    }
    // The chaincode definition's own transactions answer to channel policies, read from the
    // configuration in force: a commit (public _lifecycle writes) to LifecycleEndorsement (here
    // network/lib/generate.sh's 2 of the 4 orgs' peers); an org's approval (its implicit collection) to
    // that org's Endorsement policy. The clean chain above held to both; cut, each is named.
    const cutAndCheck = (at: { n: number; index: number; txId: string }, keep: number): string[] => {
      const target = blocks[at.n] as common.Block;
      const cut = withEnvelope(target, at.index, withEndorsementsCut((target.getData() as common.BlockData).getDataList_asU8()[at.index] as Uint8Array, keep));
      const checker = new ChainChecker(0n, undefined, { orderers: new Map(), members: new Map() });
      blocks.forEach((b, n) => checker.add(n === at.n ? cut : b));
      return checker.breaks.filter((b) => b.block === String(at.n)).map((b) => b.reason);
    };
    const lifecycle = (tx: ReturnType<typeof parseBlock>['transactions'][number]) => tx.isValid && tx.actions[0]?.chaincode.name === '_lifecycle';
    const committed = find((tx) => lifecycle(tx) && (tx.actions[0]?.readWriteSets.some((set) => set.namespace === '_lifecycle' && set.writes.length > 0) ?? false));
    expect(committed, 'a committed chaincode definition').to.not.equal(undefined);
    if (committed) {
      const reasons = cutAndCheck(committed, 1);
      expect(reasons.some((r) => r.startsWith(`transaction ${committed.index} (${committed.txId}): action 0: its endorsements (`) && r.includes("do not satisfy _lifecycle's endorsement policy /Channel/Application/LifecycleEndorsement ")), reasons.join('\n')).to.equal(true);
    }
    const approved = find((tx) => lifecycle(tx) && (tx.actions[0]?.readWriteSets.some((set) => set.namespace === '_lifecycle' && set.writes.length === 0 && set.collections.some((c) => c.collection.startsWith('_implicit_org_') && c.writes.length > 0)) ?? false));
    expect(approved, "an org's approval of a chaincode definition").to.not.equal(undefined);
    if (approved) {
      const reasons = cutAndCheck(approved, 0);
      expect(reasons.some((r) => r.includes("action 0: its endorsements (none) do not satisfy the endorsement policy of _lifecycle's collection _implicit_org_") && r.includes('/Endorsement')), reasons.join('\n')).to.equal(true);
    }
    // A real conflict (the races of the other suites leave some) flipped to VALID: its stale read is named.
    const conflicted = find((tx) => tx.validation === 'MVCC_READ_CONFLICT');
    if (conflicted) expect(flip(conflicted.n, conflicted.index, 0).some((b) => b.startsWith(`${conflicted.n}: transaction ${conflicted.index} (${conflicted.txId}): recorded VALID, but its read of `))).to.equal(true);
    const tampered = Buffer.from(bytes);
    tampered[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(file, tampered);
    const broken = cli(copy, '--anchor', `0:${genesis}`);
    expect(broken.status).to.be.oneOf([1, 2]);
    if (broken.status === 1) expect((JSON.parse(broken.stdout) as ChainReport).breaks.length).to.be.greaterThan(0);

    writeFileSync(file, bytes.subarray(0, bytes.length - 7));
    const cut = JSON.parse(cli(copy).stdout) as ChainReport & { partialTailBytes?: number };
    expect(cut.blocksChecked).to.equal(report.blocksChecked - 1);
    expect(cut.partialTailBytes).to.be.greaterThan(0);
    expect(cut.breaks).to.deep.equal([]);
  });

  it('only the regulator; a range outside the chain is refused with its code', async function () {
    const denied = await gw.get(auditor, '/v1/ledger/integrity');
    expect(denied.status).to.equal(403);
    expect(denied.body.error.code).to.equal('FORBIDDEN');
    for (const query of ['?fromBlock=5&toBlock=2', '?fromBlock=99999999', '?fromBlock=-1', '?toBlock=abc']) {
      const res = await gw.get(regulator, `/v1/ledger/integrity${query}`);
      expect(res.status, query).to.equal(400);
      expect(res.body.error.code, query).to.equal('VALIDATION_FAILED');
    }
  });
});
