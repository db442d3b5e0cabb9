import { Inject, Injectable } from '@nestjs/common';
import { tokenUrl, type ApiTokenClaims } from '@econfirm/sdk';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';
import { CredentialsStore } from './credentials.store';
import type { Principal } from './principal';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let josePromise: Promise<Jose> | undefined;
/** jose is ESM-only: loaded once (as clients/evidence/src/crypto/es256.ts loads @noble/curves). */
function loadJose(): Promise<Jose> {
  josePromise ??= import('jose');
  return josePromise;
}

const JTI = /^[A-Za-z0-9._:-]{8,128}$/;

/** The request a token is presented with: its method and its path (with or without a query). */
export interface PresentedRequest {
  method: string;
  path: string;
}

function refuse(message: string, code: 'UNAUTHENTICATED' | 'TOKEN_EXPIRED' | 'TOKEN_REPLAYED' = 'UNAUTHENTICATED'): GatewayError {
  return new GatewayError(code, message);
}

/**
 * Verifies an API token: a compact JWS (ES256) whose `iss` names an API credential stored here,
 * signed by that credential's key, for this gateway's audience, at most limits.tokenLifetimeSeconds
 * long, current, with a jti never seen before (a captured token cannot be replayed), and bound to
 * the request it comes with: `htm` its method, `htu` this gateway's publicUrl + its path (a token
 * captured on its way to one route serves for no other).
 * Signature, algorithm, audience and expiry are jose's `jwtVerify`; the lifetime bound and the
 * replay table are ours.
 */
@Injectable()
export class TokenVerifier {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly credentials: CredentialsStore,
  ) {}

  async verify(token: string, request: PresentedRequest, nowSeconds = Math.floor(Date.now() / 1000)): Promise<Principal> {
    const jose = await loadJose();
    let unverified: Record<string, unknown>;
    try {
      if (jose.decodeProtectedHeader(token).alg !== 'ES256') throw refuse('the token must be signed with ES256');
      unverified = jose.decodeJwt(token);
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      throw refuse('the bearer token is not a compact JWS with a JSON payload');
    }
    if (typeof unverified.iss !== 'string') throw refuse('the token has no iss (credential id)');
    const credential = this.credentials.find(unverified.iss);
    if (!credential || credential.revokedAt) throw refuse('unknown or revoked API credential');
    const { limits } = this.config;
    let claims: Partial<ApiTokenClaims>;
    try {
      const key = await jose.importJWK({ ...credential.publicJwk }, 'ES256');
      const verified = await jose.jwtVerify(token, key, {
        algorithms: ['ES256'],
        issuer: credential.id,
        audience: this.config.audience,
        clockTolerance: limits.clockSkewSeconds,
        currentDate: new Date(nowSeconds * 1000),
        requiredClaims: ['iat', 'exp', 'jti'],
      });
      claims = verified.payload as Partial<ApiTokenClaims>;
    } catch (err) {
      throw this.refusalOf(err, jose);
    }
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') throw refuse('the token needs numeric iat and exp');
    // An exp before its own iat is no lifetime at all: refused, whatever the clock skew.
    if (claims.exp <= claims.iat) throw refuse('the token expires before it is issued (exp ≤ iat)');
    if (claims.exp - claims.iat > limits.tokenLifetimeSeconds) throw refuse(`the token lives longer than ${limits.tokenLifetimeSeconds} s`);
    if (claims.iat > nowSeconds + limits.clockSkewSeconds) throw refuse('the token is issued in the future');
    if (typeof claims.jti !== 'string' || !JTI.test(claims.jti)) throw refuse('the token needs a jti (8-128 characters)');
    this.checkTarget(claims, request);
    if (!this.credentials.useTokenId(credential.id, claims.jti, claims.exp)) throw refuse('this token was already used (jti replay)', 'TOKEN_REPLAYED');
    return this.credentials.principalOf(credential);
  }

  /** htm and htu against the request (before the jti is spent: a misdirected token is not used up). */
  private checkTarget(claims: Partial<ApiTokenClaims>, request: PresentedRequest): void {
    const method = request.method.toUpperCase();
    if (claims.htm !== method) throw refuse(`the token is for ${typeof claims.htm === 'string' ? claims.htm : 'no method'} (htm), not ${method}`);
    const expected = tokenUrl(`${this.config.publicUrl}${request.path.split('?')[0] ?? ''}`);
    let bound: string | undefined;
    try {
      bound = typeof claims.htu === 'string' ? tokenUrl(claims.htu) : undefined;
    } catch {
      bound = undefined;
    }
    if (bound !== expected) throw refuse(`the token is for ${typeof claims.htu === 'string' ? claims.htu : 'no URL'} (htu), not ${expected}`);
  }

  /** jose's refusal as ours: the same codes and plain reasons the gateway always gave. */
  private refusalOf(err: unknown, jose: Jose): GatewayError {
    if (err instanceof jose.errors.JWTExpired) return refuse('the token has expired', 'TOKEN_EXPIRED');
    if (err instanceof jose.errors.JWTClaimValidationFailed) {
      if (err.claim === 'aud') return refuse(`the token is not for audience '${this.config.audience}'`);
      if (err.claim === 'iat' || err.claim === 'exp') return refuse('the token needs numeric iat and exp');
      return refuse(`the token's ${err.claim} claim is refused: ${err.reason}`);
    }
    if (err instanceof jose.errors.JWSSignatureVerificationFailed) return refuse('the token signature does not verify with the credential key');
    if (err instanceof jose.errors.JOSEAlgNotAllowed) return refuse('the token must be signed with ES256');
    return refuse(`the token is malformed or its signature does not verify (${err instanceof Error ? err.message : String(err)})`);
  }
}
