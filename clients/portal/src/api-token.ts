/**
 * The gateway's API token, signed in the browser: a JWT (ES256) by the credential's key, one per
 * request (single-use jti), 60 s lifetime. WebCrypto's ECDSA signature is already the raw r‖s
 * (IEEE P1363) form that JWS ES256 wants.
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

export async function createApiToken(credentialId: string, audience: string, key: CryptoKey, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  const header = { alg: 'ES256', typ: 'JWT', kid: credentialId };
  const claims = { iss: credentialId, aud: audience, iat, exp: iat + TOKEN_LIFETIME_SECONDS, jti: crypto.randomUUID() };
  const input = `${encodeJson(header)}.${encodeJson(claims)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}
