import { expect } from 'chai';
import { crossCheckStatistics, type CrossCheckSummary } from './cross-check';

describe('cross-check statistics for the regulator', () => {
  const summary = (confirmationId: string, responderId: string, counts: CrossCheckSummary['counts']): CrossCheckSummary => ({
    confirmationId, firmId: 'FIRM1', responderId, checkedAt: '2026-12-02T10:00:00.000Z', counts, reportHash: 'a'.repeat(64),
  });

  it('sums counts by bank and code, counts checks with and without exceptions, banks in id order', () => {
    const stats = crossCheckStatistics([
      summary('CF-1', 'BANK2', { MORTGAGE_NOT_IN_REPLY: 2 }),
      summary('CF-2', 'BANK1', {}),
      summary('CF-3', 'BANK2', { MORTGAGE_NOT_IN_REPLY: 1, TERM_MISMATCH: 1 }),
    ], 1, () => true);
    expect(stats).to.deep.equal({
      checks: 3,
      unreadable: 1,
      counts: { MORTGAGE_NOT_IN_REPLY: 3, TERM_MISMATCH: 1 },
      byBank: [
        { bankId: 'BANK1', checks: 1, withExceptions: 0, counts: {} },
        { bankId: 'BANK2', checks: 2, withExceptions: 2, counts: { MORTGAGE_NOT_IN_REPLY: 3, TERM_MISMATCH: 1 } },
      ],
      byCounterparty: [],
    });
  });
});
