import {
  ErrorCode,
  Institution,
  INSTITUTION_ID,
  INSTITUTION_KINDS,
  INSTITUTION_STATUSES,
  InstitutionKind,
  InstitutionStatus,
  KeyUse,
  LedgerError,
  MSP_ID,
  OPERATOR_MSP,
  PublicKeyRecord,
  REGISTRATION_ID,
} from '@econfirm/common';
import { FieldReader, invalid } from '../validation/field-reader';
import { newPublicKeyRecord, retire } from './public-key';

const NAME_RULE = { maxLength: 200 };
const REASON_RULE = { maxLength: 1000 };

/**
 * The kinds the operator may host under OperatorMSP: their people get certificates from the
 * operator's CA. Banks, branches, audit firms and regulators always have an MSP of their own —
 * else the operator's admin could mint itself a certificate that acts for them (auth/caller.ts).
 */
export const OPERATOR_HOSTED_KINDS: readonly InstitutionKind[] = [InstitutionKind.Client, InstitutionKind.Enterprise, InstitutionKind.MortgageRegistry];

export function mayBeOperatorHosted(kind: InstitutionKind): boolean {
  return OPERATOR_HOSTED_KINDS.includes(kind);
}

function checkHosting(kind: InstitutionKind, mspId: string, field: string): void {
  if (mspId === OPERATOR_MSP && !mayBeOperatorHosted(kind)) {
    throw invalid(field, `a ${kind} has an MSP of its own; only ${OPERATOR_HOSTED_KINDS.join(', ')} may be hosted under ${OPERATOR_MSP}`);
  }
}

/**
 * Validating factory for RegisterInstitution. Checks shape only; facts that need state (unique id,
 * parent is a bank) are checked by the contract.
 */
export function newInstitution(input: FieldReader, now: string): Institution {
  input.allowOnly(['id', 'kind', 'parentId', 'mspId', 'nameZh', 'nameEn', 'registrationId', 'encryptionKey', 'signingKey']);
  const kind = input.oneOf('kind', INSTITUTION_KINDS);
  const parentId = input.optionalString('parentId', { pattern: INSTITUTION_ID });
  if (kind === InstitutionKind.BankBranch && parentId === undefined) throw invalid('parentId', 'a bank branch must name its bank');
  if (kind !== InstitutionKind.BankBranch && parentId !== undefined) throw invalid('parentId', 'only a bank branch has a parent');
  const encryptionKey = newPublicKeyRecord(input.object('encryptionKey'), KeyUse.Encryption, now);
  const signingKey = newPublicKeyRecord(input.object('signingKey'), KeyUse.Signing, now);
  if (encryptionKey.kid === signingKey.kid) throw invalid('signingKey.kid', 'must differ from encryptionKey.kid');
  const mspId = input.string('mspId', { pattern: MSP_ID });
  checkHosting(kind, mspId, 'mspId');
  return {
    docType: 'institution',
    id: input.string('id', { pattern: INSTITUTION_ID }),
    kind,
    ...(parentId !== undefined ? { parentId } : {}),
    mspId,
    nameZh: input.string('nameZh', NAME_RULE),
    nameEn: input.string('nameEn', NAME_RULE),
    registrationId: input.string('registrationId', { pattern: REGISTRATION_ID }),
    status: InstitutionStatus.Active,
    encryptionKey,
    signingKey,
    retiredKeys: [],
    registeredAt: now,
    updatedAt: now,
  };
}

/**
 * UpdateInstitution: names and registration id may change. A change of `mspId` hands the
 * institution to whoever holds the new MSP's CA (under OperatorMSP, the operator itself), so the
 * contract lets it through only with the institution's own consent (registry-consent.ts,
 * `changesHosting`); firms, banks and regulators never move under OperatorMSP (checkHosting).
 * Banks and branches never move at all: their branches and every letter's routing hang on the MSP.
 */
export function withProfileUpdate(existing: Institution, input: FieldReader, now: string): Institution {
  input.allowOnly(['id', 'mspId', 'nameZh', 'nameEn', 'registrationId']);
  const mspId = input.optionalString('mspId', { pattern: MSP_ID });
  if (mspId !== undefined && mspId !== existing.mspId) {
    const banking = existing.kind === InstitutionKind.Bank || existing.kind === InstitutionKind.BankBranch;
    if (banking) throw invalid('mspId', 'a bank and its branches keep their MSP; register a new institution instead');
    checkHosting(existing.kind, mspId, 'mspId');
  }
  return {
    ...existing,
    mspId: mspId ?? existing.mspId,
    nameZh: input.optionalString('nameZh', NAME_RULE) ?? existing.nameZh,
    nameEn: input.optionalString('nameEn', NAME_RULE) ?? existing.nameEn,
    registrationId: input.optionalString('registrationId', { pattern: REGISTRATION_ID }) ?? existing.registrationId,
    updatedAt: now,
  };
}

/** Whether an update moves the institution to another MSP: that needs the institution's consent. */
export function changesHosting(existing: Institution, updated: Institution): boolean {
  return existing.mspId !== updated.mspId;
}

export function withStatus(existing: Institution, status: string, reason: string, now: string): Institution {
  const next = FieldReader.of({ status, reason }, '');
  const newStatus = next.oneOf('status', INSTITUTION_STATUSES);
  const statusReason = next.string('reason', REASON_RULE);
  if (newStatus === existing.status) {
    throw new LedgerError(ErrorCode.InvalidStateTransition, `institution ${existing.id} is already ${newStatus}`);
  }
  return { ...existing, status: newStatus, statusReason, updatedAt: now };
}

/** RotateInstitutionKeys: the replaced keys move to retiredKeys; a key id is never reused. */
export function withRotatedKeys(existing: Institution, input: FieldReader, now: string): Institution {
  input.allowOnly(['encryptionKey', 'signingKey']);
  const encInput = input.optionalObject('encryptionKey');
  const sigInput = input.optionalObject('signingKey');
  if (!encInput && !sigInput) throw invalid('encryptionKey', 'give encryptionKey, signingKey or both');
  const usedKids = new Set([existing.encryptionKey, existing.signingKey, ...existing.retiredKeys].map((key) => key.kid));
  const retiredKeys = [...existing.retiredKeys];
  const rotate = (current: PublicKeyRecord, replacement: FieldReader | undefined, use: KeyUse): PublicKeyRecord => {
    if (!replacement) return current;
    const next = newPublicKeyRecord(replacement, use, now);
    if (usedKids.has(next.kid)) throw invalid(replacement.fieldPath('kid'), `key id ${next.kid} was already used`);
    usedKids.add(next.kid);
    retiredKeys.push(retire(current, now));
    return next;
  };
  const encryptionKey = rotate(existing.encryptionKey, encInput, KeyUse.Encryption);
  const signingKey = rotate(existing.signingKey, sigInput, KeyUse.Signing);
  return { ...existing, encryptionKey, signingKey, retiredKeys, updatedAt: now };
}
