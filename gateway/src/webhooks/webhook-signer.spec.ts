import { expect } from 'chai';
import * as jose from 'node-jose';
import { openDatabase } from '../database/database.module';
import { applyMigrations } from '../database/migrations';
import { verifyDetached, WebhookSigner } from './webhook-signer';
import { WEBHOOKS_MIGRATIONS } from './webhooks.migrations';

describe('webhook signatures (detached JWS, ES256)', function () {
  const freshDb = () => {
    const db = openDatabase(':memory:');
    applyMigrations(db, 'webhooks', WEBHOOKS_MIGRATIONS);
    return db;
  };
  const db = freshDb();
  const signer = new WebhookSigner(db);
  const body = JSON.stringify({ sequence: 3, type: 'ConfirmationChanged', ids: ['CF-1'], state: 'authorized' });

  it('keeps its key across restarts and publishes it as a JWKS', function () {
    expect(new WebhookSigner(db).kid).to.equal(signer.kid);
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
    const other = new WebhookSigner(freshDb());
    expect(() => verifyDetached(detached, body, other.jwks())).to.throw(/no key/);
    expect(() => verifyDetached(detached.replace('..', '.x.'), body, signer.jwks())).to.throw(/detached/);
  });
});
