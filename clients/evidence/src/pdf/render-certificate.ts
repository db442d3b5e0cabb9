import { MortgageState, type AnchorProof } from '@econfirm/common';
import { certificateHash, type MortgageCertificateDocument, type SealedPart } from '../model/mortgage-certificate';
import { drawAnchor, ensureSpace, facts, heading, localTime, longFacts, note, partyName, partyTable, renderSignablePdf, stepTable, text, titleBlock, type Doc, type EvidenceAttachment } from './render';
import type { SignaturePlaceholderOptions } from './signature-placeholder';

const MORTGAGE_STATE_ZH: Record<string, string> = {
  applied: '已申请', 'pre-registration-in-review': '预告登记待审核', 'pre-registered': '预告登记', 'registration-in-review': '登记待审核', registered: '已登记',
  'change-in-review': '变更待审核', changed: '已变更', 'transfer-in-review': '转移待审核', transferred: '已转移（抵押随转）',
  'discharge-requested': '已申请注销', 'discharge-in-review': '注销待审核', discharged: '已注销', 'rejection-in-review': '驳回待审核', rejected: '已驳回',
};
const ACTION_ZH: Record<string, string> = {
  FileMortgageApplication: '申请', PreRegisterMortgage: '预告登记', RegisterMortgage: '登记', RejectMortgageApplication: '驳回',
  ChangeMortgage: '变更登记', TransferMortgage: '转移登记', RequestMortgageDischarge: '申请注销', DischargeMortgage: '注销登记',
  ApproveMortgageStep: '审核通过', ReturnMortgageStep: '审核退回',
};
const PROPERTY_ZH: Record<string, string> = { residential: '住宅', commercial: '商业', industrial: '工业', 'land-use-right': '建设用地使用权', other: '其他' };
const SEALED = '（密封：仅向当事人披露）sealed — disclosed to the parties only';

/** What the QR code carries: enough to find the registration and its transactions on the ledger. */
export function certificateQrPayload(doc: MortgageCertificateDocument): string {
  return JSON.stringify({ v: 1, k: 'mortgage-certificate', ch: doc.channel, id: doc.record.id, eh: certificateHash(doc), ck: doc.record.certificateKey ?? null, tx: doc.timeline.map((s) => s.txId) });
}

function field(part: SealedPart, key: string): string {
  if (!part.disclosed) return SEALED;
  const content = part.content;
  return typeof content === 'object' && content !== null ? text((content as Record<string, unknown>)[key]) || '—' : '—';
}

function mortgagorNames(doc: MortgageCertificateDocument): string {
  const content = doc.application.content as { mortgagors?: { name?: unknown; idNumber?: unknown }[] } | undefined;
  if (!doc.application.disclosed || !Array.isArray(content?.mortgagors)) return doc.parties.mortgagors.map((m) => `${m.nameZh} (${m.id})`).join('\n') || SEALED;
  return content.mortgagors.map((m) => `${text(m.name)}${m.idNumber ? ` ${text(m.idNumber)}` : ''}`).join('\n');
}

function amount(doc: MortgageCertificateDocument): string {
  if (!doc.application.disclosed) return SEALED;
  const c = (doc.application.content ?? {}) as Record<string, unknown>;
  const value = doc.record.mortgageType === 'ordinary' ? c.securedPrincipal : c.maximumAmount;
  return `${text(c.currency)} ${text(value)}`;
}

function drawTitle(pdf: Doc, doc: MortgageCertificateDocument): void {
  const discharged = doc.record.state === MortgageState.Discharged;
  titleBlock(pdf, certificateQrPayload(doc), discharged ? '不动产登记证明（抵押权注销）' : '不动产登记证明', discharged ? 'Electronic registration certificate — mortgage discharged' : 'Electronic real-estate registration certificate — mortgage', [
    `证明号 Certificate no. ${field(doc.certificate, 'certificateNumber')}`,
    `登记编号 Registration ${doc.record.id}   ·   状态 State ${MORTGAGE_STATE_ZH[doc.record.state] ?? ''} ${doc.record.state}`,
    `登记机构 Issued by ${doc.generatedBy.nameZh} ${doc.generatedBy.nameEn} (${doc.generatedBy.mspId}), ${localTime(doc.generatedAt)}`,
    `出具给 Issued to ${doc.issuedTo.nameZh} ${doc.issuedTo.nameEn} (${doc.issuedTo.id})`,
    '本证明由区块链账本数据生成并经登记机构数字签名；附件含可复算账本哈希的登记数据。',
    "Generated from the ledger and digitally signed by the registration centre; the attachment carries the registration data that recomputes the ledger's hashes.",
  ]);
}

function drawMatters(pdf: Doc, doc: MortgageCertificateDocument): void {
  heading(pdf, '证明事项', 'Matters certified');
  const r = doc.record;
  longFacts(pdf, [
    ['证明权利或事项 Right', `${field(doc.certificate, 'right')}  mortgage (${r.mortgageType === 'ordinary' ? '一般抵押 ordinary' : '最高额抵押 maximum amount'})`],
    ['权利人 Mortgagee', `${partyName(doc.parties.mortgagee)} (${doc.parties.mortgagee.id})`],
    ['义务人 Mortgagor(s)', mortgagorNames(doc)],
    ['坐落 Location', field(doc.application, 'location')],
    ['不动产单元号 Unit number', field(doc.application, 'unitNumber')],
    ['用途 Property type', `${PROPERTY_ZH[r.propertyType] ?? ''} ${r.propertyType}`],
    [r.mortgageType === 'ordinary' ? '被担保主债权数额 Secured principal' : '最高债权额 Maximum amount', amount(doc)],
    ['债务履行期限 Debt term', `${r.debtTermStart} – ${r.debtTermEnd}`],
    ['借款合同 Loan contract', field(doc.application, 'loanContract')],
    ['附记 Remarks', field(doc.certificate, 'remarks')],
  ]);
  if (!doc.application.disclosed) {
    note(pdf, '本副本出具给非当事人：登记内容（名称、单元号、坐落、金额、证明号）密封于账本，仅列示其哈希。This copy is for a non-party: the sealed content is shown by its ledger hashes only.');
  }
}

function drawStatus(pdf: Doc, doc: MortgageCertificateDocument): void {
  heading(pdf, '登记状态', 'Registration');
  const r = doc.record;
  facts(pdf, [
    ['状态 State', `${MORTGAGE_STATE_ZH[r.state] ?? ''} ${r.state}`],
    ['登记时间 Registered', r.registeredAt ? localTime(r.registeredAt) : '—'],
    ['预告登记 Pre-registration', r.preRegistration ? '是 yes' : '否 no'],
    ['登记机构 Registry', `${doc.parties.registry.nameZh} (${r.registryId})`],
    ['注销时间 Discharged', r.dischargedAt ? localTime(r.dischargedAt) : '—'],
    ['注销案号 Discharge case', r.dischargeCaseNumber ?? '—'],
    ['注销原因 Discharge reason', r.dischargeReason ?? '—'],
    ['通道 Channel', doc.channel],
  ]);
  longFacts(pdf, [['登记人员 Registered by', r.registeredBy ?? '—']]);
}

function drawParties(pdf: Doc, doc: MortgageCertificateDocument): void {
  const p = doc.parties;
  partyTable(pdf, [['登记机构\nRegistry', p.registry], ['抵押权人\nMortgagee', p.mortgagee], ...p.mortgagors.map((m) => ['抵押人\nMortgagor', m] as const)]);
}

function drawTimeline(pdf: Doc, doc: MortgageCertificateDocument): void {
  stepTable(pdf, '登记过程', 98, doc.timeline.map((s) => ({ ...s, step: `${ACTION_ZH[s.action] ?? ''}\n${s.action}` })));
}

function drawHashes(pdf: Doc, doc: MortgageCertificateDocument): void {
  ensureSpace(pdf, 230);
  heading(pdf, '哈希与签名', 'Hashes and signatures');
  const r = doc.record;
  longFacts(pdf, [
    ['证明号键 Certificate key', r.certificateKey ?? '—'],
    ['单元号键 Unit key', r.unitKey],
    ['申请内容哈希 Application hash', doc.application.contentHash],
    ['申请密文 SHA-256 Application JWE', doc.application.ciphertextSha256],
    ['证明内容哈希 Certificate hash', doc.certificate.contentHash],
    ['证明密文 SHA-256 Certificate JWE', doc.certificate.ciphertextSha256],
    ['抵押人同意哈希 Consent hash', r.consentHash],
    ['证明 JSON SHA-256 Certificate JSON', certificateHash(doc)],
  ]);
  note(
    pdf,
    '内容哈希 = SHA-256(canonicalJSON({salt, value}))，与账本一致；证明号键、单元号键为账本上的唯一性键。证明 JSON 以登记机构证据证书签名（附件 evidence.jws），PDF 以同一证书作 PAdES 签名。' +
      " Content hash = SHA-256(canonical JSON of {salt, value}), as on the ledger; the certificate and unit keys are the ledger's uniqueness keys. The JSON is signed by the registration centre's evidence certificate (attachment evidence.jws, ES256, x5c to its MSP root); the PDF carries a PAdES signature by the same certificate. Verify: econfirm verify <file.pdf>, or pdfsig (clients/evidence/README.md).",
  );
}

const CERTIFICATE_LEAF = { zh: '本证明', en: 'this certificate', factsZh: '登记编号、状态、申请与证明内容哈希、最后交易', factsEn: 'the registration id, state, application and certificate hashes, last transaction' };

/** The registration certificate laid out like the national form (不动产登记证明), with the ledger facts behind it. */
export function renderMortgageCertificatePdf(doc: MortgageCertificateDocument, attachments: readonly EvidenceAttachment[], placeholder: SignaturePlaceholderOptions, anchor?: AnchorProof): Promise<Buffer> {
  return renderSignablePdf(
    {
      title: `不动产登记证明 ${doc.record.id} — econfirm registration certificate`,
      author: `${doc.generatedBy.nameZh} ${doc.generatedBy.nameEn}`,
      subject: `Mortgage registration certificate ${doc.record.id}`,
      keywords: `econfirm mortgage-certificate ${certificateHash(doc)}`,
      at: new Date(doc.generatedAt),
      footer: `${doc.record.id} · 不动产登记证明 registration certificate`,
    },
    (pdf) => {
      drawTitle(pdf, doc);
      drawMatters(pdf, doc);
      drawStatus(pdf, doc);
      drawParties(pdf, doc);
      drawTimeline(pdf, doc);
      drawHashes(pdf, doc);
      if (anchor) drawAnchor(pdf, anchor, CERTIFICATE_LEAF);
    },
    attachments,
    placeholder,
  );
}
