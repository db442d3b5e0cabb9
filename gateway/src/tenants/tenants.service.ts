import { Inject, Injectable } from '@nestjs/common';
import {
  defaultGatewayOrgKey,
  findOrg,
  InstitutionKeyStore,
  loadNetworkDescriptor,
  rotateStoredKeys,
  type InstitutionPrivateKeys,
  type KeyRotationLedger,
  type KeyRotationOutcome,
  type NetworkDescriptor,
} from '@econfirm/sdk';
import { statSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { GATEWAY_CONFIG, type GatewayConfig, type TenantConfig } from '../config/gateway-config';
import { applyMigrations } from '../database/migrations';
import { TENANTS_MIGRATIONS } from './tenants.migrations';
import { DATABASE } from '../database/database.module';
import { GatewayError } from '../errors/gateway-error';

export interface Tenant extends TenantConfig {
  mspId: string;
  gatewayOrgKey: string;
}

/**
 * The institutions this gateway hosts. Declared in the config, resolved against the network
 * descriptor (MSP, gateway peer), recorded in the database so credentials refer to them.
 * Private institution keys come from the InstitutionKeyStore and are only ever handed out for
 * the principal's own tenant.
 */
@Injectable()
export class TenantsService {
  private current: NetworkDescriptor;
  private descriptorMtimeMs = 0;
  private descriptorCheckedAt = 0;
  private readonly tenants = new Map<string, Tenant>();
  private readonly keyStore: InstitutionKeyStore;
  /** One rotation at a time per tenant in this process (two would stage over each other). */
  private readonly rotations = new Map<string, Promise<KeyRotationOutcome>>();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig, @Inject(DATABASE) db: DatabaseSync) {
    this.current = loadNetworkDescriptor(config.networkDescriptorPath);
    this.descriptorMtimeMs = statSync(config.networkDescriptorPath).mtimeMs;
    this.descriptorCheckedAt = Date.now();
    this.keyStore = new InstitutionKeyStore(config.keysDir);
    applyMigrations(db, 'tenants', TENANTS_MIGRATIONS);
    const upsert = db.prepare(`INSERT INTO tenants (id, institution_id, org_key, msp_id, gateway_org_key, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET institution_id = excluded.institution_id, org_key = excluded.org_key, msp_id = excluded.msp_id,
      gateway_org_key = excluded.gateway_org_key, updated_at = excluded.updated_at`);
    for (const t of config.tenants) {
      const org = findOrg(this.descriptor, t.orgKey);
      const gatewayOrgKey = t.gatewayOrgKey ?? defaultGatewayOrgKey(org);
      findOrg(this.descriptor, gatewayOrgKey);
      const tenant: Tenant = { ...t, mspId: org.mspId, gatewayOrgKey };
      this.tenants.set(t.id, tenant);
      upsert.run(t.id, t.institutionId, t.orgKey, org.mspId, gatewayOrgKey, new Date().toISOString());
    }
  }

  /**
   * The network descriptor, re-read when network/identity.sh has rewritten it (checked at most
   * once a second), so identities issued while the gateway runs can get credentials and connect.
   */
  get descriptor(): NetworkDescriptor {
    if (Date.now() - this.descriptorCheckedAt > 1000) {
      this.descriptorCheckedAt = Date.now();
      try {
        const mtimeMs = statSync(this.config.networkDescriptorPath).mtimeMs;
        if (mtimeMs !== this.descriptorMtimeMs) {
          this.current = loadNetworkDescriptor(this.config.networkDescriptorPath);
          this.descriptorMtimeMs = mtimeMs;
        }
      } catch {
        // Keep the last good descriptor: a half-written file must not take the gateway down.
      }
    }
    return this.current;
  }

  list(): Tenant[] {
    return [...this.tenants.values()];
  }

  get(tenantId: string): Tenant {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) throw new GatewayError('UNKNOWN_TENANT', `tenant '${tenantId}' is not hosted by this gateway`);
    return tenant;
  }

  has(tenantId: string): boolean {
    return this.tenants.has(tenantId);
  }

  /** The tenant's institution private keys; undefined when this gateway does not hold them. */
  institutionKeys(tenantId: string): InstitutionPrivateKeys | undefined {
    const tenant = this.get(tenantId);
    return this.keyStore.has(tenant.institutionId) ? this.keyStore.load(tenant.institutionId) : undefined;
  }

  /**
   * Rotates the tenant institution's keys (SDK rotateStoredKeys): new keys staged in the store,
   * RotateInstitutionKeys submitted through `ledger`, old private keys kept as retired.
   */
  async rotateInstitutionKeys(tenantId: string, ledger: KeyRotationLedger, options: { submit?: boolean } = {}): Promise<KeyRotationOutcome> {
    const tenant = this.get(tenantId);
    if (!this.keyStore.has(tenant.institutionId)) {
      throw new GatewayError('NO_INSTITUTION_KEYS', `this gateway holds no private keys for ${tenant.institutionId}: there is nothing to rotate`);
    }
    if (this.rotations.has(tenantId)) throw new GatewayError('CONFLICT', `a key rotation of ${tenant.institutionId} is already running`);
    const running = rotateStoredKeys(this.keyStore, tenant.institutionId, ledger, options);
    this.rotations.set(tenantId, running);
    try {
      return await running;
    } finally {
      this.rotations.delete(tenantId);
    }
  }
}
