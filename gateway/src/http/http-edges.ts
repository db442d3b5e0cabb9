import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors/gateway-error';
import { errorBody } from '../errors/gateway-exception.filter';

/**
 * The HTTP edges Nest's router never sees. Methods the API does not have (TRACE, CONNECT, TRACK,
 * PROPFIND…) are refused 405 with the methods it has, instead of the router's 404 for an unknown
 * path; requests Node's parser cannot read (a bad Content-Length, broken headers) get the error
 * envelope instead of Node's empty 400.
 */
export const API_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export function refuseUnknownMethods(req: Request, res: Response, next: NextFunction): void {
  if ((API_METHODS as readonly string[]).includes(req.method)) {
    next();
    return;
  }
  const error = new GatewayError('METHOD_NOT_ALLOWED', `the gateway does not take ${req.method} requests`, { allowed: [...API_METHODS] });
  res.setHeader('Allow', API_METHODS.join(', '));
  res.status(error.httpStatus).json(errorBody(error));
}

/**
 * The methods each path of the API takes, as its OpenAPI document says (the document is built from
 * the controllers, so it is the router's own list). A request to a documented path with a method
 * none of its operations has is refused 405 with `Allow` (RFC 9110 §15.5.6), where Nest's router
 * would answer 404 as if the path did not exist; HEAD goes where GET does, OPTIONS is left to the
 * HTTP layer. Paths the document does not have (/docs, /portal/, unknown ones) pass through.
 */
export class DocumentedMethods {
  private routes: { pattern: RegExp; templated: boolean; methods: Set<string> }[] = [];

  /** Learns the paths and methods of `paths` (an OpenAPI document's); called once it is built. */
  learn(paths: Record<string, object>): void {
    this.routes = Object.entries(paths).map(([template, item]) => {
      const methods = new Set(Object.keys(item).map((m) => m.toUpperCase()).filter((m) => (API_METHODS as readonly string[]).includes(m)));
      if (methods.has('GET')) methods.add('HEAD');
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { pattern: new RegExp(`^${source}/?$`), templated: template.includes('{'), methods };
    });
  }

  /**
   * The methods `path` takes, or undefined when no documented path matches it. A concrete path
   * wins over the templates it also matches (OpenAPI's rule: /v1/webhooks/jwks.json is not a
   * webhook id).
   */
  allowed(path: string): string[] | undefined {
    const all = this.routes.filter((r) => r.pattern.test(path));
    const concrete = all.filter((r) => !r.templated);
    const matching = concrete.length > 0 ? concrete : all;
    if (matching.length === 0) return undefined;
    return API_METHODS.filter((m) => matching.some((r) => r.methods.has(m)));
  }

  readonly refuse = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'OPTIONS') {
      next();
      return;
    }
    const allowed = this.allowed(req.path);
    if (!allowed || allowed.includes(req.method)) {
      next();
      return;
    }
    const error = new GatewayError('METHOD_NOT_ALLOWED', `${req.path} does not take ${req.method} requests`, { allowed });
    res.setHeader('Allow', allowed.join(', '));
    res.status(error.httpStatus).json(errorBody(error));
  };
}

/**
 * Node's `clientError` handler: the envelope and a closed connection. The request id is made here
 * (no request reached the logger to be given one): every error body carries one, as documented.
 */
export function answerUnreadableRequests(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    // Headers over Node's limit are 431 (RFC 6585 §5), as Node itself answers them; anything else unreadable is 400.
    const error =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new GatewayError('HEADERS_TOO_LARGE', 'the request headers are larger than the gateway accepts', { reason: err.code })
        : new GatewayError('BAD_REQUEST', 'the request could not be parsed as HTTP', { reason: err.code ?? 'unknown' });
    const body = JSON.stringify({ error: { code: error.code, message: error.message, details: error.details, requestId: randomUUID() } });
    const status = `${error.httpStatus} ${STATUS_CODES[error.httpStatus] ?? ''}`;
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
