import type { Role } from '@econfirm/common';
import type { Principal } from '../auth/principal';
import type { Tenant } from './tenants.service';

/**
 * A custodial principal of one of the gateway's own tenants, for a service's ledger calls made for
 * the tenant (never an API caller): the events router, the anchoring service, the registration
 * centre's certificates. `purpose` names the service in the credential id (logs, metrics).
 */
export function servicePrincipal(tenant: Tenant, identity: { name: string; role: string }, purpose: string): Principal {
  return {
    tenantId: tenant.id,
    institutionId: tenant.institutionId,
    orgKey: tenant.orgKey,
    identityName: identity.name,
    mspId: tenant.mspId,
    role: identity.role as Role,
    credentialId: `${purpose}:${tenant.id}`,
    custody: 'custodial',
  };
}
