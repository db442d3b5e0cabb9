import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { MetricsService } from '../metrics/metrics.service';
import { requestContext } from './request-context';

const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the caller's X-Request-Id when well-formed, else a UUID), runs the
 * rest of the request inside that context, and logs one line per answered request: method, path,
 * route, status, duration, tenant — never headers, bodies or query values of content.
 */
export function requestLogging(metrics: MetricsService): (req: Request, res: Response, next: NextFunction) => void {
  const logger = new Logger('Http');
  return (req, res, next) => {
    const given = req.header('x-request-id');
    const requestId = given && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    const context = { requestId } as { requestId: string; tenantId?: string };
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
      requestContext.run(context, () =>
        logger.log({ msg: 'request', method: req.method, path: req.path, route, status: res.statusCode, durationMs: Math.round(seconds * 1000) }),
      );
    });
    requestContext.run(context, next);
  };
}
