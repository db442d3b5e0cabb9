import { ConfirmationKind } from '../domain/confirmation';
import { BANK_LETTER_HEADER } from './bank-letter-2020';
import { F, FormDefinition } from './form-definition';

const COUNTERPARTY_LETTER_HEADER = ['letterNo', 'counterparty', 'auditFirm', 'asOfDate', 'replyContact', 'clientSealRef', 'handler', 'date'] as const;

export const CAPITAL_VERIFICATION_2020: FormDefinition = {
  formId: 'capital-verification-2020',
  edition: '2020',
  title: 'Capital verification letter',
  kinds: [ConfirmationKind.CapitalVerification],
  headerFields: BANK_LETTER_HEADER,
  sections: [
    {
      key: 'paymentsIn', number: '1', title: 'Capital paid in',
      fields: [
        F.text('payer', 'Payer'), F.date('date', 'Date'), F.text('accountType', 'Account type'), F.account('account', 'Account'),
        F.currency(), F.amount('amount', 'Amount'), F.text('purpose', 'Purpose'), F.text('source', 'Source (domestic/foreign)'),
      ],
    },
  ],
};

/** Receivable and payable confirmations to the client's customers and suppliers. */
export const BALANCE_CONFIRMATION_2020: FormDefinition = {
  formId: 'balance-confirmation-2020',
  edition: '2020',
  title: 'Receivable / payable balance confirmation',
  kinds: [ConfirmationKind.Receivable, ConfirmationKind.Payable],
  headerFields: COUNTERPARTY_LETTER_HEADER,
  sections: [
    {
      key: 'balances', number: '1', title: 'Balances at the as-of date',
      fields: [
        F.text('documentRef', 'Contract or invoice'), F.date('date', 'Date'), F.currency(), F.amount('amount', 'Amount'),
        F.text('description', 'Description'),
      ],
    },
    {
      key: 'otherItems', number: '2', title: 'Other items (goods in transit, notes, advances)',
      fields: [F.text('item', 'Item'), F.currency(), F.amount('amount', 'Amount')],
    },
  ],
};
