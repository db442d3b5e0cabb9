import type { ConfirmationState, HistoryEntry } from '@econfirm/common';
import { evaluate } from '@econfirm/sdk';
import { withLedger } from '../../support/network';
import type { StepRecord } from './lifecycle-load';

/** What the ledger says about the requests a load sent. */
export interface AuditReport {
  letters: number;
  steps: number;
  acknowledged: number;
  /** Not acknowledged, not on the ledger: nothing done, and the client knows it was not told so. */
  absent: number;
  /** Problems: each one a request lost, done twice, or done without its client being able to find out. */
  violations: string[];
}

export type History = ReadonlyArray<HistoryEntry<{ state: ConfirmationState }>>;

/**
 * The versions of each request as the issuing firm reads them through the SDK (not through the
 * gateway under test), on the platform collection's read peer (clients/sdk/src/platform-targets.ts).
 */
async function histories(ids: string[]): Promise<Map<string, History>> {
  return withLedger('firm1', 'auditor1', async (ledger) => {
    const out = new Map<string, History>();
    for (const id of ids) {
      try {
        out.set(id, JSON.parse(Buffer.from(await evaluate(ledger.contract('confirmation'), 'GetConfirmationHistory', [id])).toString('utf8')) as History);
      } catch (err) {
        if (!/NOT_FOUND/.test(err instanceof Error ? `${err.message} ${JSON.stringify(err)}` : String(err))) throw err;
        out.set(id, []);
      }
    }
    return out;
  });
}

/** The verdict on `records` given each letter's key history (exported for its own unit test, test/src/tools). */
export function judge(records: StepRecord[], ledger: Map<string, History>): AuditReport {
  const violations: string[] = [];
  let absent = 0;
  for (const r of records) {
    const versions = (ledger.get(r.letterId) ?? []).filter((h) => h.value?.state === r.state);
    const txIds = new Set(versions.map((v) => v.txId));
    if (txIds.size > 1) violations.push(`${r.letterId} ${r.step}: ${r.state} written ${txIds.size} times (${[...txIds].join(', ')})`);
    if (r.outcome === 'acknowledged' && txIds.size === 0) violations.push(`${r.letterId} ${r.step}: acknowledged (${r.status}) but not on the ledger`);
    if (r.outcome !== 'acknowledged' && txIds.size === 1) {
      violations.push(`${r.letterId} ${r.step}: committed (${[...txIds].join('')}) but its client's retry under the same Idempotency-Key got ${r.status} ${r.code ?? ''} after ${r.attempts} attempts (keys ${r.keys.join(', ')})`);
    }
    if (r.outcome !== 'acknowledged' && txIds.size === 0) absent++;
  }
  return {
    letters: new Set(records.map((r) => r.letterId)).size,
    steps: records.length,
    acknowledged: records.filter((r) => r.outcome === 'acknowledged').length,
    absent,
    violations,
  };
}

/**
 * Every request a load sent, judged against the ledger: acknowledged → its state is on the
 * ledger exactly once; not acknowledged → absent, never half-known; never twice. Peers may lag a
 * block behind one another after a fault: an audit with violations is read again for up to
 * `settleSeconds` before it is final.
 */
export async function auditLedger(records: StepRecord[], settleSeconds = 30): Promise<AuditReport> {
  const ids = [...new Set(records.map((r) => r.letterId))];
  const deadline = Date.now() + settleSeconds * 1000;
  for (;;) {
    const report = judge(records, await histories(ids));
    if (report.violations.length === 0 || Date.now() > deadline) return report;
    await new Promise((r) => setTimeout(r, 2000));
  }
}
