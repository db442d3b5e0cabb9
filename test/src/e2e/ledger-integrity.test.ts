import { blockDataHash, blockHeaderHash, ChainChecker, currentChannelConfig, ordererMspCertificates } from '@econfirm/sdk';
import { common } from '@hyperledger/fabric-protos';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { type Caller, TestGateway } from '../support/gateway';
import { REPO_ROOT, withLedger } from '../support/network';

interface ChainReport {
  height: string;
  fromBlock: string;
  toBlock: string;
  blocksChecked: number;
  transactionsByValidation: Record<string, number>;
  breaks: Array<{ block: string; reason: string }>;
  anchoredToPeerHeight: boolean;
  nextFromBlock?: string;
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
