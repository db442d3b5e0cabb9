import { expect } from 'chai';
import { ConfirmationKind } from '../domain/confirmation';
import { BANK_LETTER_2020, BANK_LETTER_HEADER } from './bank-letter-2020';
import { findForm, FORMS, formFitsKind } from './catalog';
import { LetterContent, SectionContent } from './form-definition';
import { validateLetter, validateReply } from './validate-content';

const header = Object.fromEntries(BANK_LETTER_HEADER.map((key) => [key, key === 'asOfDate' ? '2025-12-31' : `${key} value`]));
const deposit = {
  accountName: 'Shanghai Widget Co', accountNo: '6222020200001234567', currency: 'CNY', rate: '0.35%', type: 'current',
  balance: '1250000.00', inCashPool: 'no', startDate: 'none', endDate: 'none', restricted: 'no', remarks: 'none',
};

function form1Letter(overrides: Record<string, SectionContent> = {}): LetterContent {
  const sections = Object.fromEntries(BANK_LETTER_2020.sections.map((s) => [s.key, { status: 'none' } as SectionContent]));
  return { formId: 'bank-letter-2020', header, sections: { ...sections, deposits: { status: 'rows', rows: [deposit] }, ...overrides } };
}

describe('form catalog', () => {
  it('defines the 2020 bank letter as 14 numbered sections (6a/6b) plus the cash-pooling schedule', () => {
    expect(BANK_LETTER_2020.sections.map((s) => s.number)).to.deep.equal(
      ['1', '2', '3', '4', '5', '6a', '6b', '7', '8', '9', '10', '11', '12', '13', '14', 'schedule']);
    expect(BANK_LETTER_2020.sections.find((s) => s.key === 'deposits')?.fields.map((f) => f.key)).to.include('inCashPool');
  });

  it('has unique form ids and field keys, and maps kinds to forms', () => {
    expect(new Set(FORMS.map((f) => f.formId)).size).to.equal(FORMS.length);
    for (const form of FORMS) for (const s of form.sections) expect(new Set(s.fields.map((f) => f.key)).size).to.equal(s.fields.length);
    expect(formFitsKind('bank-letter-2020', ConfirmationKind.BankForm2)).to.equal(true);
    expect(formFitsKind('bank-letter-2020', ConfirmationKind.Receivable)).to.equal(false);
    expect(findForm('bank-letter-2024')).to.equal(undefined);
  });
});

describe('validateLetter', () => {
  it('accepts a complete Form 1 letter', () => {
    expect(validateLetter(form1Letter(), ConfirmationKind.BankForm1)).to.deep.equal([]);
  });

  it('refuses blank cells, a missing section, bad formats and unknown fields', () => {
    const letter = form1Letter({ deposits: { status: 'rows', rows: [{ ...deposit, balance: '', currency: 'yuan', extra: 'x' }] } });
    delete (letter.sections as Record<string, unknown>).loans;
    const paths = validateLetter(letter, ConfirmationKind.BankForm1).map((issue) => issue.path);
    expect(paths).to.include.members(['sections.deposits.rows[0].balance', 'sections.deposits.rows[0].currency', 'sections.deposits.rows[0].extra', 'sections.loans']);
  });

  it('refuses members the form does not define, at the top and in the header', () => {
    const letter = { ...form1Letter(), note: 'carried unseen', header: { ...header, secretRef: 'x' } };
    expect(validateLetter(letter, ConfirmationKind.BankForm1)).to.deep.equal([
      { path: 'note', problem: 'is not a field of the form' },
      { path: 'header.secretRef', problem: 'is not a header field of this form' },
    ]);
  });

  it('refuses a letter that strikes everything, and rows under a struck section', () => {
    const allStruck = form1Letter(Object.fromEntries(BANK_LETTER_2020.sections.map((s) => [s.key, { status: 'struck' }])));
    expect(validateLetter(allStruck, ConfirmationKind.BankForm1).map((i) => i.path)).to.deep.equal(['sections']);
    expect(validateLetter(form1Letter({ loans: { status: 'struck', rows: [deposit] } }), ConfirmationKind.BankForm1)[0].path).to.equal('sections.loans.rows');
  });

  it('lets Form 2 only request or strike sections', () => {
    const requested = Object.fromEntries(BANK_LETTER_2020.sections.map((s) => [s.key, { status: 'requested' } as SectionContent]));
    expect(validateLetter({ formId: 'bank-letter-2020', header, sections: requested }, ConfirmationKind.BankForm2)).to.deep.equal([]);
    expect(validateLetter(form1Letter(), ConfirmationKind.BankForm2)).to.not.deep.equal([]);
  });

  it('refuses a form that does not fit the kind, and a missing header field', () => {
    expect(validateLetter(form1Letter(), ConfirmationKind.Receivable)[0].path).to.equal('formId');
    const letter = form1Letter();
    letter.header = { ...header, clientSealRef: '' };
    expect(validateLetter(letter, ConfirmationKind.BankForm1).map((i) => i.path)).to.deep.equal(['header.clientSealRef']);
  });
});

describe('validateReply', () => {
  const letter = form1Letter();
  const reply = { formId: 'bank-letter-2020', conclusion: 'agrees', differences: [], sections: {}, handler: 'Li', reviewer: 'Wang', date: '2026-01-10' };

  it('accepts an agreeing reply and an itemized disagreement', () => {
    expect(validateReply(reply, letter, ConfirmationKind.BankForm1)).to.deep.equal([]);
    const disagreement = { ...reply, conclusion: 'disagrees', differences: [
      { section: 'deposits', row: 0, field: 'balance', stated: '1250000.00', actual: '250000.00', note: 'balance differs' },
      { section: 'loans', row: null, field: 'balance', stated: 'none', actual: '900000.00', note: 'loan exists' },
    ] };
    expect(validateReply(disagreement, letter, ConfirmationKind.BankForm1)).to.deep.equal([]);
  });

  it('refuses members the reply form does not define', () => {
    expect(validateReply({ ...reply, balanceOverride: '1.00' }, letter, ConfirmationKind.BankForm1)).to.deep.equal([{ path: 'balanceOverride', problem: 'is not a field of the form' }]);
  });

  it('refuses disagreeing without differences, agreeing with some, and one person as maker and checker', () => {
    expect(validateReply({ ...reply, conclusion: 'disagrees' }, letter, ConfirmationKind.BankForm1)[0].path).to.equal('differences');
    expect(validateReply({ ...reply, reviewer: 'Li' }, letter, ConfirmationKind.BankForm1)[0].path).to.equal('reviewer');
  });

  it('refuses rewriting the auditor items and differences on struck sections or unknown rows', () => {
    expect(validateReply({ ...reply, sections: { deposits: { status: 'none' } } }, letter, ConfirmationKind.BankForm1)[0].path).to.equal('sections.deposits');
    const struck = form1Letter({ loans: { status: 'struck' } });
    const bad = { ...reply, conclusion: 'disagrees', differences: [
      { section: 'loans', row: null, field: 'balance', stated: 'x', actual: '1.00', note: 'n' },
      { section: 'deposits', row: 5, field: 'balance', stated: 'x', actual: '1.00', note: 'n' },
    ] };
    expect(validateReply(bad, struck, ConfirmationKind.BankForm1).map((i) => i.path)).to.deep.equal(['differences[0].section', 'differences[1].row']);
  });

  it('requires Form 2 replies to answer every requested section', () => {
    const form2 = { formId: 'bank-letter-2020', header, sections: Object.fromEntries(BANK_LETTER_2020.sections.map((s) => [s.key, { status: s.key === 'deposits' ? 'requested' : 'struck' } as SectionContent])) };
    expect(validateReply(reply, form2, ConfirmationKind.BankForm2)[0].path).to.equal('sections.deposits');
    expect(validateReply({ ...reply, sections: { deposits: { status: 'rows', rows: [deposit] } } }, form2, ConfirmationKind.BankForm2)).to.deep.equal([]);
  });
});
