import {
  FEE_PAYERS,
  INSTITUTION_ID,
  validateLetter,
  type ConfirmationKind,
  type Engagement,
  type FeePayer,
  type FormDefinition,
  type LetterContent,
  type Row,
  type SectionContent,
} from '@econfirm/common';
import {
  ADDRESSEE,
  FEE_PAYER,
  findSection,
  HEADER_PREFIX,
  LETTER_REF,
  SECTION,
  STRUCK,
  type LetterTemplate,
} from './letter-template';
import type { Sheet, SheetRow } from './table-reader';

/** A problem with one cell (or row, or the header) of the upload: its line and column. */
export interface RowIssue {
  line: number;
  field: string;
  problem: string;
}

/** One letter of a job, assembled from its rows and checked against its form. */
export interface AssembledLetter {
  /** Position of the letter in the file (0-based, order of first appearance). */
  seq: number;
  letterRef: string;
  /** The letter's first line: the request id is derived from (job, line). */
  line: number;
  lines: number[];
  addresseeId: string;
  feePayer: FeePayer;
  content: LetterContent;
}

const LETTER_REF_FORMAT = /^[A-Za-z0-9][A-Za-z0-9._:/ -]{0,63}$/;

interface Draft {
  letterRef: string;
  rows: SheetRow[];
  letterCells: Map<string, { value: string; line: number }>;
  /** section key → item rows with their lines */
  items: Map<string, Array<{ row: Row; line: number }>>;
}

/** The columns of an upload's template as the header check needs them (a letter kind's, a payment batch's). */
export interface ColumnsOf {
  /** Named in the refusal of an unknown column ("… of the {kind} template"). */
  kind: string;
  columns: ReadonlyArray<{ name: string; required: boolean }>;
}

/** Checks the header row: every required column present, no unknown column (case-insensitive). */
export function checkColumns(sheet: Sheet, template: ColumnsOf): { issues: RowIssue[]; rename: Map<string, string> } {
  const issues: RowIssue[] = [];
  const canonical = new Map(template.columns.map((c) => [c.name.toLowerCase(), c.name]));
  const rename = new Map<string, string>();
  const seen = new Set<string>();
  for (const given of sheet.columns) {
    if (given === '') continue;
    const name = canonical.get(given.toLowerCase());
    if (!name) {
      issues.push({ line: sheet.headerLine, field: given, problem: `is not a column of the ${template.kind} template` });
      continue;
    }
    if (seen.has(name)) issues.push({ line: sheet.headerLine, field: given, problem: 'appears twice' });
    seen.add(name);
    rename.set(given, name);
  }
  for (const column of template.columns) {
    if (column.required && !seen.has(column.name)) issues.push({ line: sheet.headerLine, field: column.name, problem: 'required column missing' });
  }
  return { issues, rename };
}

function headerDefaults(engagement: Engagement, letterRef: string): Record<string, string> {
  return { letterNo: letterRef, asOfDate: engagement.asOfDate, auditPeriod: `${engagement.periodStart} to ${engagement.periodEnd}` };
}

/**
 * Groups the rows into letters and checks every cell: the layout here (columns, letter refs,
 * sections, fields that belong to the row's section), the form's own rules by validateLetter —
 * each issue traced back to its line and column. Registry checks come after (they need the ledger).
 */
export function assembleLetters(sheet: Sheet, template: LetterTemplate, form: FormDefinition, engagement: Engagement): { letters: AssembledLetter[]; issues: RowIssue[] } {
  const { issues, rename } = checkColumns(sheet, template);
  if (issues.length > 0) return { letters: [], issues };
  const letterColumns = template.columns.filter((c) => c.scope === 'letter').map((c) => c.name);
  const itemFields = new Set(template.columns.filter((c) => c.scope === 'item' && c.name !== SECTION).map((c) => c.name));
  const drafts = new Map<string, Draft>();

  for (const raw of sheet.rows) {
    if (raw.cells['(beyond the header)'] !== undefined) {
      issues.push({ line: raw.line, field: '(beyond the header)', problem: 'the row has more cells than the header has columns' });
    }
    const cells: Record<string, string> = {};
    for (const [given, value] of Object.entries(raw.cells)) {
      const name = rename.get(given);
      if (name) cells[name] = value;
    }
    const letterRef = cells[LETTER_REF] ?? '';
    if (!LETTER_REF_FORMAT.test(letterRef)) {
      issues.push({ line: raw.line, field: LETTER_REF, problem: letterRef === '' ? 'required: the letter this row belongs to' : 'letter, digit, then up to 63 of A-Z a-z 0-9 . _ : / - and space' });
      continue;
    }
    let draft = drafts.get(letterRef);
    if (!draft) {
      draft = { letterRef, rows: [], letterCells: new Map(), items: new Map() };
      drafts.set(letterRef, draft);
    }
    draft.rows.push(raw);
    for (const name of letterColumns) {
      const value = cells[name] ?? '';
      if (value === '') continue;
      const first = draft.letterCells.get(name);
      if (!first) draft.letterCells.set(name, { value, line: raw.line });
      else if (first.value !== value) issues.push({ line: raw.line, field: name, problem: `differs from line ${first.line} of the same letter` });
    }
    if (!template.itemRows) continue;
    const sectionName = cells[SECTION] ?? '';
    const filled = [...itemFields].filter((f) => (cells[f] ?? '') !== '');
    if (sectionName === '') {
      if (filled.length > 0) issues.push({ line: raw.line, field: SECTION, problem: `required on a row with item cells (${filled.join(', ')})` });
      continue;
    }
    const section = findSection(form, sectionName);
    if (!section) {
      issues.push({ line: raw.line, field: SECTION, problem: `is not a section of ${form.formId}` });
      continue;
    }
    const own = new Set(section.fields.map((f) => f.key));
    for (const f of filled.filter((name) => !own.has(name))) issues.push({ line: raw.line, field: f, problem: `is not a field of section ${section.key}: leave it blank` });
    const row: Row = Object.fromEntries(section.fields.map((f) => [f.key, cells[f.key] ?? '']));
    const items = draft.items.get(section.key) ?? [];
    items.push({ row, line: raw.line });
    draft.items.set(section.key, items);
  }

  const letters: AssembledLetter[] = [];
  for (const draft of drafts.values()) {
    const letter = buildLetter(draft, template, form, engagement, issues);
    if (letter) letters.push({ ...letter, seq: letters.length });
  }
  return { letters, issues: issues.sort((a, b) => a.line - b.line || a.field.localeCompare(b.field)) };
}

function buildLetter(draft: Draft, template: LetterTemplate, form: FormDefinition, engagement: Engagement, issues: RowIssue[]): Omit<AssembledLetter, 'seq'> | undefined {
  const firstLine = draft.rows[0]?.line ?? 0;
  const cell = (name: string): string => draft.letterCells.get(name)?.value ?? '';
  const lineOf = (name: string): number => draft.letterCells.get(name)?.line ?? firstLine;
  const before = issues.length;

  const addresseeId = cell(ADDRESSEE);
  if (!INSTITUTION_ID.test(addresseeId)) issues.push({ line: lineOf(ADDRESSEE), field: ADDRESSEE, problem: addresseeId === '' ? 'required' : 'not a registry id' });
  const feePayer = cell(FEE_PAYER);
  if (!(FEE_PAYERS as readonly string[]).includes(feePayer)) issues.push({ line: lineOf(FEE_PAYER), field: FEE_PAYER, problem: `must be ${FEE_PAYERS.join(' or ')}` });

  const struck = new Set<string>();
  for (const entry of cell(STRUCK).split(';').map((s) => s.trim()).filter((s) => s !== '')) {
    const section = findSection(form, entry);
    if (!section) issues.push({ line: lineOf(STRUCK), field: STRUCK, problem: `${entry} is not a section of ${form.formId}` });
    else if (draft.items.has(section.key)) issues.push({ line: lineOf(STRUCK), field: STRUCK, problem: `section ${section.key} is struck but has item rows` });
    else struck.add(section.key);
  }

  const defaults = headerDefaults(engagement, draft.letterRef);
  const header: Record<string, string> = {};
  for (const key of form.headerFields) header[key] = cell(`${HEADER_PREFIX}${key}`) || (defaults[key] ?? '');

  const sections: Record<string, SectionContent> = {};
  for (const section of form.sections) {
    const items = draft.items.get(section.key);
    if (items) sections[section.key] = { status: 'rows', rows: items.map((i) => i.row) };
    else if (struck.has(section.key)) sections[section.key] = { status: 'struck' };
    else sections[section.key] = { status: template.defaultSectionStatus };
  }
  const content: LetterContent = { formId: form.formId, header, sections };

  for (const problem of validateLetter(content, template.kind as ConfirmationKind)) {
    issues.push({ ...locate(problem.path, draft, firstLine, lineOf), problem: problem.problem });
  }
  if (issues.length > before) return undefined;
  return { letterRef: draft.letterRef, line: firstLine, lines: draft.rows.map((r) => r.line), addresseeId, feePayer: feePayer as FeePayer, content };
}

/** Maps a validateLetter path (header.x, sections.s.rows[i].f…) to the line and column it came from. */
function locate(path: string, draft: Draft, firstLine: number, lineOf: (name: string) => number): { line: number; field: string } {
  const header = /^header\.(.+)$/.exec(path);
  if (header) return { line: lineOf(`${HEADER_PREFIX}${header[1]}`), field: `${HEADER_PREFIX}${header[1]}` };
  const cellPath = /^sections\.([^.[]+)\.rows\[(\d+)\]\.(.+)$/.exec(path);
  if (cellPath) {
    const item = draft.items.get(cellPath[1] as string)?.[Number(cellPath[2])];
    return { line: item?.line ?? firstLine, field: cellPath[3] as string };
  }
  if (path === 'sections') return { line: lineOf(STRUCK), field: STRUCK };
  if (path.startsWith('sections.')) return { line: firstLine, field: SECTION };
  return { line: firstLine, field: path || LETTER_REF };
}
