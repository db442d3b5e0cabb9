import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';

/**
 * A route's answer as the TransactionExecutor makes it: HTTP status and body. 200 a read or a
 * change, 201 a creation, 202 an offline proposal waiting for the caller's signature.
 */
export class Executed {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/**
 * Sends a handler's Executed as the response (its status, then its body); any other value passes
 * as it is. Listed on a controller (@UseInterceptors), so it runs inside the global
 * IdempotencyInterceptor (idempotency/idempotency.interceptor.ts), which records the status set here.
 */
@Injectable()
export class ExecutedInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((value: unknown) => {
        if (!(value instanceof Executed)) return value;
        context.switchToHttp().getResponse<Response>().status(value.status);
        return value.body;
      }),
    );
  }
}
