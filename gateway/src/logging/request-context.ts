import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request context carried through async calls, so logs and errors name the request. */
export interface RequestContext {
  requestId: string;
  tenantId?: string;
  credentialId?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string {
  return requestContext.getStore()?.requestId ?? '-';
}
