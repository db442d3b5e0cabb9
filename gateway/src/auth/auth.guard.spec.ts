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
import { createApiToken } from './api-token';
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
  let config: GatewayConfig;
  let db: DatabaseSync;
  let credentials: CredentialsStore;
  let verifier: TokenVerifier;
  let auditor: { id: string; jwk: JsonWebKey };

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
      const principal = await verifier.verify(await createApiToken(auditor.id, auditor.jwk, config.audience));
      expect(principal).to.deep.equal({
        tenantId: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1', identityName: 'auditor1', mspId: 'Firm1MSP', role: 'auditor', credentialId: auditor.id, custody: 'custodial',
      });
    });

    it('refuses a replayed jti, an expired, future, too-long, wrongly addressed or unsigned token', async function () {
      const good = await createApiToken(auditor.id, auditor.jwk, config.audience);
      await verifier.verify(good);
      expect((await refusal(verifier.verify(good))).code).to.equal('TOKEN_REPLAYED');
      const now = Math.floor(Date.now() / 1000);
      const claims = (extra: Record<string, unknown>) => ({ iss: auditor.id, aud: config.audience, iat: now, exp: now + 60, jti: randomUUID(), ...extra });
      expect((await refusal(verifier.verify(await token(auditor.id, auditor.jwk, claims({ iat: now - 500, exp: now - 200 }))))).code).to.equal('TOKEN_EXPIRED');
      for (const bad of [claims({ iat: now + 600, exp: now + 700 }), claims({ exp: now + 301 }), claims({ aud: 'other' }), claims({ jti: 'short' }), claims({ iat: 'now' })]) {
        const err = await refusal(verifier.verify(await token(auditor.id, auditor.jwk, bad)));
        expect([err.code, err.httpStatus]).to.deep.equal(['UNAUTHENTICATED', 401]);
      }
      const [header, payload] = good.split('.');
      // Issue 17: an exp before iat fell inside the clock skew and was accepted (fails on c85a0dd).
      const backwards = await refusal(verifier.verify(await token(auditor.id, auditor.jwk, claims({ iat: now, exp: now - 10 }))));
      expect([backwards.code, backwards.message]).to.deep.equal(['UNAUTHENTICATED', 'the token expires before it is issued (exp ≤ iat)']);
      const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
      expect((await refusal(verifier.verify(none))).code).to.equal('UNAUTHENTICATED');
      expect((await refusal(verifier.verify(`${header}.${payload}.AAAA`))).message).to.match(/signature/);
    });

    it('refuses a token signed by another key, for an unknown or a revoked credential', async function () {
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
      expect((await refusal(verifier.verify(await createApiToken(auditor.id, other, config.audience)))).message).to.match(/does not verify/);
      expect((await refusal(verifier.verify(await createApiToken('firm1.nobody.1', auditor.jwk, config.audience)))).message).to.match(/unknown or revoked/);
      credentials.revoke(auditor.id);
      expect((await refusal(verifier.verify(await createApiToken(auditor.id, auditor.jwk, config.audience)))).message).to.match(/unknown or revoked/);
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
      const request: Partial<AuthenticatedRequest> = { headers: { authorization: `Bearer ${await createApiToken(auditor.id, auditor.jwk, config.audience)}` } };
      const ok = context(request, { [ROLES]: [Role.Auditor] });
      expect(await ok.guard.canActivate(ok.ctx)).to.equal(true);
      expect(request.principal?.institutionId).to.equal('FIRM1');
    });

    it('refuses other roles early with FORBIDDEN (403)', async function () {
      const request: Partial<AuthenticatedRequest> = { headers: { authorization: `Bearer ${await createApiToken(auditor.id, auditor.jwk, config.audience)}` } };
      const { ctx, guard } = context(request, { [ROLES]: [Role.BankReviewer] });
      const err = await refusal(guard.canActivate(ctx));
      expect([err.code, err.httpStatus]).to.deep.equal(['FORBIDDEN', 403]);
      expect(err.message).to.match(/role auditor of FIRM1 cannot call this route/);
    });
  });
});
