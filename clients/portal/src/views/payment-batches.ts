import { ApiError } from '../api-client.js';
import type { Session } from '../app.js';
import { facts, h, instant, saveBlob, show, table } from '../dom.js';
import { actorName, importStageLabel, IMPORT_STAGES } from '../labels.js';
import type { PaymentBatch, PaymentBatchImportProgress, PaymentBatchPage, RowIssue } from '../types.js';
import { yuan } from './receivables.js';

/** The roles that read payment batches (chaincode payment-batch-contract.ts READER_ROLES; the list route has no role check of its own). */
export const PAYMENT_BATCH_READERS: readonly string[] = ['bank-officer', 'bank-reviewer', 'client-signer', 'regulator'];
/** A batch is written once, settled (chaincode payment-batch-store.ts): the ledger knows no other state. */
const SETTLED = '已结算 settled';
const PAGE_SIZE = 50;

/** How often the import's stage is asked for while the upload runs. */
const POLL_MS = 250;
const FINAL = ['committed', 'refused', 'failed'];

const input = (name: string, attrs: Record<string, string | boolean> = {}): HTMLInputElement => h('input', { name, id: `pb-${name}`, autocomplete: 'off', ...attrs });
const field = (labelText: string, control: HTMLInputElement): HTMLElement => h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control);

function issuesTable(issues: RowIssue[]): HTMLElement {
  return table(
    `${issues.length} 处问题，未付任何款 ${issues.length} problem(s); nothing was settled`,
    ['行 Line', '字段 Field', '问题 Problem'],
    issues.map((i) => [String(i.line), i.field, i.problem]),
    { id: 'pb-issues' },
  );
}

/**
 * The import's stage as the gateway reports it (GET /v1/payment-batches/imports/{key}) on a bar of
 * the four steps validating → endorsing → ordering → committed; refused and failed keep the bar where
 * it stood. Before the gateway has the whole file there is no entry yet (404): "uploading".
 */
function progressPanel(): { element: HTMLElement; update: (progress: PaymentBatchImportProgress | undefined) => void } {
  const bar = h('progress', { id: 'pb-progress', max: String(IMPORT_STAGES.length), value: '0' });
  const stage = h('span', { id: 'pb-stage', 'data-stage': 'uploading' }, importStageLabel('uploading'));
  const detail = h('span', { id: 'pb-progress-detail' });
  const element = h('p', { id: 'pb-progress-panel' }, bar, ' ', stage, ' ', detail);
  return {
    element,
    update(progress) {
      if (!progress) return;
      const at = IMPORT_STAGES.indexOf(progress.stage);
      if (at >= 0) bar.value = at + 1;
      stage.dataset.stage = progress.stage;
      stage.textContent = importStageLabel(progress.stage);
      const parts = [
        progress.lines !== undefined ? `${progress.lines} 笔 payees` : '',
        progress.totalMinor !== undefined ? `${yuan(progress.totalMinor)}` : '',
        progress.transactionId ? `tx ${progress.transactionId.slice(0, 12)}…` : '',
        progress.error ? `${progress.error.code}: ${progress.error.message}` : '',
      ];
      detail.textContent = parts.filter(Boolean).join(' · ');
    },
  };
}

/** The total as the summary opens for the caller (payer, bank, regulator), or that it stays sealed. */
function totalText(batch: PaymentBatch): string {
  const total = batch.summary.content?.total;
  return total === undefined ? '（密封 sealed）' : `${yuan(total)} ${batch.currency}`;
}

function settledFacts(batch: PaymentBatch): HTMLElement {
  return h(
    'section',
    { id: 'pb-settled', 'data-id': batch.id },
    h('h3', {}, '已结算 Settled'),
    facts([
      ['批次 Batch', h('span', { id: 'pb-settled-id' }, batch.id)],
      ['付款人 Payer', batch.payerId],
      ['笔数 Payees', h('span', { id: 'pb-settled-count' }, String(batch.count))],
      ['合计 Total', h('span', { id: 'pb-settled-total' }, totalText(batch))],
      ['结算时间 Settled at', instant(batch.settledAt)],
    ]),
  );
}

/**
 * One page of the caller's batches (GET /v1/payment-batches, the ledger's bookmarks; the regulator
 * names the party), as a section that reloads in place: a page, the next, the first again, or after
 * an import settled.
 */
/**
 * The party the regulator last named, for this tab: back from a batch's page (its link or the
 * browser's Back) the list shows that party's batches again instead of asking anew.
 */
const REGULATOR_PARTY_KEY = 'econfirm.paymentBatches.party';

function batchList(session: Session, onError: (err: unknown) => void): { element: HTMLElement; load: (partyId?: string, bookmark?: string, pageNo?: number) => Promise<void> } {
  const regulator = session.me.role === 'regulator';
  const element = h('section', { id: 'pb-batches', 'aria-labelledby': 'pb-batches-title' });
  // Only the latest request may fill the section: an answer that arrives late is dropped.
  let latest = 0;
  const load = async (named?: string, bookmark = '', pageNo = 1): Promise<void> => {
    const mine = ++latest;
    const partyId = named ?? (regulator ? sessionStorage.getItem(REGULATOR_PARTY_KEY) ?? '' : '');
    if (regulator && named !== undefined) {
      if (named) sessionStorage.setItem(REGULATOR_PARTY_KEY, named);
      else sessionStorage.removeItem(REGULATOR_PARTY_KEY);
    }
    const query = `pageSize=${PAGE_SIZE}${partyId ? `&partyId=${encodeURIComponent(partyId)}` : ''}${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`;
    // The regulator reads one party's batches (the route requires it to name one).
    const page: PaymentBatchPage = regulator && !partyId ? { records: [], bookmark: '', fetchedRecordsCount: 0 } : await session.api.get<PaymentBatchPage>(`/v1/payment-batches?${query}`);
    if (mine !== latest) return;
    const next = h('button', { type: 'button', id: 'pb-next', ...(page.bookmark ? {} : { disabled: true }) }, '下一页 Next');
    next.addEventListener('click', () => void load(partyId, page.bookmark, pageNo + 1).catch(onError));
    const first = h('button', { type: 'button', id: 'pb-first', ...(bookmark ? {} : { disabled: true }) }, '首页 First page');
    first.addEventListener('click', () => void load(partyId).catch(onError));
    const party = h('input', { id: 'pb-party', name: 'partyId', value: partyId, placeholder: 'ENT1', size: 12, required: true });
    const partyForm = h('form', { id: 'pb-party-form' }, h('label', { for: 'pb-party' }, '付款人或银行 Payer or bank '), party, ' ', h('button', { type: 'submit' }, '查看 Show'));
    partyForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void load(party.value.trim()).catch(onError);
    });
    const rows = page.records.map((b) => [
      h('a', { href: `#/pb/${encodeURIComponent(b.id)}` }, b.id),
      b.payerId,
      b.bankId,
      String(b.count),
      totalText(b),
      SETTLED,
      instant(b.settledAt),
    ]);
    element.dataset.page = String(pageNo);
    element.dataset.party = partyId;
    show(
      element,
      h('h3', { id: 'pb-batches-title' }, regulator ? '机构的批次 An institution’s batches' : '本机构的批次 Our batches (payer or bank)'),
      regulator ? partyForm : null,
      rows.length > 0
        ? table(null, ['批次 Batch', '付款人 Payer', '付款银行 Bank', '笔数 Payees', '合计 Total', '状态 State', '结算时间 Settled at'], rows, { id: 'pb-list' })
        : h('p', { id: 'pb-list-empty' }, regulator && !partyId ? '请输入机构 Name an institution (payer or bank).' : '无记录 Nothing here.'),
      // The ledger's index of a party's batches is keyed by batch id, not by time: no newest-first order across pages.
      rows.length > 0 ? h('p', { class: 'muted' }, '按批次编号排列 In batch-id order (the ledger indexes a party’s batches by id).') : null,
      h('nav', { class: 'pager' }, first, ' ', next),
    );
  };
  return { element, load };
}

/**
 * Batch payments (批量代付): every reader's batches (bank officer and reviewer of the paying bank,
 * the payer's client signer, the regulator for the party it names) and, for the paying bank's officer,
 * the import from a file: download the template (payeeReference,amount), upload a CSV or XLSX of the
 * payees with the payer and the payment instruction (POST /v1/payment-batches/import, one
 * Idempotency-Key per filled-in form), follow the import's stage, see every bad line of a refused file
 * (422 ROWS_INVALID: nothing settled) or the settled batch, which the list then shows.
 * `clearMessages` empties the page's error and status regions at each upload.
 */
export async function renderPaymentBatches(main: HTMLElement, session: Session, onError: (err: unknown) => void, clearMessages: () => void): Promise<void> {
  const heading = h('h2', {}, '批量代付 Payment batches');
  const notOffered = h('p', { id: 'pb-not-offered' }, '只有付款银行的经办可导入批量代付。Only the paying bank’s officer imports a payment batch.');
  if (!PAYMENT_BATCH_READERS.includes(session.me.role)) {
    show(main, heading, notOffered);
    return;
  }
  const list = batchList(session, onError);
  await list.load();
  // The reader may have moved on while the first page loaded.
  if (location.hash !== '#/payment-batches' || !main.isConnected) return;
  if (session.me.role !== 'bank-officer') {
    show(main, heading, list.element, notOffered);
    return;
  }
  show(main, heading, list.element, importSection(session, onError, clearMessages, () => void list.load().catch(onError)));
}

/** The officer's import form and its outcome; `settled` is told once a batch settled. */
function importSection(session: Session, onError: (err: unknown) => void, clearMessages: () => void, settled: () => void): HTMLElement {
  const template = h('button', { type: 'button', id: 'pb-template' }, '下载模板 Download the CSV template');
  template.addEventListener('click', () => {
    void (async () => {
      try {
        saveBlob(await session.api.blob('/v1/payment-batches/import/template.csv'), 'payment-batch.csv');
      } catch (err) {
        onError(err);
      }
    })();
  });
  const submit = h('button', { type: 'submit' }, '上传并结算 Upload and settle');
  const form = h(
    'form',
    { id: 'pb-upload', class: 'action' },
    template,
    field('付款人 Payer (registry id)', input('payerId', { required: true })),
    field('币种 Currency', input('currency', { required: true, value: 'CNY', pattern: '[A-Z]{3}' })),
    field('付款指令编号 Payment instruction', input('instructionReference', { required: true, maxlength: '64' })),
    field('批次编号 Batch id (optional: generated when empty)', input('id')),
    field('收款人文件 Payees (CSV or XLSX: payeeReference, amount in yuan)', input('file', { type: 'file', required: true, accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })),
    submit,
  );
  const outcome = h('div', { id: 'pb-outcome', 'aria-live': 'polite' });
  // One key per filled-in form: a double submit or a retry after a lost answer settles once. It is
  // also the handle of the import's progress.
  let idempotencyKey = crypto.randomUUID();
  form.addEventListener('input', () => (idempotencyKey = crypto.randomUUID()));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = idempotencyKey;
    const data = new FormData(form);
    // An empty optional id is no id: the gateway generates one.
    if (data.get('id') === '') data.delete('id');
    const panel = progressPanel();
    // A refusal shown for the last file is not this one's.
    clearMessages();
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    show(outcome, panel.element);
    const progressUrl = `/v1/payment-batches/imports/${encodeURIComponent(key)}`;
    const ask = async (): Promise<PaymentBatchImportProgress | undefined> => {
      try {
        return await session.api.get<PaymentBatchImportProgress>(progressUrl);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return undefined;
        throw err;
      }
    };
    let uploading = true;
    const poll = (async () => {
      while (uploading) {
        const progress = await ask().catch(() => undefined);
        panel.update(progress);
        if (progress && FINAL.includes(progress.stage)) return;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })();
    void (async () => {
      try {
        const batch = await session.api.upload<PaymentBatch>('/v1/payment-batches/import', data, key);
        uploading = false;
        await poll;
        // The last word on the stage is the gateway's, once the answer is in.
        panel.update(await ask().catch(() => undefined));
        show(outcome, panel.element, settledFacts(batch));
        settled();
      } catch (err) {
        uploading = false;
        await poll;
        panel.update(await ask().catch(() => undefined));
        const issues = err instanceof ApiError && Array.isArray(err.details?.issues) ? (err.details.issues as RowIssue[]) : [];
        show(outcome, panel.element, issues.length > 0 && typeof issues[0]?.line === 'number' ? issuesTable(issues) : null);
        onError(err);
      } finally {
        submit.disabled = false;
        form.removeAttribute('aria-busy');
      }
    })();
  });
  return h(
    'section',
    { id: 'pb-import', 'aria-labelledby': 'pb-import-title' },
    h('h3', { id: 'pb-import-title' }, '导入 Import a batch'),
    h('p', {}, '每行先经校验，全部通过才在一笔交易中结算；有误则列出行号与原因，不付任何款。金额以元为单位，最多两位小数。Every line is checked first: a file with a bad line settles nothing and names each line and reason; a good one settles in one transaction. Amounts in yuan, at most 2 decimals.'),
    form,
    outcome,
  );
}

/** The lines for the payer and the bank; for anyone else (the regulator) why there are none. */
function linesPart(batch: PaymentBatch): HTMLElement {
  const opened = batch.lines.content;
  if (batch.lines.readable === 'decrypted' && opened) {
    return table(
      `${opened.lines.length} 笔 payees`,
      ['序号 #', '收款人账号 Payee reference', `金额 Amount (${batch.currency})`],
      opened.lines.map((line, i) => [String(i + 1), line.payeeReference, yuan(line.amount)]),
      { id: 'pb-lines' },
    );
  }
  const why = batch.lines.readable === 'not-addressed'
    ? '明细只密封给付款人和付款银行：本机构只能读取笔数与合计。The lines are sealed to the payer and the paying bank only: this institution reads the count and the total.'
    : `明细未能为本机构打开 The lines could not be opened for this institution (${batch.lines.readable}).`;
  return h('p', { id: 'pb-lines-sealed', 'data-readable': batch.lines.readable }, why);
}

/** One batch (GET /v1/payment-batches/{id}): the summary as opened for the caller and, for the payer and the bank, its lines. */
export async function renderPaymentBatchDetail(main: HTMLElement, session: Session, id: string): Promise<void> {
  const batch = await session.api.get<PaymentBatch>(`/v1/payment-batches/${encodeURIComponent(id)}`);
  if (!location.hash.startsWith('#/pb/') || decodeURIComponent(location.hash.slice('#/pb/'.length)) !== id) return;
  const instruction = batch.lines.content?.instruction.reference;
  show(
    main,
    h('p', {}, h('a', { href: '#/payment-batches' }, '← 批量代付 Payment batches')),
    h(
      'section',
      { id: 'pb-detail', 'data-id': batch.id, 'aria-labelledby': 'pb-detail-title' },
      h('h2', { id: 'pb-detail-title' }, `批量代付 ${batch.id}`),
      facts([
        ['状态 State', SETTLED],
        ['付款人 Payer', batch.payerId],
        ['付款银行 Bank', batch.bankId],
        ['笔数 Payees', h('span', { id: 'pb-count' }, String(batch.count))],
        ['合计 Total', h('span', { id: 'pb-total' }, totalText(batch))],
        ['付款指令 Payment instruction', instruction === undefined ? '（密封 sealed）' : h('span', { id: 'pb-instruction' }, instruction)],
        ['结算人 Settled by', h('span', { title: batch.settledBy }, actorName(batch.settledBy))],
        ['结算时间 Settled at', instant(batch.settledAt)],
      ]),
      linesPart(batch),
    ),
  );
}
