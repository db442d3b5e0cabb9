import { expect } from 'chai';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createApiToken, readApiCredentialFile, tokenUrl } from './api-token';

describe('API tokens (the gateway, the CLI and the tests sign them here)', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' });

  it('an ES256 JWT bound to one method and URL (no query) at one audience, checked with node:crypto alone', async () => {
    const token = await createApiToken('bank1.officer1.1', privateJwk, { audience: 'https://gw.example', method: 'post', url: 'https://gw.example/v1/payment-batches/import?x=1#f' }, 60);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const json = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(json(header)).to.deep.equal({ alg: 'ES256', typ: 'JWT', kid: 'bank1.officer1.1' });
    const claims = json(payload);
    expect(claims).to.include({ iss: 'bank1.officer1.1', aud: 'https://gw.example', htm: 'POST', htu: 'https://gw.example/v1/payment-batches/import' });
    expect((claims.exp as number) - (claims.iat as number)).to.equal(60);
    expect(claims.jti).to.match(/^[0-9a-f-]{36}$/);
    const publicKey = createPublicKey({ key: { ...privateJwk, d: undefined }, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).to.equal(true);
    const again = await createApiToken('bank1.officer1.1', privateJwk, { audience: 'https://gw.example', method: 'POST', url: 'https://gw.example/v1/payment-batches/import' });
    expect(json(again.split('.')[1] as string).jti, 'a fresh jti every time').not.to.equal(claims.jti);
  });

  it('tokenUrl drops query and fragment and refuses a relative URL', () => {
    expect(tokenUrl('http://127.0.0.1:7443/v1/me?a=b#c')).to.equal('http://127.0.0.1:7443/v1/me');
    expect(() => tokenUrl('/v1/me')).to.throw();
  });

  it('reads a credential file as `credentials issue` writes it, and refuses one a token cannot be signed with', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-credential-'));
    try {
      const good = path.join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ credentialId: 'c1', audience: 'http://gw', url: 'http://gw', role: 'bank-officer', privateJwk }));
      expect(readApiCredentialFile(good)).to.include({ credentialId: 'c1', audience: 'http://gw', url: 'http://gw' });
      const publicOnly = path.join(dir, 'public.json');
      writeFileSync(publicOnly, JSON.stringify({ credentialId: 'c1', audience: 'http://gw', privateJwk: { ...privateJwk, d: undefined } }));
      expect(() => readApiCredentialFile(publicOnly)).to.throw(/no API credential file/);
      const noAudience = path.join(dir, 'no-audience.json');
      writeFileSync(noAudience, JSON.stringify({ credentialId: 'c1', privateJwk }));
      expect(() => readApiCredentialFile(noAudience)).to.throw(/no API credential file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
