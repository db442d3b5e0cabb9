export { createApp } from './app.factory';
export * from './config/gateway-config';
export { createApiToken, tokenUrl, type ApiTokenClaims, type TokenTarget } from './auth/api-token';
export { CredentialsStore, type ApiCredential, type IssuedCredential } from './auth/credentials.store';
export type { Principal, Custody } from './auth/principal';
export { GatewayError, type ErrorBody } from './errors/gateway-error';
export { hasHighS } from './transactions/ecdsa-low-s';
export { WebhookDelivery, type HostLookup } from './webhooks/webhook-delivery.service';
