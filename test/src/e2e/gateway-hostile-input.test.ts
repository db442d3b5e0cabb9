import { expect } from 'chai';
import { ensureDemoInstitutions } from '../support/institutions';
import { type Caller, TestGateway } from '../support/gateway';
import { uniqueName } from '../support/network';

/**
 * Hostile requests found by hand (issue 17 §4): none of them may reach a 500, an empty answer or
 * be stored other than as sent. Each is answered in the error envelope with a code from the table
 * (common/src/errors/error-codes.ts).
 */
describe('gateway e2e: hostile input never reaches a 500', function () {
  this.timeout(180_000);
  const run = uniqueName('gwhost');
  let gw: TestGateway;
  let auditor: Caller;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1');
    gw = await TestGateway.start();
    auditor = gw.custodial('firm1', 'auditor1');
  });

  after(async function () {
    await gw?.close();
  });

  async function rawPost(url: string, body: string | Buffer, contentType = 'application/json') {
    return gw.http().post(url).set('Authorization', await gw.bearer(auditor, 'POST', url)).set('Content-Type', contentType).send(body);
  }

  describe('JSON bodies', function () {
    it('arrays nested 2,000 deep (4 KB) → 400 JSON_TOO_DEEP on every JSON route, not a stack overflow', async function () {
      const deep = `${'['.repeat(2000)}${']'.repeat(2000)}`;
      for (const url of ['/v1/confirmations', `/v1/confirmations/CF-${run}/recall`, '/v1/webhooks']) {
        const res = await rawPost(url, deep);
        expect(res.status, `${url}: ${JSON.stringify(res.body)}`).to.equal(400);
        expect(res.body.error.code).to.equal('JSON_TOO_DEEP');
        expect(res.body.error.details.maxDepth).to.equal(gw.config.limits.jsonDepth);
      }
      // Brackets inside strings are text, not nesting.
      const inString = await rawPost(`/v1/confirmations/CF-${run}/recall`, JSON.stringify({ reason: '['.repeat(2000) }));
      expect(inString.body.error?.code).not.to.equal('JSON_TOO_DEEP');
    });

    it('__proto__ and constructor keys are refused like every other unknown key (400 VALIDATION_FAILED)', async function () {
      for (const body of ['{"reason":"x","__proto__":{"admin":true}}', '{"reason":"x","constructor":{"prototype":{"admin":true}}}']) {
        const res = await rawPost(`/v1/confirmations/CF-${run}/recall`, body);
        expect(res.status, JSON.stringify(res.body)).to.equal(400);
        expect(res.body.error.code).to.equal('VALIDATION_FAILED');
        expect(res.body.error.details.issues[0].problem).to.match(/reserved key/);
      }
    });
  });
});
