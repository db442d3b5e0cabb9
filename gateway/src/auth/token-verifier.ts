import { Inject, Injectable } from '@nestjs/common';
import * as jose from 'node-jose';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';
import type { ApiTokenClaims } from './api-token';
import { CredentialsStore } from './credentials.store';
import type { Principal } from './principal';

const JTI = /^[A-Za-z0-9._:-]{8,128}$/;

function refuse(message: string, code = 'UNAUTHENTICATED'): GatewayError {
  return new GatewayError(code, 401, message);
}

function decodePart(part: string | undefined, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw refuse(`the token's ${what} is not a JSON object`);
}

/**
 * Verifies an API token: a compact JWS (ES256) whose `iss` names an API credential stored here,
 * signed by that credential's key, for this gateway's audience, at most limits.tokenLifetimeSeconds
 * long, current, and with a jti never seen before (a captured token cannot be replayed).
 */
@Injectable()
export class TokenVerifier {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly credentials: CredentialsStore,
  ) {}

  async verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<Principal> {
    const parts = token.split('.');
    if (parts.length !== 3) throw refuse('the bearer token is not a compact JWS');
    const header = decodePart(parts[0], 'header');
    if (header.alg !== 'ES256') throw refuse('the token must be signed with ES256');
    const unverified = decodePart(parts[1], 'payload');
    if (typeof unverified.iss !== 'string') throw refuse('the token has no iss (credential id)');
    const credential = this.credentials.find(unverified.iss);
    if (!credential || credential.revokedAt) throw refuse('unknown or revoked API credential');
    const key = await jose.JWK.asKey({ ...credential.publicJwk, alg: 'ES256', use: 'sig' }, 'json');
    let claims: Partial<ApiTokenClaims>;
    try {
      const verified = await jose.JWS.createVerify(key, { algorithms: ['ES256'] }).verify(token);
      claims = JSON.parse(verified.payload.toString('utf8')) as Partial<ApiTokenClaims>;
    } catch {
      throw refuse('the token signature does not verify with the credential key');
    }
    const { limits } = this.config;
    const audiences = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
    if (!audiences.includes(this.config.audience)) throw refuse(`the token is not for audience '${this.config.audience}'`);
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') throw refuse('the token needs numeric iat and exp');
    if (claims.exp - claims.iat > limits.tokenLifetimeSeconds) throw refuse(`the token lives longer than ${limits.tokenLifetimeSeconds} s`);
    if (claims.iat > nowSeconds + limits.clockSkewSeconds) throw refuse('the token is issued in the future');
    if (claims.exp < nowSeconds - limits.clockSkewSeconds) throw refuse('the token has expired', 'TOKEN_EXPIRED');
    if (typeof claims.jti !== 'string' || !JTI.test(claims.jti)) throw refuse('the token needs a jti (8-128 characters)');
    if (!this.credentials.useTokenId(credential.id, claims.jti, claims.exp)) throw refuse('this token was already used (jti replay)', 'TOKEN_REPLAYED');
    return this.credentials.principalOf(credential);
  }
}
