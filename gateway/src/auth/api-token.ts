import { randomUUID, type JsonWebKey } from 'node:crypto';
import * as jose from 'node-jose';

/** The claims of an API token (a compact JWS, ES256). */
export interface ApiTokenClaims {
  /** The API credential's id. */
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  /** Single use: the gateway refuses a jti it has seen. */
  jti: string;
}

/**
 * Signs an API token with a credential's private key — what a caller's software does before every
 * request (see gateway/README.md). Lifetime at most 300 s; a fresh jti every time.
 */
export async function createApiToken(credentialId: string, privateJwk: JsonWebKey, audience = 'econfirm-gateway', lifetimeSeconds = 120): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const claims: ApiTokenClaims = { iss: credentialId, aud: audience, iat, exp: iat + lifetimeSeconds, jti: randomUUID() };
  const key = await jose.JWK.asKey({ ...privateJwk, kid: credentialId, alg: 'ES256', use: 'sig' }, 'json');
  const token = await jose.JWS.createSign({ format: 'compact', fields: { alg: 'ES256', typ: 'JWT', kid: credentialId } }, key)
    .update(JSON.stringify(claims), 'utf8')
    .final();
  return token as unknown as string;
}
