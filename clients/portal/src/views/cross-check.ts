import type { CrossCheckException, CrossCheckReport, CrossCheckStatistics, EngagementCrossCheck } from '@econfirm/common';
import { ApiError } from '../api-client.js';
import type { Session } from '../app.js';
import { facts, h, instant, show, table, type Child } from '../dom.js';
import { sectionLabel, stateLabel } from '../labels.js';
import { evidenceBundleSection } from './evidence-bundle.js';
import type { Confirmation } from '../types.js';

/**
 * Cross-checks (gateway /v1/confirmations/{id}/cross-check, /v1/engagements/{id}/cross-check,
 * /v1/statistics/cross-checks): the firm sees each accepted bank reply against the client's
 * mortgage registrations and the receivables it holds or owes under a bank's lien on the same ledger, with
 * both sides of every exception; the regulator sees counts by bank and code only.
 */

const CODES: Record<string, string> = {
  MORTGAGE_NOT_IN_REPLY: '回函未列示已登记抵押 registered mortgage missing from the reply',
  MORTGAGE_NOT_ON_LEDGER: '回函所列抵押未登记 mortgage in the reply not on the ledger',
  MORTGAGEE_NOT_REPLYING_BANK: '抵押权人为他行 mortgagee is another bank',
  MORTGAGE_NOT_ACTIVE: '基准日抵押未生效 mortgage not active at the as-of date',
  TERM_MISMATCH: '期限不符 dates differ',
  AMOUNT_MISMATCH: '金额不符 amounts differ',
  MORTGAGEE_NOT_CONFIRMED: '未向抵押权人函证 no reply from the mortgagee bank',
  FINANCED_RECEIVABLE_NOT_IN_REPLY: '回函未列示已融资应收账款 financed receivable missing from the reply',
  OWED_RECEIVABLE_NOT_IN_REPLY: '回函其他事项未列示客户应付的已融资账款 financed receivable the client owes missing from the other items',
  RECEIVABLE_NOT_ON_LEDGER: '回函所列应收账款不在账本 receivable in the reply not on the ledger',
  LIEN_HOLDER_NOT_REPLYING_BANK: '质权/融资行为他行 lien held by another bank',
  RECEIVABLE_NOT_FINANCED: '基准日未由本行融资 no lien of this bank at the as-of date',
  RECEIVABLE_DATE_MISMATCH: '到期日不符 due date differs',
  RECEIVABLE_AMOUNT_MISMATCH: '票面金额不符 face amount differs',
  LIEN_HOLDER_NOT_CONFIRMED: '未向融资行函证 no reply from the lien bank',
  RECEIVABLE_BALANCE_NOT_STATED: '回函未列示账本上的应收账款余额 outstanding receivable, no balance stated',
  RECEIVABLE_BALANCE_MISMATCH: '余额与账本不符 balance differs from the receivable',
  RECEIVABLE_BALANCES_BELOW_LEDGER: '回函余额合计低于账本 balances below the ledger’s receivables',
  RECEIVABLE_NOT_OUTSTANDING: '基准日该应收账款无余额 receivable not outstanding at the as-of date',
};
const NOT_EXPECTED: Record<string, string> = {
  'other-mortgagee': '他行抵押 another bank',
  'discharged-by-as-of-date': '基准日前已注销 discharged by the as-of date',
  'registered-after-as-of-date': '基准日后登记 registered after the as-of date',
  'not-registered': '未登记 not registered',
  'not-financed': '未融资 not financed',
  'financed-after-as-of-date': '基准日后融资 financed after the as-of date',
  'lien-released-by-as-of-date': '基准日前已解除 lien released by the as-of date',
  'other-lien-holder': '他行融资 another bank’s lien',
  'not-confirmed-by-as-of-date': '基准日前未经债务人确认 not confirmed by the obligor by the as-of date',
  'closed-by-as-of-date': '基准日前已结清/撤销 closed by the as-of date',
  'other-holder-at-as-of-date': '基准日由他方持有 held by another party at the as-of date',
};

/** A mortgage links to its page; a receivable has none for the firm (its reads are the parties'). */
function recordRef(id: string | undefined, source: string | undefined): Child {
  if (!id) return '—';
  return source === 'receivable' ? h('code', { 'data-source': 'receivable' }, id) : h('a', { href: `#/m/${encodeURIComponent(id)}` }, id);
}

const codeLabel = (code: string): string => CODES[code] ?? code;

function side(values: Record<string, string> | undefined): Child {
  if (!values) return '—';
  return h('dl', { class: 'side' }, ...Object.entries(values).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function exceptionsTable(exceptions: ReadonlyArray<CrossCheckException & { confirmationId?: string }>, withLetter: boolean): HTMLElement {
  if (exceptions.length === 0) return h('p', { id: 'cross-check-clean', 'data-exceptions': '0' }, '未发现例外 No exceptions.');
  return table(
    `例外 Exceptions (${exceptions.length})`,
    ['代码 Code', ...(withLetter ? ['函证 Letter'] : []), '登记 Record', '说明 What', '账本 Ledger', '回函 Reply'],
    exceptions.map((e) => [
      h('span', { class: 'exception-code', 'data-code': e.code, title: codeLabel(e.code) }, e.code),
      ...(withLetter ? [e.confirmationId ? h('a', { href: `#/c/${encodeURIComponent(e.confirmationId)}` }, e.confirmationId) : '—'] : []),
      recordRef(e.recordId, e.source),
      e.message,
      side(e.ledger),
      side(e.reply),
    ]),
    { id: 'cross-check-exceptions', class: 'exceptions' },
  );
}

function reportView(report: CrossCheckReport): Child[] {
  return [
    facts([
      ['核对时间 Checked', instant(report.checkedAt)],
      ['基准日 As of', report.asOfDate],
      ['已比对 Compared', report.comparedSections.map(sectionLabel).join(', ') || '—'],
      ['账本高度 Ledger height', report.basis.ledgerHeight],
      ['回函交易 Reply transactions', h('span', {}, ...report.basis.replyTxIds.map((tx) => h('code', { title: tx }, `${tx.slice(0, 12)}… `)))],
      ['已记录 Recorded', report.recorded ? h('code', { id: 'cross-check-recorded', title: report.recorded.txId }, `tx ${report.recorded.txId.slice(0, 12)}…`) : '未记录 not yet'],
    ]),
    ...report.notCompared.map((n) => h('p', { class: 'note', ...(n.code ? { 'data-code': n.code } : {}) }, `未比对 Not compared — ${n.code ? `${n.code} ` : ''}${n.what}: ${n.reason}`)),
    table(
      '账本上的抵押登记与已融资应收账款 Registrations and financed receivables on the ledger',
      ['类别 Kind', '登记 Record', '状态 State', '抵押权人/融资行 Bank', '应列示 Expected', '回函列示 Named by'],
      report.records.map((r) => [
        r.source === 'receivable' ? '应收账款 receivable' : '抵押 mortgage',
        recordRef(r.id, r.source),
        r.state,
        r.bankId || '—',
        r.expected ? '是 yes' : `否 no — ${NOT_EXPECTED[r.notExpected ?? ''] ?? r.notExpected ?? ''}`,
        r.matchedBy ? `${r.matchedBy} (${sectionLabel(r.place?.section ?? '')})` : '—',
      ]),
      { id: 'cross-check-records' },
    ),
    exceptionsTable(report.exceptions, false),
  ];
}

/** The confirmation view's panel, for the firm's auditor once the reply is accepted (every kind: a bank's reply, a customer's or supplier's balances). */
export function crossCheckPanel(session: Session, c: Confirmation): HTMLElement | null {
  if (session.me.role !== 'auditor' || c.state !== 'auditor-accepted') return null;
  const body = h('div', { id: 'cross-check-body', 'aria-live': 'polite' }, '核对中… Checking…');
  const url = `/v1/confirmations/${encodeURIComponent(c.id)}/cross-check`;
  const record = h('button', { type: 'button', id: 'cross-check-record' }, '记录摘要（仅计数，报监管） Record the summary (counts only, for the regulator)');
  const load = async (recording: boolean): Promise<void> => {
    try {
      const report = recording ? await session.api.post<CrossCheckReport>(url, {}) : await session.api.get<CrossCheckReport>(url);
      show(body, ...reportView(report));
    } catch (err) {
      // A missing grant is the panel's news, not a failure of the page: shown here, with its code.
      const code = err instanceof ApiError ? err.code : 'PORTAL_ERROR';
      show(body, h('p', { class: 'note error-code', id: 'cross-check-refused', 'data-code': code }, code, ': ', err instanceof Error ? err.message : String(err)));
    }
  };
  record.addEventListener('click', () => {
    record.disabled = true;
    void load(true).finally(() => (record.disabled = false));
  });
  void load(false);
  return h(
    'section',
    { 'aria-labelledby': 'cross-check-title', id: 'cross-check' },
    h('h3', { id: 'cross-check-title' }, '交叉核对 Cross-check against the ledger'),
    h('p', {}, h('a', { href: `#/e/${encodeURIComponent(c.engagementId)}`, id: 'engagement-link' }, `业务 ${c.engagementId} 的全部例外 All exceptions of the engagement`)),
    body,
    record,
  );
}

/**
 * The engagement page: its evidence bundle, each bank letter and every exception of the
 * engagement. A cross-check the gateway cannot make (no grant of the client's registrations)
 * is said in its place; the bundle does not depend on it.
 */
export async function renderEngagement(main: HTMLElement, session: Session, engagementId: string, onError: (err: unknown) => void): Promise<void> {
  let report: EngagementCrossCheck | undefined;
  let unavailable: ApiError | undefined;
  try {
    report = await session.api.get<EngagementCrossCheck>(`/v1/engagements/${encodeURIComponent(engagementId)}/cross-check`);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status === 0) throw err;
    unavailable = err;
  }
  if (location.hash !== `#/e/${encodeURIComponent(engagementId)}` || !main.isConnected) return;
  show(
    main,
    h('p', {}, h('a', { href: '#/' }, '← 返回列表 Back to the list')),
    h(
      'article',
      { 'aria-labelledby': 'engagement-title', id: 'engagement', 'data-id': engagementId },
      h('h2', { id: 'engagement-title' }, `业务 Engagement ${engagementId}`),
      evidenceBundleSection(session, engagementId, onError),
      ...(report
        ? [
            facts([
              ['被审单位 Client', report.clientId],
              ['基准日 As of', report.asOfDate],
              ['核对时间 Checked', instant(report.checkedAt)],
              ['账本高度 Ledger height', report.basis.ledgerHeight],
            ]),
            table(
              '银行函证 Bank letters',
              ['函证 Letter', '银行 Bank', '状态 State', '核对 Checked'],
              report.letters.map((l) => [
                h('a', { href: `#/c/${encodeURIComponent(l.confirmationId)}` }, l.confirmationId),
                l.responderId,
                stateLabel(l.state),
                l.checked ? `已核对 checked: ${Object.values(l.counts ?? {}).reduce((a, b) => a + b, 0)}` : `未核对 not checked — ${l.reason ?? ''}`,
              ]),
              { id: 'engagement-letters' },
            ),
            exceptionsTable(report.exceptions, true),
          ]
        : [h('p', { id: 'engagement-cross-check-unavailable' }, `交叉核对不可用 No cross-check: ${unavailable?.code ?? ''} — ${unavailable?.message ?? ''}`)]),
    ),
  );
}

/** The regulator's counts of cross-check exceptions by bank (and, for receivable/payable confirmations, by customer or supplier) and code (never amounts). */
export async function crossCheckStatisticsSection(session: Session): Promise<HTMLElement> {
  const stats = await session.api.get<CrossCheckStatistics & { asOf: string }>('/v1/statistics/cross-checks');
  const codes = [...new Set(stats.byBank.flatMap((b) => Object.keys(b.counts)))].sort();
  const counterpartyCodes = [...new Set(stats.byCounterparty.flatMap((b) => Object.keys(b.counts)))].sort();
  return h(
    'section',
    { 'aria-labelledby': 'cross-check-stats-title', id: 'cross-check-statistics' },
    h('h2', { id: 'cross-check-stats-title' }, '交叉核对例外 Cross-check exceptions'),
    facts([
      ['已记录核对 Checks recorded', h('span', { 'data-testid': 'cross-check-total' }, String(stats.checks))],
      ['无法解密 Unreadable', String(stats.unreadable)],
    ]),
    stats.byBank.length > 0
      ? table('按银行与类型 By bank and kind', ['银行 Bank', '核对 Checks', '有例外 With exceptions', ...codes], stats.byBank.map((b) => [b.bankId, String(b.checks), String(b.withExceptions), ...codes.map((c) => String(b.counts[c as keyof typeof b.counts] ?? 0))]), { id: 'cross-check-by-bank' })
      : h('p', {}, '尚无记录 None recorded.'),
    ...(stats.byCounterparty.length > 0
      ? [table('往来函证：按客户/供应商与类型 Receivable/payable confirmations by counterparty and kind', ['回函单位 Responder', '核对 Checks', '有例外 With exceptions', ...counterpartyCodes], stats.byCounterparty.map((b) => [b.responderId, String(b.checks), String(b.withExceptions), ...counterpartyCodes.map((c) => String(b.counts[c as keyof typeof b.counts] ?? 0))]), { id: 'cross-check-by-counterparty' })]
      : []),
  );
}
