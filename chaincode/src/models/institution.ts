import {
  ErrorCode,
  Institution,
  INSTITUTION_KINDS,
  INSTITUTION_STATUSES,
  InstitutionKind,
  InstitutionStatus,
  KeyUse,
  LedgerError,
  PublicKeyRecord,
} from '@econfirm/common';
import { FieldReader, invalid } from '../validation/field-reader';
import { INSTITUTION_ID, MSP_ID, REGISTRATION_ID } from '../validation/formats';
import { newPublicKeyRecord, retire } from './public-key';

const NAME_RULE = { maxLength: 200 };
const REASON_RULE = { maxLength: 1000 };

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
  return {
    docType: 'institution',
    id: input.string('id', { pattern: INSTITUTION_ID }),
    kind,
    ...(parentId !== undefined ? { parentId } : {}),
    mspId: input.string('mspId', { pattern: MSP_ID }),
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

/** UpdateInstitution: names, registration id and (outside banks) the MSP may change; nothing else. */
export function withProfileUpdate(existing: Institution, input: FieldReader, now: string): Institution {
  input.allowOnly(['id', 'mspId', 'nameZh', 'nameEn', 'registrationId']);
  const mspId = input.optionalString('mspId', { pattern: MSP_ID });
  const banking = existing.kind === InstitutionKind.Bank || existing.kind === InstitutionKind.BankBranch;
  if (mspId !== undefined && mspId !== existing.mspId && banking) {
    throw invalid('mspId', 'a bank and its branches keep their MSP; register a new institution instead');
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
