import { Inject, Injectable } from '@nestjs/common';
import { InstitutionStatus, type Institution, type InstitutionKind, type Page } from '@econfirm/common';
import type { Principal } from '../auth/principal';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { TransactionExecutor } from '../transactions/transaction-executor.service';
import { RegistryCache } from './registry-cache';
import { parseResult } from '../fabric/ledger-call';


/**
 * Registry reads the gateway makes for its own work (whose keys to encrypt to, which key verifies
 * a reply), through a cache invalidated by the registry's chaincode events (see RegistryCache).
 * The registry is public to every channel member, so one cache serves every tenant.
 */
@Injectable()
export class RegistryReader {
  readonly cache: RegistryCache;

  constructor(
    private readonly executor: TransactionExecutor,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.cache = new RegistryCache(config.registryCache);
  }

  /** The record of `id`; `fresh` skips the cache (decisions that must see the ledger's latest, e.g. a key rotation). */
  async get(principal: Principal, id: string, options: { fresh?: boolean } = {}): Promise<Institution> {
    if (!options.fresh) {
      const cached = this.cache.get(id);
      if (cached) return cached;
    }
    const generation = this.cache.generation(id);
    const bytes = await this.executor.readAsTenant(principal, { contract: 'registry', transaction: 'GetInstitution', args: [id] });
    const record = parseResult<Institution>(bytes);
    this.cache.put(id, record, generation);
    return record;
  }

  /** Every active institution of one kind, fresh from the ledger (e.g. the regulators a summary is sealed to). */
  async activeOfKind(principal: Principal, kind: InstitutionKind): Promise<Institution[]> {
    const out: Institution[] = [];
    let bookmark = '';
    do {
      const page = parseResult<Page<Institution>>(await this.executor.readAsTenant(principal, { contract: 'registry', transaction: 'ListInstitutions', args: [kind, '200', bookmark] }));
      out.push(...page.records.filter((i) => i.status === InstitutionStatus.Active));
      bookmark = page.records.length === 0 && page.fetchedRecordsCount === 0 ? '' : page.bookmark;
    } while (bookmark !== '');
    return out;
  }

  /** An InstitutionRegistered/InstitutionUpdated event (or the gateway's own registry write) for `id`. */
  invalidate(id: string, changedAt?: string): void {
    this.cache.invalidate(id, changedAt);
  }
}
