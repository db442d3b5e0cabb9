import {
  ConfirmationView,
  InstitutionKind,
  IssueInput,
  OPERATOR_MSP,
  ReplyInput,
} from '@econfirm/common';
import { ConfirmationContract } from '../contracts/confirmation-contract';
import { RegistryContract } from '../contracts/registry-contract';
import { PSEUDONYM_KEY_TRANSIENT } from '../state/pseudonym-key';
import { FakeLedger, TestIdentity } from './fake-ledger';
import { institutionInput, Who } from './fixtures';

export const HASH_A = 'a'.repeat(64);
/** The platform pseudonym key of the test worlds (32 bytes, as SetPseudonymKey demands). */
export const PLATFORM_TEST_KEY = Buffer.alloc(32, 0x5a);
export const HASH_B = 'b'.repeat(64);

/** A recipient entry for an institution's first encryption key, as node-jose writes one. */
export function fakeRecipient(institutionId: string, kid = `${institutionId}-enc-1`): object {
  return { header: { alg: 'ECDH-ES+A256KW', kid, epk: { kty: 'EC', crv: 'P-256', x: `x${institutionId}`, y: 'eQ' } }, encrypted_key: 'a2V5' };
}

/** A structurally valid multi-recipient JWE addressed to the institutions' first encryption keys. */
export function fakeJwe(...institutionIds: string[]): string {
  return JSON.stringify({
    protected: 'eyJlbmMiOiJBMjU2R0NNIn0',
    iv: 'aXZpdml2aXZpdml2',
    ciphertext: 'b3BhcXVl',
    tag: 'dGFndGFn',
    recipients: institutionIds.map((id) => fakeRecipient(id)),
  });
}

/** `ciphertext` with recipient entries appended for the institutions, as the SDK's addRecipients widens a JWE. */
export function widenedJwe(ciphertext: string, ...institutionIds: string[]): string {
  const jwe = JSON.parse(ciphertext) as { recipients: object[] };
  return JSON.stringify({ ...jwe, recipients: [...jwe.recipients, ...institutionIds.map((id) => fakeRecipient(id))] });
}

/** Who a letter to `addresseeId` is widened to at authorization in this world: its bank, and the branch itself. */
export function deliveryParties(addresseeId: string): string[] {
  return addresseeId.startsWith('BANK1-') ? ['BANK1', addresseeId] : [addresseeId];
}

export const ENGAGEMENT = { id: 'ENG-2025-CLIENT1', clientId: 'CLIENT1', periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' };

export function issueInput(id: string, overrides: Partial<IssueInput> = {}): IssueInput {
  const addresseeId = overrides.addresseeId ?? 'BANK1-SH';
  return {
    id,
    kind: 'bank-form-1',
    formId: 'bank-letter-2020',
    engagement: ENGAGEMENT,
    addresseeId,
    feePayer: 'client',
    letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: HASH_A },
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

  /**
   * The platform's pseudonym key (SetPseudonymKey) and, unless `start` is false, the private store
   * started (StartPrivateStore) as network/deploy.sh would: new records go to the collection.
   */
  async privateStore(start = true): Promise<this> {
    await this.contract.SetPseudonymKey(this.ledger.as(Who.admin, { [PSEUDONYM_KEY_TRANSIENT]: PLATFORM_TEST_KEY }));
    if (start) await this.contract.StartPrivateStore(this.ledger.as(Who.admin));
    return this;
  }

  async issue(id: string, overrides: Partial<IssueInput> = {}, who: TestIdentity = Who.auditor1): Promise<ConfirmationView> {
    return JSON.parse(await this.contract.Issue(this.ledger.as(who), JSON.stringify(issueInput(id, overrides)))) as ConfirmationView;
  }

  async get(id: string, who: TestIdentity = Who.auditor1): Promise<ConfirmationView> {
    return JSON.parse(await this.contract.GetConfirmation(this.ledger.as(who), id)) as ConfirmationView;
  }

  /** The client authorizes, widening the stored letter to the responder (and branch) as its software would. */
  async authorize(id: string, who: TestIdentity = Who.client1, feeConsent = true, letterCiphertext?: string): Promise<string> {
    const ciphertext = letterCiphertext ?? (await this.widenedLetter(id));
    return this.contract.ClientAuthorize(this.ledger.as(who), id, JSON.stringify({ feeConsent, letterCiphertext: ciphertext }));
  }

  /** The stored letter widened to its delivery parties (read as the firm). */
  async widenedLetter(id: string): Promise<string> {
    const view = await this.get(id);
    return widenedJwe(view.letter.ciphertext, ...deliveryParties(view.addresseeId));
  }

  /** The stored reply widened to the client (read as the firm). */
  async widenedReply(id: string): Promise<string> {
    const view = await this.get(id);
    if (!view.reply) throw new Error(`${id} has no reply`);
    return widenedJwe(view.reply.ciphertext, view.clientId);
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

  /** The auditor accepts, widening the reply to the client as its software would. */
  async auditorAccept(id: string, who: TestIdentity = Who.auditor1, replyCiphertext?: string): Promise<string> {
    const ciphertext = replyCiphertext ?? (await this.widenedReply(id).catch(() => fakeJwe('FIRM1', 'BANK1', 'CLIENT1')));
    return this.contract.AuditorAccept(this.ledger.as(who), id, JSON.stringify({ replyCiphertext: ciphertext }));
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
