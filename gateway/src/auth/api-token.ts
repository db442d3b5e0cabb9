import { randomUUID, type JsonWebKey } from 'node:crypto';

/** The claims of an API token (a compact JWS, ES256). */
export interface ApiTokenClaims {
  /** The API credential's id. */
  iss: string;
  /** The gateway's audience (by default its public URL): a token for one gateway serves at no other. */
  aud: string;
  iat: number;
  exp: number;
  /** Single use: the gateway refuses a jti it has seen. */
  jti: string;
  /** The HTTP method of the one request the token authorizes (as DPoP's htm). */
  htm: string;
  /** That request's URL without query and fragment (as DPoP's htu): the gateway's publicUrl + path. */
  htu: string;
}

/** What a token is for: the gateway's audience and the one request (method and URL). */
export interface TokenTarget {
  audience: string;
  method: string;
  /** The absolute request URL; its query and fragment are not part of the binding. */
  url: string;
}

/** A request URL as it is bound into a token: absolute, without query and fragment. */
export function tokenUrl(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/**
 * Signs an API token with a credential's private key — what a caller's software does before every
 * request (see gateway/README.md). Lifetime at most 300 s; a fresh jti every time; bound to one
 * method and URL at one audience.
 */
export async function createApiToken(credentialId: string, privateJwk: JsonWebKey, target: TokenTarget, lifetimeSeconds = 120): Promise<string> {
  const jose = await import('jose');
  const iat = Math.floor(Date.now() / 1000);
  const claims: ApiTokenClaims = {
    iss: credentialId,
    aud: target.audience,
    iat,
    exp: iat + lifetimeSeconds,
    jti: randomUUID(),
    htm: target.method.toUpperCase(),
    htu: tokenUrl(target.url),
  };
  const key = await jose.importJWK({ ...privateJwk }, 'ES256');
  return new jose.SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: credentialId }).sign(key);
}
