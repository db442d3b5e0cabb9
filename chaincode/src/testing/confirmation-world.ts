import {
  ConfirmationView,
  InstitutionKind,
  IssueInput,
  OPERATOR_MSP,
  ReplyInput,
} from '@econfirm/common';
import { ConfirmationContract } from '../contracts/confirmation-contract';
import { RegistryContract } from '../contracts/registry-contract';
import { FakeLedger, TestIdentity } from './fake-ledger';
import { institutionInput, Who } from './fixtures';

export const HASH_A = 'a'.repeat(64);
export const HASH_B = 'b'.repeat(64);

/** A structurally valid multi-recipient JWE addressed to the institutions' first encryption keys. */
export function fakeJwe(...institutionIds: string[]): string {
  return JSON.stringify({
    protected: 'eyJlbmMiOiJBMjU2R0NNIn0',
    iv: 'aXZpdml2aXZpdml2',
    ciphertext: 'b3BhcXVl',
    tag: 'dGFndGFn',
    recipients: institutionIds.map((id) => ({ header: { alg: 'ECDH-ES+A256KW', kid: `${id}-enc-1` }, encrypted_key: 'a2V5' })),
  });
}

export const ENGAGEMENT = { id: 'ENG-2025-CLIENT1', clientId: 'CLIENT1', periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' };

export function issueInput(id: string, overrides: Partial<IssueInput> = {}): IssueInput {
  const addresseeId = overrides.addresseeId ?? 'BANK1-SH';
  const responder = addresseeId.startsWith('BANK1') ? 'BANK1' : addresseeId;
  return {
    id,
    kind: 'bank-form-1',
    formId: 'bank-letter-2020',
    engagement: ENGAGEMENT,
    addresseeId,
    feePayer: 'client',
    letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1', responder), contentHash: HASH_A },
    ...overrides,
  };
}

export function replyInput(overrides: Partial<ReplyInput> = {}, responder = 'BANK1'): ReplyInput {
  return {
    conclusion: 'agrees',
    ciphertext: fakeJwe('FIRM1', responder),
    contentHash: HASH_B,
    signatureHash: 'c'.repeat(64),
    signingKid: `${responder}-sig-1`,
    ...overrides,
  };
}

/**
 * A registry with the demo institutions and a second bank, firm, client and an enterprise, and
 * shortcuts that drive the confirmation contract as named identities.
 */
export class ConfirmationWorld {
  readonly ledger = new FakeLedger();
  readonly registry = new RegistryContract();
  readonly contract = new ConfirmationContract();

  async setUp(): Promise<this> {
    const institutions = [
      institutionInput('BANK1', InstitutionKind.Bank, 'Bank1MSP'),
      institutionInput('BANK1-SH', InstitutionKind.BankBranch, 'Bank1MSP', { parentId: 'BANK1' }),
      institutionInput('BANK2', InstitutionKind.Bank, 'Bank2MSP'),
      institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP'),
      institutionInput('FIRM2', InstitutionKind.AuditFirm, 'Firm2MSP'),
      institutionInput('CLIENT1', InstitutionKind.Client, OPERATOR_MSP),
      institutionInput('CLIENT2', InstitutionKind.Client, OPERATOR_MSP),
      institutionInput('ENT1', InstitutionKind.Enterprise, OPERATOR_MSP),
      institutionInput('REGULATOR', InstitutionKind.Regulator, 'RegulatorMSP'),
    ];
    for (const input of institutions) await this.registry.RegisterInstitution(this.ledger.as(Who.admin), JSON.stringify(input));
    return this;
  }

  async issue(id: string, overrides: Partial<IssueInput> = {}, who: TestIdentity = Who.auditor1): Promise<ConfirmationView> {
    return JSON.parse(await this.contract.Issue(this.ledger.as(who), JSON.stringify(issueInput(id, overrides)))) as ConfirmationView;
  }

  async get(id: string, who: TestIdentity = Who.auditor1): Promise<ConfirmationView> {
    return JSON.parse(await this.contract.GetConfirmation(this.ledger.as(who), id)) as ConfirmationView;
  }

  authorize(id: string, who: TestIdentity = Who.client1, feeConsent = true): Promise<string> {
    return this.contract.ClientAuthorize(this.ledger.as(who), id, JSON.stringify({ feeConsent }));
  }

  accept(id: string, who: TestIdentity = Who.officer1): Promise<string> {
    return this.contract.BankAccept(this.ledger.as(who), id);
  }

  prepare(id: string, who: TestIdentity = Who.officer1, reply: ReplyInput = replyInput()): Promise<string> {
    return this.contract.PrepareReply(this.ledger.as(who), id, JSON.stringify(reply));
  }

  approve(id: string, who: TestIdentity = Who.reviewer1): Promise<string> {
    return this.contract.ApproveReply(this.ledger.as(who), id);
  }

  auditorAccept(id: string, who: TestIdentity = Who.auditor1): Promise<string> {
    return this.contract.AuditorAccept(this.ledger.as(who), id);
  }

  alternative(id: string, who: TestIdentity = Who.auditor1): Promise<string> {
    return this.contract.RecordAlternativeProcedure(this.ledger.as(who), id, JSON.stringify({ procedure: 'BANK_STATEMENTS', workpaperHash: HASH_A }));
  }

  /** Issue → authorize → accept → prepare → approve: a replied bank letter. */
  async replied(id: string): Promise<void> {
    await this.issue(id);
    await this.authorize(id);
    await this.accept(id);
    await this.prepare(id);
    await this.approve(id);
  }
}
