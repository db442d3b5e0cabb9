import type { AnchorProof } from '@econfirm/common';
import { type VoucherStep, voucherHash, type ReceivableVoucherDocument } from '../model/receivable-voucher';
import { drawAnchor, ensureSpace, facts, heading, localTime, longFacts, note, partyName, partyTable, renderSignablePdf, stepTable, table, text, titleBlock, type Doc, type EvidenceAttachment } from './render';
import type { SignaturePlaceholderOptions } from './signature-placeholder';

const STATE_ZH: Record<string, string> = {
  registered: '待确权', confirmed: '已确权', rejected: '已拒绝', cancelled: '已撤销', split: '已拆分', transferred: '已转让',
  'financing-requested': '融资申请中', financed: '已融资', matured: '已到期', paid: '已兑付', overdue: '逾期', defaulted: '违约', recourse: '已追索',
};
const ACTION_ZH: Record<string, string> = {
  RegisterReceivable: '登记', CancelReceivable: '撤销', ConfirmReceivable: '核心企业确权', RejectReceivable: '拒绝确权', SplitReceivable: '拆分',
  SplitFrom: '拆分生成', TransferReceivable: '转让', RequestReceivableFinancing: '申请融资', WithdrawReceivableFinancing: '撤回融资申请',
  DeclineReceivableFinancing: '拒绝融资', FinanceReceivable: '融资（质押）', MatureReceivable: '到期', RecordReceivablePayment: '兑付',
  MarkReceivableOverdue: '逾期', DefaultReceivable: '违约', RecordReceivableRecourse: '追索',
};
const SEALED = '（密封：仅向持有方、债务人、原始债权人与融资银行披露）sealed — disclosed to the parties it is sealed to only';

/** What the QR code carries: enough to find the receivable and its transactions on the ledger. */
export function voucherQrPayload(doc: ReceivableVoucherDocument): string {
  return JSON.stringify({ v: 1, k: 'receivable-voucher', ch: doc.channel, id: doc.record.id, eh: voucherHash(doc), ah: doc.record.amountHash, tx: doc.timeline.map((s) => s.txId) });
}

function term(doc: ReceivableVoucherDocument, key: string): string {
  if (!doc.terms.disclosed) return SEALED;
  const content = doc.terms.content;
  const value = typeof content === 'object' && content !== null ? (content as Record<string, unknown>)[key] : undefined;
  return Array.isArray(value) ? value.map(text).join('\n') || '—' : text(value) || '—';
}

function party(doc: ReceivableVoucherDocument, id: string | undefined): string {
  if (!id) return '—';
  const p = [doc.parties.obligor, doc.parties.originalCreditor, ...doc.parties.holders, ...(doc.parties.bank ? [doc.parties.bank] : [])].find((x) => x.id === id);
  return p ? `${partyName(p)} (${id})` : id;
}

function drawTitle(pdf: Doc, doc: ReceivableVoucherDocument): void {
  const r = doc.record;
  titleBlock(pdf, voucherQrPayload(doc), '电子债权凭证', 'Receivable voucher and its chain of holders', [
    `凭证编号 Voucher ${r.id}   ·   状态 State ${STATE_ZH[r.state] ?? ''} ${r.state}`,
    `出具 Issued by ${doc.generatedBy.nameZh} ${doc.generatedBy.nameEn} (${doc.generatedBy.mspId}), ${localTime(doc.generatedAt)}`,
    '本凭证由区块链账本数据生成并经出具机构数字签名；附件含可复算账本哈希的凭证数据。',
    "Generated from the ledger and digitally signed by the issuing institution; the attachment carries the voucher data that recomputes the ledger's hashes.",
  ]);
}

function drawVoucher(pdf: Doc, doc: ReceivableVoucherDocument): void {
  heading(pdf, '凭证信息', 'Voucher');
  const r = doc.record;
  longFacts(pdf, [
    ['开立方（债务人）Obligor', party(doc, r.obligorId)],
    ['原始债权人 Original creditor', party(doc, r.originalCreditorId)],
    ['当前持有方 Holder', party(doc, r.holderId)],
    ['金额（最小货币单位）Amount (minor units)', doc.terms.disclosed ? `${r.currency} ${term(doc, 'amount')}` : `${r.currency} ${SEALED}`],
    ['开立日 Issue date', r.issueDate],
    ['承诺付款日 Promised payment date', r.maturityDate],
    ['确权 Obligor confirmation', r.confirmedAt ? `${localTime(r.confirmedAt)} · ${r.confirmedBy ?? '—'}` : '—'],
    ['发票 Invoices', term(doc, 'invoiceNumbers')],
    ['合同 Contract', term(doc, 'contractNumber')],
    ['发票哈希 Invoice hash', r.invoiceHash],
  ]);
  if (!doc.terms.disclosed) note(pdf, '本副本出具给非密封对象：金额、发票号与合同号密封于账本，仅列示其哈希。This copy is for an institution the terms are not sealed to: the amount, invoice and contract numbers are shown by their ledger hashes only.');
}

function drawLineage(pdf: Doc, doc: ReceivableVoucherDocument): void {
  heading(pdf, '拆分关系', 'Split lineage');
  const r = doc.record;
  facts(pdf, [
    ['根凭证 Root', r.rootId],
    ['上级凭证 Parent', r.parentId ?? '—（根凭证 root）'],
    ['拆分子凭证 Children', r.childIds?.join(', ') || '—'],
    ['通道 Channel', doc.channel],
  ]);
  if (doc.lineage.ancestors.length > 0) {
    table(pdf, [{ header: '上级凭证 Ancestor', width: 150 }, { header: '持有链 Holders', width: 180 }, { header: '拆分为 Split into', width: 181 }], doc.lineage.ancestors.map((a) => [a.id, a.holders.join(' → '), a.childIds.join(', ')]), { size: 7.5 });
  }
}

function drawStatus(pdf: Doc, doc: ReceivableVoucherDocument): void {
  heading(pdf, '融资与兑付', 'Financing, lien and payment');
  const r = doc.record;
  const lien = r.lien;
  facts(pdf, [
    ['融资银行 Bank', party(doc, lien?.bankId ?? r.bankId)],
    ['质押 Lien', lien ? `${lien.financingId} · ${localTime(lien.at)}${lien.releasedAt ? ` · 已解除 released ${localTime(lien.releasedAt)}` : ' · 有效 active'}` : '—'],
    ['兑付 Payment', r.payment ? `${party(doc, r.payment.payeeId)} · ${localTime(r.payment.at)}` : '—'],
    ['追索 Recourse', r.recourseAgainstId ? party(doc, r.recourseAgainstId) : '—'],
  ]);
}

function drawChain(pdf: Doc, doc: ReceivableVoucherDocument): void {
  heading(pdf, '流转路径', 'Chain of holders');
  note(pdf, doc.record.holders.map((h) => party(doc, h)).join('  →  '));
  stepTable(pdf, '流转记录', 110, doc.timeline.map((s: VoucherStep) => ({ ...s, step: `${ACTION_ZH[s.action] ?? ''}\n${s.action}\n${s.receivableId} → ${s.holderId}` })));
}

function drawHashes(pdf: Doc, doc: ReceivableVoucherDocument): void {
  ensureSpace(pdf, 200);
  heading(pdf, '哈希与签名', 'Hashes and signatures');
  const r = doc.record;
  longFacts(pdf, [
    ['金额哈希 Amount hash', r.amountHash],
    ['发票哈希 Invoice hash', r.invoiceHash],
    ['合同哈希 Contract hash', r.contractHash],
    ['发票质押键 Invoice lien keys', r.invoiceKeys.join('\n')],
    ['条款密文 SHA-256 Terms JWE', doc.terms.ciphertextSha256],
    ['凭证 JSON SHA-256 Voucher JSON', voucherHash(doc)],
  ]);
  note(
    pdf,
    '金额哈希 = SHA-256(canonicalJSON({salt, value}))，与账本一致。凭证 JSON 以出具机构证据证书签名（附件 evidence.jws），PDF 以同一证书作 PAdES 签名。' +
      " Amount hash = SHA-256(canonical JSON of {salt, value}), as on the ledger. The JSON is signed by the issuing institution's evidence certificate (attachment evidence.jws, ES256, x5c to its MSP root); the PDF carries a PAdES signature by the same certificate. Verify: econfirm verify <file.pdf>, or pdfsig (clients/evidence/README.md).",
  );
}

const VOUCHER_LEAF = { zh: '本凭证', en: 'this voucher', factsZh: '债权编号、状态、持有方、金额与条款哈希、最后交易', factsEn: 'the receivable id, state, holder, amount and terms hashes, last transaction' };

/** The voucher (电子债权凭证) with its chain of holders and the ledger facts behind it. */
export function renderReceivableVoucherPdf(doc: ReceivableVoucherDocument, attachments: readonly EvidenceAttachment[], placeholder: SignaturePlaceholderOptions, anchor?: AnchorProof): Promise<Buffer> {
  return renderSignablePdf(
    {
      title: `电子债权凭证 ${doc.record.id} — econfirm receivable voucher`,
      author: `${doc.generatedBy.nameZh} ${doc.generatedBy.nameEn}`,
      subject: `Receivable voucher ${doc.record.id}`,
      keywords: `econfirm receivable-voucher ${voucherHash(doc)}`,
      at: new Date(doc.generatedAt),
      footer: `${doc.record.id} · 电子债权凭证 receivable voucher`,
    },
    (pdf) => {
      drawTitle(pdf, doc);
      drawVoucher(pdf, doc);
      drawLineage(pdf, doc);
      drawStatus(pdf, doc);
      partyTable(pdf, [
        ['债务人\nObligor', doc.parties.obligor],
        ['原始债权人\nOriginal creditor', doc.parties.originalCreditor],
        ...doc.parties.holders.filter((h) => h.id !== doc.parties.originalCreditor.id).map((h) => ['持有方\nHolder', h] as const),
        ...(doc.parties.bank ? [['融资银行\nBank', doc.parties.bank] as const] : []),
      ]);
      drawChain(pdf, doc);
      drawHashes(pdf, doc);
      if (anchor) drawAnchor(pdf, anchor, VOUCHER_LEAF);
    },
    attachments,
    placeholder,
  );
}
