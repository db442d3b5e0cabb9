import { Role } from '@econfirm/common';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { expect } from 'chai';
import { generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import * as jose from 'node-jose';
import type { GatewayConfig } from '../config/gateway-config';
import { openDatabase } from '../database/database.module';
import { GatewayError } from '../errors/gateway-error';
import { TenantsService } from '../tenants/tenants.service';
import { unitConfig } from '../testing/fixtures';
import { createApiToken } from '@econfirm/sdk';
import { AuthGuard } from './auth.guard';
import { CredentialsStore } from './credentials.store';
import { IS_PUBLIC, ROLES, type AuthenticatedRequest } from './decorators';
import { TokenVerifier } from './token-verifier';

async function token(credentialId: string, jwk: JsonWebKey, claims: Record<string, unknown>, alg = 'ES256'): Promise<string> {
  const key = await jose.JWK.asKey({ ...jwk, alg: 'ES256', use: 'sig' }, 'json');
  return (await jose.JWS.createSign({ format: 'compact', fields: { alg, typ: 'JWT', kid: credentialId } }, key).update(JSON.stringify(claims), 'utf8').final()) as unknown as string;
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('API tokens and the auth guard', function () {
  // The first token loads jose (ESM, imported once); on a loaded machine that alone can take seconds.
  this.timeout(20_000);
  let config: GatewayConfig;
  let db: DatabaseSync;
  let credentials: CredentialsStore;
  let verifier: TokenVerifier;
  let auditor: { id: string; jwk: JsonWebKey };
  /** The request every token below is made for and presented with, unless a test says otherwise. */
  const ME = { method: 'GET', path: '/v1/me' };
  const target = (method = ME.method, path = ME.path) => ({ audience: config.audience, method, url: `${config.publicUrl}${path}` });

  beforeEach(function () {
    config = unitConfig();
    db = openDatabase(':memory:');
    credentials = new CredentialsStore(db, new TenantsService(config, db));
    verifier = new TokenVerifier(config, credentials);
    const issued = credentials.issue({ tenantId: 'firm1', identityName: 'auditor1' });
    auditor = { id: issued.credential.id, jwk: issued.privateJwk };
  });

  describe('TokenVerifier', function () {
    it('accepts a fresh token and maps it to the credential\'s principal (role from the identity, not the caller)', async function () {
      const principal = await verifier.verify(await createApiToken(auditor.id, auditor.jwk, target()), ME);
      expect(principal).to.deep.equal({
        tenantId: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1', identityName: 'auditor1', mspId: 'Firm1MSP', role: 'auditor', credentialId: auditor.id, custody: 'custodial',
      });
    });

    it('refuses a replayed jti, an expired, future, too-long, wrongly addressed or unsigned token', async function () {
      const good = await createApiToken(auditor.id, auditor.jwk, target());
      await verifier.verify(good, ME);
      expect((await refusal(verifier.verify(good, ME))).code).to.equal('TOKEN_REPLAYED');
      const now = Math.floor(Date.now() / 1000);
      const claims = (extra: Record<string, unknown>) => ({ iss: auditor.id, aud: config.audience, iat: now, exp: now + 60, jti: randomUUID(), htm: 'GET', htu: `${config.publicUrl}/v1/me`, ...extra });
      expect((await refusal(verifier.verify(await token(auditor.id, auditor.jwk, claims({ iat: now - 500, exp: now - 200 })), ME))).code).to.equal('TOKEN_EXPIRED');
      for (const bad of [claims({ iat: now + 600, exp: now + 700 }), claims({ exp: now + 301 }), claims({ aud: 'other' }), claims({ jti: 'short' }), claims({ iat: 'now' })]) {
        const err = await refusal(verifier.verify(await token(auditor.id, auditor.jwk, bad), ME));
        expect([err.code, err.httpStatus]).to.deep.equal(['UNAUTHENTICATED', 401]);
      }
      const [header, payload] = good.split('.');
      // An exp before iat fell inside the clock skew and was accepted (fails on c85a0dd).
      const backwards = await refusal(verifier.verify(await token(auditor.id, auditor.jwk, claims({ iat: now, exp: now - 10 })), ME));
      expect([backwards.code, backwards.message]).to.deep.equal(['UNAUTHENTICATED', 'the token expires before it is issued (exp ≤ iat)']);
      const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
      expect((await refusal(verifier.verify(none, ME))).code).to.equal('UNAUTHENTICATED');
      expect((await refusal(verifier.verify(`${header}.${payload}.AAAA`, ME))).message).to.match(/signature/);
    });

    it('binds a token to its method, URL and audience: presented for another request or at another gateway it is refused (and not used up)', async function () {
      // Fails on c85a0dd, whose tokens named neither method nor URL and whose audience was the
      // same 'econfirm-gateway' at every gateway.
      expect(config.audience).to.equal(config.publicUrl);
      const forMe = await createApiToken(auditor.id, auditor.jwk, target());
      const elsewhere: Array<[string, { method: string; path: string }]> = [
        ['another method', { method: 'POST', path: '/v1/me' }],
        ['another path', { method: 'GET', path: '/v1/confirmations/CF-1' }],
        ['a path that only starts the same', { method: 'GET', path: '/v1/me/x' }],
      ];
      for (const [what, request] of elsewhere) {
        const err = await refusal(verifier.verify(forMe, request));
        expect([err.code, err.httpStatus], what).to.deep.equal(['UNAUTHENTICATED', 401]);
        expect(err.message, what).to.match(/\((htm|htu)\)/);
      }
      // The query is not bound (as DPoP); the token was not spent by the refusals above.
      expect((await verifier.verify(forMe, { method: 'get', path: '/v1/me?x=1' })).credentialId).to.equal(auditor.id);
      // Another gateway (its own publicUrl, hence its own audience) refuses a token made for this one.
      const other: GatewayConfig = { ...config, publicUrl: 'https://gw.bank1.example', audience: 'https://gw.bank1.example' };
      const otherVerifier = new TokenVerifier(other, credentials);
      const forThis = await createApiToken(auditor.id, auditor.jwk, target());
      expect((await refusal(otherVerifier.verify(forThis, ME))).message).to.match(/not for audience 'https:\/\/gw.bank1.example'/);
      // Made for that gateway's audience but this gateway's URL: still refused there (htu).
      const mixed = await createApiToken(auditor.id, auditor.jwk, { ...target(), audience: other.audience });
      expect((await refusal(otherVerifier.verify(mixed, ME))).message).to.match(/\(htu\)/);
      for (const bad of [{ htm: undefined }, { htu: undefined }, { htu: 'not a url' }, { htu: 'http://127.0.0.1:1/v1/me' }]) {
        const err = await refusal(verifier.verify(await token(auditor.id, auditor.jwk, { iss: auditor.id, aud: config.audience, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60, jti: randomUUID(), htm: 'GET', htu: `${config.publicUrl}/v1/me`, ...bad }), ME));
        expect(err.code, JSON.stringify(bad)).to.equal('UNAUTHENTICATED');
      }
    });

    it('refuses a token signed by another key, for an unknown or a revoked credential', async function () {
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
      expect((await refusal(verifier.verify(await createApiToken(auditor.id, other, target()), ME))).message).to.match(/does not verify/);
      expect((await refusal(verifier.verify(await createApiToken('firm1.nobody.1', auditor.jwk, target()), ME))).message).to.match(/unknown or revoked/);
      credentials.revoke(auditor.id);
      expect((await refusal(verifier.verify(await createApiToken(auditor.id, auditor.jwk, target()), ME))).message).to.match(/unknown or revoked/);
    });

    it('binds credentials to the tenant: identities of other orgs or other institutions are refused', function () {
      expect(() => credentials.issue({ tenantId: 'firm1', identityName: 'client1' })).to.throw(/no identity 'client1'/);
      expect(() => credentials.issue({ tenantId: 'client1', identityName: 'registrar1' })).to.throw(GatewayError, /acts for MREG1/);
      expect(() => credentials.issue({ tenantId: 'bank9', identityName: 'auditor1' })).to.throw(GatewayError, /not hosted/);
    });
  });

  describe('AuthGuard', function () {
    function context(request: Partial<AuthenticatedRequest>, metadata: Record<string, unknown>): { ctx: ExecutionContext; guard: AuthGuard } {
      const reflector = { getAllAndOverride: (key: string) => metadata[key] } as unknown as Reflector;
      const ctx = {
        getHandler: () => undefined,
        getClass: () => undefined,
        switchToHttp: () => ({ getRequest: () => request }),
      } as unknown as ExecutionContext;
      return { ctx, guard: new AuthGuard(reflector, verifier) };
    }

    it('lets public routes through without a token', async function () {
      const { ctx, guard } = context({ headers: {} }, { [IS_PUBLIC]: true });
      expect(await guard.canActivate(ctx)).to.equal(true);
    });

    it('refuses a request without a bearer token (401), puts the principal on the request otherwise', async function () {
      const none = context({ headers: {} }, {});
      expect((await refusal(none.guard.canActivate(none.ctx))).httpStatus).to.equal(401);
      const request: Partial<AuthenticatedRequest> = { method: 'GET', originalUrl: '/v1/me', headers: { authorization: `Bearer ${await createApiToken(auditor.id, auditor.jwk, target())}` } };
      const ok = context(request, { [ROLES]: [Role.Auditor] });
      expect(await ok.guard.canActivate(ok.ctx)).to.equal(true);
      expect(request.principal?.institutionId).to.equal('FIRM1');
      // The guard presents the request's own method and URL: the same kind of token on another route is refused.
      const misdirected: Partial<AuthenticatedRequest> = { method: 'POST', originalUrl: '/v1/confirmations?x=1', headers: { authorization: `Bearer ${await createApiToken(auditor.id, auditor.jwk, target())}` } };
      const refused = context(misdirected, {});
      expect((await refusal(refused.guard.canActivate(refused.ctx))).message).to.match(/\(htm\)/);
      expect(misdirected.principal).to.equal(undefined);
    });

    it('refuses other roles early with FORBIDDEN (403)', async function () {
      const request: Partial<AuthenticatedRequest> = { method: 'GET', originalUrl: '/v1/me', headers: { authorization: `Bearer ${await createApiToken(auditor.id, auditor.jwk, target())}` } };
      const { ctx, guard } = context(request, { [ROLES]: [Role.BankReviewer] });
      const err = await refusal(guard.canActivate(ctx));
      expect([err.code, err.httpStatus]).to.deep.equal(['FORBIDDEN', 403]);
      expect(err.message).to.match(/role auditor of FIRM1 cannot call this route/);
    });
  });
});
