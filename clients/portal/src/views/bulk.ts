import { ApiError } from '../api-client.js';
import type { Session } from '../app.js';
import { facts, h, instant, saveBlob, show, table } from '../dom.js';
import { bulkStatusLabel, KIND_CODES, kindLabel } from '../labels.js';
import type { BulkJob, BulkLetter, RowIssue } from '../types.js';

const POLL_MS = 1000;
const UNFINISHED = ['queued', 'running'];

let fieldSeq = 0;
function field(labelText: string, control: HTMLInputElement | HTMLSelectElement): HTMLElement {
  control.id ||= `bulk-f${++fieldSeq}`;
  return h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control);
}

const input = (name: string, attrs: Record<string, string | boolean> = {}): HTMLInputElement => h('input', { name, id: `bulk-${name}`, required: true, autocomplete: 'off', ...attrs });

function issuesTable(issues: RowIssue[]): HTMLElement {
  return table(
    `${issues.length} 处问题，未发任何函 ${issues.length} problem(s); nothing was issued`,
    ['行 Line', '字段 Field', '问题 Problem'],
    issues.map((i) => [String(i.line), i.field, i.problem]),
    { id: 'bulk-issues' },
  );
}

/**
 * Bulk issuance for the firm's auditors: download the column template of a letter kind, upload an
 * engagement's letters as CSV or XLSX (POST /v1/bulk/jobs). The gateway checks every row before
 * issuing any: a bad file is answered with each bad line and field, and nothing is issued.
 */
export async function renderBulk(main: HTMLElement, session: Session, onError: (err: unknown) => void): Promise<void> {
  const kind = h('select', { name: 'kind', id: 'bulk-kind' }, ...KIND_CODES.map((code) => h('option', { value: code }, kindLabel(code))));
  const file = input('file', { type: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const template = h('button', { type: 'button', id: 'bulk-template' }, '下载模板 Download the CSV template');
  template.addEventListener('click', () => {
    void (async () => {
      try {
        saveBlob(await session.api.blob(`/v1/bulk/templates/${encodeURIComponent(kind.value)}.csv`), `${kind.value}.csv`);
      } catch (err) {
        onError(err);
      }
    })();
  });
  const submit = h('button', { type: 'submit' }, '上传并发函 Upload and issue');
  const form = h(
    'form',
    { id: 'bulk-upload', class: 'action' },
    field('函证类型 Kind', kind),
    template,
    field('审计项目编号 Engagement id', input('engagementId')),
    field('被审单位 Client (registry id)', input('clientId')),
    field('审计期间起 Period start', input('periodStart', { type: 'date' })),
    field('审计期间止 Period end', input('periodEnd', { type: 'date' })),
    field('基准日 As of', input('asOfDate', { type: 'date' })),
    field('函证文件 Letters (CSV or XLSX)', file),
    submit,
  );
  const outcome = h('div', { id: 'bulk-outcome', 'aria-live': 'polite' });
  // One key per filled-in form: a double submit or a retry after a lost answer gets the same job.
  let idempotencyKey = crypto.randomUUID();
  form.addEventListener('input', () => (idempotencyKey = crypto.randomUUID()));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    show(outcome);
    void (async () => {
      try {
        const job = await session.api.upload<BulkJob>('/v1/bulk/jobs', new FormData(form), idempotencyKey);
        location.hash = `#/bulk/${encodeURIComponent(job.id)}`;
      } catch (err) {
        const issues = err instanceof ApiError && Array.isArray(err.details?.issues) ? (err.details.issues as RowIssue[]) : [];
        if (issues.length > 0 && typeof issues[0]?.line === 'number') show(outcome, issuesTable(issues));
        onError(err);
      } finally {
        submit.disabled = false;
        form.removeAttribute('aria-busy');
      }
    })();
  });
  const jobs = await session.api.get<BulkJob[]>('/v1/bulk/jobs');
  show(
    main,
    h('h2', {}, '批量发函 Bulk issuance'),
    h('p', {}, '每行先经校验，全部通过才发函；有误则列出行号与字段，不发任何函。Every row is checked first: a file with a bad row issues nothing and names each line and field.'),
    form,
    outcome,
    h('h3', {}, '最近的任务 Recent jobs'),
    jobs.length > 0
      ? table(
          null,
          ['任务 Job', '状态 Status', '文件 File', '函证 Letters', '已发 Issued', '提交时间 Created'],
          jobs.map((j) => [h('a', { href: `#/bulk/${encodeURIComponent(j.id)}` }, j.id.slice(0, 8)), bulkStatusLabel(j.status), j.fileName, String(j.progress.letters), String(j.progress.issued), instant(j.createdAt)]),
          { id: 'bulk-jobs' },
        )
      : h('p', {}, '暂无 None yet.'),
  );
}

/** One job: status and progress, refreshed while it runs; its letters with their request ids. */
export async function renderBulkJob(main: HTMLElement, session: Session, id: string): Promise<void> {
  const route = location.hash;
  const base = `/v1/bulk/jobs/${encodeURIComponent(id)}`;
  const [job, letters] = await Promise.all([session.api.get<BulkJob>(base), session.api.get<BulkLetter[]>(`${base}/letters`)]);
  show(
    main,
    h('p', {}, h('a', { href: '#/bulk' }, '← 批量发函 Bulk issuance')),
    h('h2', {}, `批量任务 Bulk job ${job.id}`),
    facts([
      ['状态 Status', h('span', { id: 'job-status', 'data-status': job.status }, bulkStatusLabel(job.status))],
      ['类型 Kind', kindLabel(job.kind)],
      ['审计项目 Engagement', job.engagement.id ?? '—'],
      ['文件 File', `${job.fileName} (${job.format}, ${job.rows} 行 rows)`],
      ['进度 Progress', `${job.progress.issued} / ${job.progress.letters} 已发 issued`],
      ['提交 Created', instant(job.createdAt)],
      ['完成 Finished', instant(job.finishedAt)],
      ...(job.error ? ([['错误 Error', `${job.error.code ?? ''} ${job.error.message ?? ''}`]] as Array<[string, string]>) : []),
    ]),
    job.issues.length > 0 ? issuesTable(job.issues) : null,
    letters.length > 0
      ? table(
          '函证 Letters',
          ['行 Line', '函证参考 Ref', '函证编号 Request', '致 Addressee', '状态 Status'],
          letters.map((l) => [String(l.line), l.letterRef, l.status === 'issued' ? h('a', { href: `#/c/${encodeURIComponent(l.requestId)}`, 'data-id': l.requestId }, l.requestId) : l.requestId, l.addresseeId, h('span', { 'data-status': l.status }, bulkStatusLabel(l.status))]),
          { id: 'bulk-letters' },
        )
      : null,
  );
  // Refreshed until it finishes, as long as the reader stays on this job.
  if (UNFINISHED.includes(job.status)) {
    setTimeout(() => {
      if (location.hash === route) void renderBulkJob(main, session, id).catch(() => undefined);
    }, POLL_MS);
  }
}
