import { expect } from 'chai';
import {
  ErrorCode,
  InstitutionKind,
  mortgageCertificateKey,
  MortgageApplicationInput,
  MortgageEvidence,
  mortgageUnitKey,
  MortgageView,
  OPERATOR_MSP,
  Role,
} from '@econfirm/common';
import { fakeJwe, HASH_A, HASH_B, widenedJwe } from '../testing/confirmation-world';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { FakeLedger, TestIdentity } from '../testing/fake-ledger';
import { institutionInput, Who } from '../testing/fixtures';
import { MortgageContract } from './mortgage-contract';
import { RegistryContract } from './registry-contract';

const UNIT = mortgageUnitKey('110105 012003 GB00123 F00010001');
const OTHER_UNIT = mortgageUnitKey('350203 001001 GB00001 F00020002');
const registrar2: TestIdentity = { mspId: OPERATOR_MSP, role: Role.Registrar, institution: 'MREG2', id: 'x509::CN=registrar2::CN=ca.operator' };
const reviewer2: TestIdentity = { mspId: OPERATOR_MSP, role: Role.RegistryReviewer, institution: 'MREG2', id: 'x509::CN=registry-reviewer2::CN=ca.operator' };
// registrar1's certificate identity re-enrolled with the reviewer role: still the one who prepared.
const registrar1AsReviewer: TestIdentity = { ...Who.registrar1, role: Role.RegistryReviewer };

function application(id: string, overrides: Partial<MortgageApplicationInput> = {}, bank = 'BANK1'): MortgageApplicationInput {
  const mortgagorIds = overrides.mortgagorIds ?? ['CLIENT1'];
  return {
    id,
    registryId: 'MREG1',
    unitKey: UNIT,
    propertyType: 'residential',
    mortgageType: 'ordinary',
    debtTermStart: '2026-03-01',
    debtTermEnd: '2046-02-28',
    preRegistration: false,
    mortgagorIds,
    consentHash: HASH_A,
    application: { ciphertext: fakeJwe(bank, 'MREG1', ...mortgagorIds), contentHash: HASH_B },
    ...overrides,
  };
}

function certificate(number: string, mortgagorIds = ['CLIENT1'], bank = 'BANK1'): string {
  return JSON.stringify({ certificateKey: mortgageCertificateKey(number), certificate: { ciphertext: fakeJwe(bank, 'MREG1', ...mortgagorIds), contentHash: HASH_A } });
}

describe('MortgageContract', () => {
  let ledger: FakeLedger;
  const contract = new MortgageContract();

  async function call<T>(who: TestIdentity, fn: (c: MortgageContract, ctx: ReturnType<FakeLedger['as']>) => Promise<string>): Promise<T> {
    return JSON.parse(await fn(contract, ledger.as(who))) as T;
  }
  const file = (id: string, overrides: Partial<MortgageApplicationInput> = {}, who: TestIdentity = Who.mortgageOfficer1) =>
    call<MortgageView>(who, (c, ctx) => c.FileMortgageApplication(ctx, JSON.stringify(application(id, overrides, who.mspId === 'Bank2MSP' ? 'BANK2' : 'BANK1'))));
  /** The registrar's step: prepares the registration for review. */
  const prepare = (id: string, number = `京(2026)朝阳区不动产证明第${id}号`, who: TestIdentity = Who.registrar1, bank = 'BANK1') =>
    call<MortgageView>(who, (c, ctx) => c.RegisterMortgage(ctx, id, certificate(number, ['CLIENT1'], bank)));
  const approve = (id: string, who: TestIdentity = Who.registryReviewer1) => call<MortgageView>(who, (c, ctx) => c.ApproveMortgageStep(ctx, id));
  const sendBack = (id: string, who: TestIdentity = Who.registryReviewer1, reason = 'CERTIFICATE_NUMBER_WRONG') =>
    call<MortgageView>(who, (c, ctx) => c.ReturnMortgageStep(ctx, id, JSON.stringify({ reason })));
  /** Prepared by the registrar and approved by the reviewer: registered. */
  const register = async (id: string, number = `京(2026)朝阳区不动产证明第${id}号`, who: TestIdentity = Who.registrar1, bank = 'BANK1') => {
    await prepare(id, number, who, bank);
    return approve(id);
  };
  const get = (id: string, who: TestIdentity = Who.mortgageOfficer1) => call<MortgageView>(who, (c, ctx) => c.GetMortgage(ctx, id));
  const requestDischarge = (id: string, who: TestIdentity = Who.mortgageOfficer1) =>
    call<MortgageView>(who, (c, ctx) => c.RequestMortgageDischarge(ctx, id, JSON.stringify({ reason: 'repaid' })));
  const prepareDischarge = (id: string, who: TestIdentity = Who.registrar1) =>
    call<MortgageView>(who, (c, ctx) => c.DischargeMortgage(ctx, id, JSON.stringify({ caseNumber: `DC-${id}`, reason: 'repaid' })));
  /** Prepared by the registrar and approved by the reviewer: discharged. */
  const discharge = async (id: string) => {
    await prepareDischarge(id);
    return approve(id);
  };
  const prepareChange = (id: string, body: object = { debtTermEnd: '2040-12-31', application: { ciphertext: fakeJwe('BANK1', 'MREG1', 'CLIENT1'), contentHash: HASH_A } }) =>
    call<MortgageView>(Who.registrar1, (c, ctx) => c.ChangeMortgage(ctx, id, JSON.stringify(body)));
  const prepareTransfer = (id: string, mortgagorIds = ['ENT1']) =>
    call<MortgageView>(Who.registrar1, (c, ctx) => c.TransferMortgage(ctx, id, JSON.stringify({ mortgagorIds, application: { ciphertext: fakeJwe('BANK1', 'MREG1', ...mortgagorIds), contentHash: HASH_A } })));
  const prepareRejection = (id: string, reason = 'TITLE_MISMATCH') =>
    call<MortgageView>(Who.registrar1, (c, ctx) => c.RejectMortgageApplication(ctx, id, JSON.stringify({ reason })));
  const preparePreRegistration = (id: string) => call<MortgageView>(Who.registrar1, (c, ctx) => c.PreRegisterMortgage(ctx, id));

  beforeEach(async () => {
    ledger = new FakeLedger();
    const registry = new RegistryContract();
    for (const input of [
      institutionInput('BANK1', InstitutionKind.Bank, 'Bank1MSP'),
      institutionInput('BANK2', InstitutionKind.Bank, 'Bank2MSP'),
      institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP'),
      institutionInput('CLIENT1', InstitutionKind.Client, OPERATOR_MSP),
      institutionInput('ENT1', InstitutionKind.Enterprise, OPERATOR_MSP),
      institutionInput('MREG1', InstitutionKind.MortgageRegistry, OPERATOR_MSP),
      institutionInput('MREG2', InstitutionKind.MortgageRegistry, OPERATOR_MSP),
      institutionInput('REGULATOR', InstitutionKind.Regulator, 'RegulatorMSP'),
    ]) {
      await registry.RegisterInstitution(ledger.as(Who.admin), JSON.stringify(input));
    }
  });

  describe('the path from application to discharge', () => {
    it('files, registers, requests discharge and discharges; every step names its officer and the event carries no content', async () => {
      const filed = await file('MTG-1');
      expect(filed).to.include({ id: 'MTG-1', state: 'applied', mortgageeId: 'BANK1', registryId: 'MREG1', unitKey: UNIT });
      expect(filed.priority).to.equal(undefined);
      const prepared = await prepare('MTG-1');
      expect(prepared).to.include({ state: 'registration-in-review', registeredBy: Who.registrar1.id, certificateKey: mortgageCertificateKey('京(2026)朝阳区不动产证明第MTG-1号') });
      expect(prepared.review).to.deep.include({ action: 'RegisterMortgage', from: 'applied', preparedBy: Who.registrar1.id });
      // Not yet registered: no priority, no registration time.
      expect(prepared.priority).to.equal(undefined);
      expect(prepared.registeredAt).to.equal(undefined);
      const registered = await approve('MTG-1');
      expect(registered).to.include({ state: 'registered', priority: 1, registeredBy: Who.registrar1.id, registrationApprovedBy: Who.registryReviewer1.id });
      expect(registered.review).to.equal(undefined);
      expect(await requestDischarge('MTG-1')).to.include({ state: 'discharge-requested', priority: 1 });
      const dischargePrepared = await prepareDischarge('MTG-1');
      // Still an encumbrance, at its rank, until the reviewer approves.
      expect(dischargePrepared).to.include({ state: 'discharge-in-review', priority: 1 });
      expect(dischargePrepared.review).to.deep.include({ action: 'DischargeMortgage', caseNumber: 'DC-MTG-1', reason: 'repaid', preparedBy: Who.registrar1.id });
      const discharged = await approve('MTG-1');
      expect(discharged).to.include({ state: 'discharged', dischargeCaseNumber: 'DC-MTG-1', dischargeReason: 'repaid' });
      expect(discharged.priority).to.equal(undefined);
      expect(discharged.steps.map((s) => [s.action, s.state, s.by])).to.deep.equal([
        ['FileMortgageApplication', 'applied', Who.mortgageOfficer1.id],
        ['RegisterMortgage', 'registration-in-review', Who.registrar1.id],
        ['ApproveMortgageStep', 'registered', Who.registryReviewer1.id],
        ['RequestMortgageDischarge', 'discharge-requested', Who.mortgageOfficer1.id],
        ['DischargeMortgage', 'discharge-in-review', Who.registrar1.id],
        ['ApproveMortgageStep', 'discharged', Who.registryReviewer1.id],
      ]);
      expect(ledger.lastEvent()).to.deep.equal({ name: 'MortgageChanged', payload: { id: 'MTG-1', state: 'discharged', action: 'ApproveMortgageStep' } });
    });

    it('GetMortgageEvidence: the record and the transaction of each committed version, oldest first; a stranger gets the unknown-id refusal', async () => {
      await file('MTG-1');
      await register('MTG-1');
      await requestDischarge('MTG-1');
      const evidence = await call<MortgageEvidence>(Who.registrar1, (c, ctx) => c.GetMortgageEvidence(ctx, 'MTG-1'));
      expect(evidence.mortgage).to.include({ id: 'MTG-1', state: 'discharge-requested', priority: 1 });
      expect(evidence.trail.map((s) => s.state)).to.deep.equal(['applied', 'registration-in-review', 'registered', 'discharge-requested']);
      expect(new Set(evidence.trail.map((s) => s.txId)).size).to.equal(4);
      for (const who of [Who.mortgageOfficer1, Who.officer1, Who.client1, Who.regulator1, Who.registryReviewer1]) {
        expect((await call<MortgageEvidence>(who, (c, ctx) => c.GetMortgageEvidence(ctx, 'MTG-1'))).trail).to.have.length(4);
      }
      for (const who of [Who.bank2officer, Who.auditor1, Who.customer1]) {
        await expectLedgerError(contract.GetMortgageEvidence(ledger.as(who), 'MTG-1'), ErrorCode.NotFound, 'mortgage MTG-1 does not exist');
      }
    });

    it('pre-registers (预告登记) only what was applied for as such — prepared, then approved — then registers', async () => {
      await file('MTG-P', { preRegistration: true });
      const prepared = await preparePreRegistration('MTG-P');
      expect(prepared).to.include({ state: 'pre-registration-in-review' });
      expect(prepared.review).to.deep.include({ action: 'PreRegisterMortgage', from: 'applied', preparedBy: Who.registrar1.id });
      expect(await approve('MTG-P')).to.include({ state: 'pre-registered' });
      expect(await register('MTG-P')).to.include({ state: 'registered', priority: 1 });
      await file('MTG-N');
      await expectLedgerError(contract.PreRegisterMortgage(ledger.as(Who.registrar1), 'MTG-N'), ErrorCode.InvalidStateTransition, 'no pre-registration');
    });

    it('rejects an application with a reason code — prepared, then approved; a rejected record never moves again', async () => {
      await file('MTG-R');
      const prepared = await prepareRejection('MTG-R');
      expect(prepared).to.include({ state: 'rejection-in-review' });
      expect(prepared.rejectionReason).to.equal(undefined);
      expect(prepared.review).to.deep.include({ action: 'RejectMortgageApplication', from: 'applied', rejectionReason: 'TITLE_MISMATCH' });
      expect(await approve('MTG-R')).to.include({ state: 'rejected', rejectionReason: 'TITLE_MISMATCH' });
      await expectLedgerError(register('MTG-R'), ErrorCode.InvalidStateTransition, 'it is rejected');
      await expectLedgerError(contract.RejectMortgageApplication(ledger.as(Who.registrar1), 'MTG-R', JSON.stringify({ reason: 'free text with names' })), ErrorCode.InvalidStateTransition);
    });

    it('changes and transfers with the mortgage attached, each on approval; the new mortgagor reads it from then, the old one no longer does', async () => {
      await file('MTG-C');
      const registered = await register('MTG-C');
      // Prepared: the record encumbers as it was, at its rank; the change waits in the review.
      const changing = await prepareChange('MTG-C');
      expect(changing).to.include({ state: 'change-in-review', debtTermEnd: '2046-02-28', priority: 1 });
      expect(changing.application).to.deep.equal(registered.application);
      expect(changing.review).to.deep.include({ action: 'ChangeMortgage', from: 'registered', preparedBy: Who.registrar1.id });
      expect(changing.review?.change).to.deep.equal({ debtTermEnd: '2040-12-31', application: { ciphertext: fakeJwe('BANK1', 'MREG1', 'CLIENT1'), contentHash: HASH_A } });
      const changed = await approve('MTG-C');
      expect(changed).to.include({ state: 'changed', debtTermEnd: '2040-12-31', priority: 1 });
      expect(changed.application).to.deep.equal({ ciphertext: fakeJwe('BANK1', 'MREG1', 'CLIENT1'), contentHash: HASH_A });
      expect(changed.review).to.equal(undefined);
      const transferring = await prepareTransfer('MTG-C');
      expect(transferring).to.include({ state: 'transfer-in-review', priority: 1 });
      expect(transferring.mortgagorIds).to.deep.equal(['CLIENT1']);
      // The buyer is not a party until the reviewer approves; the seller still is.
      await expectLedgerError(get('MTG-C', Who.customer1), ErrorCode.NotFound, 'mortgage MTG-C does not exist');
      expect((await get('MTG-C', Who.client1)).state).to.equal('transfer-in-review');
      const transferred = await approve('MTG-C');
      expect(transferred).to.include({ state: 'transferred', priority: 1 });
      expect(transferred.mortgagorIds).to.deep.equal(['ENT1']);
      expect((await get('MTG-C', Who.customer1)).state).to.equal('transferred');
      await expectLedgerError(get('MTG-C', Who.client1), ErrorCode.NotFound, 'mortgage MTG-C does not exist');
      expect(transferred.steps.slice(-4).map((s) => [s.action, s.state, s.by])).to.deep.equal([
        ['ChangeMortgage', 'change-in-review', Who.registrar1.id],
        ['ApproveMortgageStep', 'changed', Who.registryReviewer1.id],
        ['TransferMortgage', 'transfer-in-review', Who.registrar1.id],
        ['ApproveMortgageStep', 'transferred', Who.registryReviewer1.id],
      ]);
    });

    it('a discharged record is read-only', async () => {
      await file('MTG-D');
      await register('MTG-D');
      await requestDischarge('MTG-D');
      await discharge('MTG-D');
      const before = ledger.snapshot();
      await expectLedgerError(prepareDischarge('MTG-D'), ErrorCode.InvalidStateTransition, 'it is discharged');
      await expectLedgerError(approve('MTG-D'), ErrorCode.InvalidStateTransition, 'it is discharged');
      await expectLedgerError(sendBack('MTG-D'), ErrorCode.InvalidStateTransition, 'it is discharged');
      await expectLedgerError(requestDischarge('MTG-D'), ErrorCode.InvalidStateTransition, 'it is discharged');
      await expectLedgerError(contract.ChangeMortgage(ledger.as(Who.registrar1), 'MTG-D', JSON.stringify({ application: { ciphertext: fakeJwe('BANK1', 'MREG1', 'CLIENT1'), contentHash: HASH_A } })), ErrorCode.InvalidStateTransition);
      await expectLedgerError(contract.TransferMortgage(ledger.as(Who.registrar1), 'MTG-D', JSON.stringify({ mortgagorIds: [], application: { ciphertext: fakeJwe('BANK1', 'MREG1'), contentHash: HASH_A } })), ErrorCode.InvalidStateTransition);
      expect(ledger.snapshot()).to.equal(before);
    });
  });

  describe('priority', () => {
    it('two mortgages on one unit rank 1 and 2 in registration order; the second becomes 1 when the first is discharged', async () => {
      await file('MTG-A');
      await file('MTG-B', {}, Who.bank2mortgageOfficer);
      // Registration order, not filing order, decides.
      await register('MTG-B', 'CERT-B', Who.registrar1, 'BANK2');
      await register('MTG-A');
      expect((await get('MTG-B', Who.registrar1)).priority).to.equal(1);
      expect((await get('MTG-A', Who.registrar1)).priority).to.equal(2);
      await requestDischarge('MTG-B', Who.bank2mortgageOfficer);
      await discharge('MTG-B');
      expect((await get('MTG-A', Who.registrar1)).priority).to.equal(1);
      expect((await get('MTG-B', Who.registrar1)).priority).to.equal(undefined);
    });

    it('another unit has its own ranks', async () => {
      await file('MTG-A');
      await file('MTG-O', { unitKey: OTHER_UNIT });
      await register('MTG-A');
      expect(await register('MTG-O')).to.include({ priority: 1 });
    });
  });

  describe('uniqueness', () => {
    it('refuses an application id twice', async () => {
      await file('MTG-1');
      await expectLedgerError(file('MTG-1'), ErrorCode.AlreadyExists, 'MTG-1');
    });

    it('refuses a certificate number already registered, and writes nothing', async () => {
      await file('MTG-1');
      await file('MTG-2', { unitKey: OTHER_UNIT });
      await register('MTG-1', 'CERT-0001');
      const before = ledger.snapshot();
      await expectLedgerError(prepare('MTG-2', 'CERT-0001'), ErrorCode.AlreadyExists, 'certificate number');
      // Spacing does not make a number new.
      await expectLedgerError(prepare('MTG-2', 'CERT- 0001'), ErrorCode.AlreadyExists, 'certificate number');
      expect(ledger.snapshot()).to.equal(before);
    });

    it('a number is reserved from the registrar’s step on, and freed when the reviewer returns it', async () => {
      await file('MTG-1');
      await file('MTG-2', { unitKey: OTHER_UNIT });
      await prepare('MTG-1', 'CERT-0001');
      await expectLedgerError(prepare('MTG-2', 'CERT-0001'), ErrorCode.AlreadyExists, 'certificate number');
      await sendBack('MTG-1');
      expect(await prepare('MTG-2', 'CERT-0001')).to.include({ state: 'registration-in-review' });
    });
  });

  describe('who may do what', () => {
    it("only the bank's mortgage officer files, for its own bank — not its confirmation officers", async () => {
      for (const who of [Who.officer1, Who.reviewer1, Who.registrar1, Who.registryReviewer1, Who.client1, Who.auditor1, Who.regulator1, Who.admin]) {
        await expectLedgerError(file('MTG-X', {}, who), ErrorCode.Forbidden);
      }
      expect((await file('MTG-X', { application: { ciphertext: fakeJwe('BANK2', 'MREG1', 'CLIENT1'), contentHash: HASH_B } }, Who.bank2mortgageOfficer)).mortgageeId).to.equal('BANK2');
    });

    it('a mortgage-officer certificate cannot act for a registry or a client', async () => {
      const hosted: TestIdentity = { mspId: OPERATOR_MSP, role: Role.MortgageOfficer, institution: 'MREG1', id: 'x509::CN=odd::CN=ca.operator' };
      await expectLedgerError(file('MTG-X', {}, hosted), ErrorCode.Forbidden, 'cannot act for');
      const reviewerOfBank: TestIdentity = { mspId: 'Bank1MSP', role: Role.RegistryReviewer, id: 'x509::CN=odd::CN=ca.bank1' };
      await file('MTG-1');
      await prepare('MTG-1');
      await expectLedgerError(approve('MTG-1', reviewerOfBank), ErrorCode.Forbidden, 'cannot tell which institution');
    });

    it('a registration, change, rejection or discharge by a bank identity is refused', async () => {
      await file('MTG-1');
      const before = ledger.snapshot();
      for (const who of [Who.officer1, Who.reviewer1, Who.mortgageOfficer1, Who.bank2officer]) {
        await expectLedgerError(prepare('MTG-1', 'CERT-X', who), ErrorCode.Forbidden);
        await expectLedgerError(contract.RejectMortgageApplication(ledger.as(who), 'MTG-1', JSON.stringify({ reason: 'X_Y' })), ErrorCode.Forbidden);
      }
      expect(ledger.snapshot()).to.equal(before);
    });

    it('only the named registry acts on an application; another registry does not even see it', async () => {
      await file('MTG-1');
      await expectLedgerError(prepare('MTG-1', 'CERT-1', registrar2), ErrorCode.NotFound, 'mortgage MTG-1 does not exist');
      await expectLedgerError(get('MTG-1', registrar2), ErrorCode.NotFound, 'mortgage MTG-1 does not exist');
    });

    it('only the mortgagee bank requests discharge; a party that may read is told FORBIDDEN, a stranger NOT_FOUND', async () => {
      await file('MTG-1');
      await register('MTG-1');
      await expectLedgerError(requestDischarge('MTG-1', Who.bank2mortgageOfficer), ErrorCode.NotFound, 'mortgage MTG-1 does not exist');
      for (const who of [Who.registrar1, Who.officer1, Who.reviewer1]) {
        await expectLedgerError(contract.RequestMortgageDischarge(ledger.as(who), 'MTG-1', JSON.stringify({ reason: 'repaid' })), ErrorCode.Forbidden);
      }
      await expectLedgerError(prepareDischarge('MTG-1'), ErrorCode.InvalidStateTransition, 'it is registered');
    });

    it('reads: the parties and the regulator; a stranger bank, firm or client gets the unknown-id refusal', async () => {
      await file('MTG-1');
      for (const who of [Who.mortgageOfficer1, Who.officer1, Who.reviewer1, Who.registrar1, Who.registryReviewer1, Who.client1, Who.regulator1]) expect((await get('MTG-1', who)).id).to.equal('MTG-1');
      for (const who of [Who.bank2officer, Who.auditor1, Who.customer1]) await expectLedgerError(get('MTG-1', who), ErrorCode.NotFound, 'mortgage MTG-1 does not exist');
      await expectLedgerError(get('MTG-404', Who.officer1), ErrorCode.NotFound, 'mortgage MTG-404 does not exist');
    });
  });

  describe("the registry's maker–checker: a registrar prepares, another identity — a registry reviewer — approves or returns", () => {
    it('only a registry reviewer approves or returns; the registrar, the bank and the regulator are refused and write nothing', async () => {
      await file('MTG-1');
      await prepare('MTG-1');
      const before = ledger.snapshot();
      for (const who of [Who.registrar1, Who.mortgageOfficer1, Who.officer1, Who.reviewer1, Who.client1, Who.regulator1, Who.admin]) {
        await expectLedgerError(approve('MTG-1', who), ErrorCode.Forbidden);
        await expectLedgerError(sendBack('MTG-1', who), ErrorCode.Forbidden);
      }
      expect(ledger.snapshot()).to.equal(before);
    });

    it('the identity that prepared cannot approve or return its own work, even enrolled as a reviewer', async () => {
      await file('MTG-1');
      await prepare('MTG-1');
      await file('MTG-2', { unitKey: OTHER_UNIT });
      await register('MTG-2');
      await requestDischarge('MTG-2');
      await prepareDischarge('MTG-2');
      const before = ledger.snapshot();
      for (const id of ['MTG-1', 'MTG-2']) {
        await expectLedgerError(approve(id, registrar1AsReviewer), ErrorCode.Forbidden, 'different identity');
        await expectLedgerError(sendBack(id, registrar1AsReviewer), ErrorCode.Forbidden, 'different identity');
      }
      expect(ledger.snapshot()).to.equal(before);
    });

    // Every registry decision: what each prepared step is, and what a return restores.
    const decisions: Array<[string, (id: string) => Promise<unknown>, string, Partial<MortgageView>]> = [
      ['a pre-registration', async (id) => { await file(id, { preRegistration: true }); return preparePreRegistration(id); }, 'pre-registration-in-review', { state: 'applied' }],
      ['a rejection', async (id) => { await file(id); return prepareRejection(id); }, 'rejection-in-review', { state: 'applied' }],
      ['a change', async (id) => { await file(id); await register(id); return prepareChange(id); }, 'change-in-review', { state: 'registered', debtTermEnd: '2046-02-28', priority: 1 }],
      ['a transfer', async (id) => { await file(id); await register(id); return prepareTransfer(id); }, 'transfer-in-review', { state: 'registered', priority: 1 }],
    ];
    for (const [what, prepareIt, inReview, restored] of decisions) {
      it(`${what}: waits in '${inReview}', is refused to its preparer, and a return restores the record with the reason`, async () => {
        await prepareIt('MTG-1');
        expect((await get('MTG-1', Who.registrar1)).state).to.equal(inReview);
        const queue = await call<{ records: MortgageView[] }>(Who.registryReviewer1, (c, ctx) => c.ListMortgages(ctx, inReview, '10', ''));
        expect(queue.records.map((r) => r.id)).to.deep.equal(['MTG-1']);
        const before = ledger.snapshot();
        await expectLedgerError(approve('MTG-1', registrar1AsReviewer), ErrorCode.Forbidden, 'different identity');
        await expectLedgerError(approve('MTG-1', Who.registrar1), ErrorCode.Forbidden);
        expect(ledger.snapshot()).to.equal(before);
        const returned = await sendBack('MTG-1', Who.registryReviewer1, 'DOCUMENTS_INCOMPLETE');
        expect(returned).to.include(restored);
        expect(returned.mortgagorIds).to.deep.equal(['CLIENT1']);
        expect(returned.review).to.equal(undefined);
        expect(returned.rejectionReason).to.equal(undefined);
        expect(returned.lastReviewReturn).to.include({ reason: 'DOCUMENTS_INCOMPLETE', by: Who.registryReviewer1.id });
      });
    }

    it('a reviewer of another registry does not even see the record', async () => {
      await file('MTG-1');
      await prepare('MTG-1');
      await expectLedgerError(approve('MTG-1', reviewer2), ErrorCode.NotFound, 'mortgage MTG-1 does not exist');
      await expectLedgerError(sendBack('MTG-1', reviewer2), ErrorCode.NotFound, 'mortgage MTG-1 does not exist');
    });

    it('nothing to review: approving or returning from any other state is refused', async () => {
      await file('MTG-1');
      await expectLedgerError(approve('MTG-1'), ErrorCode.InvalidStateTransition, 'cannot ApproveMortgageStep mortgage MTG-1: it is applied');
      await expectLedgerError(sendBack('MTG-1'), ErrorCode.InvalidStateTransition, 'cannot ReturnMortgageStep mortgage MTG-1: it is applied');
      await register('MTG-1');
      await expectLedgerError(approve('MTG-1'), ErrorCode.InvalidStateTransition, 'it is registered');
    });

    it('the registrar cannot prepare twice, nor change, transfer or reject what awaits review', async () => {
      await file('MTG-1');
      await prepare('MTG-1');
      const before = ledger.snapshot();
      await expectLedgerError(prepare('MTG-1', 'CERT-OTHER'), ErrorCode.InvalidStateTransition, 'it is registration-in-review');
      await expectLedgerError(contract.RejectMortgageApplication(ledger.as(Who.registrar1), 'MTG-1', JSON.stringify({ reason: 'TITLE_MISMATCH' })), ErrorCode.InvalidStateTransition);
      await expectLedgerError(contract.ChangeMortgage(ledger.as(Who.registrar1), 'MTG-1', JSON.stringify({ application: { ciphertext: fakeJwe('BANK1', 'MREG1', 'CLIENT1'), contentHash: HASH_A } })), ErrorCode.InvalidStateTransition);
      await expectLedgerError(requestDischarge('MTG-1'), ErrorCode.InvalidStateTransition);
      expect(ledger.snapshot()).to.equal(before);
    });

    it('a returned registration goes back to the state it came from, without its certificate, with the reason; then it can be prepared again', async () => {
      await file('MTG-P', { preRegistration: true });
      await preparePreRegistration('MTG-P');
      await approve('MTG-P');
      await prepare('MTG-P', 'CERT-P');
      const returned = await sendBack('MTG-P');
      expect(returned).to.include({ state: 'pre-registered' });
      expect(returned.certificateKey).to.equal(undefined);
      expect(returned.certificate).to.equal(undefined);
      expect(returned.registeredBy).to.equal(undefined);
      expect(returned.review).to.equal(undefined);
      expect(returned.lastReviewReturn).to.deep.equal({ action: 'RegisterMortgage', by: Who.registryReviewer1.id, at: returned.steps[returned.steps.length - 1].at, reason: 'CERTIFICATE_NUMBER_WRONG' });
      expect((await register('MTG-P', 'CERT-P2'))).to.include({ state: 'registered', priority: 1 });
    });

    it('a returned discharge leaves the record encumbering, at its rank, awaiting a new discharge', async () => {
      await file('MTG-1');
      await register('MTG-1');
      await requestDischarge('MTG-1');
      await prepareDischarge('MTG-1');
      const returned = await sendBack('MTG-1');
      expect(returned).to.include({ state: 'discharge-requested', priority: 1, dischargeReason: 'repaid' });
      expect(returned.dischargeCaseNumber).to.equal(undefined);
      expect((await discharge('MTG-1')).state).to.equal('discharged');
    });

    it('refuses a return reason that is not a code, and writes nothing', async () => {
      await file('MTG-1');
      await prepare('MTG-1');
      const before = ledger.snapshot();
      await expectLedgerError(sendBack('MTG-1', Who.registryReviewer1, 'the name 张三 is wrong'), ErrorCode.InvalidArgument, 'reason: has an invalid format');
      expect(ledger.snapshot()).to.equal(before);
    });

    it('priority follows approval order, not the order the registrar prepared', async () => {
      await file('MTG-A');
      await file('MTG-B');
      await prepare('MTG-A', 'CERT-A');
      await prepare('MTG-B', 'CERT-B');
      await approve('MTG-B');
      await approve('MTG-A');
      expect((await get('MTG-B')).priority).to.equal(1);
      expect((await get('MTG-A')).priority).to.equal(2);
    });

    it("the registry reviewer's queue: records by state in review", async () => {
      await file('MTG-1');
      await file('MTG-2', { unitKey: OTHER_UNIT });
      await prepare('MTG-1');
      const queue = await call<{ records: MortgageView[] }>(Who.registryReviewer1, (c, ctx) => c.ListMortgages(ctx, 'registration-in-review', '10', ''));
      expect(queue.records.map((r) => r.id)).to.deep.equal(['MTG-1']);
    });
  });

  describe('validation (nothing written on refusal)', () => {
    const cases: [string, Partial<MortgageApplicationInput>, string][] = [
      ['a debt term that ends before it starts', { debtTermStart: '2030-01-01', debtTermEnd: '2029-12-31' }, 'debtTermEnd'],
      ['an unknown mortgage type', { mortgageType: 'both' as MortgageApplicationInput['mortgageType'] }, 'mortgageType'],
      ['a unit key that is not a SHA-256', { unitKey: '110105012003GB00123F00010001' }, 'unitKey'],
      ['a registry that is not a registration centre', { registryId: 'BANK2' }, 'registryId'],
      ['an unregistered mortgagor', { mortgagorIds: ['NOBODY'] }, 'mortgagorIds[0]'],
      ['a bank as mortgagor', { mortgagorIds: ['BANK2'] }, 'mortgagorIds[0]'],
      ['a mortgagor named twice', { mortgagorIds: ['CLIENT1', 'CLIENT1'] }, 'mortgagorIds'],
      ['plaintext content', { application: { ciphertext: '{"mortgagor":"张三","amount":"3500000.00"}', contentHash: HASH_B } }, 'application.ciphertext'],
    ];
    for (const [what, overrides, field] of cases) {
      it(`refuses ${what}`, async () => {
        const before = ledger.snapshot();
        await expectLedgerError(file('MTG-V', overrides), ErrorCode.InvalidArgument, field);
        expect(ledger.snapshot()).to.equal(before);
      });
    }

    // Sealed to exactly the bank, the registry and the mortgagors: anyone else's key in the JWE
    // would let that member read the names and amounts from the block (models/sealing.ts).
    const sealing: [string, string[], string][] = [
      ['content the registry could not read', ['BANK1', 'CLIENT1'], 'no key of MREG1'],
      ['content a mortgagor could not read', ['BANK1', 'MREG1'], 'no key of CLIENT1'],
      ["content sealed to an audit firm beside the parties", ['BANK1', 'MREG1', 'CLIENT1', 'FIRM1'], 'FIRM1-enc-1, which is none of'],
      ['content sealed to another bank beside the parties', ['BANK1', 'MREG1', 'CLIENT1', 'BANK2'], 'BANK2-enc-1, which is none of'],
    ];
    for (const [what, sealedTo, message] of sealing) {
      it(`refuses ${what} (RECIPIENTS_REFUSED)`, async () => {
        const before = ledger.snapshot();
        await expectLedgerError(file('MTG-V', { application: { ciphertext: fakeJwe(...sealedTo), contentHash: HASH_B } }), ErrorCode.RecipientsRefused, message);
        expect(ledger.snapshot()).to.equal(before);
      });
    }

    it('refuses a secured amount or a name in the clear: unknown fields are refused', async () => {
      const input = { ...application('MTG-V'), securedAmount: '3500000.00' };
      await expectLedgerError(contract.FileMortgageApplication(ledger.as(Who.mortgageOfficer1), JSON.stringify(input)), ErrorCode.InvalidArgument, 'securedAmount');
    });
  });

  describe('the encumbrance query before lending', () => {
    beforeEach(async () => {
      await file('MTG-1');
      await register('MTG-1');
    });
    const encumbrances = (who: TestIdentity) => call<{ encumbrances: { mortgageId: string; priority: number; mortgageeId: string }[] }>(who, (c, ctx) => c.GetEncumbrances(ctx, UNIT));
    const authorize = (who: TestIdentity, bankId: string, validUntil = '2026-03-31') =>
      contract.AuthorizeEncumbranceQuery(ledger.as(who), UNIT, JSON.stringify({ bankId, validUntil }));

    it('is refused to a bank without the owner’s authorization', async () => {
      await expectLedgerError(encumbrances(Who.bank2officer), ErrorCode.Forbidden, 'no current authorization');
      await expectLedgerError(encumbrances(Who.bank2mortgageOfficer), ErrorCode.Forbidden, 'no current authorization');
    });

    it('answers an authorized bank with priority, type and mortgagee — until the authorization’s last day', async () => {
      await authorize(Who.client1, 'BANK2');
      const answer = await encumbrances(Who.bank2mortgageOfficer);
      expect((await encumbrances(Who.registryReviewer1)).encumbrances).to.have.length(1);
      expect(answer.encumbrances).to.deep.equal([
        { mortgageId: 'MTG-1', priority: 1, mortgageType: 'ordinary', mortgageeId: 'BANK1', registeredAt: '2026-03-02T09:00:00.000Z', debtTermStart: '2026-03-01', debtTermEnd: '2046-02-28', state: 'registered' },
      ]);
      ledger.setNow('2026-04-01T00:00:00Z');
      await expectLedgerError(encumbrances(Who.bank2officer), ErrorCode.Forbidden, 'no current authorization');
    });

    it('only a mortgagor of the unit or a registrar records the consent', async () => {
      await expectLedgerError(authorize(Who.customer1, 'BANK2'), ErrorCode.Forbidden, 'no mortgagor of this unit');
      await expectLedgerError(authorize(Who.officer1, 'BANK2'), ErrorCode.Forbidden);
      await expectLedgerError(authorize(Who.registryReviewer1, 'BANK2'), ErrorCode.Forbidden);
      await authorize(Who.registrar1, 'BANK2');
      expect((await encumbrances(Who.bank2officer)).encumbrances).to.have.length(1);
    });

    it('refuses a consent that has already lapsed', async () => {
      await expectLedgerError(authorize(Who.client1, 'BANK2', '2026-03-01'), ErrorCode.InvalidArgument, 'validUntil');
    });

    describe('amounts: the owner widens each application to the bank it authorizes', () => {
      type Answer = { encumbrances: Array<{ mortgageId: string; application?: { ciphertext: string; contentHash: string } }> };
      const filed = fakeJwe('BANK1', 'MREG1', 'CLIENT1');
      const authorizeWith = (applications: unknown, who: TestIdentity = Who.client1) =>
        contract.AuthorizeEncumbranceQuery(ledger.as(who), UNIT, JSON.stringify({ bankId: 'BANK2', validUntil: '2026-03-31', applications }));
      const sealedTo = async (who: TestIdentity) => (await call<Answer>(who, (c, ctx) => c.GetEncumbrances(ctx, UNIT))).encumbrances.map((e) => e.application);

      it('the bank gets the copy widened to it, checked against the record’s contentHash; the registry the record’s own; the regulator none', async () => {
        const widened = widenedJwe(filed, 'BANK2');
        const answer = JSON.parse(await authorizeWith([{ mortgageId: 'MTG-1', ciphertext: widened }])) as { disclosed: string[]; disclosures?: unknown };
        expect(answer.disclosed).to.deep.equal(['MTG-1']);
        expect(answer).not.to.have.property('disclosures');
        expect(await sealedTo(Who.bank2officer)).to.deep.equal([{ ciphertext: widened, contentHash: HASH_B }]);
        expect(await sealedTo(Who.registryReviewer1)).to.deep.equal([{ ciphertext: filed, contentHash: HASH_B }]);
        expect(await sealedTo(Who.regulator1)).to.deep.equal([undefined]);
      });

      it('without applications the bank sees no amount (as before)', async () => {
        await authorize(Who.client1, 'BANK2');
        expect(await sealedTo(Who.bank2officer)).to.deep.equal([undefined]);
      });

      it('a change that re-seals the application withdraws the stale copy: the bank is told nothing it cannot check', async () => {
        const widened = widenedJwe(filed, 'BANK2');
        await authorizeWith([{ mortgageId: 'MTG-1', ciphertext: widened }]);
        await prepareChange('MTG-1');
        // In review, the application is still the one widened: the bank still reads its amount.
        expect(await sealedTo(Who.bank2officer)).to.deep.equal([{ ciphertext: widened, contentHash: HASH_B }]);
        await approve('MTG-1');
        expect(await sealedTo(Who.bank2officer)).to.deep.equal([undefined]);
      });

      const refusals: Array<[string, () => unknown, ErrorCode, string]> = [
        ['a copy widened to another institution beside the bank', () => [{ mortgageId: 'MTG-1', ciphertext: widenedJwe(filed, 'BANK2', 'FIRM1') }], ErrorCode.RecipientsRefused, 'FIRM1-enc-1'],
        ['a copy that is not the filed application with recipients appended', () => [{ mortgageId: 'MTG-1', ciphertext: widenedJwe(fakeJwe('BANK1', 'MREG1'), 'BANK2') }], ErrorCode.RecipientsRefused, 'differs from the sealed content'],
        ['a registration that is not active on the unit', () => [{ mortgageId: 'MTG-9', ciphertext: widenedJwe(filed, 'BANK2') }], ErrorCode.InvalidArgument, 'no active registration of this unit'],
        ['the same registration twice', () => [1, 2].map(() => ({ mortgageId: 'MTG-1', ciphertext: widenedJwe(filed, 'BANK2') })), ErrorCode.InvalidArgument, 'applications'],
        ['an unknown member', () => [{ mortgageId: 'MTG-1', ciphertext: widenedJwe(filed, 'BANK2'), amount: '3500000.00' }], ErrorCode.InvalidArgument, 'amount'],
      ];
      for (const [what, applications, code, message] of refusals) {
        it(`refuses ${what} (${code}) and records nothing`, async () => {
          const before = ledger.snapshot();
          await expectLedgerError(authorizeWith(applications()), code, message);
          expect(ledger.snapshot()).to.equal(before);
        });
      }

      describe('a registration after the consent: the registry discloses it to the consented bank', () => {
        type Consents = { consents?: Array<{ bankId: string; validUntil: string; disclosed: string[] }> };
        const consentsOf = (who: TestIdentity) => call<Consents>(who, (c, ctx) => c.GetEncumbrances(ctx, UNIT)).then((a) => a.consents);
        const disclose = (disclosures: unknown, who: TestIdentity = Who.registrar1) => contract.DiscloseEncumbrances(ledger.as(who), UNIT, JSON.stringify({ disclosures }));
        const first = widenedJwe(filed, 'BANK2');
        beforeEach(async () => {
          await authorizeWith([{ mortgageId: 'MTG-1', ciphertext: first }]);
          await file('MTG-2');
          await register('MTG-2');
        });

        it('the registry sees who holds a consent and what it lacks; once disclosed, the bank reads the new one too', async () => {
          expect(await consentsOf(Who.registryReviewer1)).to.deep.equal([{ bankId: 'BANK2', validUntil: '2026-03-31', disclosed: ['MTG-1'] }]);
          expect(await sealedTo(Who.bank2officer)).to.deep.equal([{ ciphertext: first, contentHash: HASH_B }, undefined]);
          const second = widenedJwe(filed, 'BANK2');
          expect(JSON.parse(await disclose([{ bankId: 'BANK2', mortgageId: 'MTG-2', ciphertext: second }]))).to.deep.equal({ unitKey: UNIT, disclosed: [{ bankId: 'BANK2', mortgageId: 'MTG-2' }] });
          expect(await sealedTo(Who.bank2officer)).to.deep.equal([{ ciphertext: first, contentHash: HASH_B }, { ciphertext: second, contentHash: HASH_B }]);
          expect(await consentsOf(Who.registrar1)).to.deep.equal([{ bankId: 'BANK2', validUntil: '2026-03-31', disclosed: ['MTG-1', 'MTG-2'] }]);
          // Only the registry sees the consents.
          expect(await consentsOf(Who.bank2officer)).to.equal(undefined);
          expect(await consentsOf(Who.regulator1)).to.equal(undefined);
        });

        it('a re-sealed application is disclosed again by the reviewer too, replacing the stale copy', async () => {
          await prepareChange('MTG-1', { application: { ciphertext: filed, contentHash: HASH_A } });
          await approve('MTG-1');
          expect(await consentsOf(Who.registrar1)).to.deep.equal([{ bankId: 'BANK2', validUntil: '2026-03-31', disclosed: [] }]);
          const again = widenedJwe(filed, 'BANK2');
          await disclose([{ bankId: 'BANK2', mortgageId: 'MTG-1', ciphertext: again }], Who.registryReviewer1);
          expect((await sealedTo(Who.bank2officer))[0]).to.deep.equal({ ciphertext: again, contentHash: HASH_A });
        });

        it('a lapsed consent gets nothing', async () => {
          ledger.setNow('2026-04-01T00:00:00Z');
          expect(await consentsOf(Who.registrar1)).to.deep.equal([]);
          await expectLedgerError(disclose([{ bankId: 'BANK2', mortgageId: 'MTG-2', ciphertext: widenedJwe(filed, 'BANK2') }]), ErrorCode.InvalidArgument, 'no current consent');
        });

        const refusals: Array<[string, TestIdentity, () => unknown, ErrorCode, string]> = [
          ['a bank that holds no consent', Who.registrar1, () => [{ bankId: 'BANK1', mortgageId: 'MTG-2', ciphertext: widenedJwe(filed, 'BANK1') }], ErrorCode.InvalidArgument, 'BANK1 holds no current consent'],
          ['a copy widened to another institution beside the bank', Who.registrar1, () => [{ bankId: 'BANK2', mortgageId: 'MTG-2', ciphertext: widenedJwe(filed, 'BANK2', 'FIRM1') }], ErrorCode.RecipientsRefused, 'FIRM1-enc-1'],
          ['a copy that is not the record’s application with recipients appended', Who.registrar1, () => [{ bankId: 'BANK2', mortgageId: 'MTG-2', ciphertext: widenedJwe(fakeJwe('BANK1', 'MREG1'), 'BANK2') }], ErrorCode.RecipientsRefused, 'differs from the sealed content'],
          ['a registration not active on the unit', Who.registrar1, () => [{ bankId: 'BANK2', mortgageId: 'MTG-9', ciphertext: widenedJwe(filed, 'BANK2') }], ErrorCode.InvalidArgument, 'no active registration of this unit'],
          ['the same pair twice', Who.registrar1, () => [1, 2].map(() => ({ bankId: 'BANK2', mortgageId: 'MTG-2', ciphertext: widenedJwe(filed, 'BANK2') })), ErrorCode.InvalidArgument, 'given twice'],
          ['an unknown member', Who.registrar1, () => [{ bankId: 'BANK2', mortgageId: 'MTG-2', ciphertext: widenedJwe(filed, 'BANK2'), amount: '1.00' }], ErrorCode.InvalidArgument, 'amount'],
          ['the owner (it authorizes again instead)', Who.client1, () => [{ bankId: 'BANK2', mortgageId: 'MTG-2', ciphertext: widenedJwe(filed, 'BANK2') }], ErrorCode.Forbidden, ''],
          ['the mortgagee bank', Who.mortgageOfficer1, () => [{ bankId: 'BANK2', mortgageId: 'MTG-2', ciphertext: widenedJwe(filed, 'BANK2') }], ErrorCode.Forbidden, ''],
          ['the consented bank itself', Who.bank2officer, () => [{ bankId: 'BANK2', mortgageId: 'MTG-2', ciphertext: widenedJwe(filed, 'BANK2') }], ErrorCode.Forbidden, ''],
          ['the regulator', Who.regulator1, () => [{ bankId: 'BANK2', mortgageId: 'MTG-2', ciphertext: widenedJwe(filed, 'BANK2') }], ErrorCode.Forbidden, ''],
        ];
        for (const [what, who, disclosures, code, message] of refusals) {
          it(`refuses ${what} (${code}) and records nothing`, async () => {
            const before = ledger.snapshot();
            await expectLedgerError(disclose(disclosures(), who), code, message);
            expect(ledger.snapshot()).to.equal(before);
          });
        }
      });
    });
  });

  describe("the mortgagor's auditors", () => {
    it('see the client’s registrations only with the client’s access grant', async () => {
      await file('MTG-1');
      await expectLedgerError(contract.ListMortgagesOfClient(ledger.as(Who.auditor1), 'CLIENT1', '10', ''), ErrorCode.Forbidden);
      await expectLedgerError(get('MTG-1', Who.auditor1), ErrorCode.NotFound);
      await contract.GrantAuditorMortgageAccess(ledger.as(Who.client1), JSON.stringify({ firmId: 'FIRM1', validUntil: '2026-12-31' }));
      const page = await call<{ records: MortgageView[] }>(Who.auditor1, (c, ctx) => c.ListMortgagesOfClient(ctx, 'CLIENT1', '10', ''));
      expect(page.records.map((r) => r.id)).to.deep.equal(['MTG-1']);
      expect((await get('MTG-1', Who.auditor1)).id).to.equal('MTG-1');
      await contract.RevokeAuditorMortgageAccess(ledger.as(Who.client1), 'FIRM1');
      await expectLedgerError(get('MTG-1', Who.auditor1), ErrorCode.NotFound);
    });
  });

  describe('lists', () => {
    it("each party lists its own records by state; a bookmark from another party's range is refused", async () => {
      await file('MTG-1');
      await file('MTG-2', { application: { ciphertext: fakeJwe('BANK2', 'MREG1', 'CLIENT1'), contentHash: HASH_B } }, Who.bank2mortgageOfficer);
      const queue = await call<{ records: MortgageView[] }>(Who.registrar1, (c, ctx) => c.ListMortgages(ctx, 'applied', '10', ''));
      expect(queue.records.map((r) => r.id)).to.deep.equal(['MTG-1', 'MTG-2']);
      const mine = await call<{ records: MortgageView[] }>(Who.officer1, (c, ctx) => c.ListMortgages(ctx, '', '10', ''));
      expect(mine.records.map((r) => r.id)).to.deep.equal(['MTG-1']);
      await expectLedgerError(contract.ListMortgages(ledger.as(Who.officer1), '', '10', '\u0000mtg~party~state~id\u0000BANK2\u0000'), ErrorCode.InvalidArgument, 'bookmark');
    });
  });
});
