import { BANK_LETTER_2020, BANK_LETTER_HEADER, sha256Hex, type CrossCheckReport, type SectionContent } from '@econfirm/common';
import { expect } from 'chai';
import { evaluate } from '@econfirm/sdk';
import { randomBytes } from 'node:crypto';
import { E2E_TENANTS, type Caller, TestGateway } from '../support/gateway';
import { demoKeyStore, ensureDemoInstitutions, freshRegistrationId, registerFresh, type HeldInstitution } from '../support/institutions';
import { networkScript, uniqueName, withLedger } from '../support/network';

/**
 * Cross-checks (issue 14) over HTTP on the real network: bank replies of the firm's engagement
 * against the client's mortgage registrations on the same ledger. Each run registers its own
 * client (so the registrations are only this run's) and a second bank (under RegulatorMSP, as
 * test/src/integration/mortgage.test.ts does: Bank1MSP holds one bank).
 */
describe('gateway e2e: cross-checks of bank replies against mortgage registrations', function () {
  this.timeout(300_000);
  const run = uniqueName('xc');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  // The as-of date is a local date (calendar UTC+8): the end of the current local year covers today's registrations.
  const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
  const engagement = { id: `ENG-${run}`, clientId: '', periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`, asOfDate: `${year}-12-31` };
  const cert = (n: string) => `沪(${year})浦东新区不动产证明第${tag}${n}号`;
  let gw: TestGateway;
  let client: HeldInstitution, otherBank: HeldInstitution;
  let auditor: Caller, officer: Caller, reviewer: Caller, registrar: Caller, clientSigner: Caller, otherOfficer: Caller;
  const active = `MTG-${run}-A`;
  const discharged = `MTG-${run}-D`;
  const elsewhere = `MTG-${run}-O`;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'BANK1', 'REGULATOR', 'MREG1');
    ({ client, otherBank } = await withLedger('operator', 'admin', async (admin) => ({
      client: await registerFresh(admin, { id: `XC-${tag}`, kind: 'client', mspId: 'OperatorMSP', nameZh: '交叉核对客户有限公司', nameEn: `Cross-check Client ${tag}`, registrationId: freshRegistrationId('91X') }),
      otherBank: await registerFresh(admin, { id: `XB-${tag}`, kind: 'bank', mspId: 'RegulatorMSP', nameZh: '第二交叉核对银行', nameEn: `Cross-check Bank ${tag}`, registrationId: freshRegistrationId('B4') }),
    })));
    engagement.clientId = client.record.id;
    // The client's tenant seals the letter on to the bank when it authorizes: the gateway holds its keys.
    demoKeyStore().save(client.keys);
    const signer = uniqueName('xcs');
    const otherOfficerName = uniqueName('xbo');
    networkScript('identity.sh', 'issue', 'operator', signer, 'client-signer', client.record.id);
    networkScript('identity.sh', 'issue', 'regulator', otherOfficerName, 'bank-officer', otherBank.record.id);
    gw = await TestGateway.start({
      tenants: [
        ...E2E_TENANTS,
        { id: 'mreg1', institutionId: 'MREG1', orgKey: 'operator' },
        { id: 'xclient', institutionId: client.record.id, orgKey: 'operator' },
        { id: 'xbank', institutionId: otherBank.record.id, orgKey: 'regulator' },
      ],
    });
    ({ auditor, officer, reviewer } = gw.demoCallers());
    registrar = gw.custodial('mreg1', 'registrar1');
    clientSigner = gw.custodial('xclient', signer);
    otherOfficer = gw.custodial('xbank', otherOfficerName);

    // The client's registrations: one active with BANK1, one discharged, one with the other bank.
    for (const [id, bank, n] of [[active, officer, 'A'], [discharged, officer, 'D'], [elsewhere, otherOfficer, 'O']] as const) {
      const filed = await gw.post(bank, '/v1/mortgages', {
        id, registryId: 'MREG1', unitNumber: `310115 001001 GB${randomBytes(3).toString('hex').toUpperCase()} F${tag.slice(-6)}${n}`, location: '上海市浦东新区核对路1号',
        propertyType: 'commercial', mortgageType: 'ordinary', securedPrincipal: '8000000.00', currency: 'CNY', debtTermStart: '2026-01-01', debtTermEnd: '2031-01-01',
        mortgagors: [{ name: '交叉核对客户有限公司', institutionId: client.record.id }], consentHash: sha256Hex(randomBytes(32)),
      });
      expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
      const registered = await gw.post(registrar, `/v1/mortgages/${id}/registration`, { certificateNumber: cert(n) });
      expect(registered.status, JSON.stringify(registered.body)).to.equal(200);
    }
    expect((await gw.post(officer, `/v1/mortgages/${discharged}/discharge-request`, { reason: 'repaid' })).status).to.equal(200);
    expect((await gw.post(registrar, `/v1/mortgages/${discharged}/discharge`, { caseNumber: `DC-${tag}`, reason: 'repaid' })).status).to.equal(200);
  });

  after(async function () {
    await gw?.close();
  });

  /** A Form 2 letter asking BANK1 for deposits, loans and the client's guarantees. */
  function letter(): Record<string, unknown> {
    const header = Object.fromEntries(BANK_LETTER_HEADER.map((key) => [key, key === 'asOfDate' ? engagement.asOfDate : key === 'date' ? `${year}-01-05` : `${key} ${tag}`]));
    const asked = ['deposits', 'loans', 'guaranteesByClient'];
    const sections: Record<string, SectionContent> = Object.fromEntries(BANK_LETTER_2020.sections.map((s) => [s.key, { status: asked.includes(s.key) ? 'requested' : 'struck' } as SectionContent]));
    return { formId: 'bank-letter-2020', header, sections };
  }

  const loan = (collateral: string, maturityDate = '2031-01-01') => ({
    borrower: 'Cross-check Client', loanAccount: '6222020200007777', currency: 'CNY', balance: '7500000.00', startDate: '2026-01-01', maturityDate, rate: '3.45%', collateral,
  });

  /** A bank letter taken to auditor-accepted through the gateway, the bank stating `loans` (none when empty). */
  async function answered(id: string, loans: Array<Record<string, string>>, stopAt: 'replied' | 'auditor-accepted' = 'auditor-accepted'): Promise<void> {
    const steps: Array<[Caller, string, object]> = [
      [auditor, '/v1/confirmations', { id, kind: 'bank-form-2', engagement, addresseeId: 'BANK1', feePayer: 'client', letter: letter() }],
      [clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true }],
      [officer, `/v1/confirmations/${id}/acceptance`, {}],
      [officer, `/v1/confirmations/${id}/reply`, {
        content: {
          formId: 'bank-letter-2020', conclusion: 'agrees', differences: [], handler: 'Li Wei', reviewer: 'Wang Fang', date: `${year}-01-10`,
          sections: { deposits: { status: 'none' }, loans: loans.length ? { status: 'rows', rows: loans } : { status: 'none' }, guaranteesByClient: { status: 'none' } },
        },
      }],
      [reviewer, `/v1/confirmations/${id}/reply/approval`, {}],
    ];
    if (stopAt === 'auditor-accepted') steps.push([auditor, `/v1/confirmations/${id}/auditor-acceptance`, {}]);
    for (const [who, url, body] of steps) {
      const res = await gw.post(who, url, body);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).to.be.oneOf([200, 201]);
    }
  }

  const omitting = `CF-${run}-OMIT`;
  const stating = `CF-${run}-OK`;
  const grant = () => gw.post(clientSigner, '/v1/mortgages/auditor-access', { firmId: 'FIRM1', validUntil: '2099-12-31' });
  const revoke = async () => gw.http().delete('/v1/mortgages/auditor-access/FIRM1').set('Authorization', await gw.bearer(clientSigner, 'DELETE', '/v1/mortgages/auditor-access/FIRM1'));

  it('is in the OpenAPI document', async function () {
    const doc = await gw.http().get('/openapi.json');
    expect(Object.keys(doc.body.paths)).to.include.members(['/v1/confirmations/{id}/cross-check', '/v1/engagements/{id}/cross-check']);
  });

  it('a reply not yet accepted by the auditor is not cross-checked (409 CROSS_CHECK_NOT_READY)', async function () {
    await answered(omitting, [], 'replied');
    const res = await gw.get(auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(409);
    expect(res.body.error).to.include({ code: 'CROSS_CHECK_NOT_READY' });
    expect(res.body.error.details).to.deep.equal({ state: 'replied' });
    expect((await gw.post(auditor, `/v1/confirmations/${omitting}/auditor-acceptance`, {})).status).to.equal(200);
  });

  it("without the client's grant the firm cannot run it (403 MORTGAGE_ACCESS_NOT_GRANTED); others are refused by role", async function () {
    const res = await gw.get(auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(403);
    expect(res.body.error.code).to.equal('MORTGAGE_ACCESS_NOT_GRANTED');
    expect(res.body.error.details).to.deep.equal({ clientId: client.record.id, firmId: 'FIRM1' });
    expect((await gw.get(auditor, `/v1/engagements/${engagement.id}/cross-check`)).body.error.code).to.equal('MORTGAGE_ACCESS_NOT_GRANTED');
    // The client, the bank and the regulator are no auditor of the firm, grant or not.
    expect((await grant()).status).to.equal(201);
    for (const other of [clientSigner, officer, gw.demoCallers().regulator]) {
      const refused = await gw.get(other, `/v1/confirmations/${omitting}/cross-check`);
      expect(refused.status).to.equal(403);
      expect(refused.body.error.code).to.equal('FORBIDDEN');
    }
  });

  it('a reply that omits an active registration is flagged; the discharged one and the other bank’s are not expected', async function () {
    const res = await gw.get(auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const report = res.body as CrossCheckReport;
    expect(report.exceptions.map((e) => [e.code, e.recordId])).to.deep.equal([['MORTGAGE_NOT_IN_REPLY', active]]);
    expect(report.exceptions[0].ledger).to.include({ id: active, mortgagee: 'BANK1', debtTermEnd: '2031-01-01' });
    expect(report.counts).to.deep.equal({ MORTGAGE_NOT_IN_REPLY: 1 });
    const byId = Object.fromEntries(report.records.map((r) => [r.id, r]));
    expect(byId[discharged]).to.include({ expected: false, notExpected: 'discharged-by-as-of-date' });
    expect(byId[elsewhere]).to.include({ expected: false, notExpected: 'other-mortgagee', bankId: otherBank.record.id });
    // What it was compared against: the reply's transactions and the ledger height it read at.
    expect(report.basis.replyTxIds).to.have.length(2);
    expect(Number(report.basis.ledgerHeight)).to.be.greaterThan(0);
    expect(report.comparedSections).to.deep.equal(['loans', 'guaranteesByClient']);
    // The amounts are sealed to bank, registry and mortgagor: the report says they were not compared.
    expect(report.notCompared.map((n) => n.what)).to.include('amounts');
  });

  it("a reply that states the registration correctly is not flagged; one naming the other bank's is reported as such", async function () {
    await answered(stating, [loan(`抵押: ${cert('A')}`), loan(`抵押: ${cert('O')}`)]);
    const report = (await gw.get(auditor, `/v1/confirmations/${stating}/cross-check`)).body as CrossCheckReport;
    expect(report.records.find((r) => r.id === active)).to.include({ expected: true, matchedBy: 'certificate-number' });
    expect(report.exceptions.map((e) => [e.code, e.recordId])).to.deep.equal([['MORTGAGEE_NOT_REPLYING_BANK', elsewhere]]);
    expect(report.exceptions[0].ledger).to.include({ mortgagee: otherBank.record.id });
    expect(report.exceptions[0].reply).to.include({ section: 'loans', row: '1', collateral: `抵押: ${cert('O')}` });
  });

  it('the engagement report: both letters, and the registration with a bank the engagement never asked', async function () {
    const res = await gw.get(auditor, `/v1/engagements/${engagement.id}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.letters.map((l: { confirmationId: string; checked: boolean }) => [l.confirmationId, l.checked]).sort()).to.deep.equal([[omitting, true], [stating, true]].sort());
    const codes = res.body.exceptions.map((e: { code: string; recordId?: string; confirmationId?: string }) => [e.code, e.recordId, e.confirmationId ?? null]);
    expect(codes).to.deep.include.members([
      ['MORTGAGE_NOT_IN_REPLY', active, omitting],
      ['MORTGAGEE_NOT_REPLYING_BANK', elsewhere, stating],
      ['MORTGAGEE_NOT_CONFIRMED', elsewhere, null],
    ]);
    expect(res.body.counts).to.deep.equal({ MORTGAGE_NOT_IN_REPLY: 1, MORTGAGEE_NOT_REPLYING_BANK: 1, MORTGAGEE_NOT_CONFIRMED: 1 });
  });

  it('recording a summary: counts only, sealed to firm and regulator; the regulator counts it by bank and code', async function () {
    type Stats = { checks: number; byBank: Array<{ bankId: string; checks: number; counts: Record<string, number> }> };
    const regulator = gw.demoCallers().regulator;
    const bank1 = (stats: Stats) => stats.byBank.find((b) => b.bankId === 'BANK1') ?? { checks: 0, counts: {} as Record<string, number> };
    const before = (await gw.get(regulator, '/v1/statistics/cross-checks')).body as Stats;
    const res = await gw.post(auditor, `/v1/confirmations/${omitting}/cross-check`);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const recorded = (res.body as CrossCheckReport).recorded;
    expect(recorded?.txId).to.be.a('string');
    // Every member may read the block: the counts are not in it, sealed; the request's id (routing) is.
    const block = await withLedger('operator', 'admin', (ledger) => evaluate(ledger.network.getContract('qscc'), 'GetBlockByTxID', [ledger.network.getName(), recorded?.txId ?? '']));
    expect(Buffer.from(block).includes('MORTGAGE_NOT_IN_REPLY')).to.equal(false);
    expect(Buffer.from(block).includes(omitting)).to.equal(true);
    const after = (await gw.get(regulator, '/v1/statistics/cross-checks')).body as Stats;
    expect(bank1(after).checks).to.equal(bank1(before).checks + 1);
    expect(bank1(after).counts.MORTGAGE_NOT_IN_REPLY ?? 0).to.equal((bank1(before).counts.MORTGAGE_NOT_IN_REPLY ?? 0) + 1);
    expect(JSON.stringify(after)).not.to.contain('8000000');
    // The report now names the summary it was recorded as; only the regulator reads the statistics.
    expect((await gw.get(auditor, `/v1/confirmations/${omitting}/cross-check`)).body.recorded).to.include({ txId: recorded?.txId });
    expect((await gw.get(auditor, '/v1/statistics/cross-checks')).status).to.equal(403);
  });

  it('once the client revokes its grant the firm is refused again', async function () {
    expect((await revoke()).status).to.equal(200);
    expect((await gw.get(auditor, `/v1/confirmations/${stating}/cross-check`)).body.error.code).to.equal('MORTGAGE_ACCESS_NOT_GRANTED');
  });
});
