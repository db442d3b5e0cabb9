import { expect } from 'chai';
import { ConfirmationRequest } from '@econfirm/common';
import { computeRegulatorStats } from './regulator-stats';

function request(id: string, responderId: string, replied: boolean, sentAt = '2026-03-02T00:00:00.000Z', engagementId = `E-${id}`): ConfirmationRequest {
  return {
    docType: 'confirmation', id, kind: 'bank-form-1', formId: 'bank-letter-2020', firmId: 'F', engagementId, clientId: 'C',
    periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31', addresseeId: responderId, responderId,
    feePayer: 'client', state: replied ? 'replied' : 'authorized', letter: { ciphertext: 'x', contentHash: 'h' },
    issued: { by: 'a', at: sentAt }, authorizationDueAt: '2026-03-16T15:59:59.999Z', sentAt, replyDueAt: '2026-03-16T15:59:59.999Z',
    attempt: 1, updatedAt: sentAt,
    ...(replied ? { reply: { conclusion: 'agrees', ciphertext: 'y', contentHash: 'h', signatureHash: 's', signingKid: 'k', preparedBy: 'o', preparedAt: '2026-03-02T00:30:00.000Z', approvedBy: 'r', approvedAt: '2026-03-02T00:45:00.000Z' } } : {}),
  } as ConfirmationRequest;
}

describe('computeRegulatorStats', () => {
  const now = Date.parse('2026-03-05T00:00:00Z');

  it('flags a responder whose reply rate is far from the platform', () => {
    const requests: ConfirmationRequest[] = [];
    for (const bank of ['B1', 'B2', 'B3', 'B4', 'B5', 'B6']) {
      for (let i = 0; i < 5; i++) requests.push(request(`${bank}-${i}`, bank, bank !== 'B6' || i === 0));
    }
    const stats = computeRegulatorStats(requests, now, 480);
    expect(stats.redFlags.filter((f) => f.type === 'unusual-reply-rate').map((f) => f.responderId)).to.deep.equal(['B6']);
    expect(stats.responders.find((r) => r.responderId === 'B1')).to.include({ replyRate: 1, medianReplyHours: 0.75 });
    expect(stats.responders.find((r) => r.responderId === 'B1')?.replyTimeHistogram['<1h']).to.equal(5);
  });

  it('counts overdue from the reading time and is empty-safe', () => {
    expect(computeRegulatorStats([request('X', 'B1', false)], Date.parse('2026-03-17T00:00:00Z'), 480)).to.include({ overdue: 1, overdueRate: 1 });
    const empty = computeRegulatorStats([], now, 480);
    expect(empty).to.include({ total: 0, overdueRate: 0, exceptionRate: 0, returnRate: 0 });
    expect(empty.redFlags).to.deep.equal([]);
  });

  it('gives overdue and exception rates week by week, by the local week each request was issued in, oldest first', () => {
    // Monday 2026-03-02 00:30 local (UTC+8) is Sunday 16:30 UTC: it belongs to the week of 03-02, not 02-23.
    const early = request('W0', 'B1', true, '2026-03-01T16:30:00.000Z');
    const disagrees = { ...request('W1', 'B1', true, '2026-03-04T02:00:00.000Z'), reply: { ...(request('W1', 'B1', true).reply as NonNullable<ConfirmationRequest['reply']>), conclusion: 'disagrees' } } as ConfirmationRequest;
    const late = { ...request('W2', 'B2', false, '2026-03-09T02:00:00.000Z'), replyDueAt: '2026-03-10T15:59:59.999Z' } as ConfirmationRequest;
    const previous = request('W3', 'B2', false, '2026-03-01T15:00:00.000Z');
    const stats = computeRegulatorStats([late, disagrees, early, previous], Date.parse('2026-03-12T00:00:00Z'), 480);
    expect(stats.weekly).to.deep.equal([
      { weekStart: '2026-02-23', issued: 1, overdue: 0, overdueRate: 0, finalReplies: 0, exceptions: 0, exceptionRate: 0 },
      { weekStart: '2026-03-02', issued: 2, overdue: 0, overdueRate: 0, finalReplies: 2, exceptions: 1, exceptionRate: 0.5 },
      { weekStart: '2026-03-09', issued: 1, overdue: 1, overdueRate: 1, finalReplies: 0, exceptions: 0, exceptionRate: 0 },
    ]);
    expect(computeRegulatorStats([], now, 480).weekly).to.deep.equal([]);
  });

  it('does not flag same-day replies from a single responder', () => {
    const requests = ['1', '2', '3'].map((id) => request(id, 'B1', true, undefined, 'E'));
    expect(computeRegulatorStats(requests, now, 480).redFlags).to.deep.equal([]);
  });
});
