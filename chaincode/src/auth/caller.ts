import { Context } from 'fabric-contract-api';
import {
  ErrorCode,
  IdentityAttribute,
  Institution,
  InstitutionKind,
  InstitutionStatus,
  isOneOf,
  LedgerError,
  OPERATOR_MSP,
  Role,
  ROLES,
} from '@econfirm/common';
import { mayBeOperatorHosted } from '../models/institution';
import { findInstitution, institutionIdsOfMsp } from '../state/institution-store';

export interface Caller {
  mspId: string;
  role: Role | undefined;
  /** The certificate identity (subject and issuer): tells two officers of one bank apart. */
  identityId: string;
}

export interface InstitutionCaller extends Caller {
  role: Role;
  institution: Institution;
}

/** Which institutions each role may act for: an auditor's certificate cannot answer for a bank. */
const ROLE_INSTITUTION_KINDS: Readonly<Record<Role, readonly InstitutionKind[]>> = {
  [Role.Auditor]: [InstitutionKind.AuditFirm],
  [Role.ClientSigner]: [InstitutionKind.Client, InstitutionKind.Enterprise],
  [Role.BankOfficer]: [InstitutionKind.Bank],
  [Role.BankReviewer]: [InstitutionKind.Bank],
  [Role.MortgageOfficer]: [InstitutionKind.Bank],
  [Role.Registrar]: [InstitutionKind.MortgageRegistry],
  [Role.RegistryReviewer]: [InstitutionKind.MortgageRegistry],
  [Role.Regulator]: [InstitutionKind.Regulator],
  [Role.Admin]: [],
};

export function forbidden(text: string): LedgerError {
  return new LedgerError(ErrorCode.Forbidden, text);
}

export function identify(ctx: Context): Caller {
  const role = ctx.clientIdentity.getAttributeValue(IdentityAttribute.Role);
  return {
    mspId: ctx.clientIdentity.getMSPID(),
    role: isOneOf(ROLES, role) ? role : undefined,
    identityId: ctx.clientIdentity.getID(),
  };
}

/** Registry administration: the platform operator's admin, nobody else. */
export function requireAdmin(ctx: Context): Caller {
  const caller = identify(ctx);
  if (caller.role !== Role.Admin || caller.mspId !== OPERATOR_MSP) {
    throw forbidden(`only an ${Role.Admin} of ${OPERATOR_MSP} may do this (caller: ${caller.role ?? 'no role'} of ${caller.mspId})`);
  }
  return caller;
}

/**
 * The caller with one of `roles`, acting for an active registered institution of a kind that role
 * may act for. Under OperatorMSP the econfirm.institution attribute names the institution, which
 * must be hosted by the operator; under any other MSP the institution is the one registered with
 * that MSP (the attribute, when present, must name it).
 */
export async function requireInstitutionCaller(ctx: Context, roles: readonly Role[]): Promise<InstitutionCaller> {
  const caller = identify(ctx);
  if (caller.role === undefined || !roles.includes(caller.role)) {
    throw forbidden(`this needs the role ${roles.join(' or ')} (caller: ${caller.role ?? 'no role'} of ${caller.mspId})`);
  }
  const role = caller.role;
  const institution = await resolveInstitution(ctx, caller.mspId, role);
  if (institution.status !== InstitutionStatus.Active) throw forbidden(`institution ${institution.id} is ${institution.status}`);
  if (!ROLE_INSTITUTION_KINDS[role].includes(institution.kind)) {
    throw forbidden(`a ${role} cannot act for ${institution.kind} ${institution.id}`);
  }
  return { ...caller, role, institution };
}

async function resolveInstitution(ctx: Context, mspId: string, role: Role): Promise<Institution> {
  const named = ctx.clientIdentity.getAttributeValue(IdentityAttribute.Institution);
  if (named) {
    const institution = await findInstitution(ctx, named);
    if (!institution || institution.mspId !== mspId) {
      throw forbidden(`institution ${named} is not registered under ${mspId}`);
    }
    // A record from before the hosting rule (models/institution.ts) must not let an operator
    // certificate act for a bank, firm or regulator.
    if (mspId === OPERATOR_MSP && !mayBeOperatorHosted(institution.kind)) {
      throw forbidden(`a ${institution.kind} is never acted for under ${OPERATOR_MSP}`);
    }
    return institution;
  }
  if (mspId === OPERATOR_MSP) throw forbidden(`an identity of ${OPERATOR_MSP} must carry ${IdentityAttribute.Institution}`);
  const candidates: Institution[] = [];
  for (const id of await institutionIdsOfMsp(ctx, mspId)) {
    const institution = await findInstitution(ctx, id);
    if (institution && ROLE_INSTITUTION_KINDS[role].includes(institution.kind)) candidates.push(institution);
  }
  if (candidates.length !== 1) {
    throw forbidden(`cannot tell which institution ${mspId} acts for (${candidates.length} registered for ${role})`);
  }
  return candidates[0];
}
