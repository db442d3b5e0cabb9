import { ConfirmationState } from '@econfirm/common';
import { expect } from 'chai';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import * as jose from 'node-jose';
import { demoKeyStore, ensureDemoInstitutions } from '../support/institutions';
import { agreeingReply, bankLetterRequest, type Caller, TestGateway } from '../support/gateway';
import { distinctiveAccountNumber, recipientKids } from '../support/letters';
import { uniqueName } from '../support/network';

async function signedToken(caller: Caller, claims: Record<string, unknown>): Promise<string> {
  const key = await jose.JWK.asKey({ ...caller.privateJwk, alg: 'ES256', use: 'sig' }, 'json');
  return (await jose.JWS.createSign({ format: 'compact', fields: { alg: 'ES256', typ: 'JWT' } }, key).update(JSON.stringify(claims), 'utf8').final()) as unknown as string;
}

/**
 * Every role refused where it must be, authentication refusals, and tenant isolation —
 * a tenant can never act as, or read for, another tenant. Every refusal writes nothing.
 */
describe('gateway e2e: refusals by role, by token and across tenants', function () {
  this.timeout(180_000);
  const run = uniqueName('gwref');
  let gw: TestGateway;
  let auditor: Caller, clientSigner: Caller, officer: Caller, reviewer: Caller, regulator: Caller;
  const id = `CF-${run}`;
  const issueBody = bankLetterRequest(id, `ENG-${run}`, distinctiveAccountNumber());

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    gw = await TestGateway.start();
    ({ auditor, clientSigner, officer, reviewer, regulator } = gw.demoCallers());
  });

  after(async function () {
    await gw?.close();
  });

  describe('authentication', function () {
    it('no token, a garbage token, another key, a wrong audience, a too-long or expired token: 401, each with its code', async function () {
      expect((await gw.http().get('/v1/me')).status).to.equal(401);
      expect((await gw.http().get('/v1/me').set('Authorization', 'Bearer abc.def.ghi')).body.error.code).to.equal('UNAUTHENTICATED');
      const now = Math.floor(Date.now() / 1000);
      const base = { iss: auditor.credentialId, aud: gw.config.audience, iat: now, exp: now + 60, htm: 'GET', htu: `${gw.config.publicUrl}/v1/me` };
      const stranger: Caller = { credentialId: auditor.credentialId, privateJwk: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) };
      const cases: Array<[string, string, string]> = [
        ['signed by another key', await signedToken(stranger, { ...base, jti: randomUUID() }), 'UNAUTHENTICATED'],
        ['wrong audience', await signedToken(auditor, { ...base, aud: 'someone-else', jti: randomUUID() }), 'UNAUTHENTICATED'],
        ['lives 10 minutes', await signedToken(auditor, { ...base, exp: now + 600, jti: randomUUID() }), 'UNAUTHENTICATED'],
        ['expired', await signedToken(auditor, { ...base, iat: now - 400, exp: now - 200, jti: randomUUID() }), 'TOKEN_EXPIRED'],
        ['no jti', await signedToken(auditor, base), 'UNAUTHENTICATED'],
      ];
      for (const [what, token, code] of cases) {
        const res = await gw.http().get('/v1/me').set('Authorization', `Bearer ${token}`);
        expect(res.status, what).to.equal(401);
        expect(res.body.error.code, what).to.equal(code);
      }
    });

    it('a token is single-use (jti), and a revoked credential is refused', async function () {
      const token = await gw.token(auditor, 'GET', '/v1/me');
      expect((await gw.http().get('/v1/me').set('Authorization', `Bearer ${token}`)).body.institutionId).to.equal('FIRM1');
      const replay = await gw.http().get('/v1/me').set('Authorization', `Bearer ${token}`);
      expect(replay.status).to.equal(401);
      expect(replay.body.error.code).to.equal('TOKEN_REPLAYED');
      const spare = gw.custodial('firm1', 'auditor2');
      gw.credentials.revoke(spare.credentialId);
      expect((await gw.get(spare, '/v1/me')).status).to.equal(401);
    });
  });

  describe('roles: refused early with the chaincode code, nothing written', function () {
    it('only an auditor issues: client, bank and regulator are refused 403 and the id stays unknown', async function () {
      for (const caller of [clientSigner, officer, regulator]) {
        const res = await gw.post(caller, '/v1/confirmations', issueBody);
        expect(res.status).to.equal(403);
        expect(res.body.error.code).to.equal('FORBIDDEN');
      }
      expect((await gw.get(auditor, `/v1/confirmations/${id}`)).status).to.equal(404);
      const issued = await gw.post(auditor, '/v1/confirmations', issueBody);
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    });

    it('every step by the wrong role is refused: 403 before the ledger, state unchanged', async function () {
      const wrong: Array<[Caller, string, object]> = [
        [auditor, 'authorization', { feeConsent: true }],
        [officer, 'authorization', { feeConsent: true }],
        [auditor, 'acceptance', {}],
        [regulator, 'acceptance', {}],
        [clientSigner, 'reply/approval', {}],
        [officer, 'reply/approval', {}],
        [officer, 'reply/rejection', { reason: 'x' }],
        [clientSigner, 'auditor-acceptance', {}],
        [officer, 'recall', { reason: 'x' }],
        [clientSigner, 'alternative-procedure', { procedure: 'OTHER', workpaperHash: 'a'.repeat(64) }],
      ];
      for (const [caller, step, body] of wrong) {
        const res = await gw.post(caller, `/v1/confirmations/${id}/${step}`, body);
        expect(res.status, `${step}: ${JSON.stringify(res.body)}`).to.equal(403);
        expect(res.body.error.code).to.equal('FORBIDDEN');
      }
      expect((await gw.get(auditor, `/v1/confirmations/${id}`)).body.state).to.equal(ConfirmationState.Issued);
    });

    it('a token captured for one call is refused for another method or path, and at another gateway: 401, nothing written', async function () {
      // Fails on c85a0dd: tokens named neither method nor URL, and every gateway's audience was 'econfirm-gateway'.
      const recall = `/v1/confirmations/${id}/recall`;
      const misdirected: Array<[string, string, string]> = [
        ['a read token used to recall', await gw.bearer(auditor, 'GET', `/v1/confirmations/${id}`), recall],
        ['a token for another route, same method', await gw.bearer(auditor, 'POST', `/v1/confirmations/${id}/alternative-procedure`), recall],
        ['a token for another request id', await gw.bearer(auditor, 'POST', `/v1/confirmations/${id}-other/recall`), recall],
      ];
      for (const [what, authorization, url] of misdirected) {
        const res = await gw.http().post(url).set('Authorization', authorization).send({ reason: 'captured token' });
        expect(res.status, `${what}: ${JSON.stringify(res.body)}`).to.equal(401);
        expect(res.body.error.code, what).to.equal('UNAUTHENTICATED');
      }
      // Another institution's gateway, where the same credential (same public key) is registered:
      // a token made for this gateway is refused there by its audience (its own publicUrl).
      const other = await TestGateway.start({ publicUrl: 'http://gw.other-institution.test' });
      try {
        const credential = gw.credentials.find(auditor.credentialId);
        other.credentials.issue({ tenantId: 'firm1', identityName: 'auditor1', publicJwk: credential?.publicJwk, id: auditor.credentialId });
        expect(other.config.audience).to.equal('http://gw.other-institution.test');
        const captured = await gw.bearer(auditor, 'POST', recall);
        const there = await other.http().post(recall).set('Authorization', captured).send({ reason: 'captured token' });
        expect(there.status, JSON.stringify(there.body)).to.equal(401);
        expect(there.body.error.message).to.match(/not for audience 'http:\/\/gw.other-institution.test'/);
        // The same caller's own token for that gateway works there (the refusal is the binding, not the credential).
        expect((await other.get(auditor, '/v1/me')).body.credentialId).to.equal(auditor.credentialId);
      } finally {
        await other.close();
      }
      expect((await gw.get(auditor, `/v1/confirmations/${id}`)).body.state).to.equal(ConfirmationState.Issued);
    });

    it('the right role at the wrong time gets the ledger refusal with its code: 409 INVALID_STATE_TRANSITION, 404 for a non-party', async function () {
      const early = await gw.post(auditor, `/v1/confirmations/${id}/auditor-acceptance`);
      expect(early.status).to.equal(409);
      expect(early.body.error.code).to.equal('INVALID_STATE_TRANSITION');
      // The bank is no party before the client authorizes: the request does not exist for it.
      const hidden = await gw.post(officer, `/v1/confirmations/${id}/acceptance`);
      expect(hidden.status).to.equal(404);
      expect(hidden.body.error.code).to.equal('NOT_FOUND');
    });

    it('statistics are the regulator\'s, registry writes and the calendar the operator admin\'s', async function () {
      expect((await gw.get(auditor, '/v1/statistics')).status).to.equal(403);
      expect((await gw.get(regulator, '/v1/statistics')).status).to.equal(200);
      const calendar = (await gw.get(auditor, '/v1/calendar')).body as Record<string, unknown>;
      const put = await gw.http().put('/v1/calendar').set('Authorization', await gw.bearer(auditor, 'PUT', '/v1/calendar')).send(calendar);
      expect(put.status).to.equal(403);
      const register = await gw.post(officer, '/v1/institutions', {
        id: 'BANKX', kind: 'bank', mspId: 'Bank1MSP', nameZh: 'x', nameEn: 'x', registrationId: 'x',
        encryptionKey: { kid: 'k1', jwk: { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43) } },
        signingKey: { kid: 'k2', jwk: { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43) } },
      });
      expect(register.status).to.equal(403);
    });
  });

  describe('tenant isolation', function () {
    it('a credential is bound to identities of its own tenant: another org\'s or institution\'s identity is refused', function () {
      expect(() => gw.credentials.issue({ tenantId: 'bank1', identityName: 'auditor1' })).to.throw(/no identity 'auditor1' in org 'bank1'/);
      // registrar1 is an operator identity acting for MREG1: it cannot become CLIENT1's.
      expect(() => gw.credentials.issue({ tenantId: 'client1', identityName: 'registrar1' })).to.throw(/acts for MREG1/);
    });

    it('no tenant lists for another: firm, client and responder lists are the caller\'s own only', async function () {
      const cases: Array<[Caller, string]> = [
        [officer, '/v1/confirmations?firmId=FIRM1'],
        [clientSigner, '/v1/confirmations?addresseeId=BANK1'],
        [auditor, '/v1/confirmations?clientId=CLIENT1'],
        [regulator, '/v1/confirmations?firmId=FIRM1'],
      ];
      for (const [caller, url] of cases) {
        const res = await gw.get(caller, url);
        expect(res.status, url).to.equal(403);
        expect(res.body.error.code).to.equal('FORBIDDEN');
      }
      const own = await gw.get(auditor, '/v1/confirmations');
      expect(own.status).to.equal(200);
      expect(own.body.records.every((r: { firmId: string }) => r.firmId === 'FIRM1')).to.equal(true);
    });

    it('the gateway decrypts only for the caller\'s tenant: it holds FIRM1\'s key, yet the client reads the reply only once the auditor accepts it', async function () {
      await gw.post(clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true });
      await gw.post(officer, `/v1/confirmations/${id}/acceptance`);
      const prepared = await gw.post(officer, `/v1/confirmations/${id}/reply`, { content: agreeingReply() });
      expect(prepared.status, JSON.stringify(prepared.body)).to.equal(200);
      await gw.post(reviewer, `/v1/confirmations/${id}/reply/approval`);
      const firm = await gw.get(auditor, `/v1/confirmations/${id}`);
      expect(firm.body.reply.readable).to.equal('decrypted');
      // Replied, not yet accepted: the reply is sealed to firm and bank only, and the client's view has none.
      expect(recipientKids(firm.body.reply.ciphertext)).not.to.include(demoKeyStore().load('CLIENT1').encryption.kid);
      const early = await gw.get(clientSigner, `/v1/confirmations/${id}`);
      expect(early.body).not.to.have.property('reply');
      const download = await gw.get(clientSigner, `/v1/confirmations/${id}/reply`);
      expect(download.status).to.equal(404);
      // The auditor's acceptance seals it to the client (sealed when the right arises): now it opens with the client's own key.
      expect((await gw.post(auditor, `/v1/confirmations/${id}/auditor-acceptance`)).status).to.equal(200);
      const client = await gw.get(clientSigner, `/v1/confirmations/${id}`);
      expect(client.body.reply.readable).to.equal('decrypted');
      expect(client.body.reply.content).to.deep.equal(agreeingReply());
      // The regulator sees statistics, never a request's content: the ledger refuses its role.
      const regulatorView = await gw.get(regulator, `/v1/confirmations/${id}`);
      expect(regulatorView.status).to.equal(403);
      expect(regulatorView.body.error.code).to.equal('FORBIDDEN');
    });
  });
});
