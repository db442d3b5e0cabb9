import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { signers, type HSMSigner, type HSMSignerFactory, type Signer } from '@hyperledger/fabric-gateway';
import { createHash, X509Certificate } from 'node:crypto';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GatewayError } from '../errors/gateway-error';

/**
 * The CKA_ID under which an identity's private key is kept in the token: the SKI of its
 * certificate, SHA-256 of the uncompressed public point (0x04 ‖ x ‖ y) — Fabric's own PKCS#11
 * convention, so keys imported for a Fabric peer or CLI are found the same way.
 */
export function hsmKeyIdentifier(certificatePem: string | Buffer): Buffer {
  const jwk = new X509Certificate(certificatePem).publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('the certificate does not carry a P-256 key');
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]))
    .digest();
}

/**
 * A PKCS#11 session signs one digest at a time (C_SignInit … C_Sign); the gateway's calls for one
 * identity run concurrently (a reply reads three registry records at once), so each signer queues.
 */
export function oneAtATime(signer: Signer): Signer {
  let tail: Promise<unknown> = Promise.resolve();
  return (digest) => {
    const signed = tail.then(() => signer(digest));
    tail = signed.catch(() => undefined);
    return signed;
  };
}

/**
 * Custodial keys in a PKCS#11 token (config `hsm`): the gateway signs through the token and never
 * sees the key. One PKCS#11 session per identity, opened on first use and kept; all closed at
 * shutdown. The PIN comes from the environment, checked at start-up so a gateway that could not
 * sign does not start.
 */
@Injectable()
export class HsmCustody implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('HsmCustody');
  private factory?: HSMSignerFactory;
  private readonly sessions = new Map<string, { hsm: HSMSigner; signer: Signer }>();
  private readonly pin: string;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    const hsm = config.hsm;
    this.pin = hsm ? (process.env[hsm.pinEnv] ?? '') : '';
    if (hsm && !this.pin) throw new Error(`hsm: the token's PIN is not in the environment variable ${hsm.pinEnv}`);
  }

  /**
   * Loads and initializes the token's module at start-up, before any bootstrap hook: the anchorer's
   * key may be in the same module (anchoring.hsm), and a module is initialized once per process —
   * fabric-gateway's factory insists on being the one that does, the anchoring signer does not
   * (anchoring/hsm-evm-signer.ts), so the factory goes first.
   */
  onModuleInit(): void {
    const hsm = this.config.hsm;
    if (!hsm) return;
    try {
      this.factory ??= signers.newHSMSignerFactory(hsm.library);
    } catch (err) {
      throw new Error(`hsm: cannot use the PKCS#11 module ${hsm.library}: ${(err as Error).message}`);
    }
  }

  /** Whether the identity's key is in the token. */
  holds(tenantId: string, identityName: string): boolean {
    return this.config.hsm?.identities.includes(`${tenantId}/${identityName}`) ?? false;
  }

  /** The token's signer for the identity's key (found by its certificate's SKI). */
  signer(tenantId: string, identityName: string, certificatePem: Buffer): Signer {
    const hsm = this.config.hsm;
    if (!hsm) throw new Error('no HSM is configured');
    const key = `${tenantId}/${identityName}`;
    let session = this.sessions.get(key);
    if (!session) {
      try {
        this.factory ??= signers.newHSMSignerFactory(hsm.library);
        const opened = this.factory.newSigner({ label: hsm.tokenLabel, pin: this.pin, identifier: hsmKeyIdentifier(certificatePem) });
        session = { hsm: opened, signer: oneAtATime(opened.signer) };
      } catch (err) {
        throw new GatewayError('HSM_UNAVAILABLE', `the key of ${key} could not be used in the HSM token '${hsm.tokenLabel}': ${(err as Error).message}`);
      }
      this.sessions.set(key, session);
    }
    return session.signer;
  }

  onApplicationShutdown(): void {
    for (const session of this.sessions.values()) session.hsm.close();
    this.sessions.clear();
    if (this.factory) {
      this.factory.dispose();
      this.factory = undefined;
      this.logger.log('closed the HSM sessions');
    }
  }
}
