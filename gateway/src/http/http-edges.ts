import type { Server } from 'node:http';
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

/** Node's `clientError` handler: the envelope (no request id: there was no request) and a closed connection. */
export function answerUnreadableRequests(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const message = err.code === 'HPE_HEADER_OVERFLOW' ? 'the request headers are larger than the gateway accepts' : 'the request could not be parsed as HTTP';
    const body = JSON.stringify({ error: { code: 'BAD_REQUEST', message, details: { reason: err.code ?? 'unknown' } } });
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
