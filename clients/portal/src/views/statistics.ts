import type { Session } from '../app.js';
import { barChart } from '../chart.js';
import { facts, h, instant, percent, show, table } from '../dom.js';
import { stateLabel } from '../labels.js';
import type { REPLY_TIME_BUCKETS, RegulatorStats } from '@econfirm/common';
import type { ChainReport } from '../types.js';
import { crossCheckStatisticsSection } from './cross-check.js';

/** Where the portal keeps the genesis hash the regulator pinned (its own copy, taken out of band). */
const ANCHOR_KEY = 'econfirm.integrity.genesisHash';

/**
 * The chain check (GET /v1/ledger/integrity), page after page to the last block, with a progress
 * bar: the gateway recomputes every hash, checks every orderer's and every VALID transaction's
 * signatures and, on the first page (from block 0), replays the validation codes and holds the
 * endorsements against the policies; a genesis hash the regulator pins anchors the whole run, each
 * later page anchored by the checkpoint of the one before. The result names each check.
 */
function integritySection(session: Session, onError: (err: unknown) => void): HTMLElement {
  const result = h('div', { id: 'integrity-result', 'aria-live': 'polite' });
  const anchor = h('input', { id: 'integrity-anchor', type: 'text', size: '66', pattern: '[0-9a-f]{64}', placeholder: '创世区块哈希 genesis header hash (hex), as you hold it', value: localStorage.getItem(ANCHOR_KEY) ?? '' });
  const run = h('button', { type: 'button', id: 'integrity-run' }, '校验账本完整性 Check the chain');
  run.addEventListener('click', () => {
    const pinned = anchor.value.trim().toLowerCase();
    if (pinned && !/^[0-9a-f]{64}$/.test(pinned)) {
      show(result, h('p', { class: 'overdue', id: 'integrity-anchor-invalid' }, '信任锚须为 64 位十六进制 The anchor must be 64 hex digits'));
      return;
    }
    if (pinned) localStorage.setItem(ANCHOR_KEY, pinned);
    else localStorage.removeItem(ANCHOR_KEY);
    run.disabled = true;
    const progress = h('progress', { id: 'integrity-progress', max: '1', value: '0' });
    const counter = h('span', { id: 'integrity-count' }, '');
    show(result, h('p', {}, '校验中… Checking… ', progress, ' ', counter));
    void (async () => {
      try {
        const page = (query: string) => session.api.get<ChainReport>(`/v1/ledger/integrity${query}`);
        let report = await page(pinned ? `?anchorBlock=0&anchorHash=${pinned}` : '');
        const first = report;
        let blocks = report.blocksChecked;
        let transactions = report.transactionsChecked;
        const breaks = [...report.breaks];
        // Per day and per verdict across the pages (a day's blocks may lie on two pages).
        const activity = new Map<string, { blocks: number; transactions: number }>();
        const verdicts = new Map<string, number>();
        const addActivity = (page: ChainReport) => {
          for (const [code, n] of Object.entries(page.transactionsByValidation)) verdicts.set(code, (verdicts.get(code) ?? 0) + n);
          for (const d of page.activityByDay) {
            const day = activity.get(d.day) ?? { blocks: 0, transactions: 0 };
            activity.set(d.day, { blocks: day.blocks + d.blocks, transactions: day.transactions + d.transactions });
          }
        };
        addActivity(report);
        const tick = () => {
          progress.max = Number(report.height);
          progress.value = blocks;
          counter.textContent = `${blocks} / ${report.height}`;
        };
        tick();
        while (report.nextFromBlock) {
          const anchorQuery = pinned ? `&anchorBlock=${report.checkpoint.block}&anchorHash=${report.checkpoint.headerHash}` : '';
          report = await page(`?fromBlock=${encodeURIComponent(report.nextFromBlock)}${anchorQuery}`);
          blocks += report.blocksChecked;
          transactions += report.transactionsChecked;
          breaks.push(...report.breaks);
          addActivity(report);
          tick();
        }
        const days = [...activity.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const holds = breaks.length === 0 && report.anchoredToPeerHeight && first.trustAnchor?.matched !== false;
        const mark = (ok: boolean | undefined) => (ok === undefined ? '— not checked' : ok ? '✓ holds' : '✗ broken');
        const about = (pattern: RegExp) => breaks.every((b) => !pattern.test(b.reason));
        show(
          result,
          facts([
            ['结论 Verdict', h('strong', { id: 'integrity-verdict', 'data-holds': String(holds), class: holds ? 'state-replied' : 'overdue' }, holds ? '完整 the chain holds' : '发现断裂 the chain is broken')],
            ['区块高度 Height', report.height],
            ['已校验区块 Blocks checked', h('span', {}, String(blocks), ' ', h('progress', { max: report.height, value: String(blocks) }))],
            ['交易 Transactions', h('span', { id: 'integrity-verdicts' }, [...verdicts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([code, n]) => `${code} ${n}`).join(', '))],
          ]),
          h(
            'ul',
            { id: 'integrity-checks' },
            h('li', {}, `哈希与链接 Hashes and links: ${mark(about(/hash|header says|no header/))}`),
            h('li', {}, `排序节点签名 Every orderer signature: ${mark(about(/orderer|ordering node/))}`),
            h('li', {}, `交易与背书签名 Creator and endorsement signatures (${transactions} transactions): ${mark(about(/creator|endorsement \d|its id|a second time/))}`),
            h('li', {}, `校验码重算 Validation codes replayed: ${first.validationReplayed ? mark(about(/replay of the read-write sets/)) : '— not checked'}`),
            h('li', {}, `背书策略 Endorsement policies: ${first.validationReplayed ? mark(about(/endorsement policy|INVALID_CHAINCODE/)) : '— not checked'}`),
            h('li', { id: 'integrity-anchor-result' }, `信任锚 Trust anchor: ${first.trustAnchor ? (first.trustAnchor.matched ? '✓ the genesis hash you hold' : '✗ not the chain your genesis hash names') : '— not pinned (the first block is trusted as the peer serves it)'}`),
            h('li', {}, `节点当前区块 The peer's current block: ${mark(report.anchoredToPeerHeight)}`),
          ),
          breaks.length > 0 ? table('断裂 Breaks', ['区块 Block', '原因 Reason'], breaks.map((b) => [b.block, b.reason]), { id: 'integrity-breaks' }) : null,
          days.length > 0
            ? h(
                'figure',
                { id: 'integrity-activity' },
                h('figcaption', {}, '每日交易（区块）Transactions per day, UTC (blocks)'),
                barChart('integrity-activity-chart', 'Transactions per day (blocks)', days.map(([day, d]) => [day, `${day} (${d.blocks})`, d.transactions])),
              )
            : null,
        );
      } catch (err) {
        show(result);
        onError(err);
      } finally {
        run.disabled = false;
      }
    })();
  });
  return h(
    'section',
    { 'aria-labelledby': 'integrity-title', id: 'integrity' },
    h('h2', { id: 'integrity-title' }, '账本完整性 Ledger integrity'),
    h('p', {}, h('label', { for: 'integrity-anchor' }, '信任锚 Trust anchor '), anchor),
    run,
    result,
  );
}

/** Overdue and exception rates by the week requests were issued in (GET /v1/statistics `weekly`), in per cent. */
function weeklySection(stats: RegulatorStats): HTMLElement {
  const perCent = (rate: number) => Math.round(rate * 1000) / 10;
  return h(
    'section',
    { id: 'stats-weekly', 'aria-labelledby': 'stats-weekly-title' },
    h('h3', { id: 'stats-weekly-title' }, '按周 By week (the week requests were issued in, from Monday)'),
    stats.weekly.length === 0
      ? h('p', {}, '暂无函证 No requests yet.')
      : h(
          'div',
          { class: 'charts' },
          barChart('stats-weekly-overdue', '逾期率 Overdue rate by week (%)', stats.weekly.map((w) => [w.weekStart, `${w.weekStart} (${w.overdue}/${w.issued})`, perCent(w.overdueRate)])),
          barChart('stats-weekly-exceptions', '不符率 Exception rate by week (%)', stats.weekly.map((w) => [w.weekStart, `${w.weekStart} (${w.exceptions}/${w.finalReplies})`, perCent(w.exceptionRate)])),
        ),
  );
}

/**
 * The reply-time buckets in their order (the answer's keys come sorted as text). The browser loads
 * nothing from @econfirm/common, so the list is written here; its type is the common one's, so
 * tsc refuses it if it ever differs from REPLY_TIME_BUCKETS (common/src/domain/regulator-stats.ts).
 */
const BUCKETS: typeof REPLY_TIME_BUCKETS = ['<1h', '1-4h', '4-24h', '1-3d', '3-10d', '>10d'];

/** Each responder's final replies by the time they took from delivery (`replyTimeHistogram`). */
function replyTimeSection(stats: RegulatorStats): HTMLElement {
  const answered = stats.responders.filter((r) => r.replied > 0);
  return h(
    'section',
    { id: 'stats-reply-times', 'aria-labelledby': 'stats-reply-times-title' },
    h('h3', { id: 'stats-reply-times-title' }, '回函时长分布 Reply time from delivery, per responder'),
    answered.length === 0
      ? h('p', {}, '暂无回函 No final replies yet.')
      : h('div', { class: 'charts' }, ...answered.map((r) => barChart(`stats-reply-times-${r.responderId}`, `${r.responderId}: replies by time taken`, BUCKETS.map((b) => [b, b, r.replyTimeHistogram[b]])))),
  );
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
        ['截至 As of', instant(stats.asOf)],
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
      weeklySection(stats),
      replyTimeSection(stats),
    ),
    crossChecks,
  );
}
