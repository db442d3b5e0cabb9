import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import * as jose from 'node-jose';
import { AtRestCipher } from '../database/at-rest-cipher';
import { openDatabase } from '../database/database.module';
import { applyMigrations } from '../database/migrations';
import { unitConfig } from '../testing/fixtures';
import { verifyDetached, WebhookSigner } from './webhook-signer';
import { WEBHOOKS_MIGRATIONS } from './webhooks.migrations';

describe('webhook signatures (detached JWS, ES256)', function () {
  const freshDb = () => {
    const db = openDatabase(':memory:');
    applyMigrations(db, 'webhooks', WEBHOOKS_MIGRATIONS);
    return db;
  };
  const cipher = new AtRestCipher(unitConfig().keysDir);
  const db = freshDb();
  const signer = new WebhookSigner(db, cipher);
  const body = JSON.stringify({ sequence: 3, type: 'ConfirmationChanged', ids: ['CF-1'], state: 'authorized' });

  it('keeps its key across restarts and publishes it as a JWKS', function () {
    expect(new WebhookSigner(db, cipher).kid).to.equal(signer.kid);
    const { keys } = signer.jwks();
    expect(keys).to.have.length(1);
    expect(keys[0]).to.include({ kty: 'EC', crv: 'P-256', kid: signer.kid, alg: 'ES256', use: 'sig' });
    expect(keys[0]).not.to.have.property('d');
  });

  it('verifies with an independent JOSE library once the body is re-attached', async function () {
    const detached = signer.signDetached(body, 'wh_abcdefabcdef');
    const [head, empty, sig] = detached.split('.');
    expect(empty).to.equal('');
    const keystore = await jose.JWK.asKeyStore(signer.jwks());
    const result = await jose.JWS.createVerify(keystore).verify(`${head}.${Buffer.from(body).toString('base64url')}.${sig}`);
    expect(result.payload.toString('utf8')).to.equal(body);
    expect(result.header).to.include({ alg: 'ES256', kid: signer.kid, 'econfirm-webhook': 'wh_abcdefabcdef' });
    expect(verifyDetached(detached, body, signer.jwks())['econfirm-webhook']).to.equal('wh_abcdefabcdef');
  });

  it('fails for a changed body, another key or a mangled signature', async function () {
    const detached = signer.signDetached(body, 'wh_abcdefabcdef');
    expect(() => verifyDetached(detached, body.replace('CF-1', 'CF-2'), signer.jwks())).to.throw(/does not verify/);
    const other = new WebhookSigner(freshDb(), cipher);
    expect(() => verifyDetached(detached, body, other.jwks())).to.throw(/no key/);
    expect(() => verifyDetached(detached.replace('..', '.x.'), body, signer.jwks())).to.throw(/detached/);
  });

  it('keeps the private key sealed at rest: the database (and so a backup of it) cannot sign', function () {
    const stored = db.prepare('SELECT private_jwk FROM webhook_signing_keys').all() as Array<{ private_jwk: string }>;
    expect(stored).to.have.length(1);
    expect(stored[0]?.private_jwk).to.match(/^v1\./);
    expect(stored[0]?.private_jwk).not.to.contain('"d"');
    // Beside another at-rest key it does not open.
    expect(() => new WebhookSigner(db, new AtRestCipher(unitConfig().keysDir))).to.throw();
  });

  it('seals a key an older gateway stored in clear, and signs with that same key', function () {
    const legacy = freshDb();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    legacy.prepare("INSERT INTO webhook_signing_keys (kid, private_jwk, created_at) VALUES ('webhook-old', ?, '2026-01-01T00:00:00Z')").run(JSON.stringify(privateKey.export({ format: 'jwk' })));
    const upgraded = new WebhookSigner(legacy, cipher);
    expect(upgraded.kid).to.equal('webhook-old');
    expect((legacy.prepare('SELECT private_jwk FROM webhook_signing_keys').get() as { private_jwk: string }).private_jwk).to.match(/^v1\./);
    const detached = upgraded.signDetached(body, 'wh_abcdefabcdef');
    const { d: _d, ...publicJwk } = privateKey.export({ format: 'jwk' });
    expect(verifyDetached(detached, body, { keys: [{ ...publicJwk, kid: 'webhook-old' }] })['econfirm-webhook']).to.equal('wh_abcdefabcdef');
  });
});
