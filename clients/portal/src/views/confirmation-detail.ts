import type { Session } from '../app.js';
import { facts, h, instant, show, table, type Child } from '../dom.js';
import {
  actorName,
  alternativeProcedureLabel,
  FIELD_ORDER,
  fieldLabel,
  HEADER_ORDER,
  headerFieldLabel,
  inOrder,
  kindLabel,
  returnReasonLabel,
  SECTION_ORDER,
  sectionLabel,
  sectionStatusLabel,
  stateLabel,
} from '../labels.js';
import type { Confirmation, HistoryEntry, LetterContent, ReplyView, SectionContent } from '../types.js';
import { actionForms } from './actions.js';
import { crossCheckPanel } from './cross-check.js';

const READABLE: Record<string, string> = {
  'not-addressed': '未发送给本机构 not addressed to your institution',
  'no-key': '本网关无解密密钥 this gateway holds no key to open it',
  failed: '解密失败 could not be opened',
};

function sectionTable(key: string, section: SectionContent): HTMLElement {
  const rows = section.rows ?? [];
  const columns = inOrder([...new Set(rows.flatMap((row) => Object.keys(row)))], FIELD_ORDER);
  return h(
    'div',
    { class: 'section', 'data-section': key },
    table(sectionLabel(key), ['#', ...columns.map(fieldLabel)], rows.map((row, i) => [String(i), ...columns.map((c) => row[c] ?? '')])),
  );
}

/** Who did it, readable: the certificate's CN, the whole identity on hover. */
function act(by: string, at?: string): HTMLElement {
  return h('span', {}, h('span', { title: by }, actorName(by)), at ? ' ' : '', at ? instant(at) : null);
}

function letterView(letter: LetterContent): Child[] {
  const keys = inOrder(Object.keys(letter.sections), SECTION_ORDER);
  const listed = keys.filter((k) => letter.sections[k].status === 'rows' && (letter.sections[k].rows ?? []).length > 0);
  return [
    h('h3', {}, '函证内容 Letter'),
    table('函头 Header', ['项目 Field', '内容 Value'], inOrder(Object.keys(letter.header), HEADER_ORDER).map((k) => [headerFieldLabel(k), letter.header[k]]), { class: 'letter-header' }),
    // Every section and how the auditor filled it; the listed items follow, one table per section.
    table('各项目 Sections', ['项目 Section', '填列 Status'], keys.map((k) => [sectionLabel(k), sectionStatusLabel(letter.sections[k].status)]), { class: 'letter-sections' }),
    ...listed.map((key) => sectionTable(key, letter.sections[key])),
  ];
}

function replyView(reply: ReplyView): HTMLElement {
  const valid = reply.signatureValid === undefined ? '—' : reply.signatureValid ? '有效 valid' : '无效 INVALID';
  const content = reply.content;
  return h(
    'section',
    { 'aria-labelledby': 'reply-title', id: 'reply' },
    h('h3', { id: 'reply-title' }, '回函 Reply'),
    facts([
      ['结论 Conclusion', h('span', { 'data-conclusion': reply.conclusion }, reply.conclusion === 'agrees' ? '相符 agrees' : '不符 disagrees')],
      ['签名 Signature', h('span', { 'data-signature-valid': String(reply.signatureValid ?? '') }, valid)],
      ['经办 Prepared', act(reply.preparedBy, reply.preparedAt)],
      ['复核 Approved', reply.approvedBy ? act(reply.approvedBy, reply.approvedAt) : '—'],
      ['可读 Readable', reply.readable === 'decrypted' ? '已解密 decrypted' : READABLE[reply.readable] ?? reply.readable],
      ...(content ? ([['经办人/复核人 Handler/reviewer', `${content.handler} / ${content.reviewer}`], ['日期 Date', content.date]] as Array<[string, Child]>) : []),
    ]),
    content && content.differences.length > 0
      ? table(
          '差异 Differences',
          ['项目 Section', '行 Row', '字段 Field', '函证所列 Stated', '银行记录 Actual', '说明 Note'],
          content.differences.map((d) => [sectionLabel(d.section), d.row === null ? '未列示 unlisted' : String(d.row), fieldLabel(d.field), d.stated, d.actual, d.note]),
          { id: 'differences' },
        )
      : null,
  );
}

function historyView(history: HistoryEntry[]): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'history-title', id: 'history' },
    h('h3', { id: 'history-title' }, '历史 History'),
    h(
      'ol',
      { class: 'timeline', reversed: true },
      ...history.map((entry) =>
        h(
          'li',
          { 'data-state': entry.value?.state ?? 'deleted' },
          instant(entry.timestamp),
          ' ',
          h('strong', {}, entry.value ? stateLabel(entry.value.state) : '已删除 deleted'),
          ' ',
          h('code', { title: entry.txId }, `tx ${entry.txId.slice(0, 12)}…`),
        ),
      ),
    ),
  );
}

/** `firm`: the viewer is the firm's auditor, whose engagement page (evidence bundle, exceptions) the engagement links to. */
function headerView(c: Confirmation, firm: boolean): HTMLElement {
  const notes: Array<[string, Child]> = [];
  if (c.refusal) notes.push(['拒绝原因 Refusal', c.refusal.reason]);
  if (c.return) notes.push(['退回原因 Return', `${returnReasonLabel(c.return.reasonCode)}${c.return.note ? ` — ${c.return.note}` : ''}`]);
  if (c.lastReplyRejection) notes.push(['回函被复核退回 Reply rejected', c.lastReplyRejection.reason]);
  if (c.recall) notes.push(['撤回原因 Recall', c.recall.reason]);
  const link = (id: string): HTMLElement => h('a', { href: `#/c/${encodeURIComponent(id)}`, 'data-link': id }, id);
  if (c.followUpOf) notes.push(['原函证 Follow-up of', link(c.followUpOf)]);
  if (c.followUpId) notes.push(['重发为 Resent as', link(c.followUpId)]);
  if (c.alternativeProcedure) {
    const p = c.alternativeProcedure;
    notes.push([
      '替代程序 Alternative procedure',
      h('span', { 'data-alternative': p.procedure }, `${alternativeProcedureLabel(p.procedure)} (${p.trigger}) `, act(p.by, p.at), ' ', h('code', { title: '工作底稿哈希 working-paper hash' }, p.workpaperHash)),
    ]);
  }
  return facts([
    ['编号 Id', c.id],
    ['类型 Kind', kindLabel(c.kind)],
    ['状态 State', h('span', { id: 'state', class: `state state-${c.state}`, 'data-state': c.state }, stateLabel(c.state))],
    ['逾期 Overdue', c.overdue ? h('span', { class: 'overdue' }, '逾期 overdue') : '否 no'],
    ['会计师事务所 Firm', c.firmId],
    ['被审单位 Client', c.clientId],
    ['致 Addressee', c.addresseeId === c.responderId ? c.addresseeId : `${c.addresseeId} (回函 ${c.responderId})`],
    ['业务 Engagement', firm ? h('a', { href: `#/e/${encodeURIComponent(c.engagementId)}`, id: 'engagement-page' }, c.engagementId, ' (证据包与例外 evidence bundle, exceptions)') : c.engagementId],
    ['审计期间 Period', `${c.periodStart} – ${c.periodEnd}`],
    ['基准日 As of', c.asOfDate],
    ['费用承担 Fee payer', c.feePayer],
    ['发函 Issued', act(c.issued.by, c.issued.at)],
    ['授权期限 Authorize by', instant(c.authorizationDueAt)],
    ['回函期限 Reply by', instant(c.replyDueAt)],
    ...notes,
  ]);
}

/** One confirmation: header, the letter's sections as tables, the reply, the timeline, the offered actions. */
export async function renderDetail(main: HTMLElement, session: Session, id: string): Promise<Confirmation> {
  const base = `/v1/confirmations/${encodeURIComponent(id)}`;
  const [c, history] = await Promise.all([session.api.get<Confirmation>(base), session.api.get<HistoryEntry[]>(`${base}/history`)]);
  const forms = actionForms(session.me, c);
  show(
    main,
    h('p', {}, h('a', { href: '#/' }, '← 返回列表 Back to the list')),
    h(
      'article',
      { 'aria-labelledby': 'detail-title', id: 'detail', 'data-id': c.id },
      h('h2', { id: 'detail-title' }, `函证 Confirmation ${c.id}`),
      headerView(c, session.me.role === 'auditor' && session.me.institutionId === c.firmId),
      h(
        'section',
        { 'aria-labelledby': 'actions-title', id: 'actions' },
        h('h3', { id: 'actions-title' }, '操作 Actions'),
        forms.length > 0 ? h('div', { class: 'action-list' }, ...forms) : h('p', {}, '当前没有您可执行的操作 No action for you in this state.'),
      ),
      c.reply ? replyView(c.reply) : null,
      crossCheckPanel(session, c),
      h('section', { id: 'letter' }, ...(c.letter.content ? letterView(c.letter.content) : [h('h3', {}, '函证内容 Letter'), h('p', {}, READABLE[c.letter.readable] ?? c.letter.readable)])),
      historyView(history),
    ),
  );
  return c;
}
