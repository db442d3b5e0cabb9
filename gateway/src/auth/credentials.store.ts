import { Inject, Injectable } from '@nestjs/common';
import { ROLES as ALL_ROLES, type PublicJwk, type Role } from '@econfirm/common';
import { CertificateAttributesError, fabricCertificateAttributes, findIdentity, findOrg, publicJwk } from '@econfirm/sdk';
import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { applyMigrations } from '../database/migrations';
import { AUTH_MIGRATIONS } from './auth.migrations';
import { DATABASE } from '../database/database.module';
import { GatewayError } from '../errors/gateway-error';
import { TenantsService } from '../tenants/tenants.service';
import type { Custody, Principal } from './principal';

export interface ApiCredential {
  id: string;
  tenantId: string;
  identityName: string;
  role: Role;
  custody: Custody;
  /** Verifies the caller's API tokens. */
  publicJwk: PublicJwk;
  /** Offline custody: the X.509 certificate of the Fabric identity (the key stays with the caller). */
  certificatePem?: string;
  createdAt: string;
  revokedAt?: string;
}

interface CredentialRow {
  id: string;
  tenant_id: string;
  identity_name: string;
  role: string;
  custody: string;
  public_jwk: string;
  certificate_pem: string | null;
  created_at: string;
  revoked_at: string | null;
}

/** The Fabric attributes of an offline identity's certificate; a bad certificate is the caller's error (400). */
function offlineCertificateAttributes(pem: string): Record<string, string> {
  try {
    return fabricCertificateAttributes(pem);
  } catch (err) {
    const why = err instanceof CertificateAttributesError ? err.message : 'the certificate is not a PEM X.509 certificate';
    throw new GatewayError('INVALID_ARGUMENT', why);
  }
}

export interface IssuedCredential {
  credential: ApiCredential;
  /** The API token signing key; returned once, never stored by the gateway. */
  privateJwk: JsonWebKey;
}

/**
 * API credentials: a P-256 public key per credential (the caller keeps the private half and signs
 * its API tokens with it), bound to one identity of one tenant; and the single-use record of
 * every token id seen.
 */
@Injectable()
export class CredentialsStore {
  constructor(
    @Inject(DATABASE) private readonly db: DatabaseSync,
    private readonly tenants: TenantsService,
  ) {
    applyMigrations(db, 'auth', AUTH_MIGRATIONS);
  }

  private static fromRow(row: CredentialRow): ApiCredential {
    return {
      id: row.id,
      tenantId: row.tenant_id,
      identityName: row.identity_name,
      role: row.role as Role,
      custody: row.custody as Custody,
      publicJwk: JSON.parse(row.public_jwk) as PublicJwk,
      ...(row.certificate_pem ? { certificatePem: row.certificate_pem } : {}),
      createdAt: row.created_at,
      ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
    };
  }

  find(id: string): ApiCredential | undefined {
    const row = this.db.prepare('SELECT * FROM api_credentials WHERE id = ?').get(id) as CredentialRow | undefined;
    return row ? CredentialsStore.fromRow(row) : undefined;
  }

  listForTenant(tenantId: string): ApiCredential[] {
    return (this.db.prepare('SELECT * FROM api_credentials WHERE tenant_id = ? ORDER BY created_at').all(tenantId) as unknown as CredentialRow[]).map(CredentialsStore.fromRow);
  }

  /**
   * A credential for a custodial identity (its key file is in the network descriptor and used by
   * the gateway), or — with `certificatePem` — an offline one whose Fabric key never reaches the
   * gateway. The role comes from the identity's certificate/descriptor, never from the caller.
   */
  issue(input: { tenantId: string; identityName: string; certificatePem?: string; publicJwk?: PublicJwk; id?: string }): IssuedCredential {
    const tenant = this.tenants.get(input.tenantId);
    let role: string | undefined;
    let institution: string | undefined;
    if (input.certificatePem) {
      const attrs = offlineCertificateAttributes(input.certificatePem);
      role = attrs['econfirm.role'];
      institution = attrs['econfirm.institution'];
    } else {
      const identity = findIdentity(this.tenants.descriptor, tenant.orgKey, input.identityName);
      role = identity.role;
      institution = identity.institution;
    }
    if (!role || !(ALL_ROLES as readonly string[]).includes(role)) {
      throw new GatewayError('INVALID_ARGUMENT', `identity '${input.identityName}' carries no econfirm role`);
    }
    // An identity of an operator-hosted institution names it; it must be this tenant's.
    if (institution && institution !== tenant.institutionId && findOrg(this.tenants.descriptor, tenant.orgKey).kind === 'operator' && role !== 'admin') {
      throw GatewayError.forbidden(`identity '${input.identityName}' acts for ${institution}, not for tenant ${tenant.id} (${tenant.institutionId})`);
    }
    let privateJwk: JsonWebKey = {};
    let jwk = input.publicJwk;
    if (!jwk) {
      privateJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
      jwk = publicJwk(privateJwk);
    }
    const credential: ApiCredential = {
      id: input.id ?? `${tenant.id}.${input.identityName}.${randomBytes(4).toString('hex')}`,
      tenantId: tenant.id,
      identityName: input.identityName,
      role: role as Role,
      custody: input.certificatePem ? 'offline' : 'custodial',
      publicJwk: publicJwk(jwk as JsonWebKey),
      ...(input.certificatePem ? { certificatePem: input.certificatePem } : {}),
      createdAt: new Date().toISOString(),
    };
    this.db
      .prepare('INSERT INTO api_credentials (id, tenant_id, identity_name, role, custody, public_jwk, certificate_pem, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(credential.id, credential.tenantId, credential.identityName, credential.role, credential.custody, JSON.stringify(credential.publicJwk), credential.certificatePem ?? null, credential.createdAt);
    return { credential, privateJwk };
  }

  revoke(id: string): void {
    this.db.prepare('UPDATE api_credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id);
  }

  /** Deletes a credential whose private key is lost, so the same id can be issued again. */
  forget(id: string): void {
    this.db.prepare('DELETE FROM api_credentials WHERE id = ?').run(id);
  }

  /** Records a token id; false when it was seen before (a replayed token). Forgets expired ids. */
  useTokenId(credentialId: string, jti: string, expiresAt: number): boolean {
    this.db.prepare('DELETE FROM used_token_ids WHERE expires_at < ?').run(Math.floor(Date.now() / 1000) - 600);
    const result = this.db.prepare('INSERT OR IGNORE INTO used_token_ids (credential_id, jti, expires_at) VALUES (?, ?, ?)').run(credentialId, jti, expiresAt);
    return Number(result.changes) === 1;
  }

  principalOf(credential: ApiCredential): Principal {
    const tenant = this.tenants.get(credential.tenantId);
    return {
      tenantId: tenant.id,
      institutionId: tenant.institutionId,
      orgKey: tenant.orgKey,
      identityName: credential.identityName,
      mspId: tenant.mspId,
      role: credential.role,
      credentialId: credential.id,
      custody: credential.custody,
    };
  }
}
