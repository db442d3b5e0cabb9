import { LetterContent, ReplyContent, Row, SectionStatus } from '../forms/form-definition';
import { NONE } from '../forms/validate-content';
import { ReplyPlace } from './cross-check';

/** One item of a section as the bank confirmed it: its cells and where it stands in the letter or reply. */
export interface StatedItem {
  place: ReplyPlace;
  cells: Row;
}

export interface StatedSection {
  key: string;
  /** False when the letter struck the section: the bank confirmed nothing there. */
  confirmed: boolean;
  items: StatedItem[];
}

/**
 * What the bank stated for one section once its reply is applied to the letter (DOMAIN §2):
 * Form 2 (the letter asks, the bank fills): the reply's rows. Form 1 (the auditor lists, the bank
 * agrees or states differences): the letter's rows with each itemized difference's `actual` in
 * place of the auditor's value, plus one item per difference about an unlisted item (row null),
 * e.g. a loan the bank found under a section the auditor marked "none".
 */
export function statedSection(letter: LetterContent, reply: ReplyContent, key: string): StatedSection {
  const asked = letter.sections[key];
  if (!asked || asked.status === SectionStatus.Struck) return { key, confirmed: false, items: [] };
  if (asked.status === SectionStatus.Requested) {
    const answered = reply.sections[key];
    const rows = answered?.status === SectionStatus.Rows ? (answered.rows ?? []) : [];
    return { key, confirmed: true, items: rows.map((cells, row) => ({ place: { section: key, row, origin: 'reply' }, cells: { ...cells } })) };
  }
  const differences = reply.differences.filter((d) => d.section === key);
  const listed = (asked.status === SectionStatus.Rows ? (asked.rows ?? []) : []).map((row, index): StatedItem => {
    const cells: Row = { ...row };
    for (const d of differences.filter((x) => x.row === index)) cells[d.field] = d.actual;
    return { place: { section: key, row: index, origin: 'letter' }, cells };
  });
  const unlisted = differences
    .filter((d) => d.row === null && d.actual !== NONE)
    .map((d): StatedItem => ({ place: { section: key, row: null, origin: 'difference' }, cells: { [d.field]: d.actual, note: d.note } }));
  return { key, confirmed: true, items: [...listed, ...unlisted] };
}

/**
 * The references a cell holds: the whole cell, each piece between separators (; ； , ， 、 | newline),
 * the part of a piece after its first colon (`抵押: 京(2023)…第0012345号`) and each word. A bank names a
 * registration by its certificate number, its property unit number or its ledger id, one per piece.
 */
export function cellReferences(value: string): string[] {
  if (value === NONE) return [];
  const pieces = value.split(/[;；,，、|\n]/).map((p) => p.trim()).filter((p) => p !== '');
  const afterLabel = pieces.flatMap((p) => {
    const at = p.search(/[:：]/);
    return at >= 0 ? [p.slice(at + 1).trim()] : [];
  });
  // Single words too: "ledger MTG-1", "抵押 京(2023)…号" (a unit number's own spaces are kept by the whole piece).
  const words = pieces.flatMap((p) => p.split(/\s+/));
  return [...new Set([value.trim(), ...pieces, ...afterLabel, ...words])].filter((p) => p !== '');
}
