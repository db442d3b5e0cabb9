import type { LoggerService, LogLevel } from '@nestjs/common';
import { requestContext } from './request-context';

const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Structured logs: one JSON object per line with time, level, context and the request id of the
 * request in flight. Callers log ids, codes and timings only — never bodies, keys or tokens.
 */
export class JsonLogger implements LoggerService {
  private readonly enabled: Set<LogLevel>;

  constructor(level: LogLevel = 'log', private readonly sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
    this.enabled = new Set(LEVELS.slice(0, LEVELS.indexOf(level) + 1));
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const store = requestContext.getStore();
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, ...(context ? { context } : {}) };
    if (store) {
      entry.requestId = store.requestId;
      if (store.tenantId) entry.tenantId = store.tenantId;
    }
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) Object.assign(entry, message);
    else entry.msg = message instanceof Error ? message.message : String(message);
    if (level === 'error' && typeof params[0] === 'string' && params[0].includes('\n')) entry.stack = params[0];
    this.sink(JSON.stringify(entry));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
}
