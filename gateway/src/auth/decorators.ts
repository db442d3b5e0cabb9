import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@econfirm/common';
import type { Request } from 'express';
import { GatewayError } from '../errors/gateway-error';
import type { Principal } from './principal';

export const IS_PUBLIC = 'econfirm:public';
export const ROLES = 'econfirm:roles';

/** Marks a route as needing no API token (health, metrics, docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * The roles that may call a route. The chaincode's checks remain the authority; this refuses
 * early, with the chaincode's code (FORBIDDEN), before anything reaches the ledger.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES, roles);

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
  requestId?: string;
}

export function principalOf(request: AuthenticatedRequest): Principal {
  if (!request.principal) throw GatewayError.unauthenticated('no authenticated principal on this request');
  return request.principal;
}

/** The authenticated Principal of the request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal =>
  principalOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);
