/**
 * Chinese labels for the printed evidence, keyed like the form definitions in @econfirm/common
 * (which carry the English labels). A key without a Chinese label prints in English only.
 */
export const FORM_TITLES_ZH: Record<string, string> = {
  'bank-letter-2020': '银行询证函',
  'capital-verification-2020': '验资询证函',
  'balance-confirmation-2020': '企业询证函（应收/应付账款）',
};

export const HEADER_ZH: Record<string, string> = {
  letterNo: '函证编号', bank: '被询证银行', branch: '分支机构', auditFirm: '会计师事务所', auditPeriod: '审计期间',
  asOfDate: '函证基准日', replyContact: '回函联系方式', feeDebitAccount: '函证费用扣款账户', clientSealRef: '客户预留印鉴',
  handler: '经办人', date: '日期', counterparty: '被询证单位',
};

export const SECTION_ZH: Record<string, string> = {
  deposits: '存款', loans: '借款', closedAccounts: '本期注销账户', entrustedLoansAsLender: '委托贷款（作为贷款方）',
  entrustedLoansAsBorrower: '委托贷款（作为借款方）', guaranteesByClient: '担保（客户为银行提供）', guaranteesByBank: '担保（银行为客户提供）',
  acceptanceBills: '尚未支付的银行承兑汇票', discountedBills: '已贴现未到期商业汇票', billsForCollection: '托收商业汇票',
  lettersOfCredit: '不可撤销信用证', fxContracts: '未履行的外汇买卖合约', securitiesInCustody: '存放的有价证券及其他产权文件',
  wealthManagement: '理财产品', other: '其他', cashPooling: '资金池', paymentsIn: '实收资本缴存', balances: '基准日往来余额',
  otherItems: '其他事项',
};

export const FIELD_ZH: Record<string, string> = {
  accountName: '账户名称', accountNo: '账号', currency: '币种', rate: '利率', type: '类型', balance: '余额', inCashPool: '是否资金池',
  startDate: '起始日', endDate: '终止日', restricted: '是否冻结/质押/受限', remarks: '备注', borrower: '借款人', loanAccount: '贷款账号',
  maturityDate: '到期日', collateral: '抵押/担保', closingDate: '注销日', settlementAccount: '结算账户', counterparty: '对方',
  party: '对方', form: '形式', expiryDate: '到期日', contractNo: '合同号', billNo: '票据号', faceAmount: '票面金额', issueDate: '出票日',
  dueDate: '到期日', acceptor: '承兑人', discountDate: '贴现日', netAmount: '贴现净额', lcNo: '信用证号', beneficiary: '受益人',
  amount: '金额', unusedAmount: '未使用金额', currencySold: '卖出币种', currencyBought: '买入币种', unperformedAmount: '未履行金额',
  settlementDate: '交割日', name: '名称', code: '代码', quantity: '数量', openOrClosed: '开放/封闭', units: '份额', nav: '净值',
  purchaseDate: '购买日', item: '项目', description: '说明', provider: '资金池提供方', providerAccount: '提供方账号', user: '资金池使用方',
  userAccount: '使用方账号', netBalance: '基准日净额', payer: '缴款人', accountType: '账户类型', account: '账号', purpose: '用途',
  source: '资金来源（境内/境外）', documentRef: '合同或发票', date: '日期',
};

export const STATE_ZH: Record<string, string> = {
  issued: '发函', 'client-refused': '客户拒绝', authorized: '客户授权', accepted: '银行受理', returned: '退回',
  'reply-prepared': '回函经办', replied: '回函复核', 'auditor-accepted': '审计确认', recalled: '撤回', resent: '重发',
  'alternative-procedure': '替代程序',
};

export const KIND_ZH: Record<string, string> = {
  'bank-form-1': '银行询证函（格式一）', 'bank-form-2': '银行询证函（格式二）', 'capital-verification': '验资询证函',
  receivable: '应收账款询证函', payable: '应付账款询证函',
};

export const ROLE_ZH: Record<string, string> = {
  auditor: '审计人员', 'client-signer': '客户签章人', 'bank-officer': '银行经办', 'bank-reviewer': '银行复核', admin: '管理员',
  registrar: '登记员', regulator: '监管',
};

/** "中文 English" for a label pair, or the English alone. */
export function bilingual(zh: string | undefined, en: string): string {
  return zh ? `${zh} ${en}` : en;
}
