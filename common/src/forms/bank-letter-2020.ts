import { ConfirmationKind } from '../domain/confirmation';
import { F, FormDefinition, SectionDefinition } from './form-definition';

/** Header fields of every bank letter (the letter's metadata, encrypted with it). */
export const BANK_LETTER_HEADER = [
  'letterNo', 'bank', 'branch', 'auditFirm', 'auditPeriod', 'asOfDate', 'replyContact',
  'feeDebitAccount', 'clientSealRef', 'handler', 'date',
] as const;

const entrustedLoan = (key: string, number: string, title: string, counterparty: string): SectionDefinition => ({
  key,
  number,
  title,
  fields: [
    F.account('loanAccount', 'Entrusted loan account'),
    F.account('settlementAccount', 'Settlement account'),
    F.text('counterparty', counterparty),
    F.currency(),
    F.rate('rate', 'Rate'),
    F.amount('balance', 'Balance'),
    F.date('startDate', 'Start date'),
    F.date('maturityDate', 'Maturity date'),
  ],
});

const bill = (extra: SectionDefinition['fields']) => [F.text('billNo', 'Bill no.'), ...extra];

/** The 2020 national bank confirmation letter: 14 sections and the cash-pooling schedule. */
export const BANK_LETTER_2020: FormDefinition = {
  formId: 'bank-letter-2020',
  edition: '2020',
  title: 'Bank confirmation letter (2020 national form)',
  kinds: [ConfirmationKind.BankForm1, ConfirmationKind.BankForm2],
  headerFields: BANK_LETTER_HEADER,
  sections: [
    {
      key: 'deposits', number: '1', title: 'Deposits',
      fields: [
        F.text('accountName', 'Account name'), F.account('accountNo', 'Account no.'), F.currency(), F.rate('rate', 'Rate'),
        F.text('type', 'Type'), F.amount('balance', 'Balance'), F.yesNo('inCashPool', 'In a cash pool'),
        F.date('startDate', 'Start'), F.date('endDate', 'End'), F.yesNo('restricted', 'Frozen, pledged or restricted'),
        F.text('remarks', 'Remarks'),
      ],
    },
    {
      key: 'loans', number: '2', title: 'Loans',
      fields: [
        F.text('borrower', 'Borrower'), F.account('loanAccount', 'Loan account'), F.currency(), F.amount('balance', 'Balance'),
        F.date('startDate', 'Start'), F.date('maturityDate', 'Maturity'), F.rate('rate', 'Rate'),
        F.text('collateral', 'Collateral or guarantor'),
      ],
    },
    {
      key: 'closedAccounts', number: '3', title: 'Accounts closed during the period',
      fields: [F.text('accountName', 'Account name'), F.account('accountNo', 'Account no.'), F.currency(), F.date('closingDate', 'Closing date')],
    },
    entrustedLoan('entrustedLoansAsLender', '4', 'Entrusted loans, client as lender', 'Borrower'),
    entrustedLoan('entrustedLoansAsBorrower', '5', 'Entrusted loans, client as borrower', 'Lender'),
    ...(['a', 'b'] as const).map((part): SectionDefinition => ({
      key: part === 'a' ? 'guaranteesByClient' : 'guaranteesByBank',
      number: `6${part}`,
      title: part === 'a' ? "Guarantees given by the client in the bank's favour" : 'Guarantees issued by the bank for the client',
      fields: [
        F.text('party', 'Party'), F.text('form', 'Form'), F.currency(), F.amount('balance', 'Balance'),
        F.date('expiryDate', 'Expiry'), F.text('contractNo', 'Contract no.'),
      ],
    })),
    {
      key: 'acceptanceBills', number: '7', title: 'Bank acceptance bills outstanding',
      fields: bill([
        F.account('settlementAccount', 'Settlement account'), F.currency(), F.amount('faceAmount', 'Face amount'),
        F.date('issueDate', 'Issue date'), F.date('dueDate', 'Due date'), F.text('collateral', 'Collateral'),
      ]),
    },
    {
      key: 'discountedBills', number: '8', title: 'Discounted bills not yet due',
      fields: bill([
        F.text('acceptor', 'Acceptor'), F.currency(), F.amount('faceAmount', 'Face amount'), F.date('issueDate', 'Issue date'),
        F.date('dueDate', 'Due date'), F.date('discountDate', 'Discount date'), F.rate('rate', 'Discount rate'),
        F.amount('netAmount', 'Net amount'),
      ]),
    },
    {
      key: 'billsForCollection', number: '9', title: 'Bills for collection',
      fields: bill([F.text('acceptor', 'Acceptor'), F.currency(), F.amount('faceAmount', 'Face amount'), F.date('issueDate', 'Issue date'), F.date('dueDate', 'Due date')]),
    },
    {
      key: 'lettersOfCredit', number: '10', title: 'Irrevocable letters of credit',
      fields: [
        F.text('lcNo', 'LC no.'), F.text('beneficiary', 'Beneficiary'), F.currency(), F.amount('amount', 'Amount'),
        F.date('expiryDate', 'Expiry'), F.amount('unusedAmount', 'Unused amount'),
      ],
    },
    {
      key: 'fxContracts', number: '11', title: 'FX contracts (spot, forward, swap), unsettled',
      fields: [
        F.text('type', 'Type'), F.text('contractNo', 'Contract no.'), F.text('currencySold', 'Currency sold'),
        F.text('currencyBought', 'Currency bought'), F.amount('unperformedAmount', 'Unperformed amount'), F.rate('rate', 'Rate'),
        F.date('settlementDate', 'Settlement date'),
      ],
    },
    {
      key: 'securitiesInCustody', number: '12', title: 'Securities and title documents in custody',
      fields: [F.text('name', 'Name'), F.text('code', 'Code'), F.quantity('quantity', 'Quantity'), F.currency(), F.amount('amount', 'Amount')],
    },
    {
      key: 'wealthManagement', number: '13', title: 'Wealth-management products',
      fields: [
        F.text('name', 'Product name'), F.text('openOrClosed', 'Open or closed'), F.currency(), F.quantity('units', 'Units'),
        F.amount('nav', 'NAV'), F.date('purchaseDate', 'Bought'), F.date('maturityDate', 'Matures'),
        F.yesNo('restricted', 'Pledged or restricted'),
      ],
    },
    {
      key: 'other', number: '14', title: 'Other: derivatives, precious metals, contingent liabilities, irrevocable credit lines',
      fields: [F.text('item', 'Item'), F.text('description', 'Description'), F.currency(), F.amount('amount', 'Amount')],
    },
    {
      key: 'cashPooling', number: 'schedule', title: 'Cash pooling',
      fields: [
        F.text('provider', 'Pool provider'), F.account('providerAccount', 'Provider account'), F.text('user', 'Pool user'),
        F.account('userAccount', 'User account'), F.currency(),
        // Out of the user's account positive, into it negative: the actual position, not pool-available funds.
        F.amount('netBalance', 'Net balance at the as-of date'),
      ],
    },
  ],
};
