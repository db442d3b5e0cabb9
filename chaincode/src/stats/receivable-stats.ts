import {
  BankReceivableStats,
  ObligorReceivableStats,
  OWED_RECEIVABLE_STATES,
  RECEIVABLE_STATES,
  ReceivablePartCounts,
  ReceivableRecord,
  ReceivableStats,
  ReceivableState,
  UNPAID_RECEIVABLE_STATES,
} from '@econfirm/common';
import { groupBy, ratio } from './aggregate';

/**
 * The regulator's receivable statistics (common/src/domain/receivable-stats.ts) from the records'
 * clear fields only. `asOf` is the reading transaction's time (state/tx-time.ts), never a clock:
 * its UTC date decides what is past due, as MatureReceivable and MarkReceivableOverdue decide it
 * (contracts/receivable-contract.ts `today`). Groups are sorted by id, so every endorser answers
 * the same bytes.
 */
export function computeReceivableStats(records: readonly ReceivableRecord[], asOf: string): ReceivableStats {
  const today = asOf.slice(0, 10);
  const owed = records.filter((r) => OWED_RECEIVABLE_STATES.includes(r.state));
  const byState = Object.fromEntries(RECEIVABLE_STATES.map((s) => [s, 0])) as Record<ReceivableState, number>;
  for (const r of records) byState[r.state] += 1;
  const counts = partCounts(owed, today);
  return {
    asOf,
    total: records.length,
    byState,
    ...counts,
    financedShare: ratio(counts.financed, counts.parts),
    pastDueRate: ratio(counts.pastDue, counts.parts),
    activeLiens: owed.filter(hasActiveLien).length,
    obligors: groupBy(owed, (r) => r.obligorId).map(([obligorId, group]): ObligorReceivableStats => ({ obligorId, ...partCounts(group, today) })),
    banks: groupBy(bankMentions(records), (m) => m.bankId).map(([bankId, mentions]): BankReceivableStats => {
      const liened = mentions.map((m) => m.record).filter((r) => r.lien?.bankId === bankId && OWED_RECEIVABLE_STATES.includes(r.state));
      return {
        bankId,
        financed: liened.length,
        activeLiens: liened.filter(hasActiveLien).length,
        requested: mentions.filter((m) => m.record.state === ReceivableState.FinancingRequested && m.record.bankId === bankId).length,
      };
    }),
  };
}

function partCounts(owed: readonly ReceivableRecord[], today: string): ReceivablePartCounts {
  return {
    parts: owed.length,
    financed: owed.filter((r) => r.lien !== undefined).length,
    pastDue: owed.filter((r) => isPastDue(r, today)).length,
    paid: owed.filter((r) => r.state === ReceivableState.Paid).length,
  };
}

/** Marked overdue or defaulted, or still unpaid after its maturity date (the day itself is on time). */
function isPastDue(record: ReceivableRecord, today: string): boolean {
  if (record.state === ReceivableState.Overdue || record.state === ReceivableState.Defaulted) return true;
  return UNPAID_RECEIVABLE_STATES.includes(record.state) && record.maturityDate < today;
}

function hasActiveLien(record: ReceivableRecord): boolean {
  return record.lien !== undefined && record.lien.releasedAt === undefined;
}

/** Each bank a record names — the one asked (bankId) and the lien holder — once per record. */
function bankMentions(records: readonly ReceivableRecord[]): { bankId: string; record: ReceivableRecord }[] {
  return records.flatMap((record) => [...new Set([record.bankId, record.lien?.bankId].filter((b): b is string => b !== undefined))].map((bankId) => ({ bankId, record })));
}
