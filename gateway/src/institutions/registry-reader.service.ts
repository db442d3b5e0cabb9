import { Inject, Injectable } from '@nestjs/common';
import type { Institution } from '@econfirm/common';
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

  /** An InstitutionRegistered/InstitutionUpdated event (or the gateway's own registry write) for `id`. */
  invalidate(id: string, changedAt?: string): void {
    this.cache.invalidate(id, changedAt);
  }
}
