/** Arithmetic and grouping the statistics share (regulator-stats.ts, receivable-stats.ts). */

/** Two decimals. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** part / whole to two decimals; 0 when there is no whole. */
export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : round(part / whole);
}

/** Groups by key in sorted key order: determinism on every endorser. An item with no key is left out. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    // Appended in place: copying the group at each item made a responder's statistics quadratic in its requests.
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
