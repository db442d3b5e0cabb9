import { ConfirmationKind } from '../domain/confirmation';

/** Cell types; every type also accepts the literal "none" (the form has no blank cells). */
export type CellType = 'text' | 'account' | 'amount' | 'currency' | 'date' | 'rate' | 'yes-no' | 'quantity';

export interface FieldDefinition {
  key: string;
  label: string;
  type: CellType;
}

export interface SectionDefinition {
  key: string;
  /** The number printed on the form ("1", "6a", "schedule"). */
  number: string;
  title: string;
  fields: FieldDefinition[];
}

/**
 * A letter form defined as data. A new edition is a new definition with a new `formId`; letters
 * name the formId they were written on, so old letters stay valid.
 */
export interface FormDefinition {
  formId: string;
  edition: string;
  title: string;
  kinds: ConfirmationKind[];
  /** Letter header fields, each required (no blank cells). */
  headerFields: readonly string[];
  sections: SectionDefinition[];
}

/** How the auditor fills a section on the letter. */
export const SectionStatus = {
  /** Form 1: the auditor lists the items; the bank agrees or states differences. */
  Rows: 'rows',
  /** The auditor states nothing exists; the responder must verify — finding something is an exception. */
  None: 'none',
  /** Struck through: do not confirm. */
  Struck: 'struck',
  /** Form 2: the responder fills the section. */
  Requested: 'requested',
} as const;
export type SectionStatus = (typeof SectionStatus)[keyof typeof SectionStatus];

export type Row = Record<string, string>;

export interface SectionContent {
  status: SectionStatus;
  rows?: Row[];
}

/** The plaintext of a letter (encrypted before it reaches the ledger). */
export interface LetterContent {
  formId: string;
  header: Record<string, string>;
  sections: Record<string, SectionContent>;
}

/** An itemized difference: the responder never edits the auditor's items, it states the difference. */
export interface ReplyDifference {
  section: string;
  row: number | null;
  field: string;
  stated: string;
  actual: string;
  note: string;
}

/** The plaintext of a reply. Form 2 replies fill `sections` for every requested section. */
export interface ReplyContent {
  formId: string;
  conclusion: 'agrees' | 'disagrees';
  differences: ReplyDifference[];
  sections: Record<string, SectionContent>;
  handler: string;
  reviewer: string;
  date: string;
}

const field = (key: string, label: string, type: CellType = 'text'): FieldDefinition => ({ key, label, type });

/** Field builders shared by several forms. */
export const F = {
  text: (key: string, label: string) => field(key, label, 'text'),
  account: (key: string, label: string) => field(key, label, 'account'),
  amount: (key: string, label: string) => field(key, label, 'amount'),
  currency: () => field('currency', 'Currency', 'currency'),
  date: (key: string, label: string) => field(key, label, 'date'),
  rate: (key: string, label: string) => field(key, label, 'rate'),
  yesNo: (key: string, label: string) => field(key, label, 'yes-no'),
  quantity: (key: string, label: string) => field(key, label, 'quantity'),
};
