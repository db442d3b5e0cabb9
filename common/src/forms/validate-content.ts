import { ConfirmationKind } from '../domain/confirmation';
import { findForm } from './catalog';
import { CellType, FormDefinition, LetterContent, ReplyContent, SectionDefinition, SectionStatus } from './form-definition';

/**
 * Validation of letter and reply plaintext against their form — run by whoever holds the
 * plaintext (firm and responder software, the gateway) before encrypting; the ledger only ever
 * sees ciphertext and salted hashes.
 */
export interface FormIssue {
  path: string;
  problem: string;
}

/** "none" is a value, never a blank: the form has no blank cells. */
export const NONE = 'none';

const CELL_FORMATS: Readonly<Record<CellType, RegExp>> = {
// eslint-disable-next-line no-control-regex -- matching control characters is the point
  text: /^[^\u0000-\u001f\u007f]{1,500}$/,
  account: /^[0-9A-Za-z -]{4,40}$/,
  amount: /^-?[0-9]{1,15}(\.[0-9]{1,4})?$/,
  currency: /^[A-Z]{3}$/,
  date: /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/,
  rate: /^-?[0-9]{1,3}(\.[0-9]{1,6})?%?$/,
  'yes-no': /^(yes|no)$/,
  quantity: /^[0-9]{1,15}(\.[0-9]{1,6})?$/,
};

type Issues = FormIssue[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Plaintext is validated strictly: a member the form does not define would travel unseen inside the ciphertext. */
const LETTER_MEMBERS = ['formId', 'header', 'sections'];
const REPLY_MEMBERS = ['formId', 'conclusion', 'differences', 'sections', 'handler', 'reviewer', 'date'];

function checkMembers(value: Record<string, unknown>, allowed: readonly string[], prefix: string, problem: string, issues: Issues): void {
  for (const key of Object.keys(value).filter((k) => !allowed.includes(k))) issues.push({ path: `${prefix}${key}`, problem });
}

function checkCell(value: unknown, type: CellType, path: string, issues: Issues): void {
  if (typeof value !== 'string' || value.trim() === '') issues.push({ path, problem: `blank cell: write "${NONE}"` });
  else if (value !== NONE && !CELL_FORMATS[type].test(value)) issues.push({ path, problem: `not a valid ${type}` });
}

function checkRows(rows: unknown, section: SectionDefinition, path: string, issues: Issues): void {
  if (!Array.isArray(rows) || rows.length === 0) {
    issues.push({ path, problem: `a section with rows needs at least one row (or status "${SectionStatus.None}")` });
    return;
  }
  rows.forEach((row, index) => {
    const rowPath = `${path}[${index}]`;
    if (!isRecord(row)) {
      issues.push({ path: rowPath, problem: 'must be an object' });
      return;
    }
    for (const extra of Object.keys(row).filter((key) => !section.fields.some((f) => f.key === key))) {
      issues.push({ path: `${rowPath}.${extra}`, problem: 'is not a field of this section' });
    }
    for (const field of section.fields) checkCell(row[field.key], field.type, `${rowPath}.${field.key}`, issues);
  });
}

function checkSections(
  sections: unknown,
  form: FormDefinition,
  allowed: readonly SectionStatus[],
  path: string,
  issues: Issues,
): Record<string, SectionStatus> {
  const statuses: Record<string, SectionStatus> = {};
  if (!isRecord(sections)) {
    issues.push({ path, problem: 'must be an object keyed by section' });
    return statuses;
  }
  for (const extra of Object.keys(sections).filter((key) => !form.sections.some((s) => s.key === key))) {
    issues.push({ path: `${path}.${extra}`, problem: `is not a section of ${form.formId}` });
  }
  for (const section of form.sections) {
    const sectionPath = `${path}.${section.key}`;
    const content = sections[section.key];
    if (!isRecord(content)) {
      issues.push({ path: sectionPath, problem: `missing: every section is filled, "${SectionStatus.None}" or "${SectionStatus.Struck}"` });
      continue;
    }
    const status = content.status as SectionStatus;
    if (!allowed.includes(status)) {
      issues.push({ path: `${sectionPath}.status`, problem: `must be one of ${allowed.join(', ')}` });
      continue;
    }
    statuses[section.key] = status;
    if (status === SectionStatus.Rows) checkRows(content.rows, section, `${sectionPath}.rows`, issues);
    else if (content.rows !== undefined && !(Array.isArray(content.rows) && content.rows.length === 0)) {
      issues.push({ path: `${sectionPath}.rows`, problem: `a section marked ${status} has no rows` });
    }
  }
  return statuses;
}

function resolveForm(formId: unknown, kind: ConfirmationKind, issues: Issues): FormDefinition | undefined {
  const form = typeof formId === 'string' ? findForm(formId) : undefined;
  if (!form || !form.kinds.includes(kind)) {
    issues.push({ path: 'formId', problem: `is not a form for ${kind}` });
    return undefined;
  }
  return form;
}

/** Form 1 and counterparty letters are filled by the auditor; Form 2 sections are requested from the bank. */
function letterStatuses(kind: ConfirmationKind): readonly SectionStatus[] {
  return kind === ConfirmationKind.BankForm2
    ? [SectionStatus.Requested, SectionStatus.Struck]
    : [SectionStatus.Rows, SectionStatus.None, SectionStatus.Struck];
}

export function validateLetter(content: unknown, kind: ConfirmationKind): FormIssue[] {
  const issues: Issues = [];
  if (!isRecord(content)) return [{ path: '', problem: 'must be an object' }];
  checkMembers(content, LETTER_MEMBERS, '', 'is not a field of the form', issues);
  const form = resolveForm(content.formId, kind, issues);
  if (!form) return issues;
  const header = isRecord(content.header) ? content.header : {};
  checkMembers(header, form.headerFields, 'header.', 'is not a header field of this form', issues);
  for (const key of form.headerFields) checkCell(header[key], 'text', `header.${key}`, issues);
  const statuses = checkSections(content.sections, form, letterStatuses(kind), 'sections', issues);
  if (Object.keys(statuses).length === form.sections.length && Object.values(statuses).every((s) => s === SectionStatus.Struck)) {
    issues.push({ path: 'sections', problem: 'every section is struck: nothing to confirm' });
  }
  return issues;
}

export function validateReply(reply: unknown, letter: LetterContent, kind: ConfirmationKind): FormIssue[] {
  const issues: Issues = [];
  if (!isRecord(reply)) return [{ path: '', problem: 'must be an object' }];
  checkMembers(reply, REPLY_MEMBERS, '', 'is not a field of the form', issues);
  const form = resolveForm(reply.formId, kind, issues);
  if (!form) return issues;
  if (reply.formId !== letter.formId) issues.push({ path: 'formId', problem: "must be the letter's form" });
  for (const key of ['handler', 'reviewer'] as const) checkCell(reply[key], 'text', key, issues);
  if (reply.handler === reply.reviewer) issues.push({ path: 'reviewer', problem: 'must differ from the handler (maker-checker)' });
  checkCell(reply.date, 'date', 'date', issues);
  checkReplySections(reply.sections, letter, form, issues);
  checkDifferences(reply as Partial<ReplyContent>, letter, form, issues);
  return issues;
}

/** Only requested (Form 2) sections are filled by the responder; the auditor's items are never edited. */
function checkReplySections(sections: unknown, letter: LetterContent, form: FormDefinition, issues: Issues): void {
  const given = isRecord(sections) ? sections : {};
  for (const section of form.sections) {
    const requested = letter.sections[section.key]?.status === SectionStatus.Requested;
    const content = given[section.key];
    const path = `sections.${section.key}`;
    if (!requested) {
      if (content !== undefined) issues.push({ path, problem: "the responder states differences, it does not rewrite the auditor's items" });
      continue;
    }
    if (!isRecord(content) || (content.status !== SectionStatus.Rows && content.status !== SectionStatus.None)) {
      issues.push({ path, problem: `a requested section must be answered with rows or "${SectionStatus.None}"` });
    } else if (content.status === SectionStatus.Rows) {
      checkRows(content.rows, section, `${path}.rows`, issues);
    }
  }
}

function checkDifferences(reply: Partial<ReplyContent>, letter: LetterContent, form: FormDefinition, issues: Issues): void {
  const differences = Array.isArray(reply.differences) ? reply.differences : undefined;
  if (!differences) {
    issues.push({ path: 'differences', problem: 'must be an array' });
    return;
  }
  if (reply.conclusion !== 'agrees' && reply.conclusion !== 'disagrees') issues.push({ path: 'conclusion', problem: 'must be agrees or disagrees' });
  if (reply.conclusion === 'agrees' && differences.length > 0) issues.push({ path: 'differences', problem: 'an agreeing reply states no differences' });
  if (reply.conclusion === 'disagrees' && differences.length === 0) {
    issues.push({ path: 'differences', problem: 'a disagreeing reply itemizes every difference (never a net figure)' });
  }
  differences.forEach((difference, index) => {
    const path = `differences[${index}]`;
    const section = form.sections.find((s) => s.key === difference?.section);
    const stated = section ? letter.sections[section.key] : undefined;
    if (!section || !stated || stated.status === SectionStatus.Struck) {
      issues.push({ path: `${path}.section`, problem: 'must name a section of the letter that is not struck' });
      return;
    }
    const fieldDefinition = section.fields.find((f) => f.key === difference.field);
    if (!fieldDefinition) issues.push({ path: `${path}.field`, problem: `is not a field of ${section.key}` });
    const rowCount = stated.rows?.length ?? 0;
    // row null: an item the letter did not list (e.g. found under a "none" section).
    if (difference.row !== null && !(Number.isInteger(difference.row) && difference.row >= 0 && difference.row < rowCount)) {
      issues.push({ path: `${path}.row`, problem: 'must index a row of the letter, or be null for an unlisted item' });
    }
    checkCell(difference.stated, 'text', `${path}.stated`, issues);
    if (fieldDefinition) checkCell(difference.actual, fieldDefinition.type, `${path}.actual`, issues);
    checkCell(difference.note, 'text', `${path}.note`, issues);
  });
}
