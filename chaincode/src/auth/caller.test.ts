import { expect } from 'chai';
import { ErrorCode, InstitutionKind, OPERATOR_MSP, Role } from '@econfirm/common';
import { RegistryContract } from '../contracts/registry-contract';
import { FakeLedger, TestIdentity } from '../testing/fake-ledger';
import { institutionInput, Who } from '../testing/fixtures';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { requireAdmin, requireInstitutionCaller } from './caller';

describe('caller resolution', () => {
  let ledger: FakeLedger;
  const resolve = (who: TestIdentity, roles: Role[]) => requireInstitutionCaller(ledger.as(who), roles);

  beforeEach(async () => {
    ledger = new FakeLedger();
    const registry = new RegistryContract();
    for (const input of [
      institutionInput('BANK1', InstitutionKind.Bank, 'Bank1MSP'),
      institutionInput('BANK1-SH', InstitutionKind.BankBranch, 'Bank1MSP', { parentId: 'BANK1' }),
      institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP'),
      institutionInput('CLIENT1', InstitutionKind.Client, OPERATOR_MSP),
      institutionInput('MREG1', InstitutionKind.MortgageRegistry, OPERATOR_MSP),
      institutionInput('FIRM3', InstitutionKind.AuditFirm, 'SharedMSP'),
      institutionInput('FIRM4', InstitutionKind.AuditFirm, 'SharedMSP'),
    ]) {
      await registry.RegisterInstitution(ledger.as(Who.admin), JSON.stringify(input));
    }
  });

  it('resolves a bank identity by its MSP (the branch is not a candidate), and a hosted client by its attribute', async () => {
    const officer = await resolve(Who.officer1, [Role.BankOfficer]);
    expect(officer).to.include({ mspId: 'Bank1MSP', role: 'bank-officer', identityId: Who.officer1.id });
    expect(officer.institution.id).to.equal('BANK1');
    expect((await resolve(Who.client1, [Role.ClientSigner])).institution.id).to.equal('CLIENT1');
    expect((await resolve(Who.registrar1, [Role.Registrar])).institution.id).to.equal('MREG1');
    expect((await resolve({ ...Who.officer1, institution: 'BANK1' }, [Role.BankOfficer])).institution.id).to.equal('BANK1');
  });

  it('refuses a missing or unexpected role', async () => {
    await expectLedgerError(resolve({ mspId: 'Bank1MSP' }, [Role.BankOfficer]), ErrorCode.Forbidden, 'no role');
    await expectLedgerError(resolve({ mspId: 'Bank1MSP', role: 'superuser' }, [Role.BankOfficer]), ErrorCode.Forbidden);
    await expectLedgerError(resolve(Who.officer1, [Role.BankReviewer]), ErrorCode.Forbidden, 'bank-reviewer');
  });

  it('refuses an operator-hosted identity without, or with a foreign, institution attribute', async () => {
    await expectLedgerError(resolve({ mspId: OPERATOR_MSP, role: Role.ClientSigner }, [Role.ClientSigner]), ErrorCode.Forbidden, 'econfirm.institution');
    await expectLedgerError(resolve({ mspId: OPERATOR_MSP, role: Role.Auditor, institution: 'FIRM1' }, [Role.Auditor]), ErrorCode.Forbidden, 'not registered under OperatorMSP');
    await expectLedgerError(resolve({ mspId: 'Bank1MSP', role: Role.BankOfficer, institution: 'CLIENT1' }, [Role.BankOfficer]), ErrorCode.Forbidden);
    await expectLedgerError(resolve({ mspId: OPERATOR_MSP, role: Role.ClientSigner, institution: 'NOPE' }, [Role.ClientSigner]), ErrorCode.Forbidden);
  });

  it('refuses a role acting for the wrong kind of institution', async () => {
    await expectLedgerError(resolve({ mspId: OPERATOR_MSP, role: Role.Auditor, institution: 'CLIENT1' }, [Role.Auditor]), ErrorCode.Forbidden, 'cannot act for client');
    await expectLedgerError(resolve({ mspId: 'Firm1MSP', role: Role.BankOfficer }, [Role.BankOfficer]), ErrorCode.Forbidden);
  });

  it('refuses an MSP that hosts several candidate institutions unless the attribute names one', async () => {
    await expectLedgerError(resolve({ mspId: 'SharedMSP', role: Role.Auditor }, [Role.Auditor]), ErrorCode.Forbidden, '2 registered');
    expect((await resolve({ mspId: 'SharedMSP', role: Role.Auditor, institution: 'FIRM4' }, [Role.Auditor])).institution.id).to.equal('FIRM4');
  });

  it('refuses an unregistered MSP and a suspended institution', async () => {
    await expectLedgerError(resolve({ mspId: 'Bank9MSP', role: Role.BankOfficer }, [Role.BankOfficer]), ErrorCode.Forbidden, '0 registered');
    await new RegistryContract().SetInstitutionStatus(ledger.as(Who.admin), 'BANK1', 'suspended', 'r');
    await expectLedgerError(resolve(Who.officer1, [Role.BankOfficer]), ErrorCode.Forbidden, 'suspended');
  });

  it('admits only the operator admin to registry administration', () => {
    expect(requireAdmin(ledger.as(Who.admin)).role).to.equal('admin');
    for (const who of [Who.bankAdmin, Who.client1, { mspId: OPERATOR_MSP }]) {
      expect(() => requireAdmin(ledger.as(who))).to.throw('FORBIDDEN');
    }
  });

  it('refuses an operator certificate for a bank or firm record under OperatorMSP written before the hosting rule (fails on c85a0dd)', async () => {
    // A legacy record, written as an older chaincode would have: FIRM5, an audit firm, under OperatorMSP.
    const legacy = { ...JSON.parse(await new RegistryContract().GetInstitution(ledger.as(Who.admin), 'FIRM1')), id: 'FIRM5', mspId: OPERATOR_MSP };
    const tx = ledger.as(Who.admin);
    await tx.stub.putState(tx.stub.createCompositeKey('inst', ['FIRM5']), Buffer.from(JSON.stringify(legacy)));
    await expectLedgerError(resolve({ mspId: OPERATOR_MSP, role: Role.Auditor, institution: 'FIRM5' }, [Role.Auditor]), ErrorCode.Forbidden, 'never acted for under OperatorMSP');
  });
});
