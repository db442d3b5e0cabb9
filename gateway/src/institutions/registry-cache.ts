import type { Institution } from '@econfirm/common';
import type { RegistryCacheSettings } from '../config/gateway-config';

interface Entry {
  record: Institution;
  expiresAt: number;
}

/**
 * Registry records by institution id, so sealing and reply-signature checks do not read the
 * ledger every time. An InstitutionRegistered/InstitutionUpdated event drops the entry at once;
 * the TTL only bounds how long a missed or delayed event could leave a record stale.
 *
 * Two races are closed:
 * - a read that started before an invalidation may finish after it with the old record: every
 *   invalidation bumps the id's generation, and a read whose generation moved is not kept;
 * - a read right after the event may reach a peer that has not committed the event's block yet:
 *   the event's transaction timestamp becomes a floor, and a record last updated before it is
 *   served to that one caller but not kept.
 */
export class RegistryCache {
  private readonly entries = new Map<string, Entry>();
  private readonly generations = new Map<string, number>();
  private readonly floors = new Map<string, number>();

  constructor(
    private readonly settings: RegistryCacheSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.settings.ttlMs > 0;
  }

  get(id: string): Institution | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.record;
  }

  /** Taken before a ledger read and handed back to put(): proves no invalidation happened in between. */
  generation(id: string): number {
    return this.generations.get(id) ?? 0;
  }

  /** Keeps `record` unless `id` was invalidated since `generation` or the record predates the last event's floor. */
  put(id: string, record: Institution, generation: number): boolean {
    if (!this.enabled || this.generation(id) !== generation) return false;
    const floor = this.floors.get(id);
    if (floor !== undefined && !(Date.parse(record.updatedAt) >= floor)) return false;
    this.entries.delete(id);
    this.entries.set(id, { record, expiresAt: this.clock() + this.settings.ttlMs });
    while (this.entries.size > this.settings.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return true;
  }

  /** The record changed (event seen or own write): drop it; `changedAt` (ISO) = the change's transaction time, if known. */
  invalidate(id: string, changedAt?: string): void {
    this.entries.delete(id);
    this.generations.set(id, this.generation(id) + 1);
    const at = changedAt === undefined ? NaN : Date.parse(changedAt);
    if (!Number.isNaN(at)) this.floors.set(id, Math.max(at, this.floors.get(id) ?? at));
  }

  get size(): number {
    return this.entries.size;
  }
}
