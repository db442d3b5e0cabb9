import type { ApiClient } from '../api-client.js';
import { h, saveBlob, type Child } from '../dom.js';
import { ALTERNATIVE_PROCEDURES, alternativeProcedureLabel, fieldLabel, inOrder, RETURN_REASONS, returnReasonLabel, SECTION_ORDER, sectionLabel } from '../labels.js';
import type { Confirmation, Principal, ReplyDifference } from '../types.js';

/**
 * The lifecycle actions, each a form carrying `data-action`. The portal offers an action only to
 * the role that may take it, in the states it may be taken from (chaincode transitions.ts); the
 * gateway and the chaincode still decide, and their refusal is shown with its error code.
 */
export type ActionName = 'authorize' | 'refuse' | 'accept' | 'return' | 'reply' | 'approve' | 'reject' | 'auditor-accept' | 'recall' | 'resend' | 'alternative' | 'evidence';

interface ActionSpec {
  offered(me: Principal, c: Confirmation): boolean;
  form(c: Confirmation): Child[];
  /** Performs it; a returned string is a status line (evidence download). */
  run(api: ApiClient, c: Confirmation, data: FormData): Promise<string | void>;
}

const RESPONDER_ROLES = ['bank-officer', 'bank-reviewer', 'client-signer'];
const RECALLABLE = ['issued', 'authorized', 'accepted', 'reply-prepared'];
/** States in which someone owes an answer: a follow-up or an alternative procedure once overdue (chaincode lifecycle/transitions.ts). */
const WAITING = ['issued', 'authorized', 'accepted', 'reply-prepared'];
const unansweredOverdue = (c: Confirmation): boolean => c.overdue && WAITING.includes(c.state);

const isResponder = (me: Principal, c: Confirmation): boolean => me.institutionId === c.responderId && RESPONDER_ROLES.includes(me.role);
const isClient = (me: Principal, c: Confirmation): boolean => me.role === 'client-signer' && me.institutionId === c.clientId;
const isFirm = (me: Principal, c: Confirmation): boolean => me.role === 'auditor' && me.institutionId === c.firmId;
const path = (c: Confirmation, tail: string): string => `/v1/confirmations/${encodeURIComponent(c.id)}/${tail}`;
const text = (data: FormData, name: string): string => String(data.get(name) ?? '').trim();
/** A lifecycle POST; the detail view re-reads the confirmation afterwards, so the answer is not kept. */
async function post(api: ApiClient, url: string, body?: object): Promise<void> {
  await api.post<unknown>(url, body);
}

let fieldSeq = 0;
/** A labelled control (every input has a <label for>). */
function field(labelText: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): HTMLElement {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control);
}

function reasonField(name = 'reason'): HTMLElement {
  return field('原因 Reason', h('textarea', { name, required: true, maxlength: 1000, rows: 2 }));
}

const today = (): string => new Date().toISOString().slice(0, 10);

/** One itemized difference's inputs; sections are the letter's sections that are not struck. */
export function differenceRow(c: Confirmation): HTMLFieldSetElement {
  const stated = c.letter.content?.sections ?? {};
  const sections = inOrder(Object.keys(stated), SECTION_ORDER).filter((key) => stated[key].status !== 'struck');
  return h(
    'fieldset',
    { class: 'difference' },
    h('legend', {}, '差异 Difference'),
    field('项目 Section', h('select', { name: 'diff.section', required: true }, ...sections.map((key) => h('option', { value: key }, sectionLabel(key))))),
    field('行号 Row (0 = first; blank = not listed)', h('input', { name: 'diff.row', type: 'number', min: 0, step: 1 })),
    field('字段 Field (key, e.g. balance)', h('input', { name: 'diff.field', required: true, list: 'difference-fields', autocomplete: 'off' })),
    field('函证所列 Stated', h('input', { name: 'diff.stated', required: true })),
    field('银行记录 Actual', h('input', { name: 'diff.actual', required: true })),
    field('说明 Note', h('input', { name: 'diff.note' })),
  );
}

function differencesOf(data: FormData): ReplyDifference[] {
  const all = (name: string): string[] => data.getAll(`diff.${name}`).map((v) => String(v).trim());
  const sections = all('section');
  const rows = all('row');
  const fields = all('field');
  const stated = all('stated');
  const actual = all('actual');
  const notes = all('note');
  return sections.map((section, i) => ({
    section,
    row: rows[i] === '' ? null : Number(rows[i]),
    field: fields[i],
    stated: stated[i],
    actual: actual[i],
    note: notes[i] || 'none',
  }));
}

function replyForm(c: Confirmation): Child[] {
  const differences = h('div', { class: 'differences', 'data-differences': true, hidden: true });
  const add = h('button', { type: 'button', 'data-add-difference': true, hidden: true }, '添加差异 Add a difference');
  const conclusion = (value: string, label: string, checked: boolean): HTMLElement => {
    const radio = h('input', { type: 'radio', name: 'conclusion', value, id: `conclusion-${value}`, checked });
    radio.addEventListener('change', () => {
      const disagrees = value === 'disagrees';
      differences.hidden = !disagrees;
      add.hidden = !disagrees;
      if (disagrees && differences.childElementCount === 0) differences.append(differenceRow(c));
      // Hidden difference inputs must not block an agreeing reply.
      for (const el of differences.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) el.disabled = !disagrees;
    });
    return h('span', { class: 'choice' }, radio, h('label', { for: `conclusion-${value}` }, label));
  };
  add.addEventListener('click', () => differences.append(differenceRow(c)));
  // The fields the letter's rows use, offered while typing a difference's field.
  const keys = [...new Set(Object.values(c.letter.content?.sections ?? {}).flatMap((s) => (s.rows ?? []).flatMap((row) => Object.keys(row))))];
  return [
    h('datalist', { id: 'difference-fields' }, ...keys.map((k) => h('option', { value: k }, fieldLabel(k)))),
    h('fieldset', {}, h('legend', {}, '结论 Conclusion'), conclusion('agrees', '相符 Agrees', true), conclusion('disagrees', '不符 Disagrees (itemize every difference)', false)),
    differences,
    add,
    field('经办人 Handler', h('input', { name: 'handler', required: true })),
    field('复核人 Reviewer', h('input', { name: 'reviewer', required: true })),
    field('日期 Date', h('input', { name: 'date', type: 'date', required: true, value: today() })),
    // Sealed when the right arises: the reply goes to the firm only; the client gets it when the auditor accepts.
    h('p', {}, h('small', {}, '回函仅加密发送审计机构；审计确认后被审单位方可阅读 The reply is sealed to the audit firm; the client can read it once the auditor accepts.')),
  ];
}

export const ACTIONS: Record<ActionName, ActionSpec & { label: string }> = {
  authorize: {
    label: '授权发函 Authorize',
    offered: (me, c) => isClient(me, c) && c.state === 'issued',
    form: (c) => [
      h('span', { class: 'choice' }, h('input', { type: 'checkbox', name: 'feeConsent', id: 'fee-consent', required: c.feePayer === 'client' }), h('label', { for: 'fee-consent' }, '同意支付银行函证费用 I consent to the bank fee')),
      h('p', {}, h('small', {}, '授权后函证内容加密发送回函方 Authorizing seals the letter to the responder: until then it cannot read it.')),
    ],
    run: (api, c, data) => post(api, path(c, 'authorization'), { feeConsent: data.get('feeConsent') === 'on' }),
  },
  refuse: {
    label: '拒绝授权 Refuse',
    offered: (me, c) => isClient(me, c) && c.state === 'issued',
    form: () => [reasonField()],
    run: (api, c, data) => post(api, path(c, 'refusal'), { reason: text(data, 'reason') }),
  },
  accept: {
    label: '受理 Accept the letter',
    offered: (me, c) => isResponder(me, c) && c.state === 'authorized',
    form: () => [],
    run: (api, c) => post(api, path(c, 'acceptance')),
  },
  return: {
    label: '退回 Return the letter',
    offered: (me, c) => isResponder(me, c) && (c.state === 'authorized' || c.state === 'accepted'),
    form: () => [
      field('退回原因 Reason code', h('select', { name: 'reasonCode', required: true }, ...Object.keys(RETURN_REASONS).map((code) => h('option', { value: code }, returnReasonLabel(code))))),
      field('说明 Note (required for OTHER)', h('input', { name: 'note', maxlength: 1000 })),
    ],
    run: (api, c, data) => post(api, path(c, 'return'), { reasonCode: text(data, 'reasonCode'), ...(text(data, 'note') ? { note: text(data, 'note') } : {}) }),
  },
  reply: {
    label: '提交回函 Prepare the reply',
    offered: (me, c) => isResponder(me, c) && me.role !== 'bank-reviewer' && (c.state === 'authorized' || c.state === 'accepted') && c.letter.readable === 'decrypted',
    form: replyForm,
    run: (api, c, data) => {
      const disagrees = data.get('conclusion') === 'disagrees';
      const content = {
        formId: c.formId,
        conclusion: disagrees ? 'disagrees' : 'agrees',
        differences: disagrees ? differencesOf(data) : [],
        sections: {},
        handler: text(data, 'handler'),
        reviewer: text(data, 'reviewer'),
        date: text(data, 'date'),
      };
      return post(api, path(c, 'reply'), { content });
    },
  },
  approve: {
    label: '复核通过并发送 Approve and send',
    offered: (me, c) => isResponder(me, c) && me.role === 'bank-reviewer' && c.state === 'reply-prepared',
    form: () => [],
    run: (api, c) => post(api, path(c, 'reply/approval')),
  },
  reject: {
    label: '复核退回 Reject the reply',
    offered: (me, c) => isResponder(me, c) && me.role === 'bank-reviewer' && c.state === 'reply-prepared',
    form: () => [reasonField()],
    run: (api, c, data) => post(api, path(c, 'reply/rejection'), { reason: text(data, 'reason') }),
  },
  'auditor-accept': {
    label: '确认回函 Accept the reply',
    offered: (me, c) => isFirm(me, c) && c.state === 'replied',
    form: () => [h('p', {}, h('small', {}, '确认后回函加密抄送被审单位 Accepting seals the reply to the client.'))],
    run: (api, c) => post(api, path(c, 'auditor-acceptance'), {}),
  },
  recall: {
    label: '撤回函证 Recall',
    offered: (me, c) => isFirm(me, c) && RECALLABLE.includes(c.state),
    form: () => [reasonField()],
    run: (api, c, data) => post(api, path(c, 'recall'), { reason: text(data, 'reason') }),
  },
  resend: {
    label: '重发函证 Resend as a linked follow-up',
    offered: (me, c) => isFirm(me, c) && (c.state === 'returned' || unansweredOverdue(c)) && c.letter.readable === 'decrypted',
    form: (c) => [
      h('p', {}, '同一函证内容重新加密发送，新函证与原函证关联。The same letter, sealed anew, as a new request linked to this one.'),
      field('改发至 Address to (registry id; blank = the same)', h('input', { name: 'addresseeId', placeholder: c.addresseeId, autocomplete: 'off', spellcheck: false })),
    ],
    run: async (api, c, data) => {
      const addresseeId = text(data, 'addresseeId');
      const resent = await api.post<Confirmation>(path(c, 'resend'), { letter: c.letter.content, ...(addresseeId ? { addresseeId } : {}) });
      location.hash = `#/c/${encodeURIComponent(resent.id)}`;
      return `已重发 resent as ${resent.id}`;
    },
  },
  alternative: {
    label: '记录替代程序 Record the alternative procedure',
    offered: (me, c) => isFirm(me, c) && (c.state === 'client-refused' || c.state === 'returned' || unansweredOverdue(c)),
    form: () => [
      field('替代程序 Procedure', h('select', { name: 'procedure', required: true }, ...ALTERNATIVE_PROCEDURES.map((code) => h('option', { value: code }, alternativeProcedureLabel(code))))),
      field('工作底稿 Working paper (hashed here, never uploaded)', h('input', { name: 'workpaper', type: 'file', required: true })),
    ],
    run: async (api, c, data) => {
      const paper = data.get('workpaper');
      if (!(paper instanceof File)) throw new Error('choose the working paper');
      const hashed = await saltedFileHash(paper);
      await post(api, path(c, 'alternative-procedure'), { procedure: text(data, 'procedure'), workpaperHash: hashed.hash });
      // Only the salt and the file reproduce the hash on the ledger: the firm keeps this receipt with its working papers.
      const receipt = { confirmationId: c.id, procedure: text(data, 'procedure'), workpaper: paper.name, bytes: paper.size, salt: hashed.salt, workpaperHash: hashed.hash, hashed: 'sha256(salt bytes ‖ file bytes), hex' };
      saveBlob(new Blob([`${JSON.stringify(receipt, null, 2)}\n`], { type: 'application/json' }), `${c.id}.workpaper-receipt.json`);
    },
  },
  evidence: {
    label: '下载证据 PDF Download the evidence PDF',
    offered: (me, c) => isFirm(me, c),
    form: () => [],
    run: async (api, c) => {
      // The PDF route needs a token, so a plain link cannot fetch it: fetch, then hand the blob to a download link.
      const pdf = await api.blob(path(c, 'evidence.pdf'));
      saveBlob(pdf, `${c.id}.pdf`);
      return `已下载 downloaded ${c.id}.pdf (${pdf.size} bytes)`;
    },
  },
};

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** sha256(salt ‖ file) with a fresh 32-byte salt, in the browser: the file itself goes nowhere. */
async function saltedFileHash(file: Blob): Promise<{ salt: string; hash: string }> {
  const salt = crypto.getRandomValues(new Uint8Array(32));
  const bytes = new Uint8Array(await file.arrayBuffer());
  const input = new Uint8Array(salt.length + bytes.length);
  input.set(salt);
  input.set(bytes, salt.length);
  return { salt: hex(salt), hash: hex(new Uint8Array(await crypto.subtle.digest('SHA-256', input))) };
}

export function isActionName(value: string | undefined): value is ActionName {
  return value !== undefined && Object.prototype.hasOwnProperty.call(ACTIONS, value);
}

/** The forms of the actions this caller is offered on this confirmation. */
export function actionForms(me: Principal, c: Confirmation): HTMLFormElement[] {
  return (Object.keys(ACTIONS) as ActionName[])
    .filter((name) => ACTIONS[name].offered(me, c))
    .map((name) => {
      const spec = ACTIONS[name];
      return h('form', { class: `action action-${name}`, 'data-action': name, 'aria-label': spec.label }, ...spec.form(c), h('button', { type: 'submit' }, spec.label));
    });
}
