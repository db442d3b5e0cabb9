import { expect } from 'chai';
import type { NextFunction, Request, Response } from 'express';
import { DocumentedMethods } from './http-edges';

/** A response that records what the middleware set. */
function recorder(): { res: Response; sent: { status?: number; headers: Record<string, string>; body?: unknown } } {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const res = {
    setHeader(name: string, value: string) {
      sent.headers[name] = value;
      return res;
    },
    status(code: number) {
      sent.status = code;
      return res;
    },
    json(body: unknown) {
      sent.body = body;
      return res;
    },
  } as unknown as Response;
  return { res, sent };
}

describe('undocumented methods on documented paths answer 405 with Allow (issue 17 §4)', () => {
  const methods = new DocumentedMethods();
  methods.learn({
    '/v1/me': { get: {} },
    '/v1/webhooks/{id}': { get: {}, patch: {}, delete: {} },
    '/v1/webhooks/jwks.json': { get: {} },
    '/v1/confirmations/{id}/reply': { get: {}, post: {} },
  });

  function run(method: string, path: string): { passed: boolean; status?: number; allow?: string; code?: string } {
    const { res, sent } = recorder();
    let passed = false;
    const next: NextFunction = () => {
      passed = true;
    };
    methods.refuse({ method, path } as Request, res, next);
    return { passed, status: sent.status, allow: sent.headers.Allow, code: (sent.body as { error?: { code: string } } | undefined)?.error?.code };
  }

  it('refuses PUT on a GET-only path with the methods it takes', () => {
    expect(run('PUT', '/v1/me')).to.deep.equal({ passed: false, status: 405, allow: 'GET, HEAD', code: 'METHOD_NOT_ALLOWED' });
  });

  it('matches path templates; a concrete path wins over a template it also matches', () => {
    expect(run('POST', '/v1/webhooks/wh_abc').allow).to.equal('GET, HEAD, PATCH, DELETE');
    expect(run('DELETE', '/v1/webhooks/jwks.json')).to.include({ status: 405, allow: 'GET, HEAD' });
    expect(run('PUT', '/v1/confirmations/CF-1/reply')).to.include({ status: 405, allow: 'GET, HEAD, POST' });
  });

  it('lets documented methods, HEAD where GET is, OPTIONS and undocumented paths through', () => {
    expect(run('GET', '/v1/me').passed).to.equal(true);
    expect(run('HEAD', '/v1/me').passed).to.equal(true);
    expect(run('GET', '/v1/me/').passed).to.equal(true);
    expect(run('OPTIONS', '/v1/me').passed).to.equal(true);
    expect(run('PUT', '/v1/nowhere').passed).to.equal(true);
    expect(run('PUT', '/portal/index.html').passed).to.equal(true);
    expect(run('PUT', '/v1/confirmations/CF-1/reply/extra').passed).to.equal(true);
  });
});
