import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import { validationPipe } from '../validation';

/** One argument of a handler as Nest records it (`@Param()`, `@Body()`…): its place and the name it picks, if any. */
interface RouteArgument {
  index: number;
  data?: unknown;
}

/**
 * The path ids of a route validated before anything else of the request. Nest runs the validation
 * pipe on every argument of a handler at once and answers the first refusal to settle, so a
 * request with a malformed id and a malformed body was answered with the body's issues alone, and
 * the id's only once the body was mended — the one thing a caller must know first (no such
 * resource can exist) came last. This guard, after the caller is known and counted
 * (auth.module.ts), validates the handler's `@Param()` DTO with the same pipe and the same error,
 * so the id's issue is the answer whatever the body holds; the pipe validates the DTO again later
 * (cheap) and hands it to the handler.
 */
@Injectable()
export class PathParamsGuard implements CanActivate {
  private readonly pipe = validationPipe();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const controller = context.getClass();
    const handler = context.getHandler();
    const routeArguments = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<string, RouteArgument>;
    const types = (Reflect.getMetadata('design:paramtypes', controller.prototype as object, handler.name) ?? []) as unknown[];
    for (const [key, argument] of Object.entries(routeArguments)) {
      // Keys are "<paramtype>:<index>"; a custom decorator's key is not a number.
      if (Number(key.split(':')[0]) !== RouteParamtypes.PARAM || argument.data !== undefined) continue;
      const metatype = types[argument.index];
      if (typeof metatype !== 'function') continue;
      await this.pipe.transform({ ...context.switchToHttp().getRequest<Request>().params }, { type: 'param', metatype: metatype as new () => object });
    }
    return true;
  }
}
