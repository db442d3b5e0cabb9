import { InstitutionKind, newSalt, OPERATOR_MSP, receivableAmountHash, receivableInvoiceKey, ReceivableRecord, ReceivableRegistrationInput, Role } from '@econfirm/common';
import { ReceivableContract } from '../contracts/receivable-contract';
import { RegistryContract } from '../contracts/registry-contract';
import { fakeJwe, HASH_A, HASH_B } from './confirmation-world';
import { FakeLedger, TestIdentity } from './fake-ledger';
import { institutionInput, Who } from './fixtures';

/** The receivable parties of the unit tests: ENT1 is the core enterprise (obligor), SUP1/SUP2 suppliers. */
export const Rcv = {
  obligor: Who.customer1,
  supplier1: { mspId: OPERATOR_MSP, role: Role.ClientSigner, institution: 'SUP1', id: 'x509::CN=sup1::CN=ca.operator' },
  supplier2: { mspId: OPERATOR_MSP, role: Role.ClientSigner, institution: 'SUP2', id: 'x509::CN=sup2::CN=ca.operator' },
  bank1: Who.officer1,
  bank2: Who.bank2officer,
} satisfies Record<string, TestIdentity>;

/** An amount as a party's software holds it: the minor units and the salt of its hash. */
export interface HeldAmount {
  amount: string;
  salt: string;
  hash: string;
}

export function held(amount: string): HeldAmount {
  const salt = newSalt();
  return { amount, salt, hash: receivableAmountHash(amount, salt) };
}

export function opening(value: HeldAmount): { amount: string; salt: string } {
  return { amount: value.amount, salt: value.salt };
}

/**
 * A registry with two suppliers, the core enterprise, two banks and the regulator; the
 * obligor's limit set; and shortcuts that drive the receivable contract while keeping, as the
 * parties' software would, each amount's opening and the obligor's issued total.
 */
export class ReceivableWorld {
  readonly ledger = new FakeLedger();
  readonly registry = new RegistryContract();
  readonly contract = new ReceivableContract();
  /** The openings the parties hold, by receivable id. */
  readonly amounts = new Map<string, HeldAmount>();
  limit = held('100000000');
  issued: HeldAmount | undefined;

  async setUp(limit = '100000000'): Promise<this> {
    for (const input of [
      institutionInput('BANK1', InstitutionKind.Bank, 'Bank1MSP'),
      institutionInput('BANK2', InstitutionKind.Bank, 'Bank2MSP'),
      institutionInput('FIRM1', InstitutionKind.AuditFirm, 'Firm1MSP'),
      institutionInput('FIRM2', InstitutionKind.AuditFirm, 'Firm2MSP'),
      institutionInput('ENT1', InstitutionKind.Enterprise, OPERATOR_MSP),
      institutionInput('SUP1', InstitutionKind.Enterprise, OPERATOR_MSP),
      institutionInput('SUP2', InstitutionKind.Enterprise, OPERATOR_MSP),
      institutionInput('CLIENT1', InstitutionKind.Client, OPERATOR_MSP),
      institutionInput('MREG1', InstitutionKind.MortgageRegistry, OPERATOR_MSP),
      institutionInput('REGULATOR', InstitutionKind.Regulator, 'RegulatorMSP'),
    ]) {
      await this.registry.RegisterInstitution(this.ledger.as(Who.admin), JSON.stringify(input));
    }
    await this.setLimit(limit);
    return this;
  }

  async setLimit(amount: string, obligor = 'ENT1'): Promise<string> {
    this.limit = held(amount);
    return this.contract.SetReceivableLimit(this.ledger.as(Who.admin), obligor, JSON.stringify({ currency: 'CNY', limitHash: this.limit.hash, limit: { ciphertext: fakeJwe(obligor, 'REGULATOR'), contentHash: HASH_A } }));
  }

  registration(id: string, amount: string, overrides: Partial<ReceivableRegistrationInput> = {}, creditor = 'SUP1'): ReceivableRegistrationInput {
    const value = held(amount);
    this.amounts.set(id, value);
    return {
      id,
      obligorId: 'ENT1',
      currency: 'CNY',
      issueDate: '2026-03-01',
      maturityDate: '2026-09-01',
      amountHash: value.hash,
      contractHash: HASH_A,
      invoiceHash: HASH_B,
      invoiceKeys: [receivableInvoiceKey(`3100261130 ${id}`)],
      terms: { ciphertext: fakeJwe(creditor, 'ENT1'), contentHash: HASH_A },
      ...overrides,
    };
  }

  async register(id: string, amount = '1000000', overrides: Partial<ReceivableRegistrationInput> = {}, who: TestIdentity = Rcv.supplier1): Promise<ReceivableRecord> {
    return this.call(who, (ctx) => this.contract.RegisterReceivable(ctx, JSON.stringify(this.registration(id, amount, overrides, who.institution ?? 'SUP1'))));
  }

  /** The obligor's openings for confirming `id`: its amount, the limit, the total so far, the new total's salt. */
  confirmationOpenings(id: string): { openings: Record<string, unknown>; next: HeldAmount } {
    const value = this.amounts.get(id);
    if (!value) throw new Error(`no amount held for ${id}`);
    const total = (BigInt(this.issued?.amount ?? '0') + BigInt(value.amount)).toString();
    const next = held(total);
    const openings: Record<string, unknown> = { amount: opening(value), limit: opening(this.limit), nextIssuedSalt: next.salt };
    if (this.issued) openings.issued = opening(this.issued);
    return { openings, next };
  }

  async confirm(id: string, who: TestIdentity = Rcv.obligor): Promise<ReceivableRecord> {
    const { openings, next } = this.confirmationOpenings(id);
    const record = await this.call<ReceivableRecord>(who, (ctx) => this.contract.ConfirmReceivable(ctx, id, this.confirmationArgument()), { openings });
    this.issued = next;
    return record;
  }

  confirmationArgument(): string {
    return JSON.stringify({ issued: { ciphertext: fakeJwe('ENT1', 'REGULATOR'), contentHash: HASH_B } });
  }

  /** Registered and confirmed. */
  async confirmed(id: string, amount = '1000000', overrides: Partial<ReceivableRegistrationInput> = {}, who: TestIdentity = Rcv.supplier1): Promise<ReceivableRecord> {
    await this.register(id, amount, overrides, who);
    return this.confirm(id);
  }

  async split(id: string, parts: [string, string][], sealedTo: string[] = ['ENT1', 'SUP1'], who: TestIdentity = Rcv.supplier1): Promise<ReceivableRecord> {
    const { argument, openings } = this.splitInput(id, parts, sealedTo);
    return this.call(who, (ctx) => this.contract.SplitReceivable(ctx, id, argument), { openings });
  }

  splitInput(id: string, parts: [string, string][], sealedTo: string[]): { argument: string; openings: Record<string, unknown> } {
    const parent = this.amounts.get(id);
    if (!parent) throw new Error(`no amount held for ${id}`);
    const values = parts.map(([partId, amount]) => {
      const value = held(amount);
      this.amounts.set(partId, value);
      return { partId, value };
    });
    return {
      argument: JSON.stringify({ parts: values.map(({ partId, value }) => ({ id: partId, amountHash: value.hash, terms: { ciphertext: fakeJwe(...sealedTo), contentHash: HASH_A } })) }),
      openings: { parent: opening(parent), parts: values.map(({ value }) => opening(value)) },
    };
  }

  /** The terms sealed, by default, to exactly the parties the contract wants after the move (as the gateway seals them). */
  async transfer(id: string, toId: string, who: TestIdentity = Rcv.supplier1, sealedTo?: string[]): Promise<ReceivableRecord> {
    const to = sealedTo ?? (await this.partiesAfter(id, { holderId: toId }));
    return this.call(who, (ctx) => this.contract.TransferReceivable(ctx, id, JSON.stringify({ toId, terms: { ciphertext: fakeJwe(...to), contentHash: HASH_A } })));
  }

  async requestFinancing(id: string, bankId = 'BANK1', who: TestIdentity = Rcv.supplier1, sealedTo?: string[]): Promise<ReceivableRecord> {
    const to = sealedTo ?? (await this.partiesAfter(id, { bankId }));
    return this.call(who, (ctx) => this.contract.RequestReceivableFinancing(ctx, id, JSON.stringify({ bankId, terms: { ciphertext: fakeJwe(...to), contentHash: HASH_A } })));
  }

  /**
   * Whom a receivable's terms are sealed to after a move: its obligor, original creditor, holder
   * and bank (receivable-contract.ts sealedTo, receivables.service.ts sealedTo). The record is
   * read as the obligor; an unknown id gets the usual parties, for the contract to refuse.
   */
  private async partiesAfter(id: string, change: { holderId?: string; bankId?: string }): Promise<string[]> {
    const record = await this.get(id, Rcv.obligor).catch(() => undefined);
    if (!record) return [...new Set(['ENT1', 'SUP1', ...Object.values(change)])];
    const next = { ...record, ...change };
    return [...new Set([next.obligorId, next.originalCreditorId, next.holderId, ...(next.bankId ? [next.bankId] : [])])];
  }

  finance(id: string, who: TestIdentity = Rcv.bank1, financingId = `FIN-${id}`): Promise<ReceivableRecord> {
    return this.call(who, (ctx) => this.contract.FinanceReceivable(ctx, id, JSON.stringify({ financingId })));
  }

  mature(id: string, who: TestIdentity = Rcv.obligor): Promise<ReceivableRecord> {
    return this.call(who, (ctx) => this.contract.MatureReceivable(ctx, id));
  }

  pay(id: string, who: TestIdentity = Rcv.obligor): Promise<ReceivableRecord> {
    return this.call(who, (ctx) => this.contract.RecordReceivablePayment(ctx, id, JSON.stringify({ paymentHash: HASH_B })));
  }

  get(id: string, who: TestIdentity = Rcv.supplier1): Promise<ReceivableRecord> {
    return this.call(who, (ctx) => this.contract.GetReceivable(ctx, id));
  }

  async call<T>(who: TestIdentity, fn: (ctx: ReturnType<FakeLedger['as']>) => Promise<string>, transient: Record<string, unknown> = {}): Promise<T> {
    return JSON.parse(await fn(this.ledger.as(who, transient))) as T;
  }
}
