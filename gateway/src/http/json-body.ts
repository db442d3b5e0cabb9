import { isUtf8 } from 'node:buffer';
import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors/gateway-error';
import { errorBody } from '../errors/gateway-exception.filter';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }

/** Keys JSON.parse keeps as own properties but that name prototype machinery; Nest's ValidationPipe would drop them silently. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * body-parser's `verify` hook (app.factory.ts): runs on the raw bytes before JSON.parse. A body
 * that is not UTF-8 is refused (RFC 8259 §8.1; TextDecoder would turn it into U+FFFD and the
 * gateway would store what the caller never sent), and so is one nested deeper than `maxDepth`
 * arrays and objects — counted in one pass over the bytes, outside strings, so no recursive walk
 * later (class-transformer, ValidationPipe) can overflow the stack on it.
 */
export function checkJsonBytes(bytes: Buffer, maxDepth: number): void {
  if (!isUtf8(bytes)) throw new GatewayError('MALFORMED_JSON', 'the request body is not valid UTF-8');
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const byte of bytes) {
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (OPEN.has(byte)) {
      depth += 1;
      if (depth > maxDepth) throw new GatewayError('JSON_TOO_DEEP', `the request body nests arrays and objects deeper than ${maxDepth} levels`, { maxDepth });
    } else if (CLOSE.has(byte)) depth -= 1;
  }
}

/** The path of the first reserved key in a parsed body (depth already bounded by checkJsonBytes), iteratively. */
export function reservedKeyPath(body: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value: body, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]` }));
      continue;
    }
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      if (RESERVED_KEYS.has(key)) return at;
      stack.push({ value: (value as Record<string, unknown>)[key], path: at });
    }
  }
  return undefined;
}

/** After the JSON parser: a body with a reserved key is refused as every other unknown field is (400 VALIDATION_FAILED). */
export function refuseReservedKeys(req: Request, res: Response, next: NextFunction): void {
  const at = reservedKeyPath(req.body as unknown);
  if (at === undefined) {
    next();
    return;
  }
  const error = new GatewayError('VALIDATION_FAILED', `invalid request: ${at}: a reserved key name, not a field`, { issues: [{ path: at, problem: 'a reserved key name, not a field' }] });
  res.status(error.httpStatus).json(errorBody(error));
}
