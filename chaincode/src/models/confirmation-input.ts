import {
  ALTERNATIVE_PROCEDURE_CODES,
  AlternativeProcedureInput,
  CONFIRMATION_KINDS,
  ConfirmationKind,
  Engagement,
  FEE_PAYERS,
  FeePayer,
  formFitsKind,
  INSTITUTION_ID,
  ISO_DATE,
  REQUEST_ID,
  RETURN_REASONS,
  ReturnReason,
  SHA256_HEX,
} from '@econfirm/common';
import { FieldReader, invalid } from '../validation/field-reader';

export const REASON_RULE = { maxLength: 1000 };
export const MAX_BATCH = 500;

export function readEngagement(input: FieldReader): Engagement {
  input.allowOnly(['id', 'clientId', 'periodStart', 'periodEnd', 'asOfDate']);
  const engagement: Engagement = {
    id: input.string('id', { pattern: REQUEST_ID }),
    clientId: input.string('clientId', { pattern: INSTITUTION_ID }),
    periodStart: input.string('periodStart', { pattern: ISO_DATE }),
    periodEnd: input.string('periodEnd', { pattern: ISO_DATE }),
    asOfDate: input.string('asOfDate', { pattern: ISO_DATE }),
  };
  if (engagement.periodEnd < engagement.periodStart) throw invalid(input.fieldPath('periodEnd'), 'is before periodStart');
  if (engagement.asOfDate < engagement.periodStart) throw invalid(input.fieldPath('asOfDate'), 'is before the audit period');
  return engagement;
}

/** One letter as the firm submits it; the encrypted letter is checked once its recipients are known. */
export interface LetterFields {
  id: string;
  kind: ConfirmationKind;
  formId: string;
  addresseeId: string;
  feePayer: FeePayer;
  letter: FieldReader;
}

export const LETTER_FIELDS = ['id', 'kind', 'formId', 'addresseeId', 'feePayer', 'letter'];

export function readLetterFields(input: FieldReader): LetterFields {
  const kind = input.oneOf('kind', CONFIRMATION_KINDS);
  const formId = input.string('formId', { pattern: REQUEST_ID });
  if (!formFitsKind(formId, kind)) throw invalid(input.fieldPath('formId'), `is not a known form for ${kind}`);
  const letter = input.object('letter');
  letter.allowOnly(['ciphertext', 'contentHash']);
  return {
    id: input.string('id', { pattern: REQUEST_ID }),
    kind,
    formId,
    addresseeId: input.string('addresseeId', { pattern: INSTITUTION_ID }),
    feePayer: input.oneOf('feePayer', FEE_PAYERS),
    letter,
  };
}

export function readReturnReason(reasonCode: string, note: string): { reasonCode: ReturnReason; note?: string } {
  const input = FieldReader.of({ reasonCode, note }, '');
  const code = input.oneOf('reasonCode', RETURN_REASONS);
  const text = note.trim() === '' && code !== ReturnReason.Other ? undefined : input.string('note', REASON_RULE);
  return { reasonCode: code, ...(text !== undefined ? { note: text } : {}) };
}

export function readReason(reason: string): string {
  return FieldReader.of({ reason }, '').string('reason', REASON_RULE);
}

export function readAlternativeProcedure(input: FieldReader): AlternativeProcedureInput {
  input.allowOnly(['procedure', 'workpaperHash']);
  return {
    procedure: input.oneOf('procedure', ALTERNATIVE_PROCEDURE_CODES),
    workpaperHash: input.string('workpaperHash', { pattern: SHA256_HEX, maxLength: 64 }),
  };
}

export function readOptionalHash(input: FieldReader, name: string): string | undefined {
  return input.optionalString(name, { pattern: SHA256_HEX, maxLength: 64 });
}
