import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { expect } from 'chai';
import { firstValueFrom, of, type Observable } from 'rxjs';
import { GatewayError } from '../errors/gateway-error';
import { unitIdempotencyStore } from '../testing/fixtures';
import { IdempotencyInterceptor, IdempotentUpload, UploadIdempotencyInterceptor, uploadFingerprint } from './idempotency.interceptor';
import { IdempotencyStore } from './idempotency.store';

const csv = (text: string) => ({ fieldname: 'file', originalname: 'letters.csv', mimetype: 'text/csv', size: Buffer.byteLength(text), buffer: Buffer.from(text) });
const fields = { kind: 'bank-form-1', engagementId: 'ENG-1', clientId: 'CLIENT1' };

class Routes {
  @IdempotentUpload()
  upload(): void {}
  json(): void {}
}

/** A request as the interceptors see it after the guard (principal) and, for uploads, after multer (file, fields in body). */
function contextFor(handler: keyof Routes, request: { body: unknown; file?: ReturnType<typeof csv> }, key = 'K-1'): { context: ExecutionContext; headers: Map<string, string> } {
  const headers = new Map<string, string>();
  const req = {
    method: 'POST',
    path: '/v1/bulk/jobs',
    principal: { tenantId: 'firm1' },
    header: (name: string) => (name === 'idempotency-key' ? key : undefined),
    ...request,
  };
  const res = { statusCode: 202, setHeader: (n: string, v: string) => headers.set(n, v), status: () => res };
  const context = {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { context, headers };
}

describe('Idempotency-Key on uploads (fingerprint after multer)', function () {
  let store: IdempotencyStore;
  let uploads: UploadIdempotencyInterceptor;
  let global: IdempotencyInterceptor;
  let jobs: number;
  const handler: CallHandler = { handle: (): Observable<unknown> => of({ id: `job-${++jobs}` }) };

  beforeEach(function () {
    store = unitIdempotencyStore();
    uploads = new UploadIdempotencyInterceptor(store, new Reflector());
    global = new IdempotencyInterceptor(store, new Reflector());
    jobs = 0;
  });

  const send = (file: ReturnType<typeof csv>, body: unknown = fields) => firstValueFrom(uploads.intercept(contextFor('upload', { body, file }).context, handler));

  it('the fingerprint covers the file bytes and the form fields', function () {
    const base = { method: 'POST', path: '/v1/bulk/jobs', fields, files: [csv('a,b\n1,2\n')] };
    expect(uploadFingerprint(base)).to.equal(uploadFingerprint({ ...base, files: [csv('a,b\n1,2\n')] }));
    expect(uploadFingerprint(base)).not.to.equal(uploadFingerprint({ ...base, files: [csv('a,b\n1,3\n')] }));
    expect(uploadFingerprint(base)).not.to.equal(uploadFingerprint({ ...base, fields: { ...fields, engagementId: 'ENG-2' } }));
  });

  it('an identical retry replays the first outcome without a second job', async function () {
    expect(await send(csv('a,b\n1,2\n'))).to.deep.equal({ id: 'job-1' });
    expect(await send(csv('a,b\n1,2\n'))).to.deep.equal({ id: 'job-1' });
    expect(jobs).to.equal(1);
  });

  it('the same key with a different file or different fields → IDEMPOTENCY_KEY_REUSED (422), nothing done', async function () {
    await send(csv('a,b\n1,2\n'));
    for (const retry of [() => send(csv('a,b\n9,9\n')), () => send(csv('a,b\n1,2\n'), { ...fields, clientId: 'CLIENT2' })]) {
      let error: unknown;
      await retry().catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(GatewayError);
      expect((error as GatewayError).code).to.equal('IDEMPOTENCY_KEY_REUSED');
      expect((error as GatewayError).httpStatus).to.equal(422);
    }
    expect(jobs).to.equal(1);
  });

  it('the global interceptor leaves @IdempotentUpload routes to the upload one (it runs before multer)', async function () {
    // Before multer the body is empty: were it fingerprinted here, every upload would look alike.
    const first = contextFor('upload', { body: {} });
    expect(await firstValueFrom(global.intercept(first.context, handler))).to.deep.equal({ id: 'job-1' });
    expect(await firstValueFrom(global.intercept(contextFor('upload', { body: {} }).context, handler))).to.deep.equal({ id: 'job-2' });
    // JSON routes keep being fingerprinted by their body.
    await firstValueFrom(global.intercept(contextFor('json', { body: { a: 1 } }, 'J').context, handler));
    let error: unknown;
    await firstValueFrom(global.intercept(contextFor('json', { body: { a: 2 } }, 'J').context, handler)).catch((err: unknown) => (error = err));
    expect((error as GatewayError).code).to.equal('IDEMPOTENCY_KEY_REUSED');
  });
});
