import { paymentBatchTotalHash, receivableAmountHash, sha256Hex } from '@econfirm/common';
import { decodeProposal, OfflineSigningRefusedError, signOfflineProposal } from '@econfirm/sdk';
import { expect } from 'chai';
import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ensureDemoInstitutions, type HeldInstitution } from '../support/institutions';
import { receivableTenants } from '../support/receivables';
import { E2E_TENANTS, type Caller, TestGateway } from '../support/gateway';
import { cliSign, completeOffline, digestSigner, enrollOfflineIdentity, expectedCall, offlineCaller, type OfflineIdentity } from '../support/gateway-offline';
import { uniqueName } from '../support/network';

/**
 * Receivables and batch payments over HTTP (gateway/src/receivables, gateway/src/payment-batches)
 * on the real network: plain JSON in, amounts and invoice numbers sealed, the openings a rule
 * needs taken from content the caller's own keys open; the limit, the exact split, the lien per
 * invoice and the batch total answered with their codes.
 */
describe('gateway e2e: receivables and payment batches over HTTP', function () {
  this.timeout(300_000);
  const run = uniqueName('gwr');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const amount = `${5_000_000_000 + randomInt(900_000_000)}`;
  const invoice = `3100261130 ${randomInt(10_000_000, 99_999_999)}`;
  let gw: TestGateway;
  let core: HeldInstitution, supA: HeldInstitution, supB: HeldInstitution;
  let obligor: Caller, supplierA: Caller, supplierB: Caller, officer: Caller, regulator: Caller, admin: Caller;
  let offlineCore: OfflineIdentity, offline: Caller;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'BANK1', 'REGULATOR');
    const parties = await receivableTenants(tag);
    ({ core, supA, supB } = parties);
    gw = await TestGateway.start({ tenants: [...E2E_TENANTS, ...parties.tenants] });
    ({ officer, regulator } = gw.demoCallers());
    obligor = gw.custodial('core', parties.identities.core);
    supplierA = gw.custodial('supa', parties.identities.supa);
    supplierB = gw.custodial('supb', parties.identities.supb);
    admin = gw.custodial('operator', 'admin');
  });

  after(async function () {
    await gw?.close();
  });

  async function put(caller: Caller, url: string, body: object) {
    return gw.http().put(url).set('Authorization', await gw.bearer(caller, 'PUT', url)).send(body);
  }

  function registration(id: string, amountMinor: string, invoices = [invoice]): Record<string, unknown> {
    const today = new Date().toISOString().slice(0, 10);
    return { id, obligorId: core.record.id, amountMinor, currency: 'CNY', issueDate: today, maturityDate: today, contractNumber: `HT-${tag}`, invoiceNumbers: invoices, goods: '钢材 200 吨' };
  }

  const root = `RCV-${run}`;

  it('lists the receivable and payment-batch routes in the OpenAPI document', async function () {
    const doc = await gw.http().get('/openapi.json');
    expect(Object.keys(doc.body.paths)).to.include.members(['/v1/receivables', '/v1/receivables/{id}/split', '/v1/receivables/{id}/financing', '/v1/receivables/limits/{obligorId}', '/v1/receivables/statistics', '/v1/payment-batches']);
  });

  it('the platform sets the limit; only the operator admin may', async function () {
    const byBank = await put(officer, `/v1/receivables/limits/${core.record.id}`, { amountMinor: '1', currency: 'CNY' });
    expect(byBank.status).to.equal(403);
    const res = await put(admin, `/v1/receivables/limits/${core.record.id}`, { amountMinor: (BigInt(amount) * 2n).toString(), currency: 'CNY' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.limit.ciphertext).not.to.contain(amount);
    expect(res.body.limit.readable).to.equal('no-key');
  });

  it('the supplier registers in plain JSON; the ledger gets hashes and ciphertext; a bank cannot register', async function () {
    expect((await gw.post(officer, '/v1/receivables', registration(`${root}-bank`, '1'))).status).to.equal(403);
    const bad = await gw.post(supplierA, '/v1/receivables', registration(`${root}-float`, '1500.50'));
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('VALIDATION_FAILED');
    const res = await gw.post(supplierA, '/v1/receivables', registration(root, amount));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ id: root, state: 'registered', holderId: supA.record.id, obligorId: core.record.id });
    expect(res.body.terms.ciphertext).not.to.contain(amount);
    expect(res.body.terms.readable).to.equal('decrypted');
    expect(receivableAmountHash(res.body.terms.content.amount, res.body.terms.content.salt)).to.equal(res.body.amountHash);
  });

  it('an offline credential of the obligor proposes a confirmation, its openings in the proposal it signs, and a rejection', async function () {
    offlineCore = enrollOfflineIdentity('operator', uniqueName('gcoreoff'), 'client-signer', core.record.id);
    offline = offlineCaller(gw, 'core', offlineCore);
    expect((await gw.post(supplierA, '/v1/receivables', registration(`${root}-off`, '1000', [`INV-${tag}-OFF`]))).status).to.equal(201);
    const confirm = await gw.post(offline, `/v1/receivables/${root}-off/confirmation`);
    expect(confirm.status, JSON.stringify(confirm.body)).to.equal(202);
    const proposal = decodeProposal(Buffer.from(confirm.body.proposal as string, 'base64'));
    expect(proposal.function).to.equal('receivable:ConfirmReceivable');
    expect((JSON.parse(proposal.transient.openings as string) as { amount: { amount: string } }).amount.amount).to.equal('1000');
    expect((await gw.get(obligor, `/v1/receivables/${root}-off`)).body.state).to.equal('registered');
    const reject = await gw.post(offline, `/v1/receivables/${root}-off/rejection`, { reason: 'NO_SUCH_DELIVERY' });
    expect(reject.status, JSON.stringify(reject.body)).to.equal(202);
    expect(reject.body.stage).to.equal('proposed');
  });

  it('the obligor confirms within its limit; past it LIMIT_EXCEEDED; the regulator opens the confirmed total', async function () {
    expect((await gw.post(supplierA, `/v1/receivables/${root}/confirmation`)).status).to.equal(403);
    const res = await gw.post(obligor, `/v1/receivables/${root}/confirmation`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.state).to.equal('confirmed');
    expect((await gw.post(supplierA, '/v1/receivables', registration(`${root}-big`, (BigInt(amount) + 1n).toString(), [`INV-${tag}-BIG`]))).status).to.equal(201);
    const over = await gw.post(obligor, `/v1/receivables/${root}-big/confirmation`);
    expect(over.status).to.equal(409);
    expect(over.body.error.code).to.equal('LIMIT_EXCEEDED');
    const credit = await gw.get(regulator, `/v1/receivables/limits/${core.record.id}`);
    expect(credit.status, JSON.stringify(credit.body)).to.equal(200);
    expect(credit.body.issued.issued.content.amount).to.equal(amount);
    expect(credit.body.issued.confirmations).to.equal(1);
  });

  it('splits exactly (a split that does not sum is 422), transfers a part, finances it; a sibling on the same invoice is LIEN_EXISTS', async function () {
    const half = (BigInt(amount) / 2n).toString();
    const uneven = await gw.post(supplierA, `/v1/receivables/${root}/split`, { parts: [{ amountMinor: half }, { amountMinor: '1' }] });
    expect(uneven.status).to.equal(422);
    expect(uneven.body.error.code).to.equal('INVALID_ARGUMENT');
    const third = (BigInt(amount) / 3n).toString();
    const rest = (BigInt(amount) - 2n * BigInt(third)).toString();
    const split = await gw.post(supplierA, `/v1/receivables/${root}/split`, { parts: [{ amountMinor: third }, { amountMinor: third }, { amountMinor: rest }] });
    expect(split.status, JSON.stringify(split.body)).to.equal(200);
    expect(split.body.childIds).to.deep.equal([`${root}-1`, `${root}-2`, `${root}-3`]);
    const byObligor = await gw.post(obligor, `/v1/receivables/${root}-2/transfer`, { toId: supB.record.id });
    expect(byObligor.status).to.equal(403);
    const moved = await gw.post(supplierA, `/v1/receivables/${root}-2/transfer`, { toId: supB.record.id });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    const seen = await gw.get(supplierB, `/v1/receivables/${root}-2`);
    expect(seen.body.terms.content).to.include({ amount: third, contractNumber: `HT-${tag}` });
    expect((await gw.post(supplierB, `/v1/receivables/${root}-2/financing-request`, { bankId: 'BANK1' })).status).to.equal(200);
    const financed = await gw.post(officer, `/v1/receivables/${root}-2/financing`, { financingId: `FIN-${tag}` });
    expect(financed.status, JSON.stringify(financed.body)).to.equal(200);
    expect(financed.body.state).to.equal('financed');
    expect(financed.body.terms.content.amount).to.equal(third);
    const sibling = await gw.post(supplierA, `/v1/receivables/${root}-1/financing-request`, { bankId: 'BANK1' });
    expect(sibling.status).to.equal(409);
    expect(sibling.body.error.code).to.equal('LIEN_EXISTS');
    const mine = await gw.get(supplierB, '/v1/receivables?state=financed');
    expect(mine.body.records.map((r: { id: string }) => r.id)).to.include(`${root}-2`);
    expect((await gw.get(regulator, '/v1/receivables')).status).to.equal(400);
    expect((await gw.get(regulator, `/v1/receivables?partyId=${supB.record.id}`)).body.records.map((r: { id: string }) => r.id)).to.include(`${root}-2`);
  });

  it("the regulator's statistics count this obligor's parts and financing, without amounts; others are refused", async function () {
    const stats = await gw.get(regulator, '/v1/receivables/statistics');
    expect(stats.status, JSON.stringify(stats.body)).to.equal(200);
    // The obligor is this run's own: its three parts (the split root not), one financed, none late.
    expect(stats.body.obligors.find((o: { obligorId: string }) => o.obligorId === core.record.id)).to.deep.equal({ obligorId: core.record.id, parts: 3, financed: 1, pastDue: 0, paid: 0 });
    expect(stats.body.byState.split).to.be.at.least(1);
    expect(stats.body.banks.find((b: { bankId: string }) => b.bankId === 'BANK1').activeLiens).to.be.at.least(1);
    expect(JSON.stringify(stats.body)).not.to.contain(amount).and.not.to.contain((BigInt(amount) / 3n).toString());
    for (const caller of [officer, supplierA, obligor, admin]) {
      const refused = await gw.get(caller, '/v1/receivables/statistics');
      expect(refused.status).to.equal(403);
      expect(refused.body.error.code).to.equal('FORBIDDEN');
    }
  });

  it('at maturity the obligor pays; the financed part goes to the bank and its lien is released', async function () {
    expect((await gw.post(obligor, `/v1/receivables/${root}-2/maturity`)).status).to.equal(200);
    const paid = await gw.post(obligor, `/v1/receivables/${root}-2/payment`, { paymentHash: sha256Hex(randomBytes(32)) });
    expect(paid.status, JSON.stringify(paid.body)).to.equal(200);
    expect(paid.body.payment.payeeId).to.equal('BANK1');
    expect(paid.body.lien.releasedAt).to.be.a('string');
    expect((await gw.post(supplierA, `/v1/receivables/${root}-1/financing-request`, { bankId: 'BANK1' })).status).to.equal(200);
  });

  it('a bank settles a batch of payees in one call; the regulator verifies the total; the same lines answer the settled batch, others 409', async function () {
    const lines = Array.from({ length: 60 }, (_, i) => ({ payeeReference: `6217 ${tag.slice(-6)} ${i}`, amountMinor: String(100_000 + randomInt(500_000)) }));
    const total = lines.reduce((sum, l) => sum + BigInt(l.amountMinor), 0n).toString();
    const body = { id: `PB-${run}`, payerId: core.record.id, currency: 'CNY', instructionReference: `ZL-${tag}`, lines };
    expect((await gw.post(supplierA, '/v1/payment-batches', body)).status).to.equal(403);
    const res = await gw.post(officer, '/v1/payment-batches', body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ count: 60, bankId: 'BANK1' });
    expect(res.body.lines.content.lines).to.have.length(60);
    const seen = await gw.get(regulator, `/v1/payment-batches/${body.id}`);
    expect(seen.status).to.equal(200);
    expect(seen.body.lines.readable).to.equal('not-addressed');
    const summary = seen.body.summary.content as { total: string; count: number; currency: string; salt: string };
    expect(summary.total).to.equal(total);
    expect(paymentBatchTotalHash(summary.total, summary.count, summary.currency, summary.salt)).to.equal(seen.body.totalHash);
    const again = await gw.post(officer, '/v1/payment-batches', body);
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect(again.body.settledAt).to.equal(res.body.settledAt);
    const other = await gw.post(officer, '/v1/payment-batches', { ...body, lines: lines.slice(1) });
    expect(other.status).to.equal(409);
    expect(other.body.error.code).to.equal('ALREADY_EXISTS');
    expect((await gw.get(obligor, '/v1/payment-batches')).body.records.map((r: { id: string }) => r.id)).to.include(body.id);
  });

  it('the offline obligor confirms: its signing software checks the openings against the ledger; no gateway file holds them', async function () {
    const owed = `${1_000_000_000 + randomInt(900_000_000)}`; // within the limit's headroom (amount, at least 5e9)
    const id = `${root}-off2`;
    const registered = await gw.post(supplierA, '/v1/receivables', registration(id, owed, [`INV-${tag}-OFF2`]));
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const amountHash = registered.body.amountHash as string;
    // What the obligor's own software asks for: this receivable, and an amount opening that is the
    // amount it owes and opens the hash on the ledger (it never takes the gateway's word for it).
    const openingsOf = (text: string) => JSON.parse(text) as { amount?: { amount: string; salt: string } };
    const asked = (amountOwed: string) => ({
      contract: 'receivable', transaction: 'ConfirmReceivable', args: [id, () => undefined],
      transient: {
        openings: (text: string) => {
          const { amount } = openingsOf(text);
          if (amount?.amount !== amountOwed) return `confirm ${amount?.amount}, not the ${amountOwed} owed`;
          return receivableAmountHash(amount.amount, amount.salt) === amountHash ? undefined : 'do not open the amount hash on the ledger';
        },
      },
    });
    const pending = await gw.post(offline, `/v1/receivables/${id}/confirmation`);
    expect(pending.status, JSON.stringify(pending.body)).to.equal(202);
    // Refused: openings not asked for at all, and another amount than owed.
    const sign = digestSigner(offlineCore);
    await expectRefused(signOfflineProposal(pending.body, expectedCall(offlineCore, { contract: 'receivable', transaction: 'ConfirmReceivable', args: [id, () => undefined] }), sign), "the proposal carries transient data 'openings' that was not asked for");
    await expectRefused(signOfflineProposal(pending.body, expectedCall(offlineCore, asked('1')), sign), `transient data 'openings' confirm ${owed}, not the 1 owed`);
    // The same checks from the command line (econfirm offline sign): the openings must be named.
    const call = 'receivable:ConfirmReceivable';
    const unnamed = cliSign(pending.body, offlineCore, call, [id], ['--arg-json', '{}']);
    expect(unnamed.status, unnamed.stderr).to.equal(1);
    expect(unnamed.stderr).to.contain("the proposal carries transient data 'openings' that was not asked for");
    const opening = openingsOf(decodeProposal(Buffer.from(pending.body.proposal as string, 'base64')).transient.openings as string).amount;
    const wrong = cliSign(pending.body, offlineCore, call, [id], ['--arg-json', '{}', '--transient-json', `openings=${JSON.stringify({ amount: { ...opening, amount: '1' } })}`]);
    expect(wrong.status, wrong.stderr).to.equal(1);
    expect(wrong.stderr).to.contain("transient data 'openings' has other amount than asked");
    const named = cliSign(pending.body, offlineCore, call, [id], ['--arg-json', '{}', '--transient-json', `openings=${JSON.stringify({ amount: opening })}`]);
    expect(named.status, named.stderr).to.equal(0);
    expect(named.body.signature).to.be.a('string');
    const done = await completeOffline(gw, offline, offlineCore, pending, asked(owed));
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.status).to.equal('VALID');
    expect(done.body.result.state).to.equal('confirmed');
    expect((await gw.get(obligor, `/v1/receivables/${id}`)).body.state).to.equal('confirmed');
    // The proposal waited in the gateway's database with the openings in it: sealed, so neither the
    // amount nor its salt is in the SQLite file or its WAL.
    const salt = openingsOf(decodeProposal(Buffer.from(pending.body.proposal as string, 'base64')).transient.openings as string).amount?.salt ?? '';
    expect(salt).to.have.length.greaterThan(10);
    for (const file of readdirSync(gw.stateDir)) {
      const bytes = readFileSync(path.join(gw.stateDir, file));
      expect(bytes.includes(owed), `${file} holds the amount`).to.equal(false);
      expect(bytes.includes(salt), `${file} holds the amount's salt`).to.equal(false);
    }
  });
});

async function expectRefused(signing: Promise<unknown>, problem: string): Promise<void> {
  const refused = await signing.then(() => undefined, (err: unknown) => err);
  expect(refused).to.be.instanceOf(OfflineSigningRefusedError);
  expect((refused as OfflineSigningRefusedError).problems).to.include(problem);
}
