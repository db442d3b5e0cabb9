import { expect } from 'chai';
import { ErrorCode, newSalt, paymentBatchTotalHash, PaymentBatchInput, PaymentBatchRecord, paymentLineHash, PaymentLineOpening, sha256Hex } from '@econfirm/common';
import { fakeJwe, HASH_A, HASH_B } from '../testing/confirmation-world';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { TestIdentity } from '../testing/fake-ledger';
import { Who } from '../testing/fixtures';
import { Rcv, ReceivableWorld } from '../testing/receivable-world';
import { PaymentBatchContract } from './payment-batch-contract';

/** `count` farmers, a few thousand yuan each (in fen), as the bank's software holds the lines. */
function lines(count: number): PaymentLineOpening[] {
  return Array.from({ length: count }, (_, i) => ({ payeeRef: sha256Hex(`farmer-card-${i}`), amount: String(150_000 + i * 37), salt: newSalt() }));
}

function batch(id: string, payLines: PaymentLineOpening[], overrides: Partial<PaymentBatchInput> = {}): { input: PaymentBatchInput; transient: Record<string, unknown>; total: string; totalSalt: string } {
  const total = payLines.reduce((sum, l) => sum + BigInt(l.amount), 0n).toString();
  const totalSalt = newSalt();
  const input: PaymentBatchInput = {
    id,
    payerId: 'ENT1',
    currency: 'CNY',
    count: payLines.length,
    totalHash: paymentBatchTotalHash(total, payLines.length, 'CNY', totalSalt),
    instructionHash: HASH_A,
    summary: { ciphertext: fakeJwe('ENT1', 'BANK1', 'REGULATOR'), contentHash: HASH_B },
    lines: { ciphertext: fakeJwe('ENT1', 'BANK1'), contentHash: HASH_A },
    ...overrides,
  };
  return { input, transient: { lines: { lines: payLines, totalSalt } }, total, totalSalt };
}

describe('PaymentBatchContract', () => {
  let world: ReceivableWorld;
  const contract = new PaymentBatchContract();

  beforeEach(async () => {
    world = await new ReceivableWorld().setUp();
  });

  const settle = (b: { input: PaymentBatchInput; transient: Record<string, unknown> }, who: TestIdentity = Rcv.bank1) =>
    world.call<PaymentBatchRecord>(who, (ctx) => contract.SettlePaymentBatch(ctx, JSON.stringify(b.input)), b.transient);

  async function refusedUnchanged(call: () => Promise<unknown>, code: ErrorCode, fragment?: string): Promise<void> {
    const before = world.ledger.snapshot();
    await expectLedgerError(call(), code, fragment);
    expect(world.ledger.snapshot()).to.equal(before);
  }

  it('settles 500 payees in one transaction; the regulator verifies total and count, each payee its line; no amount on the ledger', async () => {
    const payLines = lines(500);
    const b = batch('PB-1', payLines);
    const record = await settle(b);
    expect(record).to.include({ id: 'PB-1', payerId: 'ENT1', bankId: 'BANK1', count: 500, settledBy: Rcv.bank1.id });
    // The regulator, having opened `summary`, recomputes the commitment.
    expect(paymentBatchTotalHash(b.total, 500, 'CNY', b.totalSalt)).to.equal(record.totalHash);
    expect(record.lineHashes).to.have.length(500);
    expect(record.lineHashes[417]).to.equal(paymentLineHash(payLines[417]));
    expect(world.ledger.lastEvent()).to.deep.equal({ name: 'PaymentBatchSettled', payload: { id: 'PB-1' } });
    const state = [...world.ledger.state.values()].map((v) => Buffer.from(v).toString('utf8')).join('\n');
    for (const secret of [b.total, payLines[3].amount, payLines[3].salt]) expect(state).not.to.contain(secret);
  });

  it('is idempotent per batch id: the same request answers the settled record and writes nothing; other content under the id is refused', async () => {
    const b = batch('PB-1', lines(3));
    const first = await settle(b);
    const before = world.ledger.snapshot();
    const events = world.ledger.events.length;
    expect(await settle(b)).to.deep.equal(first);
    // Sealed anew (other ciphertext), the same settlement is still the same batch.
    const resealed = { ...b, input: { ...b.input, summary: { ciphertext: fakeJwe('REGULATOR', 'BANK1', 'ENT1'), contentHash: HASH_A } } };
    expect(await settle(resealed)).to.deep.equal(first);
    expect(world.ledger.snapshot()).to.equal(before);
    expect(world.ledger.events.length).to.equal(events);
    await refusedUnchanged(() => settle(batch('PB-1', lines(3))), ErrorCode.AlreadyExists, 'other content');
    await refusedUnchanged(() => settle(b, Rcv.bank2), ErrorCode.AlreadyExists);
  });

  it('refuses a total hash that is not of the lines, a count that is not theirs, a zero or decimal amount — and writes nothing', async () => {
    const payLines = lines(4);
    const good = batch('PB-V', payLines);
    await refusedUnchanged(() => settle({ ...good, input: { ...good.input, totalHash: paymentBatchTotalHash('1', 4, 'CNY', good.totalSalt) } }), ErrorCode.InvalidArgument, 'batch.totalHash');
    await refusedUnchanged(() => settle({ ...good, input: { ...good.input, count: 5 } }), ErrorCode.InvalidArgument, 'lines.lines');
    for (const amount of ['0', '1500.00', '-5', '1e6']) {
      const badLines = [{ ...payLines[0], amount }, ...payLines.slice(1)];
      await refusedUnchanged(() => settle({ ...good, transient: { lines: { lines: badLines, totalSalt: good.totalSalt } } }), ErrorCode.InvalidArgument, 'lines.lines[0].amount');
    }
    await refusedUnchanged(() => world.call(Rcv.bank1, (ctx) => contract.SettlePaymentBatch(ctx, JSON.stringify(good.input))), ErrorCode.InvalidArgument, 'lines: is missing');
  });

  it('the summary must reach the regulator and the lines the payer and bank', async () => {
    await refusedUnchanged(() => settle(batch('PB-S', lines(2), { summary: { ciphertext: fakeJwe('ENT1', 'BANK1'), contentHash: HASH_B } })), ErrorCode.RecipientsRefused, 'no key of REGULATOR');
    await refusedUnchanged(() => settle(batch('PB-S', lines(2), { lines: { ciphertext: fakeJwe('BANK1'), contentHash: HASH_B } })), ErrorCode.RecipientsRefused, 'no key of ENT1');
    // Exactly them: the payees' lines are not the regulator's to read (it checks the total), nor another bank's.
    await refusedUnchanged(() => settle(batch('PB-S', lines(2), { lines: { ciphertext: fakeJwe('ENT1', 'BANK1', 'REGULATOR'), contentHash: HASH_B } })), ErrorCode.RecipientsRefused, 'REGULATOR-enc-1, which is none of');
    await refusedUnchanged(() => settle(batch('PB-S', lines(2), { summary: { ciphertext: fakeJwe('ENT1', 'BANK1', 'REGULATOR', 'BANK2'), contentHash: HASH_B } })), ErrorCode.RecipientsRefused, 'BANK2-enc-1, which is none of');
    await refusedUnchanged(() => settle(batch('PB-S', lines(2), { payerId: 'BANK2' })), ErrorCode.InvalidArgument, 'batch.payerId');
  });

  it('only a bank officer settles; reads: payer, bank and regulator — another bank gets the unknown-id refusal', async () => {
    for (const who of [Rcv.obligor, Who.regulator1, Who.reviewer1, Who.admin, Who.auditor1]) await refusedUnchanged(() => settle(batch('PB-W', lines(2)), who), ErrorCode.Forbidden);
    await settle(batch('PB-W', lines(2)));
    const get = (who: TestIdentity) => world.call<PaymentBatchRecord>(who, (ctx) => contract.GetPaymentBatch(ctx, 'PB-W'));
    for (const who of [Rcv.obligor, Rcv.bank1, Who.reviewer1, Who.regulator1]) expect((await get(who)).id).to.equal('PB-W');
    for (const who of [Rcv.bank2, Rcv.supplier1]) await expectLedgerError(get(who), ErrorCode.NotFound, 'payment batch PB-W does not exist');
    const list = (who: TestIdentity, party = '') => world.call<{ records: PaymentBatchRecord[] }>(who, (ctx) => contract.ListPaymentBatches(ctx, party, '10', ''));
    expect((await list(Rcv.obligor)).records.map((r) => r.id)).to.deep.equal(['PB-W']);
    expect((await list(Rcv.bank2)).records).to.deep.equal([]);
    expect((await list(Who.regulator1, 'BANK1')).records.map((r) => r.id)).to.deep.equal(['PB-W']);
    await expectLedgerError(list(Rcv.bank2, 'BANK1'), ErrorCode.InvalidArgument, 'only the regulator');
  });
});
