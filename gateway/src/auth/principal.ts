import type { Role } from '@econfirm/common';

/** Who holds the private key of the Fabric identity: the gateway (file) or only the caller. */
export type Custody = 'custodial' | 'offline';

/**
 * The authenticated caller: one API credential, mapped to one X.509 identity of one tenant
 * institution, with that identity's role. Everything a route does, it does as this principal;
 * no route takes an institution to act as.
 */
export interface Principal {
  tenantId: string;
  institutionId: string;
  orgKey: string;
  identityName: string;
  mspId: string;
  role: Role;
  credentialId: string;
  custody: Custody;
}
