import { ConfirmationKind, FORMS, type CellType, type FormDefinition, type SectionDefinition } from '@econfirm/common';

/**
 * The column template of a bulk upload, one per letter kind, derived from the form definition
 * (a new form edition gets its template for free). One spreadsheet row is one item of one section
 * of one letter; rows with the same `letterRef` make one letter. Letter-level columns (addressee,
 * fee payer, header) are written on the letter's first row and may be repeated (identically) on
 * its other rows.
 */
export type ColumnType = CellType | 'letter-ref' | 'institution-id' | 'fee-payer' | 'section' | 'section-list';

export interface TemplateColumn {
  name: string;
  scope: 'letter' | 'item';
  required: boolean;
  type: ColumnType;
  /** Item columns: the sections that have this field. */
  sections?: string[];
  description: string;
}

export interface LetterTemplate {
  kind: ConfirmationKind;
  formId: string;
  /** Form 2 letters request sections from the bank: no item rows. */
  itemRows: boolean;
  /** Status of a section the file gives no row for and does not strike. */
  defaultSectionStatus: 'none' | 'requested';
  columns: TemplateColumn[];
}

export const LETTER_REF = 'letterRef';
export const ADDRESSEE = 'addresseeId';
export const FEE_PAYER = 'feePayer';
export const STRUCK = 'struck';
export const SECTION = 'section';
export const HEADER_PREFIX = 'header.';

/** Header fields the gateway can fill from the job when a row leaves them blank. */
export const DERIVED_HEADER_FIELDS: Readonly<Record<string, string>> = {
  letterNo: 'the letterRef',
  asOfDate: "the engagement's as-of date",
  auditPeriod: "the engagement's period (start to end)",
};

export function defaultFormId(kind: ConfirmationKind): string | undefined {
  return FORMS.find((form) => form.kinds.includes(kind))?.formId;
}

export function findSection(form: FormDefinition, keyOrNumber: string): SectionDefinition | undefined {
  const wanted = keyOrNumber.trim();
  return form.sections.find((s) => s.key === wanted) ?? form.sections.find((s) => s.number === wanted);
}

export function letterTemplate(kind: ConfirmationKind, form: FormDefinition): LetterTemplate {
  const itemRows = kind !== ConfirmationKind.BankForm2;
  const columns: TemplateColumn[] = [
    { name: LETTER_REF, scope: 'letter', required: true, type: 'letter-ref', description: "the firm's reference of the letter; rows with the same letterRef are one letter" },
    { name: ADDRESSEE, scope: 'letter', required: true, type: 'institution-id', description: 'registry id of the addressee (bank or branch for bank letters, enterprise or client for counterparty letters)' },
    { name: FEE_PAYER, scope: 'letter', required: true, type: 'fee-payer', description: 'client or firm' },
    {
      name: STRUCK,
      scope: 'letter',
      required: false,
      type: 'section-list',
      description: `sections struck through (not to be confirmed), keys or numbers separated by ';'. Other sections without rows are ${itemRows ? '"none" (the responder must confirm nothing exists)' : 'requested from the bank'}`,
    },
    ...form.headerFields.map((key): TemplateColumn => ({
      name: `${HEADER_PREFIX}${key}`,
      scope: 'letter',
      required: DERIVED_HEADER_FIELDS[key] === undefined,
      type: 'text',
      description: DERIVED_HEADER_FIELDS[key] ? `letter header field ${key}; blank = ${DERIVED_HEADER_FIELDS[key]}` : `letter header field ${key}`,
    })),
  ];
  if (itemRows) {
    columns.push({
      name: SECTION,
      scope: 'item',
      required: true,
      type: 'section',
      description: `the section this row is an item of: ${form.sections.map((s) => `${s.key} (${s.number})`).join(', ')}; blank on a row that only carries letter columns`,
    });
    const byKey = new Map<string, TemplateColumn>();
    for (const section of form.sections) {
      for (const field of section.fields) {
        const existing = byKey.get(field.key);
        if (existing) {
          existing.sections?.push(section.key);
          continue;
        }
        const column: TemplateColumn = { name: field.key, scope: 'item', required: false, type: field.type, sections: [section.key], description: field.label };
        byKey.set(field.key, column);
        columns.push(column);
      }
    }
  }
  return { kind, formId: form.formId, itemRows, defaultSectionStatus: itemRows ? 'none' : 'requested', columns };
}

/** RFC 4180 field quoting. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The template as a CSV file: the header row only (CRLF, UTF-8), ready to fill. */
export function templateCsv(template: { columns: ReadonlyArray<{ name: string }> }): string {
  return `${template.columns.map((c) => csvField(c.name)).join(',')}\r\n`;
}
