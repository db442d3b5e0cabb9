import { sha256Hex } from '@econfirm/common';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { ensureDemoInstitutions } from '../support/institutions';
import { E2E_TENANTS, type Caller, type RegistryCallers, TestGateway } from '../support/gateway';
import { uniqueName } from '../support/network';

/**
 * Mortgage registrations over HTTP (gateway/src/mortgages) on the real network: the bank's mortgage
 * officer files in plain JSON, the registration centre (tenant MREG1) registers and discharges —
 * its registrar prepares, its registry reviewer approves or returns — priority moves up, the
 * encumbrance query needs the owner's consent, and names and amounts go out sealed.
 */
describe('gateway e2e: mortgage registrations over HTTP', function () {
  this.timeout(180_000);
  const run = uniqueName('gwm');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const unitNumber = `110105 012003 GB${randomBytes(3).toString('hex').toUpperCase()} F${tag.slice(-8)}`;
  const principal = `${4_000_000 + (randomBytes(2).readUInt16BE() % 900_000)}.55`;
  let gw: TestGateway;
  let officer: Caller, bankOfficer: Caller, clientSigner: Caller, regulator: Caller, auditor: Caller, registrar: Caller, reviewer: Caller;
  /** The second bank (Bank2MSP, no peer of its own): the lender that asks about the unit's encumbrances. */
  let lender: Caller;
  /** ENT1: the property's buyer in the transfer. */
  let buyer: Caller;
  let registry: RegistryCallers;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'BANK2', 'REGULATOR', 'MREG1', 'ENT1');
    gw = await TestGateway.start({
      tenants: [...E2E_TENANTS, { id: 'mreg1', institutionId: 'MREG1', orgKey: 'operator' }, { id: 'bank2', institutionId: 'BANK2', orgKey: 'bank2' }, { id: 'ent1', institutionId: 'ENT1', orgKey: 'operator' }],
    });
    lender = gw.custodial('bank2', 'officer1');
    buyer = gw.custodial('ent1', 'ent1');
    ({ mortgageOfficer: officer, officer: bankOfficer, clientSigner, regulator, auditor } = gw.demoCallers());
    registry = gw.registryCallers();
    ({ registrar, registryReviewer: reviewer } = registry);
  });

  after(async function () {
    await gw?.close();
  });

  function application(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id, registryId: 'MREG1', unitNumber, location: '北京市朝阳区测试路8号', propertyType: 'residential', mortgageType: 'ordinary',
      securedPrincipal: principal, currency: 'CNY', debtTermStart: '2026-01-01', debtTermEnd: '2046-01-01',
      mortgagors: [{ name: '华东制造股份有限公司', institutionId: 'CLIENT1' }], consentHash: sha256Hex(randomBytes(32)), ...overrides,
    };
  }

  const first = `MTG-${run}-1`;
  const second = `MTG-${run}-2`;

  it('lists the mortgage routes in the OpenAPI document', async function () {
    const doc = await gw.http().get('/openapi.json');
    expect(Object.keys(doc.body.paths)).to.include.members(['/v1/mortgages', '/v1/mortgages/{id}/registration', '/v1/mortgages/{id}/change', '/v1/mortgages/{id}/transfer', '/v1/mortgages/{id}/review/approval', '/v1/mortgages/{id}/review/return', '/v1/mortgages/encumbrance-queries', '/v1/mortgages/encumbrance-disclosures']);
  });

  it("only the bank's mortgage officer files: its confirmation officer is refused 403", async function () {
    const res = await gw.post(bankOfficer, '/v1/mortgages', application(`MTG-${run}-byofficer`));
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal('FORBIDDEN');
  });

  it('the bank files in plain JSON; the ledger gets ciphertext; the bank reads it back opened', async function () {
    const res = await gw.post(officer, '/v1/mortgages', application(first));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ id: first, state: 'applied', mortgageeId: 'BANK1', registryId: 'MREG1' });
    expect(res.body.application.ciphertext).not.to.contain(principal);
    expect(res.body.application.readable).to.equal('decrypted');
    expect(res.body.application.content.securedPrincipal).to.equal(principal);
  });

  it('refuses an ordinary mortgage that also names a maximum amount, before the ledger', async function () {
    const res = await gw.post(officer, '/v1/mortgages', application(`MTG-${run}-bad`, { maximumAmount: '1.00' }));
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('VALIDATION_FAILED');
  });

  it('a bank cannot register; the registrar prepares, cannot approve its own work, the reviewer approves; the certificate is sealed to the parties', async function () {
    const byBank = await gw.post(officer, `/v1/mortgages/${first}/registration`, { certificateNumber: `京(2026)朝阳区不动产证明第${tag}1号` });
    expect(byBank.status).to.equal(403);
    const prepared = await gw.post(registrar, `/v1/mortgages/${first}/registration`, { certificateNumber: `京(2026)朝阳区不动产证明第${tag}1号` });
    expect(prepared.status, JSON.stringify(prepared.body)).to.equal(200);
    expect(prepared.body).to.include({ state: 'registration-in-review' });
    expect(prepared.body.priority).to.equal(undefined);
    // The reviewer reads what it approves: the certificate opened for its tenant.
    expect((await gw.get(reviewer, `/v1/mortgages/${first}`)).body.certificate.content.certificateNumber).to.equal(`京(2026)朝阳区不动产证明第${tag}1号`);
    const queue = (await gw.listAll<{ id: string }>(reviewer, '/v1/mortgages?state=registration-in-review')).map((r) => r.id);
    expect(queue).to.include(first);
    for (const who of [registrar, officer]) {
      const self = await gw.post(who, `/v1/mortgages/${first}/review/approval`);
      expect(self.status).to.equal(403);
      expect(self.body.error.code).to.equal('FORBIDDEN');
    }
    const res = await gw.post(reviewer, `/v1/mortgages/${first}/review/approval`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ state: 'registered', priority: 1 });
    expect(res.body.certificate.readable).to.equal('decrypted');
    expect((await gw.get(officer, `/v1/mortgages/${first}`)).body.certificate.content.certificateNumber).to.equal(`京(2026)朝阳区不动产证明第${tag}1号`);
  });

  it('a second mortgage on the unit ranks 2; the same certificate number is refused 409; a returned one goes back to the queue', async function () {
    expect((await gw.post(officer, '/v1/mortgages', application(second))).status).to.equal(201);
    const dup = await gw.post(registrar, `/v1/mortgages/${second}/registration`, { certificateNumber: `京(2026)朝阳区不动产证明第${tag}1号` });
    expect(dup.status).to.equal(409);
    expect(dup.body.error.code).to.equal('ALREADY_EXISTS');
    expect((await gw.post(registrar, `/v1/mortgages/${second}/registration`, { certificateNumber: `京(2026)朝阳区不动产证明第${tag}9号` })).status).to.equal(200);
    const badReason = await gw.post(reviewer, `/v1/mortgages/${second}/review/return`, { reason: 'wrong number' });
    expect(badReason.status).to.equal(400);
    const returned = await gw.post(reviewer, `/v1/mortgages/${second}/review/return`, { reason: 'CERTIFICATE_NUMBER_WRONG' });
    expect(returned.status, JSON.stringify(returned.body)).to.equal(200);
    expect(returned.body).to.include({ state: 'applied' });
    expect(returned.body.lastReviewReturn).to.include({ reason: 'CERTIFICATE_NUMBER_WRONG', action: 'RegisterMortgage' });
    const res = await gw.registryStep(registry, `/v1/mortgages/${second}/registration`, { certificateNumber: `京(2026)朝阳区不动产证明第${tag}2号` });
    expect(res.body).to.include({ state: 'registered', priority: 2 });
  });

  it('the encumbrance query: refused without the owner’s consent, answered in priority order with it', async function () {
    const refused = await gw.post(officer, '/v1/mortgages/encumbrance-queries', { unitNumber });
    expect(refused.status).to.equal(403);
    const consent = await gw.post(clientSigner, '/v1/mortgages/encumbrance-authorizations', { unitNumber, bankId: 'BANK1', validUntil: '2099-12-31' });
    expect(consent.status, JSON.stringify(consent.body)).to.equal(201);
    const res = await gw.post(officer, '/v1/mortgages/encumbrance-queries', { unitNumber });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.encumbrances.map((e: { mortgageId: string; priority: number }) => [e.mortgageId, e.priority])).to.deep.equal([[first, 1], [second, 2]]);
  });

  type Amounted = { mortgageId: string; amountStatus: string; amount?: { currency: string; securedPrincipal?: string }; application?: { ciphertext: string } };

  it('another bank reads the amounts only once the owner consents: the consent widens each application to it, and its copy opens to what the ledger hashed', async function () {
    expect((await gw.post(lender, '/v1/mortgages/encumbrance-queries', { unitNumber })).status).to.equal(403);
    // A copy that is no widening of the filed application is refused, and records no consent.
    const forged = await gw.post(clientSigner, '/v1/mortgages/encumbrance-authorizations', { unitNumber, bankId: 'BANK2', validUntil: '2099-12-31', applications: [{ mortgageId: first, ciphertext: '{"protected":"x","iv":"x","ciphertext":"x","tag":"x","recipients":[]}' }] });
    expect(forged.status, JSON.stringify(forged.body)).to.be.within(400, 499);
    expect((await gw.post(lender, '/v1/mortgages/encumbrance-queries', { unitNumber })).status).to.equal(403);

    const consent = await gw.post(clientSigner, '/v1/mortgages/encumbrance-authorizations', { unitNumber, bankId: 'BANK2', validUntil: '2099-12-31' });
    expect(consent.status, JSON.stringify(consent.body)).to.equal(201);
    expect(consent.body.disclosed).to.deep.equal([first, second]);
    const res = await gw.post(lender, '/v1/mortgages/encumbrance-queries', { unitNumber });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const answer = res.body.encumbrances as Amounted[];
    expect(answer.map((e) => [e.mortgageId, e.amountStatus, e.amount?.securedPrincipal, e.amount?.currency])).to.deep.equal([[first, 'shown', principal, 'CNY'], [second, 'shown', principal, 'CNY']]);
    // The names in the application are the owner's disclosure, but the answer shows the amount only.
    expect(JSON.stringify(answer)).not.to.contain('华东制造');
    expect(answer.every((e) => e.application?.ciphertext.includes('BANK2-enc'))).to.equal(true);
    // The regulator sees the encumbrances, not their amounts.
    const regulators = (await gw.post(regulator, '/v1/mortgages/encumbrance-queries', { unitNumber })).body.encumbrances as Amounted[];
    expect(regulators.map((e) => [e.amountStatus, e.amount])).to.deep.equal([['not-disclosed', undefined], ['not-disclosed', undefined]]);
  });

  it("a registration approved after the consent is disclosed to the consented bank at once; the registry sees who holds consents", async function () {
    const later = `MTG-${run}-4`;
    const laterPrincipal = '4400000.00';
    expect((await gw.post(officer, '/v1/mortgages', application(later, { securedPrincipal: laterPrincipal }))).status).to.equal(201);
    const approved = await gw.registryStep(registry, `/v1/mortgages/${later}/registration`, { certificateNumber: `京(2026)朝阳区不动产证明第${tag}4号` });
    expect(approved.body, JSON.stringify(approved.body)).to.include({ state: 'registered', priority: 3 });
    const answer = (await gw.post(lender, '/v1/mortgages/encumbrance-queries', { unitNumber })).body.encumbrances as Amounted[];
    expect(answer.map((e) => [e.mortgageId, e.amountStatus, e.amount?.securedPrincipal])).to.deep.equal([[first, 'shown', principal], [second, 'shown', principal], [later, 'shown', laterPrincipal]]);
    // Only the registry sees the consents; the lender does not see another bank's.
    const byRegistry = await gw.post(registrar, '/v1/mortgages/encumbrance-queries', { unitNumber });
    const consents = byRegistry.body.consents as Array<{ bankId: string; disclosed: string[] }>;
    expect(consents.find((c) => c.bankId === 'BANK2')?.disclosed).to.deep.equal([first, second, later]);
    expect((await gw.post(lender, '/v1/mortgages/encumbrance-queries', { unitNumber })).body).not.to.have.property('consents');
    // Nothing lacking: the manual route records nothing; a bank may not call it.
    const again = await gw.post(registrar, '/v1/mortgages/encumbrance-disclosures', { unitNumber });
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect(again.body.disclosed).to.deep.equal([]);
    expect((await gw.post(lender, '/v1/mortgages/encumbrance-disclosures', { unitNumber })).status).to.equal(403);
  });

  it('a change (变更登记): a bank is refused; the registrar prepares it, the reviewer sees what it approves; the consented bank reads the new amount at once', async function () {
    const changedPrincipal = '3900000.00';
    const url = `/v1/mortgages/${second}/change`;
    expect((await gw.post(officer, url, { securedPrincipal: changedPrincipal })).status).to.equal(403);
    for (const [body, path] of [[{ maximumAmount: '1.00' }, 'maximumAmount'], [{}, 'change'], [{ debtTermEnd: '2025-12-31' }, 'debtTermEnd']] as const) {
      const refused = await gw.post(registrar, url, body);
      expect(refused.status, JSON.stringify(refused.body)).to.equal(400);
      expect(refused.body.error).to.include({ code: 'VALIDATION_FAILED' });
      expect(refused.body.error.details.issues[0].path).to.equal(path);
    }
    expect((await gw.get(registrar, `/v1/mortgages/${second}`)).body.state).to.equal('registered');
    const prepared = await gw.post(registrar, url, { securedPrincipal: changedPrincipal, debtTermEnd: '2040-12-31' });
    expect(prepared.status, JSON.stringify(prepared.body)).to.equal(200);
    // Still encumbering as it was, at its rank.
    expect(prepared.body).to.include({ state: 'change-in-review', priority: 2, debtTermEnd: '2046-01-01' });
    expect(prepared.body.application.content.securedPrincipal).to.equal(principal);
    const seen = (await gw.get(reviewer, `/v1/mortgages/${second}`)).body;
    expect(seen.review).to.deep.include({ action: 'ChangeMortgage', from: 'registered' });
    expect(seen.review.change.debtTermEnd).to.equal('2040-12-31');
    expect(seen.review.change.application.content.securedPrincipal).to.equal(changedPrincipal);
    expect(seen.review.change.application.ciphertext).not.to.contain(changedPrincipal);
    const before = (await gw.post(lender, '/v1/mortgages/encumbrance-queries', { unitNumber })).body.encumbrances as Amounted[];
    expect(before.find((e) => e.mortgageId === second)?.amount?.securedPrincipal).to.equal(principal);
    expect((await gw.post(registrar, `/v1/mortgages/${second}/review/approval`)).status).to.equal(403);
    const approved = await gw.post(reviewer, `/v1/mortgages/${second}/review/approval`);
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    expect(approved.body).to.include({ state: 'changed', priority: 2, debtTermEnd: '2040-12-31' });
    expect(approved.body.application.content.securedPrincipal).to.equal(changedPrincipal);
    const after = (await gw.post(lender, '/v1/mortgages/encumbrance-queries', { unitNumber })).body.encumbrances as Amounted[];
    expect(after.find((e) => e.mortgageId === second)).to.deep.include({ amountStatus: 'shown' });
    expect(after.find((e) => e.mortgageId === second)?.amount?.securedPrincipal).to.equal(changedPrincipal);
  });

  it('a transfer (转移登记): the buyer becomes the mortgagor, and reads the record, only once the reviewer approves; the seller then no longer does', async function () {
    const later = `MTG-${run}-4`;
    const url = `/v1/mortgages/${later}/transfer`;
    expect((await gw.post(registrar, url, { mortgagors: [] })).status).to.equal(400);
    const prepared = await gw.post(registrar, url, { mortgagors: [{ name: '江南贸易有限公司', idNumber: '91320000MA1FL0002Y', institutionId: 'ENT1' }] });
    expect(prepared.status, JSON.stringify(prepared.body)).to.equal(200);
    expect(prepared.body).to.include({ state: 'transfer-in-review', priority: 3 });
    expect(prepared.body.mortgagorIds).to.deep.equal(['CLIENT1']);
    expect((await gw.get(buyer, `/v1/mortgages/${later}`)).status).to.equal(404);
    expect((await gw.get(clientSigner, `/v1/mortgages/${later}`)).status).to.equal(200);
    const seen = (await gw.get(reviewer, `/v1/mortgages/${later}`)).body;
    expect(seen.review.transfer.mortgagorIds).to.deep.equal(['ENT1']);
    expect(seen.review.transfer.application.content.mortgagors).to.deep.equal([{ name: '江南贸易有限公司', idNumber: '91320000MA1FL0002Y', institutionId: 'ENT1' }]);
    const approved = await gw.post(reviewer, `/v1/mortgages/${later}/review/approval`);
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    expect(approved.body).to.include({ state: 'transferred', priority: 3 });
    expect(approved.body.mortgagorIds).to.deep.equal(['ENT1']);
    const asBuyer = await gw.get(buyer, `/v1/mortgages/${later}`);
    expect(asBuyer.status, JSON.stringify(asBuyer.body)).to.equal(200);
    expect(asBuyer.body.application.readable).to.equal('decrypted');
    expect(asBuyer.body.application.content.mortgagors[0].name).to.equal('江南贸易有限公司');
    expect((await gw.get(clientSigner, `/v1/mortgages/${later}`)).status).to.equal(404);
  });

  it('discharge after payoff: the second moves up to priority 1', async function () {
    expect((await gw.post(officer, `/v1/mortgages/${first}/discharge-request`, { reason: 'repaid' })).body.state).to.equal('discharge-requested');
    const prepared = await gw.post(registrar, `/v1/mortgages/${first}/discharge`, { caseNumber: `DC-${tag}`, reason: 'repaid' });
    expect(prepared.body).to.include({ state: 'discharge-in-review', priority: 1 });
    expect((await gw.post(registrar, `/v1/mortgages/${first}/review/approval`)).status).to.equal(403);
    const res = await gw.post(reviewer, `/v1/mortgages/${first}/review/approval`);
    expect(res.body.state).to.equal('discharged');
    expect((await gw.get(registrar, `/v1/mortgages/${second}`)).body.priority).to.equal(1);
    expect((await gw.post(registrar, `/v1/mortgages/${first}/discharge`, { caseNumber: `DC-${tag}`, reason: 'repaid' })).status).to.equal(409);
    expect((await gw.post(reviewer, `/v1/mortgages/${first}/review/approval`)).status).to.equal(409);
  });

  it("the auditor sees the client's registrations only with the client's grant; the regulator always", async function () {
    // CLIENT1 is shared by runs on a reused ledger: start from no grant.
    const revoke = async () => gw.http().delete('/v1/mortgages/auditor-access/FIRM1').set('Authorization', await gw.bearer(clientSigner, 'DELETE', '/v1/mortgages/auditor-access/FIRM1'));
    expect((await revoke()).status).to.equal(200);
    expect((await gw.get(auditor, '/v1/mortgages?clientId=CLIENT1')).status).to.equal(403);
    expect((await gw.post(clientSigner, '/v1/mortgages/auditor-access', { firmId: 'FIRM1', validUntil: '2099-12-31' })).status).to.equal(201);
    const ids = (await gw.listAll<{ id: string }>(auditor, '/v1/mortgages?clientId=CLIENT1')).map((r) => r.id);
    expect(ids).to.include.members([first, second]);
    const byRegulator = (await gw.listAll<{ id: string }>(regulator, '/v1/mortgages?clientId=CLIENT1')).map((r) => r.id);
    expect(byRegulator).to.include.members([first, second]);
    expect((await revoke()).status).to.equal(200);
    expect((await gw.get(auditor, `/v1/mortgages/${second}`)).status).to.equal(404);
  });

  it("the registry's queue lists applications by state", async function () {
    const third = `MTG-${run}-3`;
    expect((await gw.post(officer, '/v1/mortgages', application(third))).status).to.equal(201);
    const queue = (await gw.listAll<{ id: string; state: string }>(registrar, '/v1/mortgages?state=applied')).map((r) => r.id);
    expect(queue).to.include(third);
    expect(queue).not.to.include(second);
  });
});
