import { expect } from 'chai';
import { receivableInvoiceKey, type ReceivableState, type ReceivableStep } from '../domain/receivable';
import { LetterContent, ReplyContent, Row } from '../forms/form-definition';
import { crossCheckNotReady, crossCheckReport, type CrossCheckLedgerReading, type CrossCheckRequest } from './assemble';
import { crossCheckStatistics } from './cross-check';
import { crossCheckBalances, receivableAt } from './match-balances';
import { ReceivableFact } from './match-receivables';

const CONFIRMED_AT = '2026-05-02T08:00:00.000Z';
const step = (action: string, state: string, at: string): ReceivableStep => ({ action, state, by: 'x509::/CN=u', at }) as ReceivableStep;
const CONFIRMED_STEPS = [step('RegisterReceivable', 'registered', '2026-05-01T08:00:00.000Z'), step('ConfirmReceivable', 'confirmed', CONFIRMED_AT)];

/** A receivable CUST1 owes CLIENT1, confirmed in May 2026. */
function fact(id: string, overrides: Partial<ReceivableFact['record']> = {}, amountMinor?: string): ReceivableFact {
  return {
    record: {
      id, state: 'confirmed', obligorId: 'CUST1', holderId: 'CLIENT1', holders: ['CLIENT1'], currency: 'CNY', issueDate: '2026-05-01', maturityDate: '2027-03-31',
      steps: CONFIRMED_STEPS, invoiceKeys: [receivableInvoiceKey('3100261130 12345678')], ...overrides,
    },
    ...(amountMinor !== undefined ? { amountMinor } : {}),
  };
}

const balance = (cells: Partial<Row> = {}): Row => ({ documentRef: 'HT-2026-001', date: '2026-12-31', currency: 'CNY', amount: '300000.00', description: 'goods', ...cells });

/** A letter asking for balances and other items (Form 2 style); the reply fills them. */
function letterAndReply(balances: Row[], otherItems: Row[] = []): { letter: LetterContent; reply: ReplyContent } {
  const letter: LetterContent = { formId: 'balance-confirmation-2020', header: {}, sections: { balances: { status: 'requested' }, otherItems: { status: 'requested' } } };
  const reply: ReplyContent = {
    formId: 'balance-confirmation-2020', conclusion: 'agrees', differences: [], handler: 'a', reviewer: 'a', date: '2027-01-10',
    sections: {
      balances: balances.length ? { status: 'rows', rows: balances } : { status: 'none' },
      otherItems: otherItems.length ? { status: 'rows', rows: otherItems } : { status: 'none' },
    },
  };
  return { letter, reply };
}

function check(content: { letter: LetterContent; reply: ReplyContent }, receivables: ReceivableFact[], kind: 'receivable' | 'payable' = 'receivable') {
  const [clientId, responderId] = kind === 'receivable' ? ['CLIENT1', 'CUST1'] : ['CUST1', 'CLIENT1'];
  return crossCheckBalances({ ...content, kind, clientId, responderId, asOfDate: '2026-12-31', receivables });
}

const codes = (result: { exceptions: Array<{ code: string; recordId?: string }> }) => result.exceptions.map((e) => [e.code, e.recordId]);

describe('cross-check: a receivable/payable confirmation against the receivables between the two parties', () => {
  it('flags an outstanding receivable when the customer states no balance, with the ledger side shown', () => {
    const result = check(letterAndReply([]), [fact('RCV-1')]);
    expect(codes(result)).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', 'RCV-1']]);
    expect(result.exceptions[0].ledger).to.include({ id: 'RCV-1', holder: 'CLIENT1', obligor: 'CUST1', maturityDate: '2027-03-31' });
    expect(result.comparedSections).to.deep.equal(['balances', 'otherItems']);
    expect(result.records.map((r) => [r.id, r.expected, r.source])).to.deep.equal([['RCV-1', true, 'receivable']]);
  });

  it('a zero balance, or balances only in another currency, is no balance stated', () => {
    expect(codes(check(letterAndReply([balance({ amount: '0.00' })]), [fact('RCV-1')]))).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', 'RCV-1']]);
    expect(codes(check(letterAndReply([balance({ currency: 'USD' })]), [fact('RCV-1')]))).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', 'RCV-1']]);
    const named = check(letterAndReply([balance({ documentRef: 'RCV-1', amount: 'none' }), balance()]), [fact('RCV-1')]);
    expect(codes(named)).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', 'RCV-1']]);
    expect(named.exceptions[0].reply).to.include({ section: 'balances', row: '0', documentRef: 'RCV-1' });
  });

  it('a stated balance is no exception; the sealed amount is reported as not compared, never guessed', () => {
    const result = check(letterAndReply([balance({ amount: '1.00' })]), [fact('RCV-1')]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.notCompared).to.deep.equal([{ what: 'amount of RCV-1', reason: result.notCompared[0].reason, code: 'RECEIVABLE_AMOUNT_NOT_COMPARABLE', recordId: 'RCV-1' }]);
    expect(result.records[0]).to.include({ amountReadable: false, expected: true });
  });

  it('a row names a receivable by its ledger id or an invoice number; a readable amount that differs is RECEIVABLE_BALANCE_MISMATCH', () => {
    const byInvoice = check(letterAndReply([balance({ documentRef: '发票 3100261130 12345678', amount: '300,000' })]), [fact('RCV-1', {}, '30000000')]);
    expect(byInvoice.exceptions).to.deep.equal([]);
    expect(byInvoice.notCompared).to.deep.equal([]);
    expect(byInvoice.records[0]).to.include({ matchedBy: 'invoice-number' });
    const differs = check(letterAndReply([balance({ documentRef: 'RCV-1', amount: '250000.00' })]), [fact('RCV-1', {}, '30000000')]);
    expect(codes(differs)).to.deep.equal([['RECEIVABLE_BALANCE_MISMATCH', 'RCV-1'], ['RECEIVABLE_BALANCES_BELOW_LEDGER', undefined]]);
    expect(differs.exceptions[0].message).to.contain('amount 250000.00 ≠ 300000.00');
    expect(differs.exceptions[1].ledger).to.include({ currency: 'CNY', outstanding: '300000.00', receivables: 'RCV-1' });
    expect(codes(check(letterAndReply([balance({ documentRef: 'RCV-1', currency: 'USD' }), balance()]), [fact('RCV-1')]))).to.deep.equal([['RECEIVABLE_BALANCE_MISMATCH', 'RCV-1']]);
  });

  it('balances above the ledger’s receivables are no exception (trade credit off the platform); below them, where readable, they are', () => {
    expect(check(letterAndReply([balance({ amount: '500000.00' })]), [fact('RCV-1', {}, '30000000')]).exceptions).to.deep.equal([]);
    expect(codes(check(letterAndReply([balance({ amount: '100000.00' })]), [fact('RCV-1', {}, '30000000'), fact('RCV-2', {}, '10000000')]))).to.deep.equal([['RECEIVABLE_BALANCES_BELOW_LEDGER', undefined]]);
    // One sealed amount in the currency: the total is not compared.
    expect(check(letterAndReply([balance({ amount: '100000.00' })]), [fact('RCV-1', {}, '30000000'), fact('RCV-2')]).exceptions).to.deep.equal([]);
  });

  it('receivables that owed nothing at the as-of date are not expected: cancelled, rejected, paid, split, not yet confirmed', () => {
    const closed = (id: string, action: string, state: ReceivableState, at = '2026-11-01T08:00:00.000Z') => fact(id, { state, steps: [...CONFIRMED_STEPS, step(action, state, at)] });
    const receivables = [
      fact('RCV-C', { state: 'cancelled', steps: [CONFIRMED_STEPS[0], step('CancelReceivable', 'cancelled', '2026-05-02T08:00:00.000Z')] }),
      fact('RCV-R', { state: 'rejected', steps: [CONFIRMED_STEPS[0], step('RejectReceivable', 'rejected', '2026-05-02T08:00:00.000Z')] }),
      closed('RCV-P', 'RecordReceivablePayment', 'paid'),
      closed('RCV-S', 'SplitReceivable', 'split'),
      fact('RCV-U', { state: 'registered', steps: [CONFIRMED_STEPS[0]] }),
      fact('RCV-L', { steps: [step('RegisterReceivable', 'registered', '2027-01-02T08:00:00.000Z'), step('ConfirmReceivable', 'confirmed', '2027-01-03T08:00:00.000Z')] }),
    ];
    const result = check(letterAndReply([]), receivables);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.records.map((r) => [r.id, r.notExpected])).to.deep.equal([
      ['RCV-C', 'closed-by-as-of-date'], ['RCV-R', 'closed-by-as-of-date'], ['RCV-P', 'closed-by-as-of-date'], ['RCV-S', 'closed-by-as-of-date'],
      ['RCV-U', 'not-confirmed-by-as-of-date'], ['RCV-L', 'not-confirmed-by-as-of-date'],
    ]);
    // Named in a balance row, a receivable that owed nothing then is RECEIVABLE_NOT_OUTSTANDING.
    expect(codes(check(letterAndReply([balance({ documentRef: 'RCV-P' })]), receivables))).to.deep.equal([['RECEIVABLE_NOT_OUTSTANDING', 'RCV-P']]);
  });

  it('paid after the as-of date, it was owed then: expected', () => {
    const paidLater = fact('RCV-1', { state: 'paid', steps: [...CONFIRMED_STEPS, step('RecordReceivablePayment', 'paid', '2027-03-31T08:00:00.000Z')] });
    expect(codes(check(letterAndReply([]), [paidLater]))).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', 'RCV-1']]);
  });

  it('a receivable the client passed on by the as-of date is the new holder’s: listed, not expected; one passed on later was the client’s then', () => {
    const transfer = (at: string) => fact('RCV-1', { state: 'transferred', holderId: 'OTHER1', holders: ['CLIENT1', 'OTHER1'], steps: [...CONFIRMED_STEPS, step('TransferReceivable', 'transferred', at)] });
    const away = check(letterAndReply([]), [transfer('2026-10-01T08:00:00.000Z')]);
    expect(away.exceptions).to.deep.equal([]);
    expect(away.records.map((r) => [r.id, r.notExpected])).to.deep.equal([['RCV-1', 'other-holder-at-as-of-date']]);
    expect(codes(check(letterAndReply([]), [transfer('2027-01-05T08:00:00.000Z')]))).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', 'RCV-1']]);
  });

  it('only receivables between the two parties, in the letter’s direction, are considered', () => {
    const otherObligor = fact('RCV-1', { obligorId: 'CUST2' });
    const reverse = fact('RCV-2', { obligorId: 'CLIENT1', holderId: 'CUST1', holders: ['CUST1'] });
    const result = check(letterAndReply([]), [otherObligor, reverse]);
    expect(result.records).to.deep.equal([]);
    expect(result.exceptions).to.deep.equal([]);
  });

  it('a payable confirmation: what the client owes the supplier that holds it', () => {
    const owed = fact('RCV-2', { obligorId: 'CUST1', holderId: 'CLIENT1', holders: ['CLIENT1'] });
    // Seen from the supplier CLIENT1's side as responder: the client CUST1 owes it.
    const result = check(letterAndReply([]), [owed], 'payable');
    expect(codes(result)).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', 'RCV-2']]);
  });

  it('a lien at the as-of date is not charged to the reply (the form has no place for it): the report says so', () => {
    const financed = fact('RCV-1', { state: 'financed', lien: { bankId: 'BANK1', financingId: 'FIN-1', at: '2026-06-01T08:00:00.000Z', by: 'x509::/CN=o' } });
    const result = check(letterAndReply([balance()]), [financed]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.notCompared.map((n) => [n.code, n.recordId])).to.deep.equal([['RECEIVABLE_FINANCING_NOT_ASKED', 'RCV-1'], ['RECEIVABLE_AMOUNT_NOT_COMPARABLE', 'RCV-1']]);
  });

  it('a voucher stated under other items by its id counts as stated', () => {
    const result = check(letterAndReply([], [{ item: '电子债权凭证 RCV-1', currency: 'CNY', amount: '300000.00' }]), [fact('RCV-1', {}, '30000000')]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.records[0]).to.include({ matchedBy: 'record-id' });
    expect(result.records[0].place).to.deep.equal({ section: 'otherItems', row: 0, origin: 'reply' });
  });

  it('Form 1: the auditor’s listed balance with the customer’s difference applied is what is compared', () => {
    const letter: LetterContent = { formId: 'balance-confirmation-2020', header: {}, sections: { balances: { status: 'rows', rows: [balance()] }, otherItems: { status: 'none' } } };
    const reply: ReplyContent = {
      formId: 'balance-confirmation-2020', conclusion: 'disagrees', handler: 'a', reviewer: 'a', date: '2027-01-10', sections: {},
      differences: [{ section: 'balances', row: 0, field: 'amount', stated: '300000.00', actual: '0.00', note: 'paid in December' }],
    };
    expect(codes(check({ letter, reply }, [fact('RCV-1')]))).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', 'RCV-1']]);
  });

  it('struck balances: completeness not judged, and the report says so', () => {
    const { letter, reply } = letterAndReply([]);
    letter.sections.balances = { status: 'struck' };
    const result = check({ letter, reply }, [fact('RCV-1')]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.notCompared.map((n) => n.what)).to.deep.equal(['section balances', 'receivable completeness']);
  });

  it('the state and holder at the as-of date come from the steps', () => {
    const later = fact('RCV-1', { state: 'transferred', holderId: 'B', holders: ['CLIENT1', 'A', 'B'], steps: [...CONFIRMED_STEPS, step('TransferReceivable', 'transferred', '2026-07-01T00:00:00.000Z'), step('TransferReceivable', 'transferred', '2027-02-01T00:00:00.000Z')] });
    expect(receivableAt(later, Date.parse('2027-01-01T00:00:00.000Z'))).to.deep.equal({ state: 'transferred', holderId: 'A' });
    expect(receivableAt(later, Date.parse('2026-01-01T00:00:00.000Z'))).to.equal(undefined);
  });
});

describe('cross-check report of a receivable/payable confirmation', () => {
  const request: CrossCheckRequest = {
    id: 'CF-R1', kind: 'receivable', state: 'auditor-accepted', firmId: 'FIRM1', engagementId: 'ENG-1', clientId: 'CLIENT1',
    addresseeId: 'CUST1', responderId: 'CUST1', asOfDate: '2026-12-31',
  };
  const reading = (receivables?: ReceivableFact[]): CrossCheckLedgerReading => ({ ...(receivables ? { receivables } : {}), ledgerHeight: '10', readAs: 'FIRM1/auditor1', utcOffsetMinutes: 480 });
  const replyReading = { ...letterAndReply([]), replyContentHash: 'h', history: [] };

  it('is ready once the auditor accepted the reply, like a bank letter', () => {
    expect(crossCheckNotReady({ kind: 'receivable', state: 'auditor-accepted' })).to.equal(undefined);
    expect(crossCheckNotReady({ kind: 'payable', state: 'auditor-accepted' })).to.equal(undefined);
    expect(crossCheckNotReady({ kind: 'receivable', state: 'replied' })).to.contain('once the auditor has accepted it');
  });

  it('checks the balances only, needing no registrations', () => {
    const report = crossCheckReport(request, replyReading, reading([fact('RCV-1')]), '2027-01-11T00:00:00.000Z');
    expect(codes(report)).to.deep.equal([['RECEIVABLE_BALANCE_NOT_STATED', 'RCV-1']]);
    expect(report.comparedSections).to.deep.equal(['balances', 'otherItems']);
    expect(report).to.include({ confirmationId: 'CF-R1', responderId: 'CUST1' });
  });

  it('without the client’s receivable grant nothing is compared, and the report says RECEIVABLE_ACCESS_NOT_GRANTED', () => {
    const report = crossCheckReport(request, replyReading, reading(), '2027-01-11T00:00:00.000Z');
    expect(report.exceptions).to.deep.equal([]);
    expect(report.comparedSections).to.deep.equal([]);
    expect(report.notCompared.map((n) => n.code)).to.deep.equal(['RECEIVABLE_ACCESS_NOT_GRANTED']);
  });

  it('a bank letter still needs the registrations read', () => {
    expect(() => crossCheckReport({ ...request, kind: 'bank-form-2' }, replyReading, reading([]), 'now')).to.throw(/registrations/);
  });

  it('the regulator’s statistics count a counterparty responder’s codes apart from the banks', () => {
    const summary = (responderId: string, counts: Record<string, number>) => ({ confirmationId: `CF-${responderId}`, firmId: 'FIRM1', responderId, checkedAt: 'now', counts, reportHash: 'h' });
    const stats = crossCheckStatistics([summary('BANK1', { MORTGAGE_NOT_IN_REPLY: 1 }), summary('CUST1', { RECEIVABLE_BALANCE_NOT_STATED: 2 })], 0, (id) => id.startsWith('BANK'));
    expect(stats.counts).to.deep.equal({ MORTGAGE_NOT_IN_REPLY: 1, RECEIVABLE_BALANCE_NOT_STATED: 2 });
    expect(stats.byBank.map((b) => b.bankId)).to.deep.equal(['BANK1']);
    expect(stats.byCounterparty).to.deep.equal([{ responderId: 'CUST1', checks: 1, withExceptions: 1, counts: { RECEIVABLE_BALANCE_NOT_STATED: 2 } }]);
  });
});
