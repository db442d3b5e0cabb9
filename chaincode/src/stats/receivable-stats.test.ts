import { expect } from 'chai';
import { ReceivableRecord, ReceivableState } from '@econfirm/common';
import { computeReceivableStats } from './receivable-stats';

function record(id: string, state: ReceivableState, extra: Partial<ReceivableRecord> = {}): ReceivableRecord {
  return {
    id, rootId: id, obligorId: 'ENT1', originalCreditorId: 'SUP1', holderId: 'SUP1', holders: ['SUP1'], state, currency: 'CNY',
    issueDate: '2026-03-01', maturityDate: '2026-09-01', amountHash: 'h', contractHash: 'c', invoiceHash: 'i', invoiceKeys: [],
    terms: { ciphertext: 'x', contentHash: 'h' }, steps: [], ...extra,
  } as ReceivableRecord;
}

const lien = (bankId: string, releasedAt?: string) => ({ bankId, financingId: 'F', at: '2026-04-01T00:00:00.000Z', by: 'o', ...(releasedAt ? { releasedAt } : {}) });

describe('computeReceivableStats', () => {
  const records = [
    record('R-1', 'split'),
    record('R-1a', 'financed', { bankId: 'BANK2', lien: lien('BANK2') }),
    record('R-1b', 'paid', { bankId: 'BANK1', lien: lien('BANK1', '2026-09-01T00:00:00.000Z') }),
    record('R-1c', 'transferred', { holderId: 'SUP2', holders: ['SUP1', 'SUP2'] }),
    record('R-2', 'financing-requested', { bankId: 'BANK1', obligorId: 'ENT2', maturityDate: '2026-12-31' }),
    record('R-3', 'registered'),
    record('R-4', 'defaulted', { obligorId: 'ENT2' }),
  ];

  it('counts owed parts (a split one not, its parts each), the financed share and liens by bank — never an amount', () => {
    const stats = computeReceivableStats(records, '2026-06-01T00:00:00.000Z');
    expect(stats).to.include({ total: 7, parts: 5, financed: 2, financedShare: 0.4, activeLiens: 1, paid: 1, pastDue: 1, pastDueRate: 0.2 });
    expect(stats.byState).to.include({ split: 1, financed: 1, paid: 1, transferred: 1, 'financing-requested': 1, registered: 1, defaulted: 1, confirmed: 0 });
    expect(stats.banks).to.deep.equal([
      { bankId: 'BANK1', financed: 1, activeLiens: 0, requested: 1 },
      { bankId: 'BANK2', financed: 1, activeLiens: 1, requested: 0 },
    ]);
    expect(stats.obligors.map((o) => [o.obligorId, o.parts, o.pastDue])).to.deep.equal([['ENT1', 3, 0], ['ENT2', 2, 1]]);
  });

  it('is past due the day after maturity, not on the day itself, and only while unpaid', () => {
    expect(computeReceivableStats(records, '2026-09-01T23:00:00.000Z').pastDue).to.equal(1);
    const after = computeReceivableStats(records, '2026-09-02T00:00:00.000Z');
    // R-1a (financed) and R-1c (transferred) are now late; R-1b is paid; R-4 was defaulted already.
    expect(after).to.include({ pastDue: 3, pastDueRate: 0.6 });
    expect(after.obligors.find((o) => o.obligorId === 'ENT1')?.pastDue).to.equal(2);
  });

  it('answers zeros for an empty ledger, and the same bytes whatever order the records come in', () => {
    expect(computeReceivableStats([], '2026-06-01T00:00:00.000Z')).to.include({ total: 0, parts: 0, financedShare: 0, pastDueRate: 0 });
    const reversed = computeReceivableStats([...records].reverse(), '2026-06-01T00:00:00.000Z');
    expect(JSON.stringify(reversed)).to.equal(JSON.stringify(computeReceivableStats(records, '2026-06-01T00:00:00.000Z')));
  });
});
