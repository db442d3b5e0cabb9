import { createPublicKey, verify } from 'node:crypto';
import { ErrorCode, Institution, LedgerError, REGISTRY_CONSENT_TYPE, registryConsentPayload, RegistryConsentAction } from '@econfirm/common';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_CONSENT_LENGTH = 4096;

function refused(institution: Institution, problem: string): LedgerError {
  return new LedgerError(ErrorCode.ConsentRequired, `a change of ${institution.id}'s keys or hosting needs its consent: ${problem}`);
}

function decodePart(part: string | undefined): Buffer | undefined {
  if (part === undefined || !BASE64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  // One encoding per value: a part that does not re-encode to itself is refused.
  return bytes.toString('base64url') === part ? bytes : undefined;
}

/**
 * Checks the institution's consent to `change` of its record as it is now (common
 * registry-consent.ts): a compact JWS, ES256, by its current registry signing key, whose payload is
 * byte for byte `registryConsentPayload` of this action, this record version and this argument.
 * The operator's CA cannot produce it: the private key is the institution's. Deterministic —
 * ECDSA verification draws no randomness and reads no clock.
 */
export function checkRegistryConsent(existing: Institution, action: RegistryConsentAction, change: unknown, consent: string | undefined): void {
  if (typeof consent !== 'string' || consent === '') {
    throw refused(existing, `give a compact JWS by its current signing key ${existing.signingKey.kid} over the change`);
  }
  if (consent.length > MAX_CONSENT_LENGTH) throw refused(existing, `the consent is over ${MAX_CONSENT_LENGTH} characters`);
  const parts = consent.split('.');
  const [header, payload, signature] = parts.map(decodePart);
  if (parts.length !== 3 || !header || !payload || !signature) throw refused(existing, 'the consent is not a compact JWS');
  let fields: unknown;
  try {
    fields = JSON.parse(header.toString('utf8'));
  } catch {
    throw refused(existing, 'the consent header is not JSON');
  }
  const { alg, kid, typ } = (typeof fields === 'object' && fields !== null ? fields : {}) as Record<string, unknown>;
  if (alg !== 'ES256' || typ !== REGISTRY_CONSENT_TYPE) throw refused(existing, `the consent header must be alg ES256, typ ${REGISTRY_CONSENT_TYPE}`);
  if (kid !== existing.signingKey.kid) throw refused(existing, `the consent is not by its current signing key ${existing.signingKey.kid}`);
  const expected = registryConsentPayload({ action, institutionId: existing.id, basis: existing.updatedAt, change });
  if (!payload.equals(Buffer.from(expected, 'utf8'))) {
    throw refused(existing, `the consent is not for exactly this ${action} of the record as of ${existing.updatedAt}`);
  }
  const key = createPublicKey({ key: { ...existing.signingKey.jwk }, format: 'jwk' });
  const [h, p] = parts;
  if (signature.length !== 64 || !verify('sha256', Buffer.from(`${h}.${p}`, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }, signature)) {
    throw refused(existing, `the consent signature does not verify under ${existing.signingKey.kid}`);
  }
}
