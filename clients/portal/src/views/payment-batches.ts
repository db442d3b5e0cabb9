import { ApiError } from '../api-client.js';
import type { Session } from '../app.js';
import { facts, h, instant, saveBlob, show, table } from '../dom.js';
import { importStageLabel, IMPORT_STAGES } from '../labels.js';
import type { PaymentBatch, PaymentBatchImportProgress, RowIssue } from '../types.js';
import { yuan } from './receivables.js';

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

function settledFacts(batch: PaymentBatch): HTMLElement {
  const summary = batch.summary.content;
  return h(
    'section',
    { id: 'pb-settled', 'data-id': batch.id },
    h('h3', {}, '已结算 Settled'),
    facts([
      ['批次 Batch', h('span', { id: 'pb-settled-id' }, batch.id)],
      ['付款人 Payer', batch.payerId],
      ['笔数 Payees', h('span', { id: 'pb-settled-count' }, String(batch.count))],
      ['合计 Total', h('span', { id: 'pb-settled-total' }, `${yuan(summary?.total)} ${batch.currency}`)],
      ['结算时间 Settled at', instant(batch.settledAt)],
    ]),
  );
}

/**
 * Batch payments (批量代付) from a file, for the paying bank's officer: download the template
 * (payeeReference,amount), upload a CSV or XLSX of the payees with the payer and the payment
 * instruction (POST /v1/payment-batches/import, one Idempotency-Key per filled-in form), follow the
 * import's stage, see every bad line of a refused file (422 ROWS_INVALID: nothing settled) or the
 * settled batch. `clearMessages` empties the page's error and status regions at each upload.
 */
export function renderPaymentBatches(main: HTMLElement, session: Session, onError: (err: unknown) => void, clearMessages: () => void): void {
  const heading = h('h2', {}, '批量代付 Payment batches');
  if (session.me.role !== 'bank-officer') {
    show(main, heading, h('p', { id: 'pb-not-offered' }, '只有付款银行的经办可导入批量代付。Only the paying bank’s officer imports a payment batch.'));
    return;
  }
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
  show(
    main,
    heading,
    h('p', {}, '每行先经校验，全部通过才在一笔交易中结算；有误则列出行号与原因，不付任何款。金额以元为单位，最多两位小数。Every line is checked first: a file with a bad line settles nothing and names each line and reason; a good one settles in one transaction. Amounts in yuan, at most 2 decimals.'),
    form,
    outcome,
  );
}
