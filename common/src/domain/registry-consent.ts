import { canonicalJson } from '../json/canonical-json';

/**
 * An institution's consent to a change of its own registry record (its keys, or the MSP that
 * hosts it): a compact JWS, ES256, by the institution's *current* registry signing key, header
 * `{ alg: 'ES256', kid: <current signing kid>, typ: REGISTRY_CONSENT_TYPE }`, over
 * `registryConsentPayload(...)`. The operator submits the change; the chaincode
 * (chaincode/src/models/registry-consent.ts) accepts it only with this consent, so neither the
 * operator alone nor an institution alone rewrites whom a record belongs to.
 */
export const REGISTRY_CONSENT_TYPE = 'econfirm-registry-consent';

export type RegistryConsentAction = 'RotateInstitutionKeys' | 'UpdateInstitution';

export interface RegistryConsentClaims {
  action: RegistryConsentAction;
  institutionId: string;
  /**
   * The `updatedAt` of the record the institution consented to change: a consent is good for that
   * version only, so it cannot be replayed after any later write (e.g. to move a firm back).
   */
  basis: string;
  /** Exactly the transaction's JSON argument (the rotation's keys, or the update). */
  change: unknown;
}

/** The bytes the consent JWS signs: canonical JSON of the four claims. */
export function registryConsentPayload(claims: RegistryConsentClaims): string {
  return canonicalJson({ action: claims.action, basis: claims.basis, change: claims.change, institutionId: claims.institutionId });
}
