import type { Session } from '../app.js';
import { facts, h, show, table } from '../dom.js';
import { kindLabel, roleLabel, STATE_CODES, stateLabel } from '../labels.js';
import type { ConfirmationPage } from '../types.js';

export const PAGE_SIZE = 20;
/** Roles that have a list of their own institution's requests (the regulator has statistics instead). */
const LISTING_ROLES = ['auditor', 'client-signer', 'bank-officer', 'bank-reviewer'];

/** Who I am (GET /v1/me) and my confirmations, one page at a time (the ledger's bookmarks). */
export async function renderHome(main: HTMLElement, session: Session, onError: (err: unknown) => void): Promise<void> {
  const { me } = session;
  const who = h(
    'section',
    { 'aria-labelledby': 'me-title', id: 'me' },
    h('h2', { id: 'me-title' }, '我是谁 Who am I'),
    facts([
      ['机构 Institution', me.institutionId],
      ['身份 Identity', me.identityName],
      ['角色 Role', roleLabel(me.role)],
      ['租户 Tenant', me.tenantId],
      ['MSP', me.mspId],
      ['凭证 Credential', me.credentialId],
      ['密钥保管 Custody', me.custody],
    ]),
  );
  if (!LISTING_ROLES.includes(me.role)) {
    show(main, who, me.role === 'regulator' ? h('p', {}, h('a', { href: '#/statistics' }, '查看统计 See the statistics')) : null);
    return;
  }
  const listRegion = h('section', { 'aria-labelledby': 'list-title', id: 'confirmations' }, h('h2', { id: 'list-title' }, '我的函证 My confirmations'));
  // The ledger lists by one selector at a time (state, engagement or overdue), or none.
  let filter: ListSelector | undefined;
  // Bookmarks of the pages seen so far: [''] is the first page.
  const bookmarks = [''];
  const refilter = (selector: ListSelector | undefined): void => {
    filter = selector;
    bookmarks.splice(0, bookmarks.length, '');
    void load(0);
  };
  show(main, who, listFilter(refilter), listRegion);
  const load = async (index: number): Promise<void> => {
    listRegion.setAttribute('aria-busy', 'true');
    try {
      const query = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
      if (filter) query.set(filter.name, filter.value);
      if (bookmarks[index]) query.set('bookmark', bookmarks[index]);
      const page = await session.api.get<ConfirmationPage>(`/v1/confirmations?${query.toString()}`);
      if (page.bookmark && page.records.length > 0) bookmarks[index + 1] = page.bookmark;
      const rows = page.records.map((r) => [
        h('a', { href: `#/c/${encodeURIComponent(r.id)}`, 'data-id': r.id }, r.id),
        kindLabel(r.kind),
        r.clientId,
        r.addresseeId,
        h('span', { class: `state state-${r.state}`, 'data-state': r.state }, stateLabel(r.state)),
        r.overdue ? h('span', { class: 'overdue' }, '逾期 overdue') : '—',
      ]);
      const previous = h('button', { type: 'button', disabled: index === 0 }, '上一页 Previous');
      const next = h('button', { type: 'button', disabled: !bookmarks[index + 1] || page.records.length === 0 }, '下一页 Next');
      previous.addEventListener('click', () => void load(index - 1));
      next.addEventListener('click', () => void load(index + 1));
      show(
        listRegion,
        h('h2', { id: 'list-title' }, '我的函证 My confirmations'),
        rows.length > 0
          ? table(null, ['编号 Id', '类型 Kind', '被审单位 Client', '致 Addressee', '状态 State', '逾期 Overdue'], rows, { id: 'confirmation-table' })
          : h('p', {}, '本页无记录 Nothing on this page.'),
        h('nav', { 'aria-label': '分页 Pages', class: 'pager' }, previous, h('span', {}, `第 ${index + 1} 页 page ${index + 1}`), next),
      );
    } catch (err) {
      onError(err);
    } finally {
      listRegion.removeAttribute('aria-busy');
    }
  };
  await load(0);
}

/** One list selector of GET /v1/confirmations. */
interface ListSelector {
  name: 'state' | 'engagementId' | 'overdue';
  value: string;
}

/**
 * Open a request by its id, or narrow the list to one state, one engagement or the overdue ones
 * (the ledger's indexes answer one selector at a time, so the form offers one).
 */
function listFilter(apply: (selector: ListSelector | undefined) => void): HTMLElement {
  const openId = h('input', { id: 'open-id', name: 'id', required: true, autocomplete: 'off', spellcheck: 'false' });
  const open = h(
    'form',
    { id: 'open-by-id', class: 'toolbar', role: 'search' },
    h('label', { for: 'open-id' }, '按编号打开 Open by id'),
    openId,
    h('button', { type: 'submit' }, '打开 Open'),
  );
  open.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = openId.value.trim();
    if (id) location.hash = `#/c/${encodeURIComponent(id)}`;
  });
  const by = h(
    'select',
    { id: 'filter-by', name: 'by' },
    h('option', { value: '' }, '全部 All'),
    h('option', { value: 'state' }, '状态 State'),
    h('option', { value: 'engagementId' }, '审计项目 Engagement'),
    h('option', { value: 'overdue' }, '逾期 Overdue'),
  );
  const state = h('select', { id: 'filter-state', name: 'state', 'aria-label': '状态 State' }, ...STATE_CODES.map((code) => h('option', { value: code }, stateLabel(code))));
  const engagement = h('input', { id: 'filter-engagement', name: 'engagementId', 'aria-label': '审计项目编号 Engagement id', autocomplete: 'off', spellcheck: 'false' });
  const sync = () => {
    state.hidden = by.value !== 'state';
    engagement.hidden = by.value !== 'engagementId';
    engagement.required = by.value === 'engagementId';
  };
  by.addEventListener('change', sync);
  sync();
  const narrow = h(
    'form',
    { id: 'list-filter', class: 'toolbar' },
    h('label', { for: 'filter-by' }, '筛选 Filter'),
    by,
    state,
    engagement,
    h('button', { type: 'submit' }, '筛选 Apply'),
  );
  narrow.addEventListener('submit', (event) => {
    event.preventDefault();
    if (by.value === 'state') apply({ name: 'state', value: state.value });
    else if (by.value === 'engagementId') apply({ name: 'engagementId', value: engagement.value.trim() });
    else if (by.value === 'overdue') apply({ name: 'overdue', value: 'true' });
    else apply(undefined);
  });
  return h('div', { class: 'toolbars' }, open, narrow);
}

