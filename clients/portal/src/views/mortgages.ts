import type { EncumbranceConsentView, MortgageRecord, MortgageReview, PresentedEncumbrance } from '@econfirm/common';
import type { Session } from '../app.js';
import { facts, h, instant, show, table } from '../dom.js';
import { signedPdfButton } from './download.js';

/**
 * Mortgage registrations (gateway /v1/mortgages): the registration centre's queue, the bank's
 * applications and certificates, a unit's encumbrances; a registration's detail with the steps the
 * caller's role may take from its state (the chaincode's table, chaincode/src/contracts/mortgage-contract.ts).
 */

interface Opened {
  readable: string;
  content?: Record<string, unknown>;
}

type PendingReview = Omit<MortgageReview, 'change' | 'transfer'> & {
  change?: { debtTermEnd: string; application: Opened };
  transfer?: { mortgagorIds: string[]; application: Opened };
};
type Mortgage = Omit<MortgageRecord, 'application' | 'certificate' | 'review'> & { priority?: number; application: Opened; certificate?: Opened; review?: PendingReview };

const STATES: Record<string, string> = {
  applied: '已申请 applied',
  'pre-registration-in-review': '预告登记待审核 pre-registration in review',
  'pre-registered': '预告登记 pre-registered',
  'registration-in-review': '登记待审核 registration in review',
  registered: '已登记 registered',
  'change-in-review': '变更待审核 change in review',
  changed: '已变更 changed',
  'transfer-in-review': '转移待审核 transfer in review',
  transferred: '已转移 transferred',
  'discharge-requested': '申请注销 discharge requested',
  'discharge-in-review': '注销待审核 discharge in review',
  discharged: '已注销 discharged',
  'rejection-in-review': '不予登记待审核 rejection in review',
  rejected: '不予登记 rejected',
};
const ACTIVE = ['registered', 'changed', 'transferred'];
/** What the registry reviewer is asked to approve (the registrar's prepared step), and the approval's label. */
const APPROVAL_LABEL: Record<string, string> = {
  'pre-registration-in-review': '审核通过预告登记 Approve the pre-registration',
  'registration-in-review': '审核通过并颁发证明 Approve and register',
  'rejection-in-review': '审核通过不予登记 Approve the rejection',
  'change-in-review': '审核通过变更登记 Approve the change',
  'transfer-in-review': '审核通过转移登记 Approve the transfer',
  'discharge-in-review': '审核通过并注销 Approve the discharge',
};

const stateText = (state: string): string => STATES[state] ?? state;

function stateBadge(state: string): HTMLElement {
  return h('span', { id: 'mortgage-state', 'data-state': state, class: `state-${state}` }, stateText(state));
}

/**
 * A work queue: the states a role acts from, listed as one (the ledger lists by one state: each
 * state's first page, merged by id). The reviewer approves from every review state; the registrar
 * acts on new applications, pre-registrations and discharge requests.
 */
const QUEUES: Record<string, { label: string; states: readonly string[] }> = {
  'queue:review': { label: '待审核（全部） Everything awaiting review', states: Object.keys(APPROVAL_LABEL) },
  'queue:registrar': { label: '待受理（全部） Everything awaiting the registrar', states: ['applied', 'pre-registered', 'discharge-requested'] },
};
const QUEUE_PAGE = 50;

type MortgagePage = { records: Mortgage[]; bookmark: string; more?: string[] };

async function queuePage(session: Session, states: readonly string[]): Promise<MortgagePage> {
  const pages = await Promise.all(states.map((s) => session.api.get<{ records: Mortgage[]; bookmark: string }>(`/v1/mortgages?pageSize=${QUEUE_PAGE}&state=${encodeURIComponent(s)}`)));
  const records = pages.flatMap((p) => p.records).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { records, bookmark: '', more: states.filter((_, i) => pages[i]?.bookmark) };
}

/** The list of the caller's registrations, a state filter, and (bank, registrar, regulator) the encumbrance query. */
export async function renderMortgages(main: HTMLElement, session: Session, onError: (err: unknown) => void, state = '', bookmark = '', pageNo = 1): Promise<void> {
  const queue = QUEUES[state];
  // The regulator reads a client's registrations by its id (GET /v1/mortgages?clientId=); here it queries units.
  const page: MortgagePage = session.me.role === 'regulator'
    ? { records: [] as Mortgage[], bookmark: '' }
    : queue
      ? await queuePage(session, queue.states)
      : await session.api.get<{ records: Mortgage[]; bookmark: string }>(`/v1/mortgages?pageSize=50${state ? `&state=${encodeURIComponent(state)}` : ''}${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`);
  // The reader may have moved on (a filter changed twice, a record opened) while this page loaded:
  // an answer that arrives late must not replace the view now shown.
  if (location.hash !== '#/mortgages' || !main.isConnected) return;
  // Pages follow the ledger's bookmarks; "first page" starts again.
  const next = h('button', { type: 'button', id: 'mortgage-next', ...(page.bookmark ? {} : { disabled: true }) }, '下一页 Next');
  next.addEventListener('click', () => void renderMortgages(main, session, onError, state, page.bookmark, pageNo + 1).catch(onError));
  const first = h('button', { type: 'button', id: 'mortgage-first', ...(bookmark ? {} : { disabled: true }) }, '首页 First page');
  first.addEventListener('click', () => void renderMortgages(main, session, onError, state).catch(onError));
  const role = session.me.role;
  const queues = Object.entries(QUEUES).filter(([key]) => (key === 'queue:review' ? role === 'registry-reviewer' : role === 'registrar'));
  const filter = h('select', { id: 'mortgage-state-filter', name: 'state' }, h('option', { value: '' }, '全部 All'),
    ...queues.map(([value, q]) => h('option', { value, ...(value === state ? { selected: true } : {}) }, q.label)),
    ...Object.entries(STATES).map(([value, text]) => h('option', { value, ...(value === state ? { selected: true } : {}) }, text)));
  filter.addEventListener('change', () => void renderMortgages(main, session, onError, filter.value).catch(onError));
  const rows = page.records.map((m) => [
    h('a', { href: `#/m/${encodeURIComponent(m.id)}` }, m.id),
    stateText(m.state),
    m.priority === undefined ? '—' : String(m.priority),
    m.mortgageeId,
    m.registryId,
    m.mortgageType,
    `${m.debtTermStart} – ${m.debtTermEnd}`,
  ]);
  show(
    main,
    h('section', { id: 'mortgages', 'aria-labelledby': 'mortgages-title', 'data-page': pageNo, 'data-state': state || 'all' },
      h('h2', { id: 'mortgages-title' }, '抵押登记 Mortgage registrations'),
      h('label', {}, '状态 State ', filter),
      rows.length > 0
        ? table(null, ['编号 Id', '状态 State', '顺位 Priority', '抵押权人 Mortgagee', '登记机构 Registry', '类型 Type', '债务期限 Debt term'], rows, { id: 'mortgage-list' })
        : h('p', { id: 'mortgage-list-empty' }, '无记录 Nothing here.'),
      page.more && page.more.length > 0
        ? h('p', { id: 'mortgage-queue-more' }, h('small', {}, `每个状态显示前 ${QUEUE_PAGE} 条 The first ${QUEUE_PAGE} of each state; more in: ${page.more.map(stateText).join('、')} — filter by that state to page on.`))
        : null,
      h('nav', { class: 'pager' }, first, ' ', next),
    ),
    ['mortgage-officer', 'bank-officer', 'bank-reviewer', 'registrar', 'registry-reviewer', 'regulator'].includes(role) ? encumbranceSection(session, onError) : null,
  );
}

function encumbranceSection(session: Session, onError: (err: unknown) => void): HTMLElement {
  const unit = h('input', { id: 'unit-number', name: 'unitNumber', required: true, placeholder: '不动产单元号 e.g. 310115 001001 GB00088 F00010101', size: 40 });
  const result = h('div', { id: 'encumbrance-result', 'aria-live': 'polite' });
  const form = h('form', { id: 'encumbrance-query' }, h('label', {}, '不动产单元号 Unit number ', unit), ' ', h('button', { type: 'submit' }, '查询 Query'));
  // The registry widens what a consented bank cannot open yet, then shows the unit again.
  const disclose = () => void session.api.post('/v1/mortgages/encumbrance-disclosures', { unitNumber: unit.value }).then(() => form.requestSubmit(), onError);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const answer = await session.api.post<{ encumbrances: PresentedEncumbrance[]; consents?: EncumbranceConsentView[] }>('/v1/mortgages/encumbrance-queries', { unitNumber: unit.value });
        show(result, answer.encumbrances.length === 0
          ? h('p', {}, '无有效抵押 No active encumbrances.')
          : table(null, ['顺位 Priority', '编号 Id', '抵押权人 Mortgagee', '类型 Type', '金额 Amount', '登记时间 Registered', '债务期限 Debt term'],
              answer.encumbrances.map((e) => [String(e.priority), e.mortgageId, e.mortgageeId, e.mortgageType, encumbranceAmount(e), instant(e.registeredAt), `${e.debtTermStart} – ${e.debtTermEnd}`]), { id: 'encumbrance-table' }),
          answer.consents ? consentsTable(answer.encumbrances, answer.consents, () => disclose()) : null);
      } catch (err) {
        show(result);
        onError(err);
      }
    })();
  });
  return h('section', { id: 'encumbrances', 'aria-labelledby': 'encumbrances-title' }, h('h2', { id: 'encumbrances-title' }, '抵押查询 Encumbrances of a unit'),
    h('p', {}, h('small', {}, '银行须取得权利人授权 A bank needs the owner’s authorization.')), form, result);
}

/** The registry's view: the banks holding a current consent of the owner, what each may open, and what it cannot yet. */
function consentsTable(encumbrances: readonly PresentedEncumbrance[], consents: readonly EncumbranceConsentView[], disclose: () => void): HTMLElement {
  if (consents.length === 0) return h('p', { id: 'encumbrance-consents' }, '无银行授权 No bank holds a current consent of the owner.');
  const lacking = (c: EncumbranceConsentView) => encumbrances.map((e) => e.mortgageId).filter((id) => !c.disclosed.includes(id));
  const button = h('button', { type: 'button', id: 'encumbrance-disclose' }, '披露 Disclose to consented banks');
  button.addEventListener('click', disclose);
  return h('div', { id: 'encumbrance-consents' },
    table('权利人授权的银行 Banks with the owner’s consent', ['银行 Bank', '有效至 Until', '可见金额 Amounts of', '尚未披露 Not yet'],
      consents.map((c) => [c.bankId, c.validUntil, c.disclosed.join(', ') || '—', lacking(c).join(', ') || '—']), { id: 'consents-table' }),
    consents.some((c) => lacking(c).length > 0) ? button : null);
}

/** The amount the gateway opened and checked against the ledger, or why there is none. */
function encumbranceAmount(e: PresentedEncumbrance): string {
  if (e.amountStatus === 'shown' && e.amount) {
    return e.amount.maximumAmount !== undefined ? `${e.amount.currency} ${e.amount.maximumAmount} (最高额 maximum)` : `${e.amount.currency} ${e.amount.securedPrincipal ?? ''}`;
  }
  switch (e.amountStatus) {
    case 'not-disclosed':
      return '未披露 not disclosed (the registry discloses it, or the owner authorizes again)';
    case 'no-key':
      return '密封 sealed to your key';
    default:
      return '无法核验 does not verify';
  }
}

/** One step offered to the caller: a form whose fields become the route's JSON body. */
function step(session: Session, id: string, action: string, label: string, route: string, fields: HTMLElement[], body: (data: FormData) => object, done: () => void, onError: (err: unknown) => void): HTMLFormElement {
  const form = h('form', { 'data-mortgage-action': action, class: 'action' }, ...fields, h('button', { type: 'submit' }, label));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    void session.api.post(`/v1/mortgages/${encodeURIComponent(id)}/${route}`, body(new FormData(form))).then(done, (err: unknown) => {
      if (button) button.disabled = false;
      onError(err);
    });
  });
  return form;
}

const text = (data: FormData, name: string): string => String(data.get(name) ?? '');

/** States a registration has its certificate in (registered and after, not rejected; a prepared change or transfer leaves it registered). */
const CERTIFIED = [...ACTIVE, 'change-in-review', 'transfer-in-review', 'discharge-requested', 'discharge-in-review', 'discharged'];
/** Who may fetch it (the route's roles; the ledger decides which records): not the mortgagor client. */
const CERTIFICATE_ROLES = ['mortgage-officer', 'bank-officer', 'bank-reviewer', 'registrar', 'registry-reviewer', 'regulator', 'auditor'];

/** What a prepared change or transfer would make of the record: the reviewer sees what it approves. */
function pendingText(review: PendingReview): string | undefined {
  const named = (opened: Opened) => {
    const c = opened.content ?? {};
    const amount = (c.securedPrincipal ?? c.maximumAmount) as string | undefined;
    const owners = Array.isArray(c.mortgagors) ? (c.mortgagors as Array<{ name?: string }>).map((p) => p.name ?? '').join('、') : undefined;
    return { amount: amount ? `${amount} ${String(c.currency ?? '')}` : '（密封 sealed）', owners: owners ?? '（密封 sealed）' };
  };
  if (review.change) return `变更后 after the change: 债务期限至 term to ${review.change.debtTermEnd} · 金额 amount ${named(review.change.application).amount}`;
  if (review.transfer) return `转移后 after the transfer: 抵押人 mortgagors ${named(review.transfer.application).owners} (${review.transfer.mortgagorIds.join(', ') || '—'})`;
  return review.rejectionReason ? `不予登记原因 reason ${review.rejectionReason}` : undefined;
}

const AMOUNT_PATTERN = '(0|[1-9][0-9]{0,15})(\\.[0-9]{1,2})?';

/** The signed registration certificate (GET …/certificate.pdf). */
function certificateButton(session: Session, id: string, onError: (err: unknown) => void): HTMLElement {
  return signedPdfButton(session, {
    route: `/v1/mortgages/${encodeURIComponent(id)}/certificate.pdf`,
    fileName: `${id}-certificate.pdf`,
    label: '下载不动产登记证明 Download the registration certificate (PDF)',
    buttonId: 'mortgage-certificate',
    statusId: 'certificate-status',
  }, onError);
}

export async function renderMortgageDetail(main: HTMLElement, session: Session, id: string, onError: (err: unknown) => void): Promise<void> {
  const m = await session.api.get<Mortgage>(`/v1/mortgages/${encodeURIComponent(id)}`);
  if (!location.hash.startsWith('#/m/') || decodeURIComponent(location.hash.slice('#/m/'.length)) !== id) return;
  const content = m.application.content ?? {};
  const amount = (content.securedPrincipal ?? content.maximumAmount) as string | undefined;
  const mortgagors = Array.isArray(content.mortgagors) ? (content.mortgagors as Array<{ name?: string }>).map((p) => p.name ?? '').join('、') : undefined;
  const reload = (): void => void renderMortgageDetail(main, session, id, onError).catch(onError);
  const role = session.me.role;
  const mine = (institution: string): boolean => session.me.institutionId === institution;
  const steps: HTMLElement[] = [];
  if (role === 'registrar' && mine(m.registryId)) {
    if (m.state === 'applied' || m.state === 'pre-registered') {
      steps.push(step(session, id, 'register', '登记审查 Prepare the registration', 'registration',
        [h('label', {}, '证明号 Certificate number ', h('input', { name: 'certificateNumber', required: true, size: 36 }))],
        (d) => ({ certificateNumber: text(d, 'certificateNumber') }), reload, onError));
      steps.push(step(session, id, 'reject', '不予登记 Reject', 'rejection',
        [h('label', {}, '原因代码 Reason code ', h('input', { name: 'reason', required: true, pattern: '[A-Z][A-Z0-9_]{1,63}', placeholder: 'TITLE_MISMATCH' }))],
        (d) => ({ reason: text(d, 'reason') }), reload, onError));
    }
    if (m.state === 'applied' && m.preRegistration) steps.push(step(session, id, 'pre-register', '预告登记 Pre-register', 'pre-registration', [], () => ({}), reload, onError));
    if (ACTIVE.includes(m.state)) {
      // The gateway opens the application with the registry's key, changes it and seals it again to the parties.
      const amountField = m.mortgageType === 'ordinary' ? 'securedPrincipal' : 'maximumAmount';
      steps.push(step(session, id, 'change', '变更登记 Prepare a change', 'change',
        [h('label', {}, '债务期限至 Debt term to ', h('input', { name: 'debtTermEnd', type: 'date' })),
          h('label', {}, m.mortgageType === 'ordinary' ? '被担保主债权 Secured principal ' : '最高债权额 Maximum amount ', h('input', { name: 'amount', pattern: AMOUNT_PATTERN, placeholder: amount ?? '' }))],
        (d) => ({ ...(text(d, 'debtTermEnd') ? { debtTermEnd: text(d, 'debtTermEnd') } : {}), ...(text(d, 'amount') ? { [amountField]: text(d, 'amount') } : {}) }), reload, onError));
      steps.push(step(session, id, 'transfer', '转移登记 Prepare a transfer (抵押随转)', 'transfer',
        [h('label', {}, '新权利人 New owner ', h('input', { name: 'name', required: true, maxlength: 200 })),
          h('label', {}, '证件号 Id number ', h('input', { name: 'idNumber', maxlength: 64 })),
          h('label', {}, '机构 Institution id ', h('input', { name: 'institutionId', pattern: '[A-Za-z0-9][A-Za-z0-9._-]{0,63}', placeholder: 'ENT1' }))],
        (d) => ({ mortgagors: [{ name: text(d, 'name'), ...(text(d, 'idNumber') ? { idNumber: text(d, 'idNumber') } : {}), ...(text(d, 'institutionId') ? { institutionId: text(d, 'institutionId') } : {}) }] }), reload, onError));
    }
    if (m.state === 'discharge-requested') {
      steps.push(step(session, id, 'discharge', '注销审查 Prepare the discharge', 'discharge',
        [h('label', {}, '案号 Case number ', h('input', { name: 'caseNumber', required: true }))],
        (d) => ({ caseNumber: text(d, 'caseNumber'), reason: m.dischargeReason ?? 'repaid' }), reload, onError));
    }
  }
  // The reviewer's step (the chaincode refuses it to the identity that prepared it: 403 FORBIDDEN).
  const approval = APPROVAL_LABEL[m.state];
  if (role === 'registry-reviewer' && mine(m.registryId) && approval) {
    steps.push(step(session, id, 'approve', approval, 'review/approval', [], () => ({}), reload, onError));
    steps.push(step(session, id, 'return', '退回 Return to the registrar', 'review/return',
      [h('label', {}, '原因代码 Reason code ', h('input', { name: 'reason', required: true, pattern: '[A-Z][A-Z0-9_]{1,63}', placeholder: 'CERTIFICATE_NUMBER_WRONG' }))],
      (d) => ({ reason: text(d, 'reason') }), reload, onError));
  }
  if (role === 'mortgage-officer' && mine(m.mortgageeId) && ACTIVE.includes(m.state)) {
    steps.push(step(session, id, 'request-discharge', '申请注销 Request discharge', 'discharge-request',
      [h('label', {}, '原因 Reason ', h('select', { name: 'reason' }, ...['repaid', 'released', 'court-order', 'other'].map((r) => h('option', { value: r }, r))))],
      (d) => ({ reason: text(d, 'reason') }), reload, onError));
  }
  show(
    main,
    h('p', {}, h('a', { href: '#/mortgages' }, '← 抵押登记 Mortgages')),
    h('section', { id: 'mortgage-detail', 'data-id': m.id, 'aria-labelledby': 'mortgage-title' },
      h('h2', { id: 'mortgage-title' }, `抵押登记 ${m.id}`),
      facts([
        ['状态 State', stateBadge(m.state)],
        ['顺位 Priority', h('span', { id: 'mortgage-priority' }, m.priority === undefined ? '—' : String(m.priority))],
        ['抵押权人 Mortgagee', m.mortgageeId],
        ['登记机构 Registry', m.registryId],
        ['类型 Type', m.mortgageType],
        ['债务期限 Debt term', `${m.debtTermStart} – ${m.debtTermEnd}`],
        ['不动产单元号 Unit number', (content.unitNumber as string | undefined) ?? '（密封 sealed）'],
        ['坐落 Location', (content.location as string | undefined) ?? '（密封 sealed）'],
        ['抵押人 Mortgagors', mortgagors ?? '（密封 sealed）'],
        ['担保金额 Amount', h('span', { id: 'mortgage-amount' }, amount ? `${amount} ${String(content.currency ?? '')}` : '（密封 sealed）')],
        ['证明号 Certificate', (m.certificate?.content?.certificateNumber as string | undefined) ?? '—'],
        ['登记时间 Registered', instant(m.registeredAt)],
        ...(m.review ? [['待审核 In review', h('span', { id: 'mortgage-review' }, `${m.review.action} · ${m.review.preparedBy} · ${instant(m.review.preparedAt)}${m.review.caseNumber ? ` · ${m.review.caseNumber}` : ''}`)] as [string, string | HTMLElement]] : []),
        ...(m.review && pendingText(m.review) ? [['拟变更 Prepared', h('span', { id: 'mortgage-pending' }, pendingText(m.review) ?? '')] as [string, string | HTMLElement]] : []),
        ...(m.lastReviewReturn ? [['退回 Returned', h('span', { id: 'mortgage-review-return' }, `${m.lastReviewReturn.reason} · ${m.lastReviewReturn.by} · ${instant(m.lastReviewReturn.at)}`)] as [string, string | HTMLElement]] : []),
      ]),
      table('经过 Steps', ['操作 Action', '状态 State', '操作人 By', '时间 At'], m.steps.map((s) => [s.action, stateText(s.state), s.by, instant(s.at)]), { id: 'mortgage-steps' }),
      CERTIFIED.includes(m.state) && CERTIFICATE_ROLES.includes(role) ? certificateButton(session, id, onError) : null,
      steps.length > 0 ? h('div', { id: 'mortgage-actions' }, ...steps) : null,
    ),
  );
}
