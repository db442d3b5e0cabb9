import type { ReceivableRecord, ReceivableState, ReceivableStats } from '@econfirm/common';
import type { Session } from '../app.js';
import { barChart } from '../chart.js';
import { facts, h, instant, percent, show, table } from '../dom.js';
import { signedPdfButton } from './download.js';

/**
 * Receivables (gateway /v1/receivables): a supplier's vouchers (register, split, transfer, ask for
 * financing), the core enterprise's confirmations and due payments, a bank's financing requests and
 * liens, and the regulator's view of one institution; a receivable's detail with its chain of holders
 * and the steps the caller may take from its state (chaincode/src/contracts/receivable-contract.ts).
 */

interface Opened {
  readable: string;
  content?: Record<string, unknown>;
}

type Receivable = Omit<ReceivableRecord, 'terms'> & { terms: Opened };

const STATES: Record<string, string> = {
  registered: '待确权 registered',
  confirmed: '已确权 confirmed',
  rejected: '已拒绝 rejected',
  cancelled: '已撤销 cancelled',
  split: '已拆分 split',
  transferred: '已转让 transferred',
  'financing-requested': '申请融资 financing requested',
  financed: '已融资 financed',
  matured: '已到期 matured',
  paid: '已兑付 paid',
  overdue: '逾期 overdue',
  defaulted: '违约 defaulted',
  recourse: '追索 recourse',
};
const MOVABLE = ['confirmed', 'transferred'];
const LIVE = [...MOVABLE, 'financing-requested', 'financed'];
const stateText = (state: string): string => STATES[state] ?? state;
/**
 * States a receivable is a voucher (电子债权凭证) in: its obligor confirmed it. The evidence
 * library's VOUCHER_STATES, restated because the portal loads no package code; in the others
 * (registered, rejected, cancelled) the gateway answers 409 VOUCHER_NOT_ISSUED.
 */
const VOUCHER_STATES: readonly ReceivableState[] = ['confirmed', 'transferred', 'financing-requested', 'financed', 'matured', 'paid', 'overdue', 'defaulted', 'recourse', 'split'];
/** Who may fetch it (the route's roles; the ledger decides which records): not auditors or registrars. */
const VOUCHER_ROLES = ['client-signer', 'bank-officer', 'bank-reviewer', 'regulator'];

/** Minor units (fen) as yuan with two decimals, by string arithmetic: no floating point. */
export function yuan(minor: string | undefined): string {
  if (!minor || !/^[0-9]+$/.test(minor)) return '（密封 sealed）';
  const padded = minor.padStart(3, '0');
  const whole = padded.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${whole}.${padded.slice(-2)}`;
}

const amountOf = (r: Receivable): string => yuan(r.terms.content?.amount as string | undefined);

/** The caller's receivables by state (the regulator: one institution's), and for an enterprise the register form. */
export async function renderReceivables(main: HTMLElement, session: Session, onError: (err: unknown) => void, state = '', partyId = '', bookmark = ''): Promise<void> {
  const regulator = session.me.role === 'regulator';
  const query = `pageSize=50${state ? `&state=${encodeURIComponent(state)}` : ''}${partyId ? `&partyId=${encodeURIComponent(partyId)}` : ''}${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`;
  const [page, stats] = await Promise.all([
    regulator && !partyId ? { records: [] as Receivable[], bookmark: '' } : session.api.get<{ records: Receivable[]; bookmark: string }>(`/v1/receivables?${query}`),
    regulator ? session.api.get<ReceivableStats>('/v1/receivables/statistics') : undefined,
  ]);
  // A late answer must not replace the view the reader moved to.
  if (location.hash !== '#/receivables' || !main.isConnected) return;
  const filter = h('select', { id: 'receivable-state-filter', name: 'state' }, h('option', { value: '' }, '全部 All'), ...Object.entries(STATES).map(([value, text]) => h('option', { value, ...(value === state ? { selected: true } : {}) }, text)));
  filter.addEventListener('change', () => void renderReceivables(main, session, onError, filter.value, partyId).catch(onError));
  const next = h('button', { type: 'button', id: 'receivable-next', ...(page.bookmark ? {} : { disabled: true }) }, '下一页 Next');
  next.addEventListener('click', () => void renderReceivables(main, session, onError, state, partyId, page.bookmark).catch(onError));
  const party = h('input', { id: 'receivable-party', name: 'partyId', value: partyId, placeholder: 'SUP1', size: 12 });
  const partyForm = h('form', { id: 'receivable-party-form' }, h('label', {}, '机构 Institution ', party), ' ', h('button', { type: 'submit' }, '查看 Show'));
  partyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void renderReceivables(main, session, onError, state, party.value.trim()).catch(onError);
  });
  const rows = page.records.map((r) => [
    h('a', { href: `#/r/${encodeURIComponent(r.id)}` }, r.id),
    stateText(r.state),
    amountOf(r),
    r.obligorId,
    r.holderId,
    r.maturityDate,
    r.lien && !r.lien.releasedAt ? r.lien.bankId : '—',
  ]);
  show(
    main,
    h('section', { id: 'receivables', 'aria-labelledby': 'receivables-title', 'data-state': state || 'all' },
      h('h2', { id: 'receivables-title' }, '应收账款 Receivables'),
      regulator ? partyForm : null,
      h('label', {}, '状态 State ', filter),
      rows.length > 0
        ? table(null, ['编号 Id', '状态 State', '金额 Amount (CNY)', '债务人 Obligor', '持有人 Holder', '到期日 Maturity', '质权银行 Lien'], rows, { id: 'receivable-list' })
        : h('p', { id: 'receivable-list-empty' }, regulator && !partyId ? '请输入机构 Name an institution.' : '无记录 Nothing here.'),
      h('nav', { class: 'pager' }, next),
    ),
    session.me.role === 'client-signer' ? registerSection(session, onError) : null,
    stats ? statisticsSection(stats) : null,
  );
}

/** The regulator's figures (GET /v1/receivables/statistics): counts from the records' clear fields, never amounts. */
function statisticsSection(stats: ReceivableStats): HTMLElement {
  // Every state the portal names (STATES), in lifecycle order; the counts come from the ledger.
  const byState = Object.entries(STATES).map(([state, label]) => [state, label, stats.byState[state as keyof ReceivableStats['byState']] ?? 0] as const);
  return h('section', { id: 'receivable-stats', 'aria-labelledby': 'receivable-stats-title' },
    h('h2', { id: 'receivable-stats-title' }, '应收账款统计 Receivable statistics'),
    facts([
      ['截至 As of', instant(stats.asOf)],
      ['记录 Records', String(stats.total)],
      ['在册债权 Owed parts', h('span', { 'data-testid': 'receivable-parts' }, String(stats.parts))],
      ['融资占比 Financed share', h('span', { 'data-testid': 'receivable-financed-share' }, `${stats.financed} (${percent(stats.financedShare)})`)],
      ['逾期 Past due', `${stats.pastDue} (${percent(stats.pastDueRate)})`],
      ['有效质权 Active liens', String(stats.activeLiens)],
    ]),
    h('p', { class: 'muted' }, '金额保密，仅统计笔数 Amounts stay sealed to the parties: counts only.'),
    barChart('receivable-state-chart', '按状态 Records by state', byState),
    table('按债务人 By obligor', ['债务人 Obligor', '在册 Parts', '已融资 Financed', '逾期 Past due', '已付 Paid'],
      stats.obligors.map((o) => [o.obligorId, String(o.parts), String(o.financed), String(o.pastDue), String(o.paid)]), { id: 'receivable-stats-obligors' }),
    table('按银行 By bank', ['银行 Bank', '已融资 Financed', '有效质权 Active liens', '待审申请 Requests waiting'],
      stats.banks.map((b) => [b.bankId, String(b.financed), String(b.activeLiens), String(b.requested)]), { id: 'receivable-stats-banks' }),
  );
}

function registerSection(session: Session, onError: (err: unknown) => void): HTMLElement {
  const input = (name: string, attrs: Record<string, string | number | boolean> = {}) => h('input', { name, required: true, ...attrs });
  const form = h('form', { id: 'receivable-register' },
    h('label', {}, '债务人 Obligor ', input('obligorId', { placeholder: 'ENT1', size: 10 })), ' ',
    h('label', {}, '金额(分) Amount in fen ', input('amountMinor', { pattern: '[1-9][0-9]{0,17}', size: 14 })), ' ',
    h('label', {}, '签发日 Issued ', input('issueDate', { type: 'date' })), ' ',
    h('label', {}, '到期日 Maturity ', input('maturityDate', { type: 'date' })), ' ',
    h('label', {}, '合同号 Contract ', input('contractNumber', { size: 14 })), ' ',
    h('label', {}, '发票号 Invoice ', input('invoiceNumber', { size: 22 })), ' ',
    h('button', { type: 'submit' }, '登记 Register'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const d = new FormData(form);
    const text = (name: string): string => String(d.get(name) ?? '');
    const body = { obligorId: text('obligorId'), amountMinor: text('amountMinor'), currency: 'CNY', issueDate: text('issueDate'), maturityDate: text('maturityDate'), contractNumber: text('contractNumber'), invoiceNumbers: [text('invoiceNumber')] };
    void session.api.post<Receivable>('/v1/receivables', body).then((r) => { location.hash = `#/r/${encodeURIComponent(r.id)}`; }, onError);
  });
  return h('section', { id: 'receivable-new', 'aria-labelledby': 'receivable-new-title' }, h('h2', { id: 'receivable-new-title' }, '登记应收账款 Register a receivable'), form);
}

/** One step offered to the caller: a form whose fields become the route's JSON body. */
function step(session: Session, id: string, action: string, label: string, route: string, fields: HTMLElement[], body: (data: FormData) => object, done: () => void, onError: (err: unknown) => void): HTMLFormElement {
  const form = h('form', { 'data-receivable-action': action, class: 'action' }, ...fields, h('button', { type: 'submit' }, label));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    void session.api.post(`/v1/receivables/${encodeURIComponent(id)}/${route}`, body(new FormData(form))).then(done, (err: unknown) => {
      if (button) button.disabled = false;
      onError(err);
    });
  });
  return form;
}

const field = (data: FormData, name: string): string => String(data.get(name) ?? '');
const reasonField = (): HTMLElement => h('label', {}, '原因代码 Reason code ', h('input', { name: 'reason', required: true, pattern: '[A-Z][A-Z0-9_]{1,63}', placeholder: 'NO_SUCH_DELIVERY' }));

/** The steps the chaincode's table lets the caller's institution take from the record's state. */
function stepsFor(session: Session, r: Receivable, reload: () => void, onError: (err: unknown) => void): HTMLElement[] {
  const me = session.me.institutionId;
  const today = new Date().toISOString().slice(0, 10);
  const steps: HTMLElement[] = [];
  const add = (action: string, label: string, route: string, fields: HTMLElement[] = [], body: (d: FormData) => object = () => ({})) => steps.push(step(session, r.id, action, label, route, fields, body, reload, onError));
  if (session.me.role === 'client-signer') {
    if (me === r.obligorId && r.state === 'registered') {
      add('confirm', '确权 Confirm', 'confirmation');
      add('reject', '拒绝 Reject', 'rejection', [reasonField()], (d) => ({ reason: field(d, 'reason') }));
    }
    if (me === r.originalCreditorId && r.state === 'registered') add('cancel', '撤销 Cancel', 'cancellation');
    if (me === r.holderId && MOVABLE.includes(r.state)) {
      add('split', '拆分 Split', 'split', [h('label', {}, '各部分金额(分) Parts in fen, comma-separated ', h('input', { name: 'parts', required: true, pattern: '[0-9]+(,[0-9]+)+', size: 30 }))],
        (d) => ({ parts: field(d, 'parts').split(',').map((amountMinor) => ({ amountMinor: amountMinor.trim() })) }));
      add('transfer', '转让 Transfer', 'transfer', [h('label', {}, '受让人 To ', h('input', { name: 'toId', required: true, size: 10 }))], (d) => ({ toId: field(d, 'toId') }));
      add('request-financing', '申请融资 Request financing', 'financing-request', [h('label', {}, '银行 Bank ', h('input', { name: 'bankId', required: true, size: 10, placeholder: 'BANK1' }))], (d) => ({ bankId: field(d, 'bankId') }));
    }
    if (me === r.holderId && r.state === 'financing-requested') add('withdraw-financing', '撤回融资申请 Withdraw request', 'financing-withdrawal');
    if (me === r.obligorId && (r.state === 'matured' || r.state === 'overdue')) {
      add('pay', '兑付 Record payment', 'payment', [h('label', {}, '付款凭证哈希 Payment hash ', h('input', { name: 'paymentHash', required: true, pattern: '[0-9a-f]{64}', size: 64 }))], (d) => ({ paymentHash: field(d, 'paymentHash') }));
    }
  }
  if (session.me.role === 'bank-officer' && me === r.bankId && r.state === 'financing-requested') {
    add('finance', '放款 Finance', 'financing', [h('label', {}, '融资编号 Financing id ', h('input', { name: 'financingId', required: true, size: 18 }))], (d) => ({ financingId: field(d, 'financingId') }));
    add('decline', '拒绝融资 Decline', 'financing-decline', [reasonField()], (d) => ({ reason: field(d, 'reason') }));
  }
  const lienBank = r.lien && !r.lien.releasedAt ? r.lien.bankId : undefined;
  if (LIVE.includes(r.state) && today >= r.maturityDate && [r.obligorId, r.holderId, lienBank].includes(me)) add('mature', '到期 Mature', 'maturity');
  return steps;
}

export async function renderReceivableDetail(main: HTMLElement, session: Session, id: string, onError: (err: unknown) => void): Promise<void> {
  const r = await session.api.get<Receivable>(`/v1/receivables/${encodeURIComponent(id)}`);
  if (!location.hash.startsWith('#/r/') || decodeURIComponent(location.hash.slice('#/r/'.length)) !== id) return;
  const content = r.terms.content ?? {};
  const reload = (): void => void renderReceivableDetail(main, session, id, onError).catch(onError);
  const steps = stepsFor(session, r, reload, onError);
  const invoices = Array.isArray(content.invoiceNumbers) ? (content.invoiceNumbers as string[]).join('、') : '（密封 sealed）';
  show(
    main,
    h('p', {}, h('a', { href: '#/receivables' }, '← 应收账款 Receivables')),
    h('section', { id: 'receivable-detail', 'data-id': r.id, 'aria-labelledby': 'receivable-title' },
      h('h2', { id: 'receivable-title' }, `应收账款 ${r.id}`),
      facts([
        ['状态 State', h('span', { id: 'receivable-state', 'data-state': r.state }, stateText(r.state))],
        ['金额 Amount', h('span', { id: 'receivable-amount' }, `${amountOf(r)} ${r.currency}`)],
        ['债务人 Obligor', r.obligorId],
        ['原始债权人 Original creditor', r.originalCreditorId],
        ['持有人 Holder', r.holderId],
        ['流转路径 Chain of holders', h('span', { id: 'receivable-holders' }, r.holders.join(' → '))],
        ['根 Root / 上级 Parent', `${r.rootId}${r.parentId ? ` / ${r.parentId}` : ''}`],
        ['拆分 Parts', r.childIds?.length ? h('span', {}, ...r.childIds.flatMap((c, i) => [i > 0 ? '、' : '', h('a', { href: `#/r/${encodeURIComponent(c)}` }, c)])) : '—'],
        ['签发日 Issued', r.issueDate],
        ['到期日 Maturity', r.maturityDate],
        ['合同 Contract', (content.contractNumber as string | undefined) ?? '（密封 sealed）'],
        ['发票 Invoices', invoices],
        ['融资银行 Bank', h('span', { id: 'receivable-bank' }, r.lien ? `${r.lien.bankId} · ${r.lien.financingId}${r.lien.releasedAt ? ' (released)' : ''}` : r.bankId ?? '—')],
        ['兑付 Payment', r.payment ? `${r.payment.payeeId} · ${r.payment.at}` : '—'],
      ]),
      table('经过 Steps', ['操作 Action', '状态 State', '操作人 By', '时间 At'], r.steps.map((s) => [s.action, stateText(s.state), s.by, instant(s.at)]), { id: 'receivable-steps' }),
      VOUCHER_STATES.includes(r.state) && VOUCHER_ROLES.includes(session.me.role)
        ? signedPdfButton(session, {
          route: `/v1/receivables/${encodeURIComponent(r.id)}/voucher.pdf`,
          fileName: `${r.id}-voucher.pdf`,
          label: '下载电子债权凭证 Download the voucher (PDF)',
          buttonId: 'receivable-voucher',
          statusId: 'voucher-status',
        }, onError)
        : null,
      steps.length > 0 ? h('div', { id: 'receivable-actions' }, ...steps) : null,
    ),
  );
}
