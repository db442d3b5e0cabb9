import { randomUUID, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * API tokens of the econfirm gateway (gateway/README.md, Authenticate): what a caller's software
 * signs before every request, and the credential file it signs them with. Here, in the SDK, so that
 * the gateway (which verifies them and whose admin command prints them), the econfirm CLI and the
 * tests sign them one way; the portal signs the same claims in WebCrypto (clients/portal/src/api-token.ts).
 */

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

/** A credential file as the gateway's `credentials issue` writes it (0600). */
export interface ApiCredentialFile {
  credentialId: string;
  audience: string;
  /** The gateway's publicUrl (files written before tokens were bound to URLs have none). */
  url?: string;
  role?: string;
  privateJwk: JsonWebKey;
}

/** Reads a credential file, refusing one that lacks what a token needs (its id, audience and private key). */
export function readApiCredentialFile(file: string): ApiCredentialFile {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const value = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const text = (name: string): boolean => typeof value[name] === 'string' && value[name] !== '';
  const jwk = value.privateJwk;
  if (!text('credentialId') || !text('audience') || typeof jwk !== 'object' || jwk === null || typeof (jwk as Record<string, unknown>).d !== 'string') {
    throw new Error(`${file} is no API credential file: it needs credentialId, audience and privateJwk (gateway: credentials issue)`);
  }
  if (value.url !== undefined && typeof value.url !== 'string') throw new Error(`${file}: url must be the gateway's URL`);
  return value as unknown as ApiCredentialFile;
}
