import { BALANCE_CONFIRMATION_2020, BANK_LETTER_2020, BANK_LETTER_HEADER, sha256Hex, type SectionContent } from '@econfirm/common';
import { expect } from 'chai';
import { randomBytes, randomInt } from 'node:crypto';
import type { GatewayConfig } from '@econfirm/gateway';
import { E2E_TENANTS, type Caller, type RegistryCallers, TestGateway } from './gateway';
import { demoKeyStore, ensureDemoInstitutions, freshRegistrationId, registerFresh, type HeldInstitution } from './institutions';
import { networkScript, uniqueName, withLedger } from './network';

/**
 * The world of a cross-check test (issue 14) on the real network: a fresh client per run (so the
 * registrations are only this run's) and a second bank of this run under Bank2MSP, the network's
 * peerless second bank org (its gateway tenant uses the operator's peer), a gateway with their
 * tenants and the registry's, three registrations of the client — active with BANK1, discharged,
 * with the other bank — and bank letters taken through the lifecycle over HTTP.
 */
export class CrossCheckWorld {
  readonly run: string;
  readonly tag: string;
  /** The as-of date is a local date (calendar UTC+8): the end of the current local year covers today's registrations. */
  readonly year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
  readonly engagement: { id: string; clientId: string; periodStart: string; periodEnd: string; asOfDate: string };
  readonly active: string;
  readonly discharged: string;
  readonly elsewhere: string;
  gw!: TestGateway;
  client!: HeldInstitution;
  otherBank!: HeldInstitution;
  auditor!: Caller;
  officer!: Caller;
  reviewer!: Caller;
  regulator!: Caller;
  /** BANK1's mortgage officer (files the registrations; `officer` answers the letters). */
  mortgageOfficer!: Caller;
  registry!: RegistryCallers;
  registrar!: Caller;
  clientSigner!: Caller;
  otherOfficer!: Caller;
  signerName = '';
  /** With `setUp(…, { withObligor: true })`: the core enterprise that owes the client (or, for an `owed` receivable, the supplier the client owes), and its signer. */
  obligor?: HeldInstitution;
  obligorSigner = '';

  constructor(prefix: string) {
    this.run = uniqueName(prefix);
    this.tag = this.run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
    this.engagement = { id: `ENG-${this.run}`, clientId: '', periodStart: `${this.year}-01-01`, periodEnd: `${this.year}-12-31`, asOfDate: `${this.year}-12-31` };
    this.active = `MTG-${this.run}-A`;
    this.discharged = `MTG-${this.run}-D`;
    this.elsewhere = `MTG-${this.run}-O`;
  }

  cert(n: string): string {
    return `沪(${this.year})浦东新区不动产证明第${this.tag}${n}号`;
  }

  /**
   * `withObligor`: also a fresh core enterprise (tenant `xobligor`) that owes the client, for
   * receivables (`receivable`, `financedReceivable`) and receivable confirmations to it
   * (`counterpartyAnswered`); `tenants`: more tenants for the gateway.
   */
  async setUp(overrides: Partial<GatewayConfig> = {}, { withObligor = false, tenants = [] as GatewayConfig['tenants'] } = {}): Promise<this> {
    await ensureDemoInstitutions('FIRM1', 'BANK1', 'REGULATOR', 'MREG1');
    const extraTenants: GatewayConfig['tenants'] = [...tenants];
    if (withObligor) {
      this.obligor = await withLedger('operator', 'admin', (admin) =>
        registerFresh(admin, { id: `XO-${this.tag}`, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '交叉核对核心企业有限公司', nameEn: `Cross-check Obligor ${this.tag}`, registrationId: freshRegistrationId('91O') }));
      demoKeyStore().save(this.obligor.keys);
      this.obligorSigner = uniqueName('xos');
      networkScript('identity.sh', 'issue', 'operator', this.obligorSigner, 'client-signer', this.obligor.record.id);
      extraTenants.push({ id: 'xobligor', institutionId: this.obligor.record.id, orgKey: 'operator' });
    }
    ({ client: this.client, otherBank: this.otherBank } = await withLedger('operator', 'admin', async (admin) => ({
      client: await registerFresh(admin, { id: `XC-${this.tag}`, kind: 'client', mspId: 'OperatorMSP', nameZh: '交叉核对客户有限公司', nameEn: `Cross-check Client ${this.tag}`, registrationId: freshRegistrationId('91X') }),
      otherBank: await registerFresh(admin, { id: `XB-${this.tag}`, kind: 'bank', mspId: 'Bank2MSP', nameZh: '第二交叉核对银行', nameEn: `Cross-check Bank ${this.tag}`, registrationId: freshRegistrationId('B4') }),
    })));
    this.engagement.clientId = this.client.record.id;
    // The client's tenant seals the letter on to the bank when it authorizes: the gateway holds its keys.
    demoKeyStore().save(this.client.keys);
    this.signerName = uniqueName('xcs');
    const otherOfficerName = uniqueName('xbo');
    networkScript('identity.sh', 'issue', 'operator', this.signerName, 'client-signer', this.client.record.id);
    networkScript('identity.sh', 'issue', 'bank2', otherOfficerName, 'mortgage-officer', this.otherBank.record.id);
    this.gw = await TestGateway.start({
      tenants: [
        ...E2E_TENANTS,
        { id: 'mreg1', institutionId: 'MREG1', orgKey: 'operator' },
        { id: 'xclient', institutionId: this.client.record.id, orgKey: 'operator' },
        { id: 'xbank', institutionId: this.otherBank.record.id, orgKey: 'bank2' },
        ...extraTenants,
      ],
      ...overrides,
    });
    ({ auditor: this.auditor, officer: this.officer, reviewer: this.reviewer, regulator: this.regulator } = this.gw.demoCallers());
    this.mortgageOfficer = this.gw.demoCallers().mortgageOfficer;
    this.registry = this.gw.registryCallers();
    this.registrar = this.registry.registrar;
    this.clientSigner = this.gw.custodial('xclient', this.signerName);
    this.otherOfficer = this.gw.custodial('xbank', otherOfficerName);
    await this.registrations();
    return this;
  }

  /** The client's registrations: one active with BANK1, one discharged, one with the other bank. */
  private async registrations(): Promise<void> {
    const gw = this.gw;
    for (const [id, bank, n] of [[this.active, this.mortgageOfficer, 'A'], [this.discharged, this.mortgageOfficer, 'D'], [this.elsewhere, this.otherOfficer, 'O']] as const) {
      const filed = await gw.post(bank, '/v1/mortgages', {
        id, registryId: 'MREG1', unitNumber: `310115 001001 GB${randomBytes(3).toString('hex').toUpperCase()} F${this.tag.slice(-6)}${n}`, location: '上海市浦东新区核对路1号',
        propertyType: 'commercial', mortgageType: 'ordinary', securedPrincipal: '8000000.00', currency: 'CNY', debtTermStart: '2026-01-01', debtTermEnd: '2031-01-01',
        mortgagors: [{ name: '交叉核对客户有限公司', institutionId: this.client.record.id }], consentHash: sha256Hex(randomBytes(32)),
      });
      expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
      const registered = await gw.registryStep(this.registry, `/v1/mortgages/${id}/registration`, { certificateNumber: this.cert(n) });
      expect(registered.status, JSON.stringify(registered.body)).to.equal(200);
    }
    expect((await gw.post(this.mortgageOfficer, `/v1/mortgages/${this.discharged}/discharge-request`, { reason: 'repaid' })).status).to.equal(200);
    expect((await gw.registryStep(this.registry, `/v1/mortgages/${this.discharged}/discharge`, { caseNumber: `DC-${this.tag}`, reason: 'repaid' })).status).to.equal(200);
  }

  /** A Form 2 letter asking BANK1 for deposits, loans and the client's guarantees (and, with `bills`, its discounted bills; and the sections `more` names). */
  letter(bills = false, more: readonly string[] = []): Record<string, unknown> {
    const header = Object.fromEntries(BANK_LETTER_HEADER.map((key) => [key, key === 'asOfDate' ? this.engagement.asOfDate : key === 'date' ? `${this.year}-01-05` : `${key} ${this.tag}`]));
    const asked = ['deposits', 'loans', 'guaranteesByClient', ...(bills ? ['discountedBills'] : []), ...more];
    const sections: Record<string, SectionContent> = Object.fromEntries(BANK_LETTER_2020.sections.map((s) => [s.key, { status: asked.includes(s.key) ? 'requested' : 'struck' } as SectionContent]));
    return { formId: 'bank-letter-2020', header, sections };
  }

  loan(collateral: string, maturityDate = '2031-01-01'): Record<string, string> {
    return { borrower: 'Cross-check Client', loanAccount: '6222020200007777', currency: 'CNY', balance: '7500000.00', startDate: '2026-01-01', maturityDate, rate: '3.45%', collateral };
  }

  /**
   * A bank letter taken to `stopAt` through the gateway, the bank stating `loans` (none when empty)
   * and, when `bills` is given, the letter asking for discounted bills and the bank stating them;
   * likewise each section of `more` (e.g. `other`, 14), asked for and stated.
   */
  async answered(
    id: string,
    loans: Array<Record<string, string>>,
    stopAt: 'replied' | 'auditor-accepted' = 'auditor-accepted',
    bills?: Array<Record<string, string>>,
    more: Record<string, Array<Record<string, string>>> = {},
  ): Promise<void> {
    const { auditor, clientSigner, officer, reviewer, engagement, year } = this;
    const stated = (rows: Array<Record<string, string>>) => (rows.length ? { status: 'rows', rows } : { status: 'none' });
    const steps: Array<[Caller, string, object]> = [
      [auditor, '/v1/confirmations', { id, kind: 'bank-form-2', engagement, addresseeId: 'BANK1', feePayer: 'client', letter: this.letter(bills !== undefined, Object.keys(more)) }],
      [clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true }],
      [officer, `/v1/confirmations/${id}/acceptance`, {}],
      [officer, `/v1/confirmations/${id}/reply`, {
        content: {
          formId: 'bank-letter-2020', conclusion: 'agrees', differences: [], handler: 'Li Wei', reviewer: 'Wang Fang', date: `${year}-01-10`,
          sections: {
            deposits: { status: 'none' },
            loans: stated(loans),
            guaranteesByClient: { status: 'none' },
            ...(bills ? { discountedBills: stated(bills) } : {}),
            ...Object.fromEntries(Object.entries(more).map(([key, rows]) => [key, stated(rows)])),
          },
        },
      }],
      [reviewer, `/v1/confirmations/${id}/reply/approval`, {}],
    ];
    if (stopAt === 'auditor-accepted') steps.push([auditor, `/v1/confirmations/${id}/auditor-acceptance`, {}]);
    await this.steps(steps);
  }

  /**
   * A receivable the obligor owes the client (`amountMinor` fen, maturing `maturityDate`), confirmed
   * within a limit the operator sets, and financed by BANK1 under `financingId`, all over HTTP;
   * with `owed`, the other way round: the client owes the fresh enterprise (its supplier), which
   * asks BANK1 to finance it.
   */
  async financedReceivable(id: string, financingId: string, amountMinor: string, maturityDate: string, { owed = false } = {}): Promise<void> {
    await this.receivable(id, amountMinor, maturityDate, 'confirmed', { owed });
    await this.steps([
      [this.parties(owed).creditor, `/v1/receivables/${id}/financing-request`, { bankId: 'BANK1' }],
      [this.officer, `/v1/receivables/${id}/financing`, { financingId }],
    ]);
  }

  /**
   * A receivable the obligor owes the client (with `owed`: the client owes the fresh enterprise),
   * registered over HTTP by the creditor within a limit the operator sets for the obligor, then
   * confirmed by the obligor or cancelled by the creditor (`outcome`). Returns its invoice number.
   */
  async receivable(id: string, amountMinor: string, maturityDate: string, outcome: 'confirmed' | 'cancelled', { owed = false } = {}): Promise<string> {
    const { gw } = this;
    const { creditor, debtor, obligorId } = this.parties(owed);
    const admin = gw.custodial('operator', 'admin');
    const limitUrl = `/v1/receivables/limits/${obligorId}`;
    const limit = await gw.http().put(limitUrl).set('Authorization', await gw.bearer(admin, 'PUT', limitUrl)).send({ amountMinor: '100000000000', currency: 'CNY' });
    expect(limit.status, JSON.stringify(limit.body)).to.equal(200);
    const today = new Date().toISOString().slice(0, 10);
    const invoiceNumber = `3100261130 ${randomInt(10_000_000, 99_999_999)}`;
    await this.steps([
      [creditor, '/v1/receivables', {
        id, obligorId, amountMinor, currency: 'CNY', issueDate: today, maturityDate,
        contractNumber: `HT-${this.tag}`, invoiceNumbers: [invoiceNumber], goods: '钢材 100 吨',
      }],
      outcome === 'confirmed' ? [debtor, `/v1/receivables/${id}/confirmation`, undefined] : [creditor, `/v1/receivables/${id}/cancellation`, undefined],
    ]);
    return invoiceNumber;
  }

  /** Who is creditor and who obligor (debtor) of a receivable of this world: the client is the creditor, or with `owed` the obligor. */
  private parties(owed: boolean): { creditor: Caller; debtor: Caller; obligorId: string } {
    if (!this.obligor) throw new Error('a receivable needs setUp(…, { withObligor: true })');
    const enterprise = this.gw.custodial('xobligor', this.obligorSigner);
    return owed
      ? { creditor: enterprise, debtor: this.clientSigner, obligorId: this.client.record.id }
      : { creditor: this.clientSigner, debtor: enterprise, obligorId: this.obligor.record.id };
  }

  /** Each step as its party, answered 200 or 201 (a lagging peer of the next party is waited for: TestGateway.postStep). */
  private async steps(steps: Array<[Caller, string, object | undefined]>): Promise<void> {
    for (const [who, url, body] of steps) {
      const res = await this.gw.postStep(who, url, body);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).to.be.oneOf([200, 201]);
    }
  }

  /**
   * A receivable confirmation (balance-confirmation-2020, Form 1) of the auditor's `balances` rows
   * to the obligor, taken to `stopAt` over HTTP: the client authorizes, the obligor's signer accepts
   * and replies in one step, agreeing, or stating each `differences` item; then the auditor accepts.
   */
  async counterpartyAnswered(id: string, balances: Array<Record<string, string>>, differences: Array<Record<string, unknown>>, stopAt: 'replied' | 'auditor-accepted' = 'auditor-accepted'): Promise<void> {
    const { auditor, clientSigner, engagement, year, obligor } = this;
    if (!obligor) throw new Error('a receivable confirmation needs setUp(…, { withObligor: true })');
    const customer = this.gw.custodial('xobligor', this.obligorSigner);
    const header = Object.fromEntries(BALANCE_CONFIRMATION_2020.headerFields.map((key) => [key, key === 'asOfDate' ? engagement.asOfDate : key === 'date' ? `${year}-01-05` : `${key} ${this.tag}`]));
    const letter = { formId: 'balance-confirmation-2020', header, sections: { balances: balances.length ? { status: 'rows', rows: balances } : { status: 'none' }, otherItems: { status: 'none' } } };
    const steps: Array<[Caller, string, object]> = [
      [auditor, '/v1/confirmations', { id, kind: 'receivable', engagement, addresseeId: obligor.record.id, feePayer: 'client', letter }],
      [clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true }],
      [customer, `/v1/confirmations/${id}/acceptance`, {}],
      [customer, `/v1/confirmations/${id}/reply`, {
        content: { formId: 'balance-confirmation-2020', conclusion: differences.length ? 'disagrees' : 'agrees', differences, handler: 'Zhao Min', reviewer: 'Qian Lei', date: `${year}-01-10`, sections: {} },
      }],
    ];
    if (stopAt === 'auditor-accepted') steps.push([auditor, `/v1/confirmations/${id}/auditor-acceptance`, {}]);
    await this.steps(steps);
  }

  /** The client lets FIRM1 list its receivables (the receivable contract's auditor grant). */
  grantReceivables(): ReturnType<TestGateway['post']> {
    return this.gw.post(this.clientSigner, '/v1/receivables/auditor-access', { firmId: 'FIRM1', validUntil: '2099-12-31' });
  }

  grant(): ReturnType<TestGateway['post']> {
    return this.gw.post(this.clientSigner, '/v1/mortgages/auditor-access', { firmId: 'FIRM1', validUntil: '2099-12-31' });
  }

  async revoke(): Promise<{ status: number; body: unknown }> {
    return this.gw.http().delete('/v1/mortgages/auditor-access/FIRM1').set('Authorization', await this.gw.bearer(this.clientSigner, 'DELETE', '/v1/mortgages/auditor-access/FIRM1'));
  }
}
