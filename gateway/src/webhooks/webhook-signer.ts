import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { AtRestCipher } from '../database/at-rest-cipher';

/** A public key of the gateway's webhook signing key set, as published in the JWKS. */
export interface WebhookPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** RFC 7638 thumbprint of a P-256 public JWK: a kid that names the key itself. */
export function jwkThumbprint(jwk: { crv: string; kty: string; x: string; y: string }): string {
  return b64url(createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest());
}

/** The protected header of a delivery signature. */
export interface WebhookSignatureHeader {
  alg: 'ES256';
  kid: string;
  /** Which webhook subscription the delivery is for, so a signature cannot be replayed to another. */
  'econfirm-webhook': string;
  /** Signing time, seconds since the epoch. */
  iat: number;
}

/**
 * The key the signing keys are sealed under: the gateway's own, not a tenant's (tenant ids cannot
 * contain '_', so no tenant shares it).
 */
export const WEBHOOK_KEY_SCOPE = '_webhooks';

/** The authenticated context a signing key is sealed under (also what a restore checks a backup's at-rest key with). */
export function webhookKeySealContext(kid: string): string {
  return `webhook_signing_keys:${kid}`;
}

/**
 * Signs webhook deliveries with a detached compact JWS (RFC 7515 appendix F): the JWS payload is
 * the exact request body, left out of the header value `<protected>..<signature>`. The P-256 key
 * is generated on first start and kept in the gateway database (table webhook_signing_keys),
 * sealed under the at-rest key (database/at-rest-cipher.ts) like every other secret the database
 * holds: a copy or backup of the database cannot sign deliveries. Keys an older gateway stored in
 * clear are sealed when the signer opens (secure_delete overwrites the old bytes).
 */
export class WebhookSigner {
  private readonly key: KeyObject;
  readonly kid: string;

  constructor(
    private readonly db: DatabaseSync,
    private readonly cipher: AtRestCipher,
  ) {
    const legacy = db.prepare("SELECT kid, private_jwk FROM webhook_signing_keys WHERE private_jwk NOT LIKE 'v1.%'").all() as Array<{ kid: string; private_jwk: string }>;
    const reseal = db.prepare('UPDATE webhook_signing_keys SET private_jwk = ? WHERE kid = ?');
    for (const row of legacy) reseal.run(this.seal(row.kid, JSON.parse(row.private_jwk) as JsonWebKey), row.kid);
    const row = db.prepare('SELECT kid, private_jwk FROM webhook_signing_keys ORDER BY created_at DESC, kid LIMIT 1').get() as
      | { kid: string; private_jwk: string }
      | undefined;
    if (row) {
      this.kid = row.kid;
      this.key = this.open(row);
    } else {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pub = createPublicKey(privateKey).export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string };
      this.kid = `webhook-${jwkThumbprint(pub)}`;
      this.key = privateKey;
      db.prepare('INSERT INTO webhook_signing_keys (kid, private_jwk, created_at) VALUES (?, ?, ?)').run(
        this.kid,
        this.seal(this.kid, privateKey.export({ format: 'jwk' })),
        new Date().toISOString(),
      );
    }
  }

  private seal(kid: string, jwk: JsonWebKey): string {
    return this.cipher.sealJson(WEBHOOK_KEY_SCOPE, webhookKeySealContext(kid), jwk);
  }

  private open(row: { kid: string; private_jwk: string }): KeyObject {
    return createPrivateKey({ key: this.cipher.openJson(WEBHOOK_KEY_SCOPE, webhookKeySealContext(row.kid), row.private_jwk) as JsonWebKey, format: 'jwk' });
  }

  /** The detached JWS over `body` for `webhookId`: `<b64url(header)>..<b64url(signature)>`. */
  signDetached(body: string, webhookId: string, now = Date.now()): string {
    const header: WebhookSignatureHeader = { alg: 'ES256', kid: this.kid, 'econfirm-webhook': webhookId, iat: Math.floor(now / 1000) };
    const protectedHeader = b64url(JSON.stringify(header));
    const signature = sign('sha256', Buffer.from(`${protectedHeader}.${b64url(body)}`), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${protectedHeader}..${b64url(signature)}`;
  }

  /** Every signing key's public half (older keys stay listed so in-flight signatures still verify). */
  jwks(): { keys: WebhookPublicJwk[] } {
    const rows = this.db.prepare('SELECT kid, private_jwk FROM webhook_signing_keys ORDER BY created_at DESC, kid').all() as Array<{ kid: string; private_jwk: string }>;
    return {
      keys: rows.map((row) => {
        const pub = createPublicKey(this.open(row)).export({ format: 'jwk' }) as {
          x: string;
          y: string;
        };
        return { kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y, kid: row.kid, alg: 'ES256', use: 'sig' };
      }),
    };
  }
}

/**
 * Verifies a detached delivery signature against a JWKS, as a receiver would (used by the
 * gateway's tests and shown in the README): re-attach the body, check ES256 with the key `kid`
 * names. Returns the protected header, or throws.
 */
export function verifyDetached(signature: string, body: string, jwks: { keys: ReadonlyArray<{ kid?: string; kty?: string; crv?: string; x?: string; y?: string }> }): WebhookSignatureHeader {
  const [protectedHeader, empty, sig] = signature.split('.');
  if (!protectedHeader || empty !== '' || !sig) throw new Error('not a detached compact JWS');
  const header = JSON.parse(Buffer.from(protectedHeader, 'base64url').toString('utf8')) as WebhookSignatureHeader;
  if (header.alg !== 'ES256') throw new Error(`unexpected alg ${String(header.alg)}`);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no key ${header.kid} in the JWKS`);
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  if (!verify('sha256', Buffer.from(`${protectedHeader}.${b64url(body)}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'))) {
    throw new Error('signature does not verify');
  }
  return header;
}
