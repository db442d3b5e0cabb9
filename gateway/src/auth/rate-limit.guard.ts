import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import type { GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';
import type { Principal } from './principal';

type AuthenticatedRequest = Request & { principal?: Principal };

const WINDOW_MS = 60_000;

/**
 * Request rates per API credential and per tenant (issue 17 §4), counted by @nestjs/throttler
 * over one-minute windows across every route: one credential cannot starve its tenant's others,
 * and one tenant cannot starve the gateway's other tenants. Runs after AuthGuard (registered after
 * it in auth.module.ts), so it counts who the caller proved to be — unauthenticated probes
 * (/healthz, /metrics, the portal's files) are not counted.
 */
export function rateLimitOptions(config: GatewayConfig): ThrottlerModuleOptions {
  const principalOf = (req: Record<string, unknown>): Principal => req.principal as Principal;
  return {
    throttlers: [
      { name: 'credential', ttl: WINDOW_MS, limit: config.limits.rate.credentialPerMinute, getTracker: (req) => principalOf(req).credentialId },
      { name: 'tenant', ttl: WINDOW_MS, limit: config.limits.rate.tenantPerMinute, getTracker: (req) => principalOf(req).tenantId },
    ],
    // One count per credential (tenant) over all routes, not one per route.
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    setHeaders: false,
  };
}

@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(context.switchToHttp().getRequest<AuthenticatedRequest>().principal === undefined);
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const scope = detail.key.split(':')[0] ?? 'credential';
    const retryAfterSeconds = Math.max(1, Math.ceil(detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire));
    throw new GatewayError('TOO_MANY_REQUESTS', `more than ${detail.limit} requests a minute for this ${scope}; try again in ${retryAfterSeconds} s`, { scope, limit: detail.limit, windowSeconds: WINDOW_MS / 1000, retryAfterSeconds }).withRetryAfter(retryAfterSeconds);
  }
}
