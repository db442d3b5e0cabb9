import { ApiClient, ApiError } from './api-client.js';
import { h, show } from './dom.js';
import type { StoredCredential } from './key-store.js';
import { deleteCredential, loadCredential } from './key-store.js';
import { roleLabel } from './labels.js';
import type { Principal } from './types.js';
import { PAYMENT_BATCH_READERS } from './views/payment-batches.js';

/** What every view gets: the signed-in caller, its API client, and the page's shared regions. */
export interface Session {
  api: ApiClient;
  me: Principal;
  credential: StoredCredential;
}

/** The page's fixed regions (static/index.html). */
export interface Regions {
  main: HTMLElement;
  whoami: HTMLElement;
  nav: HTMLElement;
  signOut: HTMLButtonElement;
  error: HTMLElement;
  status: HTMLElement;
}

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page lacks #${id}`);
  return element as T;
}

export function regions(): Regions {
  return {
    main: byId('main'),
    whoami: byId('whoami'),
    nav: byId('nav'),
    signOut: byId<HTMLButtonElement>('sign-out'),
    error: byId('error'),
    status: byId('status'),
  };
}

/** Shows an error as the API gave it: its code and message (and request id, for support). */
export function showError(r: Regions, err: unknown): void {
  const code = err instanceof ApiError ? err.code : 'PORTAL_ERROR';
  const message = err instanceof Error ? err.message : String(err);
  const requestId = err instanceof ApiError && err.requestId ? err.requestId : undefined;
  show(r.error, h('strong', { class: 'error-code', 'data-code': code }, code), ' ', h('span', { class: 'error-message' }, message), requestId ? h('small', {}, ` (request ${requestId})`) : null);
  r.error.hidden = false;
}

export function clearMessages(r: Regions): void {
  r.error.hidden = true;
  r.error.replaceChildren();
  r.status.replaceChildren();
}

export function showStatus(r: Regions, text: string): void {
  show(r.status, text);
}

/** The stored credential and who the gateway says it is, or undefined when signed out. */
export async function resumeSession(): Promise<Session | undefined> {
  const credential = await loadCredential();
  if (!credential) return undefined;
  const api = new ApiClient(credential);
  try {
    return { api, credential, me: await api.get<Principal>('/v1/me') };
  } catch (err) {
    // A revoked credential (or one of another gateway) is useless: forget it.
    if (err instanceof ApiError && err.status === 401) {
      await deleteCredential();
      return undefined;
    }
    throw err;
  }
}

export function renderChrome(r: Regions, session: Session | undefined): void {
  r.signOut.hidden = !session;
  if (!session) {
    show(r.whoami);
    show(r.nav);
    return;
  }
  const { me } = session;
  show(r.whoami, h('span', { 'data-testid': 'whoami' }, `${me.institutionId} · ${me.identityName} · ${roleLabel(me.role)}`));
  const links = [h('a', { href: '#/' }, '首页 Home')];
  if (me.role === 'regulator') links.push(h('a', { href: '#/statistics' }, '统计 Statistics'));
  if (me.role === 'auditor') links.push(h('a', { href: '#/bulk' }, '批量发函 Bulk issuance'));
  if (PAYMENT_BATCH_READERS.includes(me.role)) links.push(h('a', { href: '#/payment-batches' }, '批量代付 Payment batches'));
  if (['mortgage-officer', 'bank-officer', 'bank-reviewer', 'registrar', 'registry-reviewer', 'client-signer', 'regulator'].includes(me.role)) links.push(h('a', { href: '#/mortgages' }, '抵押登记 Mortgages'));
  if (['bank-officer', 'bank-reviewer', 'client-signer', 'regulator'].includes(me.role)) links.push(h('a', { href: '#/receivables' }, '应收账款 Receivables'));
  show(r.nav, ...links);
}
