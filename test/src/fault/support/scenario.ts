import { expect } from 'chai';
import { uniqueName } from '../../support/network';
import type { FaultGateway } from './fault-gateway';
import { auditLedger, type AuditReport } from './ledger-audit';
import { LifecycleLoad, type StepRecord } from './lifecycle-load';

/** What one fault scenario measured, printed as one `fault report:` JSON line. */
export interface ScenarioReport extends Omit<AuditReport, 'violations'> {
  scenario: string;
  /** From the fault to the moment it was healed (the node started again, the link restored). */
  faultSeconds: number;
  /** From the heal until the gateway's /readyz answered 200 by itself. */
  readySeconds: number;
  /** From the heal until the first request acknowledged after it. */
  recoverySeconds: number;
  /** Requests in flight when the fault struck (they lived through it: retried or refused). */
  inFlightAtFault: number;
  retried: number;
  violations: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One scenario: a steady lifecycle load through the gateway, a fault injected once a few steps
 * went through, the heal, then the load runs until a few more steps were acknowledged after the
 * heal, stops, and every request is judged against the ledger. Bounded: each wait has a limit.
 * `inject` returns when the fault is healed. Answers the report and every request's record (for
 * a scenario's own checks on them).
 */
export async function underLoad(gateway: FaultGateway, scenario: string, inject: () => Promise<void>, workers = 3): Promise<{ report: ScenarioReport; records: StepRecord[] }> {
  const load = new LifecycleLoad(gateway, uniqueName(`flt-${scenario}`), { workers, retrySeconds: 120 }).start();
  let healedAt = 0;
  let faultAt = 0;
  let readySeconds = 0;
  let recoveredAt = 0;
  try {
    await load.waitAcknowledged(3, 0, 120);
    faultAt = Date.now();
    await inject();
    healedAt = Date.now();
    readySeconds = await gateway.waitReady(120);
    recoveredAt = await load.waitAcknowledged(3, healedAt, 180);
  } finally {
    await load.stop();
  }
  const audit = await auditLedger(load.records);
  const report: ScenarioReport = {
    scenario,
    faultSeconds: (healedAt - faultAt) / 1000,
    readySeconds,
    recoverySeconds: (recoveredAt - healedAt) / 1000,
    letters: audit.letters,
    steps: audit.steps,
    acknowledged: audit.acknowledged,
    absent: audit.absent,
    inFlightAtFault: load.records.filter((r) => r.startedAt <= faultAt && r.endedAt >= faultAt).length,
    retried: load.records.filter((r) => r.attempts > 1 || r.keys.length > 1).length,
    violations: audit.violations.length,
  };
  console.log(`      fault report: ${JSON.stringify(report)}`);
  expect(audit.violations, audit.violations.join('\n')).to.deep.equal([]);
  expect(report.inFlightAtFault, 'the fault struck while requests were in flight').to.be.greaterThan(0);
  // After the heal every retried request got a final answer within its retry window.
  const unanswered = load.records.filter((r) => r.outcome === 'gave-up');
  expect(unanswered, `no final answer in 120 s: ${JSON.stringify(unanswered)}`).to.deep.equal([]);
  return { report, records: load.records };
}
