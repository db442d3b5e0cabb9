import { expect } from 'chai';
import { LetterContent, ReplyContent, Row } from '../forms/form-definition';
import { crossCheckReport, engagementCrossCheck, receivableFact, type CrossCheckLedgerReading, type CrossCheckRequest } from './assemble';
import { crossCheckReceivables, ReceivableFact, unconfirmedLienHolders } from './match-receivables';

const LIEN = { bankId: 'BANK1', financingId: 'FIN-2026-0042', at: '2026-06-01T08:00:00.000Z', by: 'x509::/CN=officer1' };

function fact(id: string, overrides: Partial<ReceivableFact['record']> = {}, amountMinor?: string): ReceivableFact {
  return {
    record: {
      id, state: 'financed', obligorId: 'ENT1', holderId: 'CLIENT1', currency: 'CNY', issueDate: '2026-05-01', maturityDate: '2027-03-31',
      lien: LIEN, ...overrides,
    },
    ...(amountMinor !== undefined ? { amountMinor } : {}),
  };
}

const bill = (billNo: string, cells: Partial<Row> = {}): Row => ({
  billNo, acceptor: 'ENT1', currency: 'CNY', faceAmount: '300000.00', issueDate: '2026-05-01', dueDate: '2027-03-31',
  discountDate: '2026-06-01', rate: '2.10%', netAmount: '294000.00', ...cells,
});

/** A Form 2 letter asking for discounted bills and loans; the reply fills them. */
function form2(bills: Row[], loans: Row[] = []): { letter: LetterContent; reply: ReplyContent } {
  const letter: LetterContent = { formId: 'bank-letter-2020', header: {}, sections: { discountedBills: { status: 'requested' }, loans: { status: 'requested' } } };
  const reply: ReplyContent = {
    formId: 'bank-letter-2020', conclusion: 'agrees', differences: [], handler: 'a', reviewer: 'b', date: '2027-01-10',
    sections: {
      discountedBills: bills.length ? { status: 'rows', rows: bills } : { status: 'none' },
      loans: loans.length ? { status: 'rows', rows: loans } : { status: 'none' },
    },
  };
  return { letter, reply };
}

function check(content: { letter: LetterContent; reply: ReplyContent }, receivables: ReceivableFact[], asOfDate = '2026-12-31') {
  return crossCheckReceivables({ ...content, clientId: 'CLIENT1', replyingBankIds: ['BANK1'], asOfDate, receivables });
}

const codes = (result: { exceptions: Array<{ code: string; recordId?: string }> }) => result.exceptions.map((e) => [e.code, e.recordId]);

describe('cross-check: financed receivables against a bank reply', () => {
  it('a reply whose discounted bills name every financed receivable correctly has no exception', () => {
    const result = check(form2([bill('RCV-1'), bill('FIN-2026-0043')]), [fact('RCV-1', {}, '30000000'), fact('RCV-2', { lien: { ...LIEN, financingId: 'FIN-2026-0043' } }, '30000000')]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.records.map((r) => [r.id, r.source, r.matchedBy])).to.deep.equal([['RCV-1', 'receivable', 'record-id'], ['RCV-2', 'receivable', 'financing-id']]);
    expect(result.notCompared).to.deep.equal([]);
  });

  it('flags a financed receivable the reply omits, with the ledger side shown', () => {
    const result = check(form2([]), [fact('RCV-1')]);
    expect(codes(result)).to.deep.equal([['FINANCED_RECEIVABLE_NOT_IN_REPLY', 'RCV-1']]);
    expect(result.exceptions[0].ledger).to.include({ id: 'RCV-1', lienBank: 'BANK1', financingId: 'FIN-2026-0042', maturityDate: '2027-03-31' });
    expect(result.counts).to.deep.equal({ FINANCED_RECEIVABLE_NOT_IN_REPLY: 1 });
  });

  it('a receivable pledged for a loan may be named in the loan’s collateral instead', () => {
    const loan: Row = { borrower: 'CLIENT1', loanAccount: '1', currency: 'CNY', balance: '100.00', startDate: '2026-06-01', maturityDate: '2027-06-01', rate: '3%', collateral: '应收账款质押: RCV-1' };
    const result = check(form2([], [loan]), [fact('RCV-1')]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.records[0]).to.include({ matchedBy: 'record-id' });
  });

  it('flags a row stating a financed receivable that names none the client holds', () => {
    const result = check(form2([bill('RCV-404', { acceptor: 'ENT1 应收账款' })]), []);
    expect(codes(result)).to.deep.equal([['RECEIVABLE_NOT_ON_LEDGER', undefined]]);
    expect(result.exceptions[0].reply).to.include({ section: 'discountedBills', row: '0', billNo: 'RCV-404' });
  });

  it('an ordinary bill (no receivable named or stated) is no receivable exception', () => {
    expect(check(form2([bill('31305510000120261201000012345')]), []).exceptions).to.deep.equal([]);
  });

  it('flags a named receivable whose lien another bank holds, and does not expect it of the replying bank', () => {
    const other = fact('RCV-1', { lien: { ...LIEN, bankId: 'BANK2' } });
    expect(codes(check(form2([bill('RCV-1')]), [other]))).to.deep.equal([['LIEN_HOLDER_NOT_REPLYING_BANK', 'RCV-1']]);
    const omitted = check(form2([]), [other]);
    expect(omitted.exceptions).to.deep.equal([]);
    expect(omitted.records.map((r) => [r.id, r.expected, r.notExpected])).to.deep.equal([['RCV-1', false, 'other-lien-holder']]);
  });

  it('a financing id of another bank names nothing: it is that bank’s reference', () => {
    const other = fact('RCV-1', { lien: { ...LIEN, bankId: 'BANK2' } });
    expect(codes(check(form2([bill('FIN-2026-0042', { acceptor: 'receivable of ENT1' })]), [other]))).to.deep.equal([['RECEIVABLE_NOT_ON_LEDGER', undefined]]);
  });

  it('flags differing amounts and currency where the firm opened the terms, and a differing due date', () => {
    const result = check(form2([bill('RCV-1', { faceAmount: '300000.01', currency: 'USD', dueDate: '2027-04-30' })]), [fact('RCV-1', {}, '30000000')]);
    expect(codes(result)).to.deep.equal([['RECEIVABLE_DATE_MISMATCH', 'RCV-1'], ['RECEIVABLE_AMOUNT_MISMATCH', 'RCV-1']]);
    expect(result.exceptions[1].message).to.contain('face 300000.01 ≠ amount 300000.00').and.contain('currency USD ≠ CNY');
    expect(result.exceptions[1].ledger).to.include({ amount: '300000.00' });
  });

  it('equal amounts written differently agree (300000 = 300,000.00 = 30000000 fen)', () => {
    expect(check(form2([bill('RCV-1', { faceAmount: '300,000' })]), [fact('RCV-1', {}, '30000000')]).exceptions).to.deep.equal([]);
  });

  it('a sealed amount is never guessed: RECEIVABLE_AMOUNT_NOT_COMPARABLE for the receivable, and no amount exception', () => {
    const result = check(form2([bill('RCV-1', { faceAmount: '1.00' })]), [fact('RCV-1')]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.notCompared).to.deep.equal([{ what: 'amount of RCV-1', reason: result.notCompared[0].reason, code: 'RECEIVABLE_AMOUNT_NOT_COMPARABLE', recordId: 'RCV-1' }]);
    expect(result.records[0]).to.include({ amountReadable: false });
  });

  it('a lien not active at the end of the as-of date is not expected; named, it is RECEIVABLE_NOT_FINANCED', () => {
    const later = fact('RCV-1', { lien: { ...LIEN, at: '2027-01-02T08:00:00.000Z' } });
    const released = fact('RCV-2', { state: 'paid', lien: { ...LIEN, releasedAt: '2026-11-30T08:00:00.000Z' } });
    const never = fact('RCV-3', { state: 'confirmed', lien: undefined });
    const omitted = check(form2([]), [later, released, never]);
    expect(omitted.exceptions).to.deep.equal([]);
    // Never financed: not the bank's to state, and not listed.
    expect(omitted.records.map((r) => [r.id, r.notExpected])).to.deep.equal([['RCV-1', 'financed-after-as-of-date'], ['RCV-2', 'lien-released-by-as-of-date']]);
    expect(codes(check(form2([bill('RCV-3')]), [never]))).to.deep.equal([['RECEIVABLE_NOT_FINANCED', 'RCV-3']]);
  });

  it('a lien released after the as-of date was active then: expected', () => {
    const result = check(form2([]), [fact('RCV-1', { state: 'paid', lien: { ...LIEN, releasedAt: '2027-02-01T08:00:00.000Z' } })]);
    expect(codes(result)).to.deep.equal([['FINANCED_RECEIVABLE_NOT_IN_REPLY', 'RCV-1']]);
  });

  it('a receivable the client passed on is another holder’s asset: not expected, not listed', () => {
    const passedOn = fact('RCV-1', { holderId: 'SUP2', holders: ['CLIENT1', 'SUP2'] });
    const result = check(form2([]), [passedOn]);
    expect(result.records).to.deep.equal([]);
    expect(result.exceptions).to.deep.equal([]);
  });

  it('struck discounted bills: completeness not judged, and the report says so', () => {
    const { letter, reply } = form2([]);
    letter.sections.discountedBills = { status: 'struck' };
    const result = check({ letter, reply }, [fact('RCV-1')]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.notCompared.map((n) => n.what)).to.deep.equal(['section discountedBills', 'receivable completeness']);
  });

  it('Form 1: the auditor’s listed bill with the bank’s difference applied is what is compared', () => {
    const letter: LetterContent = { formId: 'bank-letter-2020', header: {}, sections: { discountedBills: { status: 'rows', rows: [bill('RCV-1')] } } };
    const reply: ReplyContent = {
      formId: 'bank-letter-2020', conclusion: 'disagrees', handler: 'a', reviewer: 'b', date: '2027-01-10', sections: {},
      differences: [{ section: 'discountedBills', row: 0, field: 'dueDate', stated: '2027-03-31', actual: '2027-05-31', note: 'extended' }],
    };
    expect(codes(check({ letter, reply }, [fact('RCV-1')]))).to.deep.equal([['RECEIVABLE_DATE_MISMATCH', 'RCV-1']]);
  });

  it('engagement: a lien of a bank with no accepted reply is LIEN_HOLDER_NOT_CONFIRMED', () => {
    const exceptions = unconfirmedLienHolders('CLIENT1', [fact('RCV-1'), fact('RCV-2', { lien: { ...LIEN, bankId: 'BANK2' } })], ['BANK1'], '2026-12-31');
    expect(codes({ exceptions })).to.deep.equal([['LIEN_HOLDER_NOT_CONFIRMED', 'RCV-2']]);
  });
});

describe('cross-check: receivables the client owes under a bank’s lien against a bank reply', () => {
  /** The client (CLIENT1) is the obligor; its supplier SUP1 holds the receivable and BANK1 financed it. */
  const owed = (id: string, overrides: Partial<ReceivableFact['record']> = {}, amountMinor?: string) => fact(id, { obligorId: 'CLIENT1', holderId: 'SUP1', ...overrides }, amountMinor);
  const other = (description: string, cells: Partial<Row> = {}): Row => ({ item: '供应链融资 supply-chain financing', description, currency: 'CNY', amount: '300000.00', ...cells });

  /** A Form 2 letter asking for discounted bills and the other items (14); the reply fills them. */
  function withOther(rows: Row[], bills: Row[] = []): { letter: LetterContent; reply: ReplyContent } {
    const content = form2(bills);
    content.letter.sections.other = { status: 'requested' };
    content.reply.sections.other = rows.length ? { status: 'rows', rows } : { status: 'none' };
    return content;
  }

  it('flags a financed receivable the client owes that the reply’s other items omit, with the ledger side shown', () => {
    const result = check(withOther([]), [owed('RCV-1')]);
    expect(codes(result)).to.deep.equal([['OWED_RECEIVABLE_NOT_IN_REPLY', 'RCV-1']]);
    expect(result.exceptions[0].ledger).to.include({ id: 'RCV-1', holder: 'SUP1', obligor: 'CLIENT1', lienBank: 'BANK1', financingId: 'FIN-2026-0042' });
    expect(result.exceptions[0].message).to.contain('owed by the client to SUP1');
    expect(result.comparedSections).to.deep.equal(['discountedBills', 'loans', 'other']);
    expect(result.records.map((r) => [r.id, r.expected])).to.deep.equal([['RCV-1', true]]);
  });

  it('a row of the other items naming it (ledger id or the bank’s financing id) is not flagged; the sealed amount and the terms the form cannot state are reported not compared', () => {
    for (const [description, by] of [['RCV-1 of SUP1, due 2027-03-31', 'record-id'], ['保理 FIN-2026-0042', 'financing-id']] as const) {
      const result = check(withOther([other(description, { amount: '1.00' })]), [owed('RCV-1')]);
      expect(result.exceptions, description).to.deep.equal([]);
      expect(result.records[0]).to.include({ matchedBy: by, expected: true, amountReadable: false });
      expect(result.notCompared.map((n) => [n.code, n.recordId])).to.deep.equal([['RECEIVABLE_AMOUNT_NOT_COMPARABLE', 'RCV-1'], ['OWED_RECEIVABLE_TERMS_NOT_ASKED', 'RCV-1']]);
    }
  });

  it('flags a differing currency or amount where the firm opened the terms; an equal one agrees', () => {
    const result = check(withOther([other('RCV-1', { amount: '299000.00', currency: 'USD' })]), [owed('RCV-1', {}, '30000000')]);
    expect(codes(result)).to.deep.equal([['RECEIVABLE_AMOUNT_MISMATCH', 'RCV-1']]);
    expect(result.exceptions[0].message).to.contain('currency USD ≠ CNY').and.contain('amount stated 299000.00 ≠ amount 300000.00');
    expect(result.exceptions[0].reply).to.include({ section: 'other', row: '0', amount: '299000.00' });
    expect(check(withOther([other('RCV-1', { amount: '300,000' })]), [owed('RCV-1', {}, '30000000')]).exceptions).to.deep.equal([]);
  });

  it('paid by the as-of date (the lien released), financed later or never: not expected; named, RECEIVABLE_NOT_FINANCED', () => {
    const paid = owed('RCV-1', { state: 'paid', lien: { ...LIEN, releasedAt: '2026-11-30T08:00:00.000Z' } });
    const later = owed('RCV-2', { lien: { ...LIEN, at: '2027-01-02T08:00:00.000Z' } });
    const never = owed('RCV-3', { state: 'confirmed', lien: undefined });
    const omitted = check(withOther([]), [paid, later, never]);
    expect(omitted.exceptions).to.deep.equal([]);
    expect(omitted.records.map((r) => [r.id, r.notExpected])).to.deep.equal([['RCV-1', 'lien-released-by-as-of-date'], ['RCV-2', 'financed-after-as-of-date']]);
    expect(codes(check(withOther([other('RCV-1')]), [paid]))).to.deep.equal([['RECEIVABLE_NOT_FINANCED', 'RCV-1']]);
  });

  it('a lien of another bank is not the replying bank’s to state; named, LIEN_HOLDER_NOT_REPLYING_BANK', () => {
    const elsewhere = owed('RCV-1', { lien: { ...LIEN, bankId: 'BANK2' } });
    const omitted = check(withOther([]), [elsewhere]);
    expect(omitted.exceptions).to.deep.equal([]);
    expect(omitted.records.map((r) => [r.id, r.expected, r.notExpected])).to.deep.equal([['RCV-1', false, 'other-lien-holder']]);
    expect(codes(check(withOther([other('RCV-1')]), [elsewhere]))).to.deep.equal([['LIEN_HOLDER_NOT_REPLYING_BANK', 'RCV-1']]);
  });

  it('a row of the other items stating a financed receivable that names none the client owes is RECEIVABLE_NOT_ON_LEDGER', () => {
    const result = check(withOther([other('应收账款 RCV-404')]), [owed('RCV-1')]);
    expect(codes(result)).to.deep.equal([['RECEIVABLE_NOT_ON_LEDGER', undefined], ['OWED_RECEIVABLE_NOT_IN_REPLY', 'RCV-1']]);
    expect(result.exceptions[0].message).to.contain('names no receivable the client owes');
  });

  it('each side in its own sections: an owed receivable in the discounted bills or a held one in the other items names nothing', () => {
    const result = check(withOther([other('RCV-H')], [bill('RCV-O', { acceptor: 'SUP1 应收账款' })]), [owed('RCV-O'), fact('RCV-H')]);
    expect(codes(result)).to.deep.equal([
      ['RECEIVABLE_NOT_ON_LEDGER', undefined],
      ['FINANCED_RECEIVABLE_NOT_IN_REPLY', 'RCV-H'],
      ['OWED_RECEIVABLE_NOT_IN_REPLY', 'RCV-O'],
    ]);
  });

  it('struck other items: completeness not judged, and the report says so', () => {
    const { letter, reply } = withOther([]);
    letter.sections.other = { status: 'struck' };
    const result = check({ letter, reply }, [owed('RCV-1')]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.comparedSections).to.deep.equal(['discountedBills', 'loans']);
    expect(result.notCompared.map((n) => n.what)).to.deep.equal(['owed receivable completeness']);
  });

  it('engagement: a lien on a receivable the client owes, of a bank with no accepted reply, is LIEN_HOLDER_NOT_CONFIRMED', () => {
    const exceptions = unconfirmedLienHolders('CLIENT1', [owed('RCV-1'), owed('RCV-2', { lien: { ...LIEN, bankId: 'BANK2' } }), fact('RCV-3', { obligorId: 'ENT1', holderId: 'SUP2', lien: { ...LIEN, bankId: 'BANK2' } })], ['BANK1'], '2026-12-31');
    expect(codes({ exceptions })).to.deep.equal([['LIEN_HOLDER_NOT_CONFIRMED', 'RCV-2']]);
  });
});

describe('cross-check report: mortgages and receivables together', () => {
  const request: CrossCheckRequest = {
    id: 'CF-1', kind: 'bank-form-2', state: 'auditor-accepted', firmId: 'FIRM1', engagementId: 'ENG-1', clientId: 'CLIENT1',
    addresseeId: 'BANK1', responderId: 'BANK1', asOfDate: '2026-12-31',
  };
  const reading = (receivables?: ReceivableFact[]): CrossCheckLedgerReading => ({ mortgages: [], ...(receivables ? { receivables } : {}), ledgerHeight: '10', readAs: 'FIRM1/auditor1', utcOffsetMinutes: 480 });
  const replyReading = { ...form2([]), replyContentHash: 'h', history: [] };

  it('the receivable half adds its exceptions and sections beside the mortgage half', () => {
    const report = crossCheckReport(request, replyReading, reading([receivableFact(fact('RCV-1').record)]), '2027-01-11T00:00:00.000Z');
    expect(codes(report)).to.deep.equal([['FINANCED_RECEIVABLE_NOT_IN_REPLY', 'RCV-1']]);
    expect(report.comparedSections).to.deep.equal(['loans', 'discountedBills']);
    expect(report.counts).to.deep.equal({ FINANCED_RECEIVABLE_NOT_IN_REPLY: 1 });
  });

  it('acceptance bills asked for are reported not compared: the ledger keeps no bills (ACCEPTANCE_BILLS_NOT_ON_LEDGER)', () => {
    const asked = { ...replyReading, letter: { ...replyReading.letter, sections: { ...replyReading.letter.sections, acceptanceBills: { status: 'requested' as const } } } };
    const report = crossCheckReport(request, asked, reading([]), '2027-01-11T00:00:00.000Z');
    expect(report.notCompared.filter((n) => n.code).map((n) => [n.code, n.what])).to.deep.equal([['ACCEPTANCE_BILLS_NOT_ON_LEDGER', 'section acceptanceBills']]);
    expect(report.exceptions).to.deep.equal([]);
    // Without the receivable grant too: bills are not receivables.
    expect(crossCheckReport(request, asked, reading(), 'now').notCompared.map((n) => n.code)).to.include('ACCEPTANCE_BILLS_NOT_ON_LEDGER');
    // Struck (as in the letter above without it): nothing to say.
    expect(crossCheckReport(request, replyReading, reading([]), 'now').notCompared.map((n) => n.code)).not.to.include('ACCEPTANCE_BILLS_NOT_ON_LEDGER');
  });

  it('without the client’s receivable grant nothing of receivables is compared, and the report says RECEIVABLE_ACCESS_NOT_GRANTED', () => {
    const report = crossCheckReport(request, replyReading, reading(), '2027-01-11T00:00:00.000Z');
    expect(report.exceptions).to.deep.equal([]);
    expect(report.notCompared.map((n) => n.code)).to.include('RECEIVABLE_ACCESS_NOT_GRANTED');
  });

  it('the engagement report carries LIEN_HOLDER_NOT_CONFIRMED for a lien bank it has no reply from', async () => {
    const ledger = reading([fact('RCV-1', { lien: { ...LIEN, bankId: 'BANK2' } })]);
    const report = await engagementCrossCheck([request], ledger, async (r) => crossCheckReport(r, replyReading, ledger, 'now'), 'now');
    expect(report.counts).to.deep.equal({ LIEN_HOLDER_NOT_CONFIRMED: 1 });
  });
});
