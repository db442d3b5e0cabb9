import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { expect } from 'chai';
import { firstValueFrom, of, type Observable } from 'rxjs';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { unitIdempotencyStore } from '../testing/fixtures';
import { Executed, ExecutedInterceptor } from './executed';

/** A POST as the interceptors see it: the response starts at the route's default status (Nest sets it first). */
function post(key?: string): { context: ExecutionContext; res: { statusCode: number } } {
  const req = { method: 'POST', path: '/v1/confirmations', body: { id: 'CF-1' }, principal: { tenantId: 'firm1' }, header: (n: string) => (n === 'idempotency-key' ? key : undefined) };
  const res = {
    statusCode: 201,
    status(code: number) {
      res.statusCode = code;
      return res;
    },
    setHeader: () => res,
  };
  const context = { getHandler: () => post, getClass: () => Object, switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ExecutionContext;
  return { context, res };
}

const returning = (value: unknown): CallHandler => ({ handle: (): Observable<unknown> => of(value) });

describe('ExecutedInterceptor (an executor outcome becomes the response)', function () {
  const interceptor = new ExecutedInterceptor();

  for (const status of [200, 201, 202]) {
    it(`answers an Executed's status ${status} and its body`, async function () {
      const { context, res } = post();
      const body = await firstValueFrom(interceptor.intercept(context, returning(new Executed(status, { transactionId: 'T1' }))));
      expect(res.statusCode).to.equal(status);
      expect(body).to.deep.equal({ transactionId: 'T1' });
    });
  }

  it('passes any other value as it is, status untouched', async function () {
    const { context, res } = post();
    const value = { status: 202, body: 'a plain object is not an outcome' };
    expect(await firstValueFrom(interceptor.intercept(context, returning(value)))).to.equal(value);
    expect(res.statusCode).to.equal(201);
  });

  it('inside the global IdempotencyInterceptor: the first outcome is recorded with its status and unwrapped body', async function () {
    const store = unitIdempotencyStore();
    const idempotency = new IdempotencyInterceptor(store, new Reflector());
    const first = post('K-1');
    // global interceptors wrap the controller's: idempotency(executed(handler))
    const route = (context: ExecutionContext, value: unknown) => idempotency.intercept(context, { handle: () => interceptor.intercept(context, returning(value)) });
    expect(await firstValueFrom(route(first.context, new Executed(202, { stage: 'proposed' })))).to.deep.equal({ stage: 'proposed' });
    const retry = post('K-1');
    expect(await firstValueFrom(route(retry.context, new Executed(200, { acted: 'twice' })))).to.deep.equal({ stage: 'proposed' });
    expect(retry.res.statusCode).to.equal(202);
  });
});
