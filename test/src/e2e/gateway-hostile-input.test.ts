import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
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
  describe('the HTTP edges', function () {
    /** One raw exchange on a fresh connection: what the gateway writes back, as text. */
    async function raw(request: string): Promise<string> {
      const server = gw.app.getHttpServer() as Server;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const { port } = server.address() as AddressInfo;
      return new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
        socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
      });
    }
    const bodyOf = (answer: string): { error: { code: string } } => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };

    it('TRACE is answered 405 METHOD_NOT_ALLOWED with Allow, not 404', async function () {
      const answer = await raw('TRACE /v1/confirmations HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      expect(answer).to.match(/^HTTP\/1\.1 405 /);
      expect(answer).to.match(/\r\nAllow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n/i);
      expect(bodyOf(answer).error.code).to.equal('METHOD_NOT_ALLOWED');
    });

    it("a request Node's parser cannot read (bad Content-Length) gets the error envelope, not an empty 400", async function () {
      const answer = await raw('POST /v1/confirmations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 12abc\r\n\r\n{}');
      expect(answer).to.match(/^HTTP\/1\.1 400 /);
      expect(answer).to.match(/\r\nContent-Type: application\/json/i);
      expect(bodyOf(answer).error.code).to.equal('BAD_REQUEST');
    });

    it('an error of GET …/evidence.pdf is JSON, not application/pdf', async function () {
      const res = await gw.get(auditor, `/v1/confirmations/CF-${run}-none/evidence.pdf`);
      expect(res.status).to.be.within(400, 499);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.headers['content-disposition']).to.equal(undefined);
      expect((res.body as { error: { code: string } }).error.code).to.be.a('string');
    });
  });
});
