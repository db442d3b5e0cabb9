import { ConfirmationState } from '@econfirm/common';
import { expect } from 'chai';
import { judge, type History } from '../fault/support/ledger-audit';
import type { StepRecord } from '../fault/support/lifecycle-load';

/** The fault suite's verdict (test/src/fault/support/ledger-audit.ts): each kind of loss or double it must catch. */
function record(step: string, state: ConfirmationState, outcome: StepRecord['outcome'], status = outcome === 'acknowledged' ? 200 : 409): StepRecord {
  return { letterId: 'CF-1', step, caller: 'firm1.auditor1', state, keys: [`CF-1:${step}`], attempts: 2, outcome, status, replayed: false, startedAt: 0, endedAt: 1 };
}

function history(...versions: Array<[string, ConfirmationState]>): Map<string, History> {
  return new Map([['CF-1', versions.map(([txId, state]) => ({ txId, timestamp: '2026-12-02T00:00:00Z', isDelete: false, value: { state } }))]]);
}

describe('fault suite: the ledger verdict on what a load was told', () => {
  it('passes acknowledged steps on the ledger once and refused ones absent', () => {
    const report = judge(
      [record('issue', ConfirmationState.Issued, 'acknowledged'), record('authorize', ConfirmationState.Authorized, 'gave-up', 503)],
      history(['t1', ConfirmationState.Issued]),
    );
    expect(report).to.deep.include({ letters: 1, steps: 2, acknowledged: 1, absent: 1, violations: [] });
  });

  it('catches an acknowledged step the ledger does not have (lost)', () => {
    const report = judge([record('issue', ConfirmationState.Issued, 'acknowledged')], history());
    expect(report.violations).to.have.length(1);
    expect(report.violations[0]).to.match(/acknowledged .* not on the ledger/);
  });

  it('catches a state written by two transactions (done twice)', () => {
    const report = judge([record('issue', ConfirmationState.Issued, 'acknowledged')], history(['t1', ConfirmationState.Issued], ['t2', ConfirmationState.Issued]));
    expect(report.violations[0]).to.match(/written 2 times/);
  });

  it('catches a committed step whose client was never told (its retry got a refusal)', () => {
    const report = judge([record('accept', ConfirmationState.Accepted, 'refused')], history(['t1', ConfirmationState.Issued], ['t2', ConfirmationState.Accepted]));
    expect(report.violations[0]).to.match(/committed \(t2\) but its client's retry/);
  });
});
