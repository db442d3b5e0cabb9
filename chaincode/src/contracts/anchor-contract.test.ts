import { expect } from 'chai';
import { ErrorCode } from '@econfirm/common';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { createHash } from 'node:crypto';
import { AnchorContract, MAX_BATCH_LEAVES, type AnchorBatch } from './anchor-contract';
import { FakeLedger, fakeTxId, type TestIdentity } from '../testing/fake-ledger';
import { Who } from '../testing/fixtures';
import { expectLedgerError } from '../testing/expect-ledger-error';

const leaf = (n: number): string => `0x${createHash('sha256').update(`leaf ${n}`).digest('hex')}`;
const LEAVES = [leaf(1), leaf(2), leaf(3)];
/** The root third-party tools compute: OpenZeppelin's StandardMerkleTree over bytes32 values. */
const ROOT = StandardMerkleTree.of(LEAVES.map((l): [string] => [l]), ['bytes32']).root;

describe('AnchorContract', () => {
  let ledger: FakeLedger;
  const contract = new AnchorContract();
  const record = (batch: unknown, who: TestIdentity = Who.admin) => contract.RecordBatch(ledger.as(who), JSON.stringify(batch));

  beforeEach(() => {
    ledger = new FakeLedger();
  });

  it('records a batch under its root with the transaction id and time, and emits no event', async () => {
    const batch = JSON.parse(await record({ root: ROOT, leaves: LEAVES })) as AnchorBatch;
    expect(batch).to.include({ root: ROOT, count: 3, txId: fakeTxId(1), recordedBy: Who.admin.id });
    expect(batch.leaves).to.deep.equal(LEAVES);
    expect(ledger.events).to.have.length(0);
    const read = JSON.parse(await contract.GetAnchorBatch(ledger.as(Who.regulator1), ROOT)) as AnchorBatch;
    expect(read).to.deep.equal(batch);
  });

  it('answers the first record when the same batch is recorded again, writing nothing', async () => {
    const first = await record({ root: ROOT, leaves: LEAVES });
    const before = ledger.snapshot();
    expect(await record({ root: ROOT, leaves: [...LEAVES].reverse() })).to.equal(first);
    expect(ledger.snapshot()).to.equal(before);
  });

  it('refuses a root that is not the standard Merkle root of the leaves', async () => {
    await expectLedgerError(record({ root: ROOT, leaves: LEAVES.slice(0, 2) }), ErrorCode.InvalidArgument, 'root');
    expect(ledger.state.size).to.equal(0);
  });

  it('refuses malformed input: repeated leaves, non-bytes32 values, unknown fields, too many leaves', async () => {
    const twice = [leaf(1), leaf(1)];
    await expectLedgerError(record({ root: StandardMerkleTree.of(twice.map((l): [string] => [l]), ['bytes32']).root, leaves: twice }), ErrorCode.InvalidArgument, 'repeat');
    await expectLedgerError(record({ root: ROOT, leaves: ['0x1234'] }), ErrorCode.InvalidArgument, 'leaves[0]');
    await expectLedgerError(record({ root: ROOT.toUpperCase(), leaves: LEAVES }), ErrorCode.InvalidArgument, 'root');
    await expectLedgerError(record({ root: ROOT, leaves: LEAVES, confirmationIds: ['CF-1'] }), ErrorCode.InvalidArgument, 'confirmationIds');
    await expectLedgerError(record({ root: ROOT, leaves: Array.from({ length: MAX_BATCH_LEAVES + 1 }, (_, i) => leaf(i)) }), ErrorCode.InvalidArgument, 'leaves');
    await expectLedgerError(record({ root: ROOT, leaves: [] }), ErrorCode.InvalidArgument, 'leaves');
    expect(ledger.state.size).to.equal(0);
  });

  it("refuses every caller but the operator's admin, writing nothing", async () => {
    for (const who of [Who.auditor1, Who.officer1, Who.regulator1, Who.client1, Who.bankAdmin]) {
      await expectLedgerError(record({ root: ROOT, leaves: LEAVES }, who), ErrorCode.Forbidden);
    }
    expect(ledger.state.size).to.equal(0);
  });

  it('GetAnchorBatch: NOT_FOUND for an unknown root, INVALID_ARGUMENT for a malformed one, FORBIDDEN without a role', async () => {
    await expectLedgerError(contract.GetAnchorBatch(ledger.as(Who.auditor1), ROOT), ErrorCode.NotFound);
    await expectLedgerError(contract.GetAnchorBatch(ledger.as(Who.auditor1), 'abc'), ErrorCode.InvalidArgument);
    await expectLedgerError(contract.GetAnchorBatch(ledger.as({ mspId: 'Firm1MSP' }), ROOT), ErrorCode.Forbidden);
  });
});
