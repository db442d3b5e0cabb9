import type { Session } from '../app.js';
import { facts, h, show, table } from '../dom.js';
import { stateLabel } from '../labels.js';
import type { ChainReport, RegulatorStats } from '../types.js';
import { crossCheckStatisticsSection } from './cross-check.js';

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/**
 * The chain check (GET /v1/ledger/integrity), page after page to the last block: the gateway
 * recomputes every hash; the result says whether the chain holds and reaches the peer's height.
 */
function integritySection(session: Session, onError: (err: unknown) => void): HTMLElement {
  const result = h('div', { id: 'integrity-result', 'aria-live': 'polite' });
  const run = h('button', { type: 'button', id: 'integrity-run' }, '校验账本完整性 Check the chain');
  run.addEventListener('click', () => {
    run.disabled = true;
    show(result, h('p', {}, '校验中… Checking…'));
    void (async () => {
      try {
        let report = await session.api.get<ChainReport>('/v1/ledger/integrity');
        let blocks = report.blocksChecked;
        const breaks = [...report.breaks];
        while (report.nextFromBlock) {
          report = await session.api.get<ChainReport>(`/v1/ledger/integrity?fromBlock=${encodeURIComponent(report.nextFromBlock)}`);
          blocks += report.blocksChecked;
          breaks.push(...report.breaks);
        }
        const holds = breaks.length === 0 && report.anchoredToPeerHeight;
        show(
          result,
          facts([
            ['结论 Verdict', h('strong', { id: 'integrity-verdict', 'data-holds': String(holds), class: holds ? 'state-replied' : 'overdue' }, holds ? '完整 the chain holds' : '发现断裂 the chain is broken')],
            ['区块高度 Height', report.height],
            ['已校验区块 Blocks checked', String(blocks)],
            ['交易 Transactions', Object.entries(report.transactionsByValidation).map(([code, n]) => `${code} ${n}`).join(', ')],
          ]),
          breaks.length > 0 ? table('断裂 Breaks', ['区块 Block', '原因 Reason'], breaks.map((b) => [b.block, b.reason]), { id: 'integrity-breaks' }) : null,
        );
      } catch (err) {
        show(result);
        onError(err);
      } finally {
        run.disabled = false;
      }
    })();
  });
  return h('section', { 'aria-labelledby': 'integrity-title', id: 'integrity' }, h('h2', { id: 'integrity-title' }, '账本完整性 Ledger integrity'), run, result);
}

/** The regulator's statistics (GET /v1/statistics): ledger metadata only, no content; and the chain check. */
export async function renderStatistics(main: HTMLElement, session: Session, onError: (err: unknown) => void): Promise<void> {
  const [stats, crossChecks] = await Promise.all([session.api.get<RegulatorStats>('/v1/statistics'), crossCheckStatisticsSection(session)]);
  show(
    main,
    integritySection(session, onError),
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
    crossChecks,
  );
}
