import { Injectable } from '@nestjs/common';
import { AnchoringService, type AnchoringStatus } from '../anchoring/anchoring.service';
import { CredentialsStore } from '../auth/credentials.store';
import { GatewayError } from '../errors/gateway-error';
import { LedgerService } from '../fabric/ledger.service';
import { TenantsService } from '../tenants/tenants.service';

export interface Readiness {
  status: 'ready';
  checks: Array<{ tenantId: string; ok: boolean; code?: string }>;
  /** The anchoring service's queue and batches; informative — an unreachable EVM chain does not make the gateway unready (banks still reply). */
  anchoring: AnchoringStatus;
}

/**
 * Ready when, for every tenant with a custodial credential, a read of the chaincode
 * (confirmation:GetWorkCalendar, open to every identity) succeeds through its gateway peer.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly credentials: CredentialsStore,
    private readonly ledger: LedgerService,
    private readonly anchoring: AnchoringService,
  ) {}

  async readiness(): Promise<Readiness> {
    const checks: Readiness['checks'] = [];
    for (const tenant of this.tenants.list()) {
      const credential = this.credentials.listForTenant(tenant.id).find((c) => c.custody === 'custodial' && !c.revokedAt);
      if (!credential) continue;
      try {
        await this.ledger.evaluate(this.credentials.principalOf(credential), { contract: 'confirmation', transaction: 'GetWorkCalendar', args: [] });
        checks.push({ tenantId: tenant.id, ok: true });
      } catch (err) {
        checks.push({ tenantId: tenant.id, ok: false, code: err instanceof GatewayError ? err.code : 'INTERNAL' });
      }
    }
    if (checks.length === 0) throw new GatewayError('NOT_READY', 'no tenant has a custodial credential to probe the ledger with');
    if (checks.some((c) => !c.ok)) throw new GatewayError('NOT_READY', 'the ledger is not reachable for every tenant', { checks });
    return { status: 'ready', checks, anchoring: this.anchoring.status() };
  }
}
