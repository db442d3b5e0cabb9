import type { Session } from '../app.js';
import { facts, h, instant, percent, show, table } from '../dom.js';
import { stateLabel } from '../labels.js';
import type { ChainReport, RegulatorStats } from '../types.js';
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
          tick();
        }
        const holds = breaks.length === 0 && report.anchoredToPeerHeight && first.trustAnchor?.matched !== false;
        const mark = (ok: boolean | undefined) => (ok === undefined ? '— not checked' : ok ? '✓ holds' : '✗ broken');
        const about = (pattern: RegExp) => breaks.every((b) => !pattern.test(b.reason));
        show(
          result,
          facts([
            ['结论 Verdict', h('strong', { id: 'integrity-verdict', 'data-holds': String(holds), class: holds ? 'state-replied' : 'overdue' }, holds ? '完整 the chain holds' : '发现断裂 the chain is broken')],
            ['区块高度 Height', report.height],
            ['已校验区块 Blocks checked', h('span', {}, String(blocks), ' ', h('progress', { max: report.height, value: String(blocks) }))],
            ['交易 Transactions', Object.entries(report.transactionsByValidation).map(([code, n]) => `${code} ${n}`).join(', ')],
          ]),
          h(
            'ul',
            { id: 'integrity-checks' },
            h('li', {}, `哈希与链接 Hashes and links: ${mark(about(/hash|header says|no header/))}`),
            h('li', {}, `排序节点签名 Every orderer signature: ${mark(about(/orderer|ordering node/))}`),
            h('li', {}, `交易与背书签名 Creator and endorsement signatures (${transactions} transactions): ${mark(about(/creator|endorsement \d|its id|a second time/))}`),
            h('li', {}, `校验码重算 Validation codes replayed: ${first.validationReplayed ? mark(about(/replay of the read-write sets/)) : '— not checked'}`),
            h('li', {}, `背书策略 Endorsement policies: ${first.validationReplayed ? mark(about(/endorsement policy/)) : '— not checked'}`),
            h('li', { id: 'integrity-anchor-result' }, `信任锚 Trust anchor: ${first.trustAnchor ? (first.trustAnchor.matched ? '✓ the genesis hash you hold' : '✗ not the chain your genesis hash names') : '— not pinned (the first block is trusted as the peer serves it)'}`),
            h('li', {}, `节点当前区块 The peer's current block: ${mark(report.anchoredToPeerHeight)}`),
          ),
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
  return h(
    'section',
    { 'aria-labelledby': 'integrity-title', id: 'integrity' },
    h('h2', { id: 'integrity-title' }, '账本完整性 Ledger integrity'),
    h('p', {}, h('label', { for: 'integrity-anchor' }, '信任锚 Trust anchor '), anchor),
    run,
    result,
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
    ),
    crossChecks,
  );
}
