import type { Session } from '../app.js';
import { facts, h, show, table } from '../dom.js';
import { stateLabel } from '../labels.js';
import type { RegulatorStats } from '../types.js';

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** The regulator's statistics (GET /v1/statistics): ledger metadata only, no content. */
export async function renderStatistics(main: HTMLElement, session: Session): Promise<void> {
  const stats = await session.api.get<RegulatorStats>('/v1/statistics');
  show(
    main,
    h(
      'section',
      { 'aria-labelledby': 'stats-title', id: 'statistics' },
      h('h2', { id: 'stats-title' }, '监管统计 Statistics'),
      facts([
        ['截至 As of', stats.asOf],
        ['函证总数 Total', h('span', { 'data-testid': 'stats-total' }, String(stats.total))],
        ['逾期 Overdue', `${stats.overdue} (${percent(stats.overdueRate)})`],
        ['退回率 Return rate', percent(stats.returnRate)],
        ['不符率 Exception rate', percent(stats.exceptionRate)],
      ]),
      table('按状态 By state', ['状态 State', '数量 Count'], Object.entries(stats.byState).map(([state, n]) => [stateLabel(state), String(n)])),
      table(
        '回函机构 Responders',
        ['机构 Responder', '已发 Sent', '已回 Replied', '退回 Returned', '逾期 Overdue', '回函率 Reply rate', '回函中位时长 Median reply (h)'],
        stats.responders.map((r) => [r.responderId, String(r.sent), String(r.replied), String(r.returned), String(r.overdue), percent(r.replyRate), r.medianReplyHours === null ? '—' : r.medianReplyHours.toFixed(1)]),
      ),
      stats.redFlags.length > 0
        ? table('风险提示 Red flags', ['类型 Type', '说明 Detail'], stats.redFlags.map((f) => [f.type, f.detail]))
        : h('p', {}, '无风险提示 No red flags.'),
    ),
  );
}
