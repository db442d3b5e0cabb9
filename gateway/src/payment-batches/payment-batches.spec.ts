import { expect } from 'chai';
import { isSameBatch } from './payment-batches.service';

describe('a payment batch settled again (isSameBatch)', () => {
  const settled = { payerId: 'ENT1', currency: 'CNY' };
  const dto = { payerId: 'ENT1', currency: 'CNY', instructionReference: 'PAY-1', lines: [{ payeeReference: '6222 01', amountMinor: '100' }] };
  const opened = { instruction: { reference: 'PAY-1', salt: 's' }, lines: [{ payeeReference: '6222 01', amount: '100', payeeRef: 'h', salt: 's' }] };

  it('is the same batch when payer, currency, instruction and lines agree, and not when a line differs', () => {
    expect(isSameBatch(settled, opened, dto)).to.equal(true);
    expect(isSameBatch(settled, opened, { ...dto, lines: [{ payeeReference: '6222 01', amountMinor: '101' }] })).to.equal(false);
    expect(isSameBatch({ ...settled, payerId: 'ENT2' }, opened, dto)).to.equal(false);
  });

  it('is not the same batch — no TypeError, so no 500 — when the opened content has another shape (the fuzzer found one without an instruction)', () => {
    for (const other of [undefined, null, 'text', [], { lines: opened.lines }, { instruction: {}, lines: opened.lines }, { instruction: opened.instruction }, { instruction: opened.instruction, lines: [null] }]) {
      expect(isSameBatch(settled, other, dto), JSON.stringify(other)).to.equal(false);
    }
  });
});
