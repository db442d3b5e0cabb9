/** Chinese and English labels of the domain's codes; an unknown code shows as itself. */

const STATES: Record<string, [string, string]> = {
  issued: ['已发函', 'issued'],
  'client-refused': ['被审单位拒绝', 'client refused'],
  authorized: ['已授权', 'authorized'],
  accepted: ['已受理', 'accepted'],
  returned: ['已退回', 'returned'],
  'reply-prepared': ['回函待复核', 'reply prepared'],
  replied: ['已回函', 'replied'],
  'auditor-accepted': ['审计已确认', 'auditor accepted'],
  recalled: ['已撤回', 'recalled'],
  resent: ['已重发', 'resent'],
  'alternative-procedure': ['替代程序', 'alternative procedure'],
};

/** Every lifecycle state, in lifecycle order (the list filter offers them). */
export const STATE_CODES: readonly string[] = Object.keys(STATES);

const KINDS: Record<string, [string, string]> = {
  'bank-form-1': ['银行询证函（格式一）', 'bank letter, form 1'],
  'bank-form-2': ['银行询证函（格式二）', 'bank letter, form 2'],
  'capital-verification': ['验资询证函', 'capital verification'],
  receivable: ['应收账款询证函', 'receivable'],
  payable: ['应付账款询证函', 'payable'],
};

/** Every letter kind (the bulk upload form offers them). */
export const KIND_CODES: readonly string[] = Object.keys(KINDS);

const ROLES: Record<string, [string, string]> = {
  auditor: ['审计人员', 'auditor'],
  'client-signer': ['被审单位授权人', 'client signer'],
  'bank-officer': ['银行经办', 'bank officer'],
  'bank-reviewer': ['银行复核', 'bank reviewer'],
  'mortgage-officer': ['银行抵押经办', 'mortgage officer'],
  registrar: ['登记员', 'registrar'],
  'registry-reviewer': ['登记审核', 'registry reviewer'],
  regulator: ['监管机构', 'regulator'],
  admin: ['平台管理员', 'admin'],
};

/** Sections of the 2020 national bank letter (common/src/forms/bank-letter-2020.ts). */
const SECTIONS: Record<string, [string, string]> = {
  deposits: ['1 存款', '1 Deposits'],
  loans: ['2 借款', '2 Loans'],
  closedAccounts: ['3 本期注销账户', '3 Accounts closed during the period'],
  entrustedLoansAsLender: ['4 委托贷款（委托人）', '4 Entrusted loans, client as lender'],
  entrustedLoansAsBorrower: ['5 委托贷款（借款人）', '5 Entrusted loans, client as borrower'],
  guaranteesByClient: ['6a 担保（被审单位提供）', '6a Guarantees given by the client'],
  guaranteesByBank: ['6b 担保（银行提供）', '6b Guarantees issued by the bank'],
  acceptanceBills: ['7 未到期银行承兑汇票', '7 Bank acceptance bills outstanding'],
  discountedBills: ['8 已贴现未到期票据', '8 Discounted bills not yet due'],
  billsForCollection: ['9 托收票据', '9 Bills for collection'],
  lettersOfCredit: ['10 不可撤销信用证', '10 Irrevocable letters of credit'],
  fxContracts: ['11 未履行外汇合约', '11 FX contracts, unsettled'],
  securitiesInCustody: ['12 存放的有价证券及权利凭证', '12 Securities and title documents in custody'],
  wealthManagement: ['13 理财产品', '13 Wealth-management products'],
  other: ['14 其他', '14 Other'],
  cashPooling: ['附表 资金池', 'Schedule: cash pooling'],
  // The receivable/payable balance confirmation (common/src/forms/other-forms.ts).
  balances: ['1 基准日往来余额', '1 Balances at the as-of date'],
  otherItems: ['2 其他事项', '2 Other items'],
};

const SECTION_STATUS: Record<string, [string, string]> = {
  rows: ['逐项列示', 'items listed'],
  none: ['无（须核实）', 'none (to be verified)'],
  struck: ['不函证', 'struck: do not confirm'],
  requested: ['请银行填列', 'to be filled by the responder'],
};

const BULK_STATUSES: Record<string, [string, string]> = {
  rejected: ['已拒绝（未发函）', 'rejected: nothing issued'],
  queued: ['排队中', 'queued'],
  running: ['发函中', 'running'],
  completed: ['已完成', 'completed'],
  failed: ['失败（可续发）', 'failed: can be resumed'],
  pending: ['待发', 'pending'],
  issued: ['已发函', 'issued'],
};

const IMPORT_STAGE_LABELS: Record<string, [string, string]> = {
  uploading: ['上传中', 'uploading'],
  validating: ['校验中', 'checking the lines'],
  endorsing: ['背书中', 'endorsing'],
  ordering: ['排序中', 'ordering'],
  committed: ['已结算', 'settled'],
  refused: ['已拒绝（未付款）', 'refused: nothing settled'],
  failed: ['失败', 'failed'],
};
/** The stages of a payment-batch import the progress bar steps through, in order (gateway import-progress.service.ts). */
export const IMPORT_STAGES: readonly string[] = ['validating', 'endorsing', 'ordering', 'committed'];

export const RETURN_REASONS: Record<string, [string, string]> = {
  NON_STANDARD_FORM: ['非标准格式', 'non-standard form'],
  FEE_NOT_AUTHORIZED: ['费用未授权', 'fee not authorized'],
  SEAL_MISMATCH: ['印鉴不符', 'seal mismatch'],
  MISSING_DATA: ['信息缺失', 'missing data'],
  OTHER: ['其他', 'other'],
};

const ALTERNATIVE_PROCEDURE_LABELS: Record<string, [string, string]> = {
  SUBSEQUENT_RECEIPTS: ['检查期后收付款', 'subsequent receipts or payments'],
  BANK_STATEMENTS: ['检查银行对账单', 'bank statements'],
  VISIT_IN_PERSON: ['亲自前往函证', 'confirmed in person'],
  SUPPORTING_DOCUMENTS: ['检查原始凭证', 'supporting documents'],
  OTHER: ['其他', 'other'],
};
/** The alternative procedures the ledger records (common ALTERNATIVE_PROCEDURE_CODES). */
export const ALTERNATIVE_PROCEDURES: readonly string[] = Object.keys(ALTERNATIVE_PROCEDURE_LABELS);

function label(table: Record<string, [string, string]>, code: string): string {
  const entry = table[code];
  return entry ? `${entry[0]} ${entry[1]}` : code;
}

export const stateLabel = (code: string): string => label(STATES, code);
export const kindLabel = (code: string): string => label(KINDS, code);
export const roleLabel = (code: string): string => label(ROLES, code);
export const sectionLabel = (code: string): string => label(SECTIONS, code);
export const sectionStatusLabel = (code: string): string => label(SECTION_STATUS, code);
export const bulkStatusLabel = (code: string): string => label(BULK_STATUSES, code);
export const importStageLabel = (code: string): string => label(IMPORT_STAGE_LABELS, code);
export const alternativeProcedureLabel = (code: string): string => label(ALTERNATIVE_PROCEDURE_LABELS, code);
export const returnReasonLabel = (code: string): string => label(RETURN_REASONS, code);

/** The order the form prints its sections in (canonical JSON sorts keys: the ledger's order is not the form's). */
export const SECTION_ORDER: readonly string[] = Object.keys(SECTIONS);

/** Letter header fields of the bank letter, in the form's order. */
const HEADER_FIELDS: Record<string, string> = {
  letterNo: '函证编号',
  bank: '银行',
  branch: '网点',
  auditFirm: '会计师事务所',
  auditPeriod: '审计期间',
  asOfDate: '基准日',
  replyContact: '回函联系人',
  feeDebitAccount: '扣费账户',
  clientSealRef: '预留印鉴',
  handler: '经办人',
  date: '日期',
};
export const HEADER_ORDER: readonly string[] = Object.keys(HEADER_FIELDS);

/** Row fields: the Chinese name, then the key the API (and an itemized difference) uses. */
const FIELDS: Record<string, string> = {
  accountName: '户名', accountNo: '账号', currency: '币种', rate: '利率', type: '类型', balance: '余额',
  inCashPool: '资金池', startDate: '起始日', endDate: '终止日', restricted: '冻结/质押/受限', remarks: '备注',
  borrower: '借款人', loanAccount: '贷款账号', maturityDate: '到期日', collateral: '抵押/担保', closingDate: '注销日',
  settlementAccount: '结算账户', counterparty: '交易对方', party: '当事人', form: '形式', expiryDate: '到期日',
  contractNo: '合同编号', billNo: '票据号码', acceptor: '承兑人', faceAmount: '票面金额', issueDate: '出票日',
  dueDate: '到期日', discountDate: '贴现日', netAmount: '净额', lcNo: '信用证号', beneficiary: '受益人',
  amount: '金额', unusedAmount: '未使用金额', currencySold: '卖出币种', currencyBought: '买入币种',
  unperformedAmount: '未履行金额', settlementDate: '交割日', name: '名称', code: '代码', quantity: '数量',
  openOrClosed: '开放/封闭', units: '份额', nav: '净值', purchaseDate: '购买日', item: '项目', description: '说明',
  provider: '资金池提供方', providerAccount: '提供方账户', user: '资金池使用方', userAccount: '使用方账户', netBalance: '基准日净额',
};

export const FIELD_ORDER: readonly string[] = Object.keys(FIELDS);

export const headerFieldLabel = (key: string): string => (HEADER_FIELDS[key] ? `${HEADER_FIELDS[key]} ${key}` : key);
export const fieldLabel = (key: string): string => (FIELDS[key] ? `${FIELDS[key]} ${key}` : key);

/** Sorts keys by a known order, unknown keys after them in their own order. */
export function inOrder(keys: string[], order: readonly string[]): string[] {
  const rank = (k: string): number => (order.includes(k) ? order.indexOf(k) : order.length);
  return [...keys].sort((a, b) => rank(a) - rank(b));
}

/** The readable name of a certificate identity (`x509::/…/CN=officer1@bank1…::/…issuer`): its subject's CN. */
export function actorName(identity: string): string {
  const subject = identity.split('::')[1] ?? identity;
  return /CN=([^/,]+)/.exec(subject)?.[1] ?? identity;
}
