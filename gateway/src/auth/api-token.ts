import { randomUUID, type JsonWebKey } from 'node:crypto';

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
  const jose = await import('jose');
  const iat = Math.floor(Date.now() / 1000);
  const claims: ApiTokenClaims = { iss: credentialId, aud: audience, iat, exp: iat + lifetimeSeconds, jti: randomUUID() };
  const key = await jose.importJWK({ ...privateJwk }, 'ES256');
  return new jose.SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: credentialId }).sign(key);
}
