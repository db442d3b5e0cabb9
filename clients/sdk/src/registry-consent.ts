import { REGISTRY_CONSENT_TYPE, registryConsentPayload, type RegistryConsentClaims } from '@econfirm/common';
import type { JsonWebKey } from 'node:crypto';
import * as jose from 'node-jose';

/**
 * An institution's consent to a change of its registry record (common/src/domain/registry-consent.ts):
 * a compact JWS by its *current* signing key (`{ kid, jwk }` with the private `d`) over exactly
 * the change and the record version (`basis`: the record's `updatedAt`). The operator passes it as
 * the last argument of RotateInstitutionKeys / UpdateInstitution; the chaincode checks it.
 */
export async function signRegistryConsent(claims: RegistryConsentClaims, key: { kid: string; jwk: JsonWebKey }): Promise<string> {
  const jwk = await jose.JWK.asKey({ ...key.jwk, kid: key.kid, alg: 'ES256', use: 'sig' }, 'json');
  const fields = { alg: 'ES256', kid: key.kid, typ: REGISTRY_CONSENT_TYPE };
  return (await jose.JWS.createSign({ format: 'compact', fields }, jwk).update(registryConsentPayload(claims), 'utf8').final()) as unknown as string;
}
