import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { InstitutionInput, InstitutionKind, OPERATOR_MSP, PublicJwk, REGISTRY_CONSENT_TYPE, registryConsentPayload, RegistryConsentClaims, Role } from '@econfirm/common';
import { TestIdentity } from './fake-ledger';

export function p256PublicJwk(): PublicJwk {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string };
}

export function institutionInput(id: string, kind: InstitutionKind, mspId: string, extra: Partial<InstitutionInput> = {}): InstitutionInput {
  return {
    id,
    kind,
    mspId,
    nameZh: `${id} 名称`,
    nameEn: `${id} name`,
    registrationId: `91310000${id.padEnd(10, '0').slice(0, 10)}`.replace(/[^0-9A-Za-z]/g, '0'),
    encryptionKey: { kid: `${id}-enc-1`, jwk: p256PublicJwk() },
    signingKey: { kid: `${id}-sig-1`, jwk: p256PublicJwk() },
    ...extra,
  };
}

/** The demo network's identities. */
export const Who = {
  admin: { mspId: OPERATOR_MSP, role: Role.Admin, id: 'x509::CN=admin::CN=ca.operator' },
  client1: { mspId: OPERATOR_MSP, role: Role.ClientSigner, institution: 'CLIENT1', id: 'x509::CN=client1::CN=ca.operator' },
  registrar1: { mspId: OPERATOR_MSP, role: Role.Registrar, institution: 'MREG1', id: 'x509::CN=registrar1::CN=ca.operator' },
  registryReviewer1: { mspId: OPERATOR_MSP, role: Role.RegistryReviewer, institution: 'MREG1', id: 'x509::CN=registry-reviewer1::CN=ca.operator' },
  customer1: { mspId: OPERATOR_MSP, role: Role.ClientSigner, institution: 'ENT1', id: 'x509::CN=customer1::CN=ca.operator' },
  officer1: { mspId: 'Bank1MSP', role: Role.BankOfficer, id: 'x509::CN=officer1::CN=ca.bank1' },
  officer2: { mspId: 'Bank1MSP', role: Role.BankOfficer, id: 'x509::CN=officer2::CN=ca.bank1' },
  reviewer1: { mspId: 'Bank1MSP', role: Role.BankReviewer, id: 'x509::CN=reviewer1::CN=ca.bank1' },
  mortgageOfficer1: { mspId: 'Bank1MSP', role: Role.MortgageOfficer, id: 'x509::CN=mortgage-officer1::CN=ca.bank1' },
  bank2mortgageOfficer: { mspId: 'Bank2MSP', role: Role.MortgageOfficer, id: 'x509::CN=mortgage-officer1::CN=ca.bank2' },
  bank2officer: { mspId: 'Bank2MSP', role: Role.BankOfficer, id: 'x509::CN=officer1::CN=ca.bank2' },
  bank2reviewer: { mspId: 'Bank2MSP', role: Role.BankReviewer, id: 'x509::CN=reviewer1::CN=ca.bank2' },
  auditor1: { mspId: 'Firm1MSP', role: Role.Auditor, id: 'x509::CN=auditor1::CN=ca.firm1' },
  auditor2: { mspId: 'Firm1MSP', role: Role.Auditor, id: 'x509::CN=auditor2::CN=ca.firm1' },
  firm2auditor: { mspId: 'Firm2MSP', role: Role.Auditor, id: 'x509::CN=auditor1::CN=ca.firm2' },
  regulator1: { mspId: 'RegulatorMSP', role: Role.Regulator, id: 'x509::CN=regulator1::CN=ca.regulator' },
  operatorAuditor: { mspId: OPERATOR_MSP, role: Role.Auditor, institution: 'FIRM1' },
  bankAdmin: { mspId: 'Bank1MSP', role: Role.Admin },
} satisfies Record<string, TestIdentity>;

/** A registration input whose signing key's private half the test keeps, to sign consents with. */
export function institutionWithSigningKey(id: string, kind: InstitutionKind, mspId: string, generation = 1): { input: InstitutionInput; signing: { kid: string; privateKey: KeyObject } } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = `${id}-sig-${generation}`;
  const input = institutionInput(id, kind, mspId, { signingKey: { kid, jwk: { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string } } });
  return { input, signing: { kid, privateKey } };
}

/** A registry consent (common registry-consent.ts) as an institution's software signs it; `header` overrides for refusal tests. */
export function signRegistryConsent(signing: { kid: string; privateKey: KeyObject }, claims: RegistryConsentClaims, header: Record<string, unknown> = {}): string {
  const h = Buffer.from(JSON.stringify({ alg: 'ES256', kid: signing.kid, typ: REGISTRY_CONSENT_TYPE, ...header })).toString('base64url');
  const p = Buffer.from(registryConsentPayload(claims)).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${h}.${p}`), { key: signing.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${h}.${p}.${signature.toString('base64url')}`;
}
