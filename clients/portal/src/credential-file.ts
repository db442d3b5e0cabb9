import type { StoredCredential } from './key-store.js';

/** A credential file as `gateway/dist/cli.js credentials issue` writes it. */
interface CredentialFile {
  credentialId: string;
  audience: string;
  role?: string;
  privateJwk: JsonWebKey;
}

export class CredentialFileError extends Error {
  override readonly name = 'CredentialFileError';
}

const B64URL = /^[A-Za-z0-9_-]+$/;

function parse(text: string): CredentialFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CredentialFileError('not a JSON file 不是 JSON 文件');
  }
  if (typeof value !== 'object' || value === null) throw new CredentialFileError('not a credential file 不是凭证文件');
  const v = value as Record<string, unknown>;
  if (typeof v.credentialId !== 'string' || v.credentialId === '') throw new CredentialFileError('credentialId is missing 缺少 credentialId');
  if (typeof v.audience !== 'string' || v.audience === '') throw new CredentialFileError('audience is missing 缺少 audience');
  const jwk = v.privateJwk as Record<string, unknown> | undefined;
  if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
    throw new CredentialFileError('privateJwk must be an EC P-256 private key 私钥须为 EC P-256');
  }
  for (const member of ['x', 'y', 'd']) {
    if (typeof jwk[member] !== 'string' || !B64URL.test(jwk[member] as string)) throw new CredentialFileError(`privateJwk.${member} is missing or malformed`);
  }
  return {
    credentialId: v.credentialId,
    audience: v.audience,
    role: typeof v.role === 'string' ? v.role : '',
    privateJwk: { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string, d: jwk.d as string },
  };
}

/**
 * Reads a credential file and imports its private key into WebCrypto as a non-extractable
 * ECDSA P-256 signing key. The JWK (with `d`) lives only in this function's locals: nothing
 * but the CryptoKey is kept, and nothing is sent anywhere.
 */
export async function importCredentialFile(file: Blob): Promise<StoredCredential> {
  const parsed = parse(await file.text());
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('jwk', parsed.privateJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  } catch {
    throw new CredentialFileError('the private key could not be imported 私钥无法导入');
  }
  return { credentialId: parsed.credentialId, audience: parsed.audience, role: parsed.role ?? '', key };
}
