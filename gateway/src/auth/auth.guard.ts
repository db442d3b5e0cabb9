import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@econfirm/common';
import { GatewayError } from '../errors/gateway-error';
import { requestContext } from '../logging/request-context';
import { IS_PUBLIC, ROLES, type AuthenticatedRequest } from './decorators';
import { TokenVerifier } from './token-verifier';

/**
 * The global guard: every route not marked @Public() needs `Authorization: Bearer <API token>`;
 * the verified Principal goes on the request; @Roles() refuses other roles with FORBIDDEN.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header.trim()) : null;
    if (!match?.[1]) throw GatewayError.unauthenticated('send Authorization: Bearer <API token> (see gateway/README.md)');
    const principal = await this.verifier.verify(match[1], { method: request.method, path: request.originalUrl });
    request.principal = principal;
    const store = requestContext.getStore();
    if (store) {
      store.tenantId = principal.tenantId;
      store.credentialId = principal.credentialId;
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(principal.role)) {
      throw GatewayError.forbidden(`role ${principal.role} of ${principal.institutionId} cannot call this route (needs ${roles.join(' or ')})`);
    }
    return true;
  }
}
