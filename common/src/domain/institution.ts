import { valuesOf } from './enum';

export const InstitutionKind = {
  Bank: 'bank',
  BankBranch: 'bank-branch',
  AuditFirm: 'audit-firm',
  Client: 'client',
  Enterprise: 'enterprise',
  MortgageRegistry: 'mortgage-registry',
  Regulator: 'regulator',
} as const;
export type InstitutionKind = (typeof InstitutionKind)[keyof typeof InstitutionKind];
export const INSTITUTION_KINDS = valuesOf(InstitutionKind);

export const InstitutionStatus = {
  Active: 'active',
  Suspended: 'suspended',
} as const;
export type InstitutionStatus = (typeof InstitutionStatus)[keyof typeof InstitutionStatus];
export const INSTITUTION_STATUSES = valuesOf(InstitutionStatus);

/** Public P-256 key only: `d` (the private scalar) is refused wherever a JWK is accepted. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export const KeyUse = { Encryption: 'enc', Signing: 'sig' } as const;
export type KeyUse = (typeof KeyUse)[keyof typeof KeyUse];

/**
 * Encryption keys are for multi-recipient JWE: ECDH-ES key agreement wrapping the content key
 * (ECDH-ES+A256KW; plain ECDH-ES cannot address several recipients). Signing keys: JWS ES256.
 */
export const KEY_ALGORITHM: Readonly<Record<KeyUse, string>> = { enc: 'ECDH-ES+A256KW', sig: 'ES256' };

export interface PublicKeyRecord {
  kid: string;
  use: KeyUse;
  alg: string;
  jwk: PublicJwk;
  activatedAt: string;
  retiredAt?: string;
}

/** What a caller submits for one key; `jwk` may carry kid/use/alg, which are checked and dropped. */
export interface PublicKeyInput {
  kid: string;
  jwk: PublicJwk;
}

/** The descriptive fields a registrar submits and the registry stores as given. */
export interface InstitutionProfile {
  id: string;
  kind: InstitutionKind;
  /** A bank branch points at its bank; absent for every other kind. */
  parentId?: string;
  mspId: string;
  nameZh: string;
  nameEn: string;
  /** Unified social credit code, bank licence number or similar. */
  registrationId: string;
}

export interface Institution extends InstitutionProfile {
  docType: 'institution';
  status: InstitutionStatus;
  statusReason?: string;
  encryptionKey: PublicKeyRecord;
  signingKey: PublicKeyRecord;
  /** Keys replaced by rotation, oldest first: old JWE/JWS must stay verifiable. */
  retiredKeys: PublicKeyRecord[];
  registeredAt: string;
  updatedAt: string;
}

export interface InstitutionInput extends InstitutionProfile {
  encryptionKey: PublicKeyInput;
  signingKey: PublicKeyInput;
}

/** UpdateInstitution: id names the record; absent fields stay unchanged. kind and parentId never change. */
export interface InstitutionUpdateInput {
  id: string;
  mspId?: string;
  nameZh?: string;
  nameEn?: string;
  registrationId?: string;
}

/** RotateInstitutionKeys: either key or both. */
export interface KeyRotationInput {
  encryptionKey?: PublicKeyInput;
  signingKey?: PublicKeyInput;
}
