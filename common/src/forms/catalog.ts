import { ConfirmationKind } from '../domain/confirmation';
import { BANK_LETTER_2020 } from './bank-letter-2020';
import { FormDefinition } from './form-definition';
import { BALANCE_CONFIRMATION_2020, CAPITAL_VERIFICATION_2020 } from './other-forms';

/** Every form edition the platform accepts. Adding an edition is adding an entry here. */
export const FORMS: readonly FormDefinition[] = [BANK_LETTER_2020, CAPITAL_VERIFICATION_2020, BALANCE_CONFIRMATION_2020];

export function findForm(formId: string): FormDefinition | undefined {
  return FORMS.find((form) => form.formId === formId);
}

export function formFitsKind(formId: string, kind: ConfirmationKind): boolean {
  return findForm(formId)?.kinds.includes(kind) ?? false;
}
