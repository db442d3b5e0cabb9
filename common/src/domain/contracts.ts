/**
 * Every chaincode contract and the transactions it serves (chaincode/src/contracts/*-contract.ts):
 * the one list the gateway, the SDK's callers and the tests name them from, so a misspelt or
 * removed transaction is a compile error rather than a runtime "function not found".
 * chaincode/src/contracts/contract-transactions.test.ts holds it equal to the contracts'
 * @Transaction methods.
 */
export const CONTRACT_TRANSACTIONS = {
  registry: ['RegisterInstitution', 'UpdateInstitution', 'SetInstitutionStatus', 'RotateInstitutionKeys', 'ApproveKeyRecovery', 'GetInstitution', 'ListInstitutions', 'GetInstitutionHistory'],
  confirmation: [
    'Act', 'Issue', 'IssueBatch', 'Resend', 'Recall', 'ClientAuthorize', 'ClientRefuse', 'BankAccept', 'BankReturn', 'PrepareReply', 'ApproveReply', 'RejectReply', 'AuditorAccept',
    'RecordAlternativeProcedure', 'SetWorkCalendar', 'SetPseudonymKey', 'StartStatisticsIndex', 'StartPrivateStore', 'GetWorkCalendar', 'GetConfirmation', 'GetConfirmationHistory', 'ListConfirmationsChangedBy', 'GetConfirmationEvidence',
    'ListConfirmationsByFirm', 'ListConfirmationsByEngagement', 'ListConfirmationsByClient', 'ListConfirmationsByAddressee', 'ListConfirmationsByState', 'ListOverdueConfirmations', 'GetRegulatorStats',
  ],
  mortgage: [
    'FileMortgageApplication', 'RequestMortgageDischarge', 'PreRegisterMortgage', 'RegisterMortgage', 'RejectMortgageApplication', 'ChangeMortgage', 'TransferMortgage', 'DischargeMortgage', 'ApproveMortgageStep', 'ReturnMortgageStep',
    'AuthorizeEncumbranceQuery', 'DiscloseEncumbrances', 'GrantAuditorMortgageAccess', 'RevokeAuditorMortgageAccess', 'GetMortgage', 'GetMortgageEvidence', 'GetEncumbrances', 'ListMortgages', 'ListMortgagesOfClient',
  ],
  receivable: [
    'SetReceivableLimit', 'RegisterReceivable', 'CancelReceivable', 'SplitReceivable', 'TransferReceivable', 'RequestReceivableFinancing', 'WithdrawReceivableFinancing', 'ConfirmReceivable',
    'RejectReceivable', 'RecordReceivablePayment', 'FinanceReceivable', 'DeclineReceivableFinancing', 'MatureReceivable', 'MarkReceivableOverdue', 'DefaultReceivable', 'RecordReceivableRecourse',
    'GrantAuditorReceivableAccess', 'RevokeAuditorReceivableAccess', 'GetReceivable', 'GetReceivableEvidence', 'ListReceivables', 'ListReceivablesOfParty', 'ListReceivablesOfClient',
    'GetReceivableLimit', 'GetReceivableStatistics',
  ],
  'payment-batch': ['SettlePaymentBatch', 'GetPaymentBatch', 'ListPaymentBatches'],
  crosscheck: ['Act', 'RecordCrossCheck', 'GetCrossCheck', 'ListCrossChecks'],
  anchor: ['RecordBatch', 'GetAnchorBatch'],
} as const;

export type ContractName = keyof typeof CONTRACT_TRANSACTIONS;

/**
 * The contracts whose transactions read or write the platform collection (the confirmation
 * ledger's private store, and the cross-check, which reads its confirmation): only the
 * collection's members' peers hold what they read, so every call goes to them
 * (clients/sdk/src/platform-targets.ts).
 */
export const PLATFORM_CONTRACTS: readonly ContractName[] = ['confirmation', 'crosscheck'];
export type TransactionName<C extends ContractName> = (typeof CONTRACT_TRANSACTIONS)[C][number];

/** A contract and one of its transactions, as a pair the compiler checks. */
export type ContractTransaction = { [C in ContractName]: { contract: C; transaction: TransactionName<C> } }[ContractName];
