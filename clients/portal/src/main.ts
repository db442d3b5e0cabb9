import { clearMessages, regions, renderChrome, resumeSession, showError, showStatus, type Regions, type Session } from './app.js';
import { h, show } from './dom.js';
import { deleteCredential } from './key-store.js';
import { stateLabel } from './labels.js';
import type { Confirmation } from './types.js';
import { ACTIONS, isActionName } from './views/actions.js';
import { renderBulk, renderBulkJob } from './views/bulk.js';
import { renderDetail } from './views/confirmation-detail.js';
import { renderEngagement } from './views/cross-check.js';
import { renderHome } from './views/confirmation-list.js';
import { renderMortgageDetail, renderMortgages } from './views/mortgages.js';
import { renderPaymentBatchDetail, renderPaymentBatches } from './views/payment-batches.js';
import { renderReceivableDetail, renderReceivables } from './views/receivables.js';
import { renderSignIn } from './views/sign-in.js';
import { renderStatistics } from './views/statistics.js';

/** The portal's entry point: resume the stored credential or ask for one, then route on the URL hash. */
const r: Regions = regions();
let session: Session | undefined;
/** The confirmation the detail view shows: actions act on it. */
let current: Confirmation | undefined;

async function route(): Promise<void> {
  current = undefined;
  if (!session) {
    renderSignIn(r.main, () => void start(), (err) => showError(r, err));
    return;
  }
  const hash = location.hash.replace(/^#/, '') || '/';
  r.main.setAttribute('aria-busy', 'true');
  try {
    const detail = /^\/c\/(.+)$/.exec(hash);
    if (detail) current = await renderDetail(r.main, session, decodeURIComponent(detail[1]));
    else if (hash === '/mortgages') await renderMortgages(r.main, session, (err) => showError(r, err));
    else if (/^\/m\/.+$/.test(hash)) await renderMortgageDetail(r.main, session, decodeURIComponent(hash.slice('/m/'.length)), (err) => showError(r, err));
    else if (/^\/e\/.+$/.test(hash)) await renderEngagement(r.main, session, decodeURIComponent(hash.slice('/e/'.length)), (err) => showError(r, err));
    else if (hash === '/receivables') await renderReceivables(r.main, session, (err) => showError(r, err));
    else if (/^\/r\/.+$/.test(hash)) await renderReceivableDetail(r.main, session, decodeURIComponent(hash.slice('/r/'.length)), (err) => showError(r, err));
    else if (hash === '/statistics') await renderStatistics(r.main, session, (err) => showError(r, err));
    else if (hash === '/payment-batches') await renderPaymentBatches(r.main, session, (err) => showError(r, err), () => clearMessages(r));
    else if (/^\/pb\/.+$/.test(hash)) await renderPaymentBatchDetail(r.main, session, decodeURIComponent(hash.slice('/pb/'.length)));
    else if (hash === '/bulk') await renderBulk(r.main, session, (err) => showError(r, err));
    else if (/^\/bulk\/.+$/.test(hash)) await renderBulkJob(r.main, session, decodeURIComponent(hash.slice('/bulk/'.length)));
    else await renderHome(r.main, session, (err) => showError(r, err));
  } catch (err) {
    show(r.main, h('p', {}, h('a', { href: '#/' }, '← 首页 Home')));
    showError(r, err);
  } finally {
    r.main.removeAttribute('aria-busy');
  }
}

async function start(): Promise<void> {
  clearMessages(r);
  try {
    session = await resumeSession();
  } catch (err) {
    session = undefined;
    showError(r, err);
  }
  renderChrome(r, session);
  await route();
}

// Every action form (views/actions.ts) is handled here, by its data-action: one path for all of them.
r.main.addEventListener('submit', (event) => {
  const form = event.target;
  // Forms without data-action (sign-in, list filters, bulk upload) handle their own submit.
  if (!(form instanceof HTMLFormElement) || !form.dataset.action) return;
  event.preventDefault();
  const name = form.dataset.action;
  const signedIn = session;
  const target = current;
  if (!signedIn || !target || !isActionName(name)) return;
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  form.setAttribute('aria-busy', 'true');
  clearMessages(r);
  void (async () => {
    try {
      const note = await ACTIONS[name].run(signedIn.api, target, new FormData(form));
      if (note) {
        showStatus(r, note);
        buttons.forEach((b) => (b.disabled = false));
        form.removeAttribute('aria-busy');
        return;
      }
      const fresh = await renderDetail(r.main, signedIn, target.id);
      current = fresh;
      showStatus(r, `${ACTIONS[name].label}: ${stateLabel(fresh.state)}`);
    } catch (err) {
      showError(r, err);
      buttons.forEach((b) => (b.disabled = false));
      form.removeAttribute('aria-busy');
    }
  })();
});

r.signOut.addEventListener('click', () => {
  void (async () => {
    await deleteCredential();
    session = undefined;
    // Drop the view's hash without a hashchange (start() renders the sign-in form once).
    history.replaceState(null, '', location.pathname);
    await start();
    showStatus(r, '已退出，密钥已从本浏览器删除 Signed out: the key was deleted from this browser.');
  })();
});

window.addEventListener('hashchange', () => {
  clearMessages(r);
  void route();
});

void start();
