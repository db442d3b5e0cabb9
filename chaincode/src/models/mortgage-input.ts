import {
  CASE_NUMBER,
  DISCHARGE_REASONS,
  DischargeReason,
  INSTITUTION_ID,
  ISO_DATE,
  MORTGAGE_TYPES,
  MortgageApplicationInput,
  MortgageRegistrationInput,
  PROPERTY_TYPES,
  REASON_CODE,
  REQUEST_ID,
  SHA256_HEX,
} from '@econfirm/common';
import { FieldReader, invalid, parseJsonArgument } from '../validation/field-reader';

/** A property is rarely held by more than a handful of co-owners; the cap bounds index writes. */
export const MAX_MORTGAGORS = 10;

function readMortgagorIds(input: FieldReader): string[] {
  const ids = input.array('mortgagorIds', 0, MAX_MORTGAGORS).map((id, i) => {
    if (typeof id !== 'string' || !INSTITUTION_ID.test(id)) throw invalid(input.fieldPath(`mortgagorIds[${i}]`), 'must be a registry id');
    return id;
  });
  if (new Set(ids).size !== ids.length) throw invalid(input.fieldPath('mortgagorIds'), 'names an institution twice');
  return ids;
}

/** The application's fields, before the registry lookups that check its parties (mortgage-contract.ts). */
export type ApplicationFields = Omit<MortgageApplicationInput, 'application'> & { application: FieldReader };

export function readApplication(json: string): ApplicationFields {
  const input = parseJsonArgument(json, 'application').allowOnly([
    'id', 'registryId', 'unitKey', 'propertyType', 'mortgageType', 'debtTermStart', 'debtTermEnd', 'preRegistration', 'mortgagorIds', 'consentHash', 'application',
  ]);
  const debtTermStart = input.string('debtTermStart', { pattern: ISO_DATE });
  const debtTermEnd = input.string('debtTermEnd', { pattern: ISO_DATE });
  if (debtTermStart >= debtTermEnd) throw invalid('debtTermEnd', 'must be after debtTermStart');
  const mortgagorIds = readMortgagorIds(input);
  return {
    id: input.string('id', { pattern: REQUEST_ID }),
    registryId: input.string('registryId', { pattern: INSTITUTION_ID }),
    unitKey: input.string('unitKey', { pattern: SHA256_HEX }),
    propertyType: input.oneOf('propertyType', PROPERTY_TYPES),
    mortgageType: input.oneOf('mortgageType', MORTGAGE_TYPES),
    debtTermStart,
    debtTermEnd,
    preRegistration: input.boolean('preRegistration'),
    mortgagorIds,
    consentHash: input.string('consentHash', { pattern: SHA256_HEX }),
    application: input.object('application').allowOnly(['ciphertext', 'contentHash']),
  };
}


export function readRegistration(json: string): { certificateKey: string; certificate: FieldReader } {
  const input = parseJsonArgument(json, 'registration').allowOnly(['certificateKey', 'certificate'] satisfies (keyof MortgageRegistrationInput)[]);
  return { certificateKey: input.string('certificateKey', { pattern: SHA256_HEX }), certificate: input.object('certificate') };
}

export function readChange(json: string): { application: FieldReader; debtTermEnd?: string } {
  const input = parseJsonArgument(json, 'change').allowOnly(['application', 'debtTermEnd']);
  return { application: input.object('application'), debtTermEnd: input.optionalString('debtTermEnd', { pattern: ISO_DATE }) };
}

export function readTransfer(json: string): { application: FieldReader; mortgagorIds: string[] } {
  const input = parseJsonArgument(json, 'transfer').allowOnly(['application', 'mortgagorIds']);
  const mortgagorIds = readMortgagorIds(input);
  return { application: input.object('application'), mortgagorIds };
}

// Reasons and case numbers are short codes (common formats): free text could carry names onto the channel.

export function readDischarge(json: string): { caseNumber: string; reason: DischargeReason } {
  const input = parseJsonArgument(json, 'discharge').allowOnly(['caseNumber', 'reason']);
  return { caseNumber: input.string('caseNumber', { pattern: CASE_NUMBER }), reason: input.oneOf('reason', DISCHARGE_REASONS) };
}

export function readDischargeRequest(json: string): { reason: DischargeReason } {
  const input = parseJsonArgument(json, 'request').allowOnly(['reason']);
  return { reason: input.oneOf('reason', DISCHARGE_REASONS) };
}

export function readRejection(json: string): { reason: string } {
  const input = parseJsonArgument(json, 'rejection').allowOnly(['reason']);
  return { reason: input.string('reason', { pattern: REASON_CODE }) };
}

/** The registry reviewer's reason for returning a prepared step: a code, as for a rejection. */
export function readReviewReturn(json: string): { reason: string } {
  const input = parseJsonArgument(json, 'return').allowOnly(['reason']);
  return { reason: input.string('reason', { pattern: REASON_CODE }) };
}

/** `validUntil`: an ISO date not before today (the transaction's date, UTC). */
export function readValidUntil(json: string, today: string): { validUntil: string; reader: FieldReader } {
  const reader = parseJsonArgument(json, 'authorization');
  const validUntil = reader.string('validUntil', { pattern: ISO_DATE });
  if (validUntil < today) throw invalid('validUntil', `is before the transaction date ${today}`);
  return { validUntil, reader };
}
