import { findForm, type AnchorProof, type FormDefinition, type SectionDefinition } from '@econfirm/common';
import { LRUCache } from 'lru-cache';
import PDFDocument from 'pdfkit';
import { evidenceHash, type CrossCheckEvidence, type EvidenceDocument, type PartySummary } from '../model/evidence-document';
import { CJK_FONT, NO_DEFAULT_FONT, useCjkFont } from './fonts';
import { bilingual, FIELD_ZH, FORM_TITLES_ZH, HEADER_ZH, KIND_ZH, ROLE_ZH, SECTION_ZH, STATE_ZH } from './labels';
import { qrMatrix } from './qr';
import { addSignaturePlaceholder, type SignaturePlaceholderOptions } from './signature-placeholder';

/** Files attached inside the PDF (PDF embedded files, AFRelationship Data/Source). */
export interface EvidenceAttachment {
  name: string;
  mimeType: string;
  description: string;
  bytes: Buffer;
}

export const ATTACHMENT = {
  evidenceJson: 'evidence.json',
  evidenceJws: 'evidence.jws',
  replyJws: 'reply.jws',
  anchorJson: 'anchor.json',
} as const;

/** What the QR code carries: enough to find and check the evidence on the ledger. */
export function qrPayload(doc: EvidenceDocument): string {
  return JSON.stringify({
    v: 1,
    ch: doc.channel,
    id: doc.record.id,
    eh: evidenceHash(doc),
    lh: doc.letter.contentHash,
    ...(doc.reply ? { rh: doc.reply.contentHash, sh: doc.reply.signatureHash } : {}),
    tx: doc.timeline.map((s) => s.txId),
  });
}

export const PAGE = { width: 595.28, height: 841.89, margin: 42 } as const;
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const FOOTER_SPACE = 28;
export const COLOR = { rule: '#888888', head: '#e8edf3', title: '#1b3a5c', muted: '#555555' } as const;

export type Doc = PDFKit.PDFDocument;

export interface Column {
  header: string;
  width: number;
}

/**
 * Renders the evidence as a PDF laid out like the national form: header, parties, the letter's
 * sections as tables, the responder's conclusion, the client's authorization, the timeline and the
 * hashes, with a QR code. Every source of variation is fixed (dates from the evidence, the
 * document ID derived from them, font subset tags derived from the font), so the same input gives
 * the same bytes. The signature placeholder is added last; signPdf() fills it.
 */
export function renderEvidencePdf(doc: EvidenceDocument, attachments: readonly EvidenceAttachment[], placeholder: SignaturePlaceholderOptions, anchor?: AnchorProof): Promise<Buffer> {
  const form = findForm(doc.record.formId);
  return renderSignablePdf(
    {
      title: `${FORM_TITLES_ZH[doc.record.formId] ?? ''} ${doc.record.id} — econfirm evidence`,
      author: `${doc.generatedBy.nameZh} ${doc.generatedBy.nameEn}`,
      subject: `Electronic confirmation evidence ${doc.record.id}`,
      keywords: `econfirm evidence ${evidenceHash(doc)}`,
      at: new Date(doc.generatedAt),
      footer: `${doc.record.id} · econfirm 电子函证证据 evidence`,
    },
    (pdf) => {
      drawTitle(pdf, doc, form);
      drawSummary(pdf, doc);
      drawParties(pdf, doc);
      drawLetter(pdf, doc, form);
      drawReply(pdf, doc, form);
      drawAuthorization(pdf, doc);
      drawTimeline(pdf, doc);
      if (doc.crossCheck) drawCrossCheck(pdf, doc.crossCheck);
      drawHashes(pdf, doc);
      if (anchor) drawAnchor(pdf, anchor);
    },
    attachments,
    placeholder,
  );
}

/** The document-level facts of a signable PDF; `at` fixes every date in it (reproducible bytes). */
export interface PdfMeta {
  title: string;
  author: string;
  subject: string;
  keywords: string;
  at: Date;
  /** Printed at the foot of every page, before "page n of N". */
  footer: string;
}

/**
 * The one way a signed document is laid out (evidence, registration certificates): A4, the CJK
 * font, `draw` for the body, the attachments, the footers and the signature placeholder signPdf()
 * fills. Every source of variation is fixed, so the same input gives the same bytes.
 */
export function renderSignablePdf(meta: PdfMeta, draw: (pdf: Doc) => void, attachments: readonly EvidenceAttachment[], placeholder: SignaturePlaceholderOptions): Promise<Buffer> {
  const at = meta.at;
  const pdf = new PDFDocument({
    ...NO_DEFAULT_FONT,
    size: 'A4',
    margin: PAGE.margin,
    bufferPages: true,
    compress: true,
    pdfVersion: '1.7',
    lang: 'zh-CN',
    displayTitle: true,
    info: { Title: meta.title, Author: meta.author, Subject: meta.subject, Keywords: meta.keywords, Creator: 'econfirm evidence', Producer: 'econfirm evidence (pdfkit)', CreationDate: at, ModDate: at },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  useCjkFont(pdf);
  draw(pdf);
  for (const file of attachments) {
    pdf.file(file.bytes, { name: file.name, type: file.mimeType, description: file.description, creationDate: at, modifiedDate: at, relationship: 'Data' } as PDFKit.Mixins.PDFAttachmentOptions);
  }
  drawFooters(pdf, meta.footer);
  addSignaturePlaceholder(pdf, placeholder);
  pdf.end();
  return done;
}

// ---------------------------------------------------------------------------------------------
// Layout primitives

function bottom(): number {
  return PAGE.height - PAGE.margin - FOOTER_SPACE;
}

export function ensureSpace(pdf: Doc, height: number): void {
  if (pdf.y + height > bottom()) {
    pdf.addPage();
    pdf.font(CJK_FONT);
  }
}

export function heading(pdf: Doc, zh: string, en: string): void {
  ensureSpace(pdf, 60);
  pdf.moveDown(0.6);
  const y = pdf.y;
  pdf.rect(PAGE.margin, y, 3, 15).fill(COLOR.title);
  pdf.fillColor(COLOR.title).fontSize(11.5).text(`${zh}  ${en}`, PAGE.margin + 8, y + 1, { width: CONTENT_WIDTH - 8 });
  pdf.fillColor('black').moveDown(0.3);
  pdf.x = PAGE.margin;
}

export function note(pdf: Doc, text: string): void {
  pdf.font(CJK_FONT).fontSize(8);
  ensureSpace(pdf, pdf.heightOfString(text, { width: CONTENT_WIDTH }) + 4);
  pdf.fontSize(8).fillColor(COLOR.muted).text(text, PAGE.margin, pdf.y, { width: CONTENT_WIDTH });
  pdf.fillColor('black');
  pdf.moveDown(0.3);
}

const CELL_PAD = 3;

/**
 * Heights of wrapped cell text, kept across documents: wrapping a string is a full line-break and
 * shaping pass in pdfkit, and labels, headers, dates and amounts recur in every letter. Sound
 * because every cell is set in the one CJK font with pdfkit's default spacing: the height is a
 * function of the text, the width and the size alone (the key).
 */
const CELL_HEIGHTS = new LRUCache<string, number>({ max: 20_000 });

function cellHeight(pdf: Doc, text: string, width: number, size: number): number {
  pdf.fontSize(size);
  const key = `${size}|${width}|${text}`;
  let height = CELL_HEIGHTS.get(key);
  if (height === undefined) {
    height = pdf.heightOfString(text || ' ', { width: width - 2 * CELL_PAD }) + 2 * CELL_PAD;
    CELL_HEIGHTS.set(key, height);
  }
  return height;
}

function rowHeights(pdf: Doc, columns: readonly Column[], cells: readonly string[], size: number): number[] {
  return columns.map((c, i) => cellHeight(pdf, cells[i] ?? '', c.width, size));
}

function drawRow(pdf: Doc, columns: readonly Column[], cells: readonly string[], heights: readonly number[], options: { header?: boolean; size: number }): void {
  const maxHeight = bottom() - PAGE.margin - 40;
  const height = Math.min(Math.max(...heights, 14), maxHeight);
  const y = pdf.y;
  let x = PAGE.margin;
  for (const [i, column] of columns.entries()) {
    if (options.header) pdf.rect(x, y, column.width, height).fill(COLOR.head);
    pdf.lineWidth(0.5).rect(x, y, column.width, height).stroke(COLOR.rule);
    pdf
      .fillColor('black')
      .fontSize(options.size)
      .text(cells[i] ?? '', x + CELL_PAD, y + CELL_PAD, { width: column.width - 2 * CELL_PAD, height: height - 2 * CELL_PAD, ellipsis: true });
    x += column.width;
  }
  pdf.x = PAGE.margin;
  pdf.y = y + height;
}

/** A table that repeats its header row on every page it continues on. Each row is measured once. */
export function table(pdf: Doc, columns: readonly Column[], rows: readonly (readonly string[])[], options: { size?: number; noHeader?: boolean } = {}): void {
  const size = options.size ?? 8;
  const headers = columns.map((c) => c.header);
  const headerHeights = options.noHeader ? [] : rowHeights(pdf, columns, headers, size);
  const headerHeight = options.noHeader ? 0 : Math.max(...headerHeights);
  const heights = rows.map((row) => rowHeights(pdf, columns, row, size));
  const firstRow = heights[0] ? Math.max(...heights[0]) : 0;
  ensureSpace(pdf, headerHeight + Math.min(firstRow, 200));
  if (!options.noHeader) drawRow(pdf, columns, headers, headerHeights, { header: true, size });
  for (const [r, row] of rows.entries()) {
    const cells = heights[r] ?? [];
    const height = Math.max(...cells);
    if (pdf.y + Math.min(height, 200) > bottom()) {
      pdf.addPage();
      if (!options.noHeader) drawRow(pdf, columns, headers, headerHeights, { header: true, size });
    }
    drawRow(pdf, columns, row, cells, { size });
  }
  pdf.moveDown(0.4);
}

/** Label/value pairs, two pairs per line. */
export function facts(pdf: Doc, pairs: readonly (readonly [string, string])[]): void {
  const label = 92;
  const value = CONTENT_WIDTH / 2 - label;
  const columns: Column[] = [
    { header: '', width: label },
    { header: '', width: value },
    { header: '', width: label },
    { header: '', width: value },
  ];
  const rows: string[][] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const a = pairs[i] as readonly [string, string];
    const b = pairs[i + 1];
    rows.push([a[0], a[1], b?.[0] ?? '', b?.[1] ?? '']);
  }
  table(pdf, columns, rows, { noHeader: true });
}

/** Label/value pairs one per line (long values: hashes, subjects). */
export function longFacts(pdf: Doc, pairs: readonly (readonly [string, string])[]): void {
  table(pdf, [{ header: '', width: 150 }, { header: '', width: CONTENT_WIDTH - 150 }], pairs.map(([k, v]) => [k, v]), { noHeader: true });
}

export function partyName(p: PartySummary): string {
  return `${p.nameZh}\n${p.nameEn}`;
}

export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function localTime(iso: string): string {
  // Printed in China Standard Time with the offset shown; the JSON keeps the ledger's UTC.
  const t = new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)} +08:00`;
}

// ---------------------------------------------------------------------------------------------
// Sections of the evidence

/** The QR code at the top right of the first page, captioned "scan to verify". */
function drawQr(pdf: Doc, payload: string): { qrSize: number; top: number } {
  const qrSize = 112;
  const top = PAGE.margin;
  const matrix = qrMatrix(payload);
  const module = qrSize / matrix.size;
  const qrX = PAGE.width - PAGE.margin - qrSize;
  for (let r = 0; r < matrix.size; r++) {
    for (let c = 0; c < matrix.size; c++) {
      if (matrix.dark(r, c)) pdf.rect(qrX + c * module, top + r * module, module, module);
    }
  }
  pdf.fill('black');
  pdf.fontSize(6.5).fillColor(COLOR.muted).text('扫码核验 Scan to verify', qrX, top + qrSize + 2, { width: qrSize, align: 'center' });
  return { qrSize, top };
}

function drawTitle(pdf: Doc, doc: EvidenceDocument, form: FormDefinition | undefined): void {
  titleBlock(pdf, qrPayload(doc), `${FORM_TITLES_ZH[doc.record.formId] ?? '询证函'} · 电子函证证据`, `Electronic confirmation evidence — ${form?.title ?? doc.record.formId}`, [
    `函证编号 Confirmation ${doc.record.id}   ·   类型 Kind ${KIND_ZH[doc.record.kind] ?? ''} ${doc.record.kind}`,
    `出具 Generated by ${doc.generatedBy.nameZh} ${doc.generatedBy.nameEn} (${doc.generatedBy.mspId}), ${localTime(doc.generatedAt)}`,
    '本证据由区块链账本数据生成并经出具机构数字签名；附件含可复算哈希的原文与签名。',
    'Generated from the ledger and digitally signed by the issuing institution; the attachments carry the content and signatures needed to recompute every hash.',
  ]);
}

/** The first page's head: the QR code at the right, the title, its English line and the muted fact lines beside it. */
export function titleBlock(pdf: Doc, qr: string, title: string, subtitle: string, lines: readonly string[]): void {
  const { qrSize, top } = drawQr(pdf, qr);
  const width = CONTENT_WIDTH - qrSize - 12;
  pdf.fillColor(COLOR.title).fontSize(20).text(title, PAGE.margin, top + 4, { width });
  pdf.fontSize(11).text(subtitle, { width });
  pdf.moveDown(0.4).fontSize(8.5).fillColor(COLOR.muted);
  for (const line of lines) pdf.text(line, { width });
  pdf.fillColor('black');
  pdf.y = Math.max(pdf.y, top + qrSize + 14);
  pdf.x = PAGE.margin;
}

function drawSummary(pdf: Doc, doc: EvidenceDocument): void {
  heading(pdf, '函证概要', 'Summary');
  const r = doc.record;
  facts(pdf, [
    ['状态 State', `${STATE_ZH[r.state] ?? ''} ${r.state}`],
    ['回函结论 Conclusion', doc.reply ? (doc.reply.conclusion === 'agrees' ? '相符 agrees' : '不符 disagrees') : '未回函 no reply'],
    ['审计项目 Engagement', r.engagementId],
    ['函证基准日 As-of date', r.asOfDate],
    ['审计期间 Period', `${r.periodStart} – ${r.periodEnd}`],
    ['函证格式 Form', r.formId],
    ['费用承担 Fee payer', r.feePayer === 'client' ? '被审计单位 client' : '会计师事务所 firm'],
    ['发函次数 Attempt', String(r.attempt)],
    ['回函期限 Reply due', r.replyDueAt ? localTime(r.replyDueAt) : '—'],
    ['通道 Channel', doc.channel],
  ]);
}

function drawParties(pdf: Doc, doc: EvidenceDocument): void {
  const p = doc.parties;
  partyTable(pdf, [
    ['会计师事务所\nAudit firm', p.firm],
    ['被审计单位\nClient', p.client],
    ['被询证方\nAddressee', p.addressee],
    ['回函方\nResponder', p.responder],
  ]);
}

/** The parties section: role, names, registry id and MSP of each. */
export function partyTable(pdf: Doc, rows: readonly (readonly [string, PartySummary])[]): void {
  heading(pdf, '相关方', 'Parties');
  table(
    pdf,
    [
      { header: '角色 Role', width: 80 },
      { header: '机构 Institution', width: 245 },
      { header: '登记编号 Registry id', width: 100 },
      { header: 'MSP', width: CONTENT_WIDTH - 425 },
    ],
    rows.map(([role, party]) => [role, partyName(party), party.id, party.mspId]),
  );
}

interface SectionContentLike {
  status?: string;
  rows?: Record<string, unknown>[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STATUS_TEXT: Record<string, string> = {
  none: '无（被询证方须核实确无此类事项，如有即为例外）  None — the responder must verify nothing exists',
  struck: '不适用（已划去，不予函证）  Struck — not to be confirmed',
  requested: '由被询证方填列  To be filled by the responder',
};

function drawSection(pdf: Doc, section: SectionDefinition, content: SectionContentLike | undefined): void {
  ensureSpace(pdf, 50);
  pdf.fontSize(9.5).fillColor(COLOR.title).text(`${section.number}. ${bilingual(SECTION_ZH[section.key], section.title)}`, PAGE.margin, pdf.y, { width: CONTENT_WIDTH });
  pdf.fillColor('black').moveDown(0.2);
  const status = content?.status ?? 'none';
  const rows = Array.isArray(content?.rows) ? content.rows : [];
  if (status !== 'rows' || rows.length === 0) {
    note(pdf, STATUS_TEXT[status] ?? status);
    if (rows.length === 0) return;
  }
  const labels = section.fields.map((f) => bilingual(FIELD_ZH[f.key], f.label));
  if (section.fields.length <= 6) {
    const width = CONTENT_WIDTH / section.fields.length;
    table(pdf, labels.map((header) => ({ header, width })), rows.map((row) => section.fields.map((f) => text(row[f.key]))));
    return;
  }
  // Wide sections (deposits has 11 columns): each row as a block of label/value pairs, so nothing
  // is shrunk below legibility on a portrait page.
  rows.forEach((row, index) => {
    // Keep a row's block on one page: about 22 pt per line of two pairs, plus its caption.
    ensureSpace(pdf, Math.min(14 + Math.ceil(section.fields.length / 2) * 24, 400));
    pdf.fontSize(8).fillColor(COLOR.muted).text(`第 ${index + 1} 行  Row ${index + 1}`, PAGE.margin, pdf.y);
    pdf.fillColor('black');
    facts(pdf, section.fields.map((f, i) => [labels[i] ?? f.key, text(row[f.key])] as const));
  });
}

function drawGenericContent(pdf: Doc, content: unknown): void {
  const pairs: [string, string][] = [];
  const walk = (value: unknown, path: string): void => {
    if (isRecord(value)) for (const key of Object.keys(value).sort()) walk(value[key], path ? `${path}.${key}` : key);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else pairs.push([path, text(value)]);
  };
  walk(content, '');
  note(pdf, '内容不符合已登记的函证格式，按原样列示。Content does not follow a registered form; shown as sealed.');
  longFacts(pdf, pairs);
}

function drawLetter(pdf: Doc, doc: EvidenceDocument, form: FormDefinition | undefined): void {
  const content = doc.letter.content;
  heading(pdf, '询证函内容', 'Letter as sent');
  if (!form || !isRecord(content) || !isRecord(content.sections)) {
    drawGenericContent(pdf, content);
    return;
  }
  const header = isRecord(content.header) ? content.header : {};
  facts(pdf, form.headerFields.map((key) => [bilingual(HEADER_ZH[key], key), text(header[key])] as const));
  const sections = content.sections;
  for (const section of form.sections) {
    const value = sections[section.key];
    drawSection(pdf, section, isRecord(value) ? (value as SectionContentLike) : undefined);
  }
}

function drawReply(pdf: Doc, doc: EvidenceDocument, form: FormDefinition | undefined): void {
  heading(pdf, '回函结论', "Responder's conclusion");
  const reply = doc.reply;
  if (!reply) {
    note(pdf, `账本上尚无回函。No reply on the ledger (state ${doc.record.state}).`);
    return;
  }
  const content = isRecord(reply.content) ? reply.content : {};
  const agrees = reply.conclusion === 'agrees';
  ensureSpace(pdf, 40);
  pdf
    .fontSize(12)
    .fillColor(agrees ? '#1d6b2f' : '#9b1c1c')
    .text(agrees ? '【相符】经本行核对，所函证事项相符。  Agrees: the items confirmed are correct.' : '【不符】经本行核对，存在以下不符事项。  Disagrees: the differences are itemized below.', PAGE.margin, pdf.y, { width: CONTENT_WIDTH });
  pdf.fillColor('black').moveDown(0.3);
  const differences = Array.isArray(content.differences) ? content.differences.filter(isRecord) : [];
  if (differences.length > 0) {
    table(
      pdf,
      [
        { header: '项目 Section', width: 80 },
        { header: '行 Row', width: 35 },
        { header: '栏目 Field', width: 80 },
        { header: '函证金额/内容 Stated', width: 100 },
        { header: '实际 Actual', width: 100 },
        { header: '说明 Note', width: CONTENT_WIDTH - 395 },
      ],
      differences.map((d) => [text(d.section), d.row === null ? '—' : text(d.row), bilingual(FIELD_ZH[text(d.field)], text(d.field)), text(d.stated), text(d.actual), text(d.note)]),
    );
  } else if (!agrees) {
    note(pdf, '回函未逐项列示差异。The reply itemizes no difference.');
  }
  if (form && isRecord(content.sections) && Object.keys(content.sections).length > 0) {
    note(pdf, '被询证方填列内容（格式二）  Sections filled by the responder (form 2):');
    for (const section of form.sections) {
      const value = content.sections[section.key];
      if (isRecord(value)) drawSection(pdf, section, value as SectionContentLike);
    }
  }
  facts(pdf, [
    ['经办 Handler', text(content.handler)],
    ['复核 Reviewer', text(content.reviewer)],
    ['回函日期 Date', text(content.date)],
    ['签名密钥 Signing key', reply.signingKid],
    ['经办提交 Prepared', localTime(reply.preparedAt)],
    ['复核批准 Approved', reply.approvedAt ? localTime(reply.approvedAt) : '—（企业回函无复核）'],
  ]);
  note(pdf, '回函由被询证方以其登记的签名密钥签署（附件 reply.jws），账本记录该签名的 SHA-256。The reply is signed with the responder\'s registered key (attachment reply.jws); the ledger records its SHA-256.');
}

function drawAuthorization(pdf: Doc, doc: EvidenceDocument): void {
  heading(pdf, '被审计单位授权', "Client's authorization");
  const a = doc.authorization;
  if (!a) {
    note(pdf, '账本上无授权记录。No authorization on the ledger.');
    return;
  }
  facts(pdf, [
    ['授权时间 Authorized', localTime(a.at)],
    ['同意承担费用 Fee consent', a.feeConsent ? '是 yes' : '否 no'],
  ]);
  longFacts(pdf, [
    ['授权人证书 Authorized by', a.by],
    ['授权签名哈希 Signature hash', a.signatureHash ?? '—'],
  ]);
}

function drawTimeline(pdf: Doc, doc: EvidenceDocument): void {
  stepTable(pdf, '过程记录', 62, doc.timeline.map((s) => ({ ...s, step: `${STATE_ZH[s.state] ?? ''}\n${s.state}` })));
}

/** One committed step as a timeline row shows it: when, what, by whom (from the block), where. */
export interface StepRow {
  at: string;
  step: string;
  actor: { mspId: string; subject: string; role?: string; institution?: string };
  txId: string;
  blockNumber: string;
  validationCode: string;
}

/** The timeline of every committed step (evidence, registration certificates); `stepWidth` for the step's label. */
export function stepTable(pdf: Doc, titleZh: string, stepWidth: number, rows: readonly StepRow[]): void {
  heading(pdf, titleZh, 'Timeline (every committed step)');
  const subjectWidth = 192 - stepWidth;
  table(
    pdf,
    [
      { header: '时间 Time (+08:00)', width: 70 },
      { header: '步骤 Step', width: stepWidth },
      { header: '机构 / 角色 Institution / role', width: 88 },
      { header: '证书主体 Certificate subject', width: subjectWidth },
      { header: '交易 Transaction / 区块 Block / 校验 Validation', width: CONTENT_WIDTH - 158 - stepWidth - subjectWidth },
    ],
    rows.map((s) => [
      localTime(s.at),
      s.step,
      `${s.actor.institution ?? '—'} (${s.actor.mspId})\n${s.actor.role ? `${ROLE_ZH[s.actor.role] ?? ''} ${s.actor.role}` : '—'}`,
      s.actor.subject,
      `${s.txId}\n#${s.blockNumber} · ${s.validationCode}`,
    ]),
    { size: 7 },
  );
}

/** The firm's cross-check of the reply against the ledger's registrations and receivables (issue 14): what was compared, when, against which blocks. */
function drawCrossCheck(pdf: Doc, c: CrossCheckEvidence): void {
  heading(pdf, '交叉核对', 'Cross-check against the ledger (mortgage registrations, receivables)');
  facts(pdf, [
    ['核对时间 Checked', localTime(c.checkedAt)],
    ['基准日 As of', c.asOfDate],
    ['比对项目 Compared', c.comparedSections.map((k) => `${SECTION_ZH[k] ?? ''} ${k}`).join(', ') || '—'],
    ['账本高度 Ledger height', `${c.basis.ledgerHeight} (blocks 0–${BigInt(c.basis.ledgerHeight) - 1n})`],
    ['读取身份 Read as', c.basis.readAs],
    ['摘要交易 Summary tx', c.recorded ? c.recorded.txId : '未记录 not recorded'],
  ]);
  longFacts(pdf, [['回函交易 Reply transactions', c.basis.replyTxIds.join('\n')]]);
  table(
    pdf,
    [
      { header: '登记/应收账款 Record', width: 130 },
      { header: '状态 State', width: 80 },
      { header: '抵押权人/融资行 Bank', width: 80 },
      { header: '应列示 Expected / 回函列示 Named by', width: CONTENT_WIDTH - 290 },
    ],
    c.records.map((r) => [r.id, r.state, r.bankId || '—', `${r.expected ? 'expected' : `not expected: ${r.notExpected ?? ''}`}${r.matchedBy ? ` · named by ${r.matchedBy}` : ''}`]),
    { size: 7 },
  );
  if (c.exceptions.length === 0) note(pdf, '未发现例外 No exceptions.');
  else {
    table(
      pdf,
      [
        { header: '例外 Exception', width: 150 },
        { header: '记录 Record', width: 120 },
        { header: '说明 What', width: CONTENT_WIDTH - 270 },
      ],
      c.exceptions.map((e) => [e.code, e.recordId ?? '—', e.message]),
      { size: 7 },
    );
  }
  for (const n of c.notCompared) note(pdf, `未比对 Not compared — ${n.code ? `${n.code} ` : ''}${n.what}: ${n.reason}`);
}

function drawHashes(pdf: Doc, doc: EvidenceDocument): void {
  // The hashes and the note explaining them stay together on one page.
  ensureSpace(pdf, 230);
  heading(pdf, '哈希与签名', 'Hashes and signatures');
  const pairs: [string, string][] = [
    ['询证函内容哈希 Letter content hash', doc.letter.contentHash],
    ['询证函盐值 Letter salt', doc.letter.salt],
    ['询证函密文 SHA-256 Letter JWE', doc.letter.ciphertextSha256],
  ];
  if (doc.reply) {
    pairs.push(
      ['回函内容哈希 Reply content hash', doc.reply.contentHash],
      ['回函盐值 Reply salt', doc.reply.salt],
      ['回函密文 SHA-256 Reply JWE', doc.reply.ciphertextSha256],
      ['回函签名哈希 Reply JWS SHA-256', doc.reply.signatureHash],
    );
  }
  pairs.push(['证据哈希 Evidence JSON SHA-256', evidenceHash(doc)]);
  longFacts(pdf, pairs);
  note(
    pdf,
    '内容哈希 = SHA-256(canonicalJSON({salt, value}))，与账本记录一致；证据 JSON 以出具机构证书签名（附件 evidence.jws），PDF 以同一证书作 PAdES 签名。' +
      ' Content hash = SHA-256(canonical JSON of {salt, value}), as recorded on the ledger. The evidence JSON is signed by the issuing institution (attachment evidence.jws, ES256, x5c chain to its MSP root); the PDF carries a PAdES signature by the same certificate. Verify: econfirm verify <file.pdf>, or pdfsig and any JOSE tool (see clients/evidence/README.md).',
  );
}

/** The anchor.json attachment of a signed document: its proof, or the note that anchoring is pending. */
export function anchorAttachment(anchor: AnchorProof, what: 'evidence' | 'certificate' | 'voucher'): EvidenceAttachment {
  const description = anchor.status === 'anchored' ? `Merkle proof of the ${what}'s anchor on EVM chain ${anchor.chainId} (root ${anchor.root})` : 'Anchoring pending: no proof yet';
  return { name: ATTACHMENT.anchorJson, mimeType: 'application/json', description, bytes: Buffer.from(`${JSON.stringify(anchor, null, 2)}\n`, 'utf8') };
}

/** What a leaf stands for, as the anchor section explains it (the facts anchorLeafValue hashes, common/src/anchoring/anchor-proof.ts). */
export interface AnchorLeafWording {
  /** The document, in Chinese and English: "本证据" / "this evidence". */
  zh: string;
  en: string;
  /** The facts of the leaf besides the salt. */
  factsZh: string;
  factsEn: string;
}

const EVIDENCE_LEAF: AnchorLeafWording = { zh: '本证据', en: 'this evidence', factsZh: '记录编号、状态、询证函与回函哈希、完成交易', factsEn: 'the record id, state, letter and reply hashes, completing transaction' };

/** The public EVM anchor (attachment anchor.json), or the note that anchoring is pending. */
export function drawAnchor(pdf: Doc, anchor: AnchorProof, wording: AnchorLeafWording = EVIDENCE_LEAF): void {
  ensureSpace(pdf, 200);
  heading(pdf, '区块链存证锚定', 'Public anchor (EVM)');
  if (anchor.status === 'pending') {
    note(
      pdf,
      `锚定待完成：${wording.zh}所在批次尚未锚定到公链。批次锚定后重新生成${wording.zh}即可获得锚定证明。` +
        ` Anchoring pending: the batch ${wording.en} belongs to is not anchored on the public chain yet. Generate ${wording.en} again once it is, to get its anchor proof (attachment anchor.json).`,
    );
    return;
  }
  longFacts(pdf, [
    ['锚定时间 Anchored (block time)', `${anchor.anchoredAt} (${localTime(anchor.anchoredAt)})`],
    ['链 ID Chain id', anchor.chainId],
    ['合约 Contract', anchor.contract],
    ['交易 Transaction', anchor.txHash],
    ['区块 Block', String(anchor.blockNumber)],
    ['默克尔根 Merkle root', anchor.root],
    ['叶子 Leaf', anchor.leaf.value],
    ['叶子盐值 Leaf salt', anchor.leaf.salt],
    ['证明 Proof', anchor.proof.length > 0 ? anchor.proof.join(' ') : '(single leaf: leaf hash = root)'],
    ['Fabric 批次 Fabric batch', `${anchor.batch.channel} tx ${anchor.batch.txId}, block ${anchor.batch.blockNumber}, ${anchor.batch.count} item(s)`],
  ]);
  note(
    pdf,
    `叶子 = SHA-256(canonicalJSON(${wording.factsZh}、盐值))；OpenZeppelin 标准默克尔树；合约 EvidenceAnchor 记录根与 Fabric 交易引用。` +
      ` Leaf = SHA-256 of the canonical JSON of ${wording.factsEn} and salt; OpenZeppelin StandardMerkleTree (bytes32); the EvidenceAnchor contract records the root with a reference to the Fabric transaction. Verify with any node of the chain: econfirm verify --evm-rpc <url> --evm-contract <address>, or by hand (clients/evidence/README.md).`,
  );
}

function drawFooters(pdf: Doc, footer: string): void {
  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    const savedBottom = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0; // writing inside the margin must not open a new page
    pdf
      .font(CJK_FONT)
      .fontSize(7)
      .fillColor(COLOR.muted)
      .text(`${footer} · 第 ${i + 1} / ${range.count} 页  page ${i + 1} of ${range.count}`, PAGE.margin, PAGE.height - PAGE.margin - 10, {
        width: CONTENT_WIDTH,
        align: 'center',
        lineBreak: false,
      });
    pdf.page.margins.bottom = savedBottom;
  }
  pdf.fillColor('black');
}
