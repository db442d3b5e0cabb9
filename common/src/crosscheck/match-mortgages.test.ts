import { expect } from 'chai';
import { mortgageCertificateKey, mortgageUnitKey } from '../domain/mortgage';
import { LetterContent, ReplyContent, Row } from '../forms/form-definition';
import { crossCheckMortgages, MortgageFact, unconfirmedMortgagees } from './match-mortgages';
import { cellReferences, statedSection } from './stated-position';

const CERT_1 = '沪(2026)浦东新区不动产证明第0000801号';
const CERT_2 = '沪(2026)浦东新区不动产证明第0000802号';
const UNIT = '310115 001001 GB00088 F00010101';

function fact(id: string, overrides: Partial<MortgageFact['record']> = {}, amount?: MortgageFact['amount']): MortgageFact {
  return {
    record: {
      id, state: 'registered', mortgageeId: 'BANK1', mortgageType: 'ordinary', debtTermStart: '2026-01-01', debtTermEnd: '2031-01-01',
      unitKey: mortgageUnitKey(UNIT), certificateKey: mortgageCertificateKey(id === 'M1' ? CERT_1 : CERT_2), registeredAt: '2026-03-01T08:00:00.000Z',
      ...overrides,
    },
    ...(amount ? { amount } : {}),
  };
}

const loan = (collateral: string, cells: Partial<Row> = {}): Row => ({
  borrower: 'East China Manufacturing', loanAccount: '6222020200009999', currency: 'CNY', balance: '8000000.00',
  startDate: '2026-01-01', maturityDate: '2031-01-01', rate: '3.45%', collateral, ...cells,
});

/** A Form 2 letter asking for loans and the client's guarantees; the reply fills them. */
function form2(loans: Row[], guarantees: Row[] = []): { letter: LetterContent; reply: ReplyContent } {
  const letter: LetterContent = { formId: 'bank-letter-2020', header: {}, sections: { loans: { status: 'requested' }, guaranteesByClient: { status: 'requested' } } };
  const reply: ReplyContent = {
    formId: 'bank-letter-2020', conclusion: 'agrees', differences: [], handler: 'a', reviewer: 'b', date: '2027-01-10',
    sections: {
      loans: loans.length ? { status: 'rows', rows: loans } : { status: 'none' },
      guaranteesByClient: guarantees.length ? { status: 'rows', rows: guarantees } : { status: 'none' },
    },
  };
  return { letter, reply };
}

function check(content: { letter: LetterContent; reply: ReplyContent }, mortgages: MortgageFact[], asOfDate = '2026-12-31') {
  return crossCheckMortgages({ ...content, replyingBankIds: ['BANK1'], asOfDate, mortgages });
}

describe('cross-check: mortgages against a bank reply', () => {
  it('a reply that names every active registration correctly has no exception', () => {
    const result = check(form2([loan(`抵押: ${CERT_1}`), loan(`mortgage; ${CERT_2}`)]), [fact('M1'), fact('M2')]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.records.map((r) => [r.id, r.matchedBy])).to.deep.equal([['M1', 'certificate-number'], ['M2', 'certificate-number']]);
    expect(result.comparedSections).to.deep.equal(['loans', 'guaranteesByClient']);
  });

  it('flags an active registration the reply omits, with the ledger side shown', () => {
    const result = check(form2([loan(`抵押: ${CERT_1}`)]), [fact('M1'), fact('M2')]);
    expect(result.exceptions.map((e) => [e.code, e.recordId])).to.deep.equal([['MORTGAGE_NOT_IN_REPLY', 'M2']]);
    expect(result.exceptions[0].ledger).to.include({ id: 'M2', mortgagee: 'BANK1', debtTermEnd: '2031-01-01' });
    expect(result.counts).to.deep.equal({ MORTGAGE_NOT_IN_REPLY: 1 });
  });

  it('a reply of "none" where the ledger holds an active registration is flagged', () => {
    const result = check(form2([]), [fact('M1')]);
    expect(result.exceptions.map((e) => e.code)).to.deep.equal(['MORTGAGE_NOT_IN_REPLY']);
  });

  // A registration awaiting the registry reviewer's approval of a change, a transfer or its discharge is still registered and encumbering.
  for (const state of ['change-in-review', 'transfer-in-review', 'discharge-in-review'] as const) {
    it(`expects a registration in '${state}': the reply omitting it is flagged`, () => {
      const result = check(form2([]), [fact('M1', { state })]);
      expect(result.exceptions.map((e) => [e.code, e.recordId])).to.deep.equal([['MORTGAGE_NOT_IN_REPLY', 'M1']]);
    });
  }

  it('does not expect a registration discharged by the as-of date, nor one registered after it', () => {
    const discharged = fact('M1', { state: 'discharged', dischargedAt: '2026-06-30T10:00:00.000Z' });
    const later = fact('M2', { registeredAt: '2027-01-05T10:00:00.000Z' });
    const result = check(form2([]), [discharged, later]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.records.map((r) => [r.id, r.expected, r.notExpected])).to.deep.equal([
      ['M1', false, 'discharged-by-as-of-date'],
      ['M2', false, 'registered-after-as-of-date'],
    ]);
  });

  it('expects a registration discharged after the as-of date: it encumbered then', () => {
    const result = check(form2([]), [fact('M1', { state: 'discharged', dischargedAt: '2027-02-01T10:00:00.000Z' })]);
    expect(result.exceptions.map((e) => e.code)).to.deep.equal(['MORTGAGE_NOT_IN_REPLY']);
  });

  it('the as-of date is a local date: a registration late on the 31st in UTC+8 is the next day', () => {
    const m = fact('M1', { registeredAt: '2026-12-31T17:00:00.000Z' });
    const content = form2([]);
    expect(crossCheckMortgages({ ...content, replyingBankIds: ['BANK1'], asOfDate: '2026-12-31', utcOffsetMinutes: 480, mortgages: [m] }).records[0].notExpected).to.equal('registered-after-as-of-date');
    expect(crossCheckMortgages({ ...content, replyingBankIds: ['BANK1'], asOfDate: '2026-12-31', mortgages: [m] }).records[0].expected).to.equal(true);
  });

  it('reports a named registration whose mortgagee is another bank; an unnamed one of another bank is not expected', () => {
    const result = check(form2([loan(`抵押 ${CERT_2}`.replace(' ', '：'))]), [fact('M1', { mortgageeId: 'BANK2' }), fact('M2', { mortgageeId: 'BANK2' })]);
    expect(result.exceptions.map((e) => [e.code, e.recordId])).to.deep.equal([['MORTGAGEE_NOT_REPLYING_BANK', 'M2']]);
    expect(result.exceptions[0].ledger).to.include({ mortgagee: 'BANK2' });
    expect(result.exceptions[0].reply).to.include({ section: 'loans', row: '0' });
    expect(result.records.find((r) => r.id === 'M1')).to.include({ expected: false, notExpected: 'other-mortgagee' });
  });

  it('flags mortgage collateral the ledger does not hold', () => {
    const result = check(form2([loan('抵押: 沪(2026)浦东新区不动产证明第0999999号', { startDate: '2020-01-01' })]), [fact('M1')]);
    expect(result.exceptions.map((e) => e.code).sort()).to.deep.equal(['MORTGAGE_NOT_IN_REPLY', 'MORTGAGE_NOT_ON_LEDGER']);
    expect(result.exceptions.find((e) => e.code === 'MORTGAGE_NOT_ON_LEDGER')?.reply).to.include({ collateral: '抵押: 沪(2026)浦东新区不动产证明第0999999号' });
  });

  it('pairs unnamed mortgage collateral with the registration whose term it fits', () => {
    const result = check(form2([loan('mortgage over the Pudong plant')]), [fact('M1')]);
    expect(result.exceptions).to.deep.equal([]);
    expect(result.records[0].matchedBy).to.equal('debt-term');
  });

  it('flags dates that differ from an ordinary registration’s term, showing both sides', () => {
    const result = check(form2([loan(CERT_1, { maturityDate: '2029-01-01' })]), [fact('M1')]);
    expect(result.exceptions.map((e) => e.code)).to.deep.equal(['TERM_MISMATCH']);
    expect(result.exceptions[0].message).to.contain('maturity 2029-01-01 ≠ debt term end 2031-01-01');
    expect(result.exceptions[0].reply).to.include({ maturityDate: '2029-01-01' });
    expect(result.exceptions[0].ledger).to.include({ debtTermEnd: '2031-01-01' });
  });

  it('a maximum-amount registration secures loans within its term, up to its ceiling', () => {
    const ceiling = fact('M1', { mortgageType: 'maximum-amount' }, { currency: 'CNY', value: '5000000' });
    const within = check(form2([loan(CERT_1, { startDate: '2027-01-01', maturityDate: '2028-01-01', balance: '5000000.00' })]), [ceiling]);
    expect(within.exceptions).to.deep.equal([]);
    const over = check(form2([loan(CERT_1, { maturityDate: '2032-01-01', balance: '5000000.01' })]), [ceiling]);
    expect(over.exceptions.map((e) => e.code)).to.deep.equal(['TERM_MISMATCH', 'AMOUNT_MISMATCH']);
  });

  it('compares a guarantee in the bank’s favour by expiry and amount when the firm can read the amount', () => {
    const guarantee = { party: 'BANK1', form: '抵押', currency: 'CNY', balance: '8000000', expiryDate: '2031-01-01', contractNo: `DY-1; ${CERT_1}` };
    const readable = fact('M1', {}, { currency: 'CNY', value: '8000000.00' });
    expect(check(form2([], [guarantee]), [readable]).exceptions).to.deep.equal([]);
    const wrong = check(form2([], [{ ...guarantee, balance: '6000000', currency: 'USD' }]), [readable]);
    expect(wrong.exceptions.map((e) => e.code)).to.deep.equal(['AMOUNT_MISMATCH']);
    expect(wrong.exceptions[0].message).to.contain('currency USD ≠ CNY').and.contain('guaranteed 6000000 ≠ secured 8000000.00');
    // Sealed amounts are not compared, and the report says so.
    const sealed = check(form2([], [{ ...guarantee, balance: '6000000' }]), [fact('M1')]);
    expect(sealed.exceptions).to.deep.equal([]);
    expect(sealed.notCompared.map((n) => n.what)).to.include('amounts');
  });

  it('a named registration that was discharged by the as-of date is flagged as not active', () => {
    const result = check(form2([loan(CERT_1)]), [fact('M1', { state: 'discharged', dischargedAt: '2026-05-01T00:00:00.000Z' })]);
    expect(result.exceptions.map((e) => e.code)).to.deep.equal(['MORTGAGE_NOT_ACTIVE']);
  });

  it('names by unit number (any spacing) or ledger id work too', () => {
    const byUnit = check(form2([loan('抵押：310115001001GB00088F00010101')]), [fact('M1')]);
    expect(byUnit.records[0].matchedBy).to.equal('unit-number');
    const byId = check(form2([loan('ledger MTG-X-1')]), [{ ...fact('M1'), record: { ...fact('M1').record, id: 'MTG-X-1' } }]);
    expect(byId.exceptions).to.deep.equal([]);
  });

  it('Form 1: the letter’s rows with the bank’s differences applied are what the bank stated', () => {
    const letter: LetterContent = { formId: 'bank-letter-2020', header: {}, sections: { loans: { status: 'rows', rows: [loan(CERT_1)] }, guaranteesByClient: { status: 'none' } } };
    const reply: ReplyContent = {
      formId: 'bank-letter-2020', conclusion: 'disagrees', handler: 'a', reviewer: 'b', date: '2027-01-10', sections: {},
      differences: [
        { section: 'loans', row: 0, field: 'maturityDate', stated: '2031-01-01', actual: '2030-06-30', note: 'extended' },
        { section: 'guaranteesByClient', row: null, field: 'contractNo', stated: 'none', actual: CERT_2, note: 'mortgage in our favour' },
      ],
    };
    expect(statedSection(letter, reply, 'loans').items[0].cells.maturityDate).to.equal('2030-06-30');
    const result = crossCheckMortgages({ letter, reply, replyingBankIds: ['BANK1'], asOfDate: '2026-12-31', mortgages: [fact('M1'), fact('M2')] });
    expect(result.exceptions.map((e) => [e.code, e.recordId])).to.deep.equal([['TERM_MISMATCH', 'M1']]);
    expect(result.records.find((r) => r.id === 'M2')).to.include({ matchedBy: 'certificate-number' });
    expect(result.records.find((r) => r.id === 'M2')?.place).to.deep.equal({ section: 'guaranteesByClient', row: null, origin: 'difference' });
  });

  it('struck sections are not compared: no omission can be charged to the bank', () => {
    const letter: LetterContent = { formId: 'bank-letter-2020', header: {}, sections: { loans: { status: 'struck' }, guaranteesByClient: { status: 'struck' } } };
    const reply: ReplyContent = { formId: 'bank-letter-2020', conclusion: 'agrees', differences: [], sections: {}, handler: 'a', reviewer: 'b', date: '2027-01-10' };
    const result = crossCheckMortgages({ letter, reply, replyingBankIds: ['BANK1'], asOfDate: '2026-12-31', mortgages: [fact('M1')] });
    expect(result.exceptions).to.deep.equal([]);
    expect(result.comparedSections).to.deep.equal([]);
    expect(result.notCompared.map((n) => n.what)).to.include.members(['section loans', 'section guaranteesByClient', 'completeness']);
  });

  it('splits a cell into references on separators and after labels', () => {
    expect(cellReferences('抵押: A1; 保证：B2，C3')).to.include.members(['A1', 'B2', 'C3', '抵押: A1']);
    expect(cellReferences('none')).to.deep.equal([]);
  });

  it('engagement: an active registration with a bank the engagement did not confirm with is flagged', () => {
    const mortgages = [fact('M1'), fact('M2', { mortgageeId: 'BANK2' }), fact('M3', { mortgageeId: 'BANK3', state: 'discharged', dischargedAt: '2026-04-01T00:00:00.000Z' })];
    const gaps = unconfirmedMortgagees(mortgages, ['BANK1'], '2026-12-31');
    expect(gaps.map((g) => [g.code, g.recordId])).to.deep.equal([['MORTGAGEE_NOT_CONFIRMED', 'M2']]);
  });
});
