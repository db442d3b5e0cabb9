/**
 * The gateway's API token, signed in the browser: a JWT (ES256) by the credential's key, one per
 * request (single-use jti), 60 s lifetime, bound to that request's method (`htm`) and URL without
 * query (`htu`), as the gateway's TokenVerifier demands (gateway/src/auth/token-verifier.ts).
 * WebCrypto's ECDSA signature is already the raw r‖s (IEEE P1363) form that JWS ES256 wants.
 */
export const TOKEN_LIFETIME_SECONDS = 60;

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function encodeJson(value: object): string {
  return base64url(new TextEncoder().encode(JSON.stringify(value)));
}

/** The one request a token is for: its method and absolute URL (the query is not bound). */
export interface TokenRequest {
  method: string;
  url: URL;
}

export async function createApiToken(credentialId: string, audience: string, key: CryptoKey, request: TokenRequest, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  const header = { alg: 'ES256', typ: 'JWT', kid: credentialId };
  const htu = new URL(request.url.href);
  htu.search = '';
  htu.hash = '';
  const claims = { iss: credentialId, aud: audience, iat, exp: iat + TOKEN_LIFETIME_SECONDS, jti: crypto.randomUUID(), htm: request.method.toUpperCase(), htu: htu.href };
  const input = `${encodeJson(header)}.${encodeJson(claims)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}
