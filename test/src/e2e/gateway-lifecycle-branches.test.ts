import { ConfirmationState } from '@econfirm/common';
import { expect } from 'chai';
import { addRecipients, newInstitutionKeys, publicJwk, recipientKids, recipientOf } from '@econfirm/sdk';
import { ensureDemoInstitutions, type HeldInstitution } from '../support/institutions';
import { agreeingReply, bankLetter, bankLetterRequest, type Caller, TestGateway } from '../support/gateway';
import { distinctiveAccountNumber } from '../support/letters';
import { uniqueName } from '../support/network';

/**
 * The other lifecycle branches over HTTP — return and resend, client refusal and the
 * alternative procedure, a rejected reply re-prepared (disagreeing, read by the client after
 * acceptance), a letter to a branch sealed to it at authorization, recall.
 */
describe('gateway e2e: lifecycle branches over HTTP', function () {
  this.timeout(180_000);
  const run = uniqueName('gwbr');
  let gw: TestGateway;
  let auditor: Caller, clientSigner: Caller, officer: Caller, reviewer: Caller;
  let seq = 0;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1');
    gw = await TestGateway.start();
    ({ auditor, clientSigner, officer, reviewer } = gw.demoCallers());
  });

  after(async function () {
    await gw?.close();
  });

  async function step(caller: Caller, id: string, path: string, body: object, state: string): Promise<Record<string, unknown>> {
    const res = await gw.postStep(caller, `/v1/confirmations/${id}/${path}`, body);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.be.oneOf([200, 201]);
    expect(res.body.state, path).to.equal(state);
    return res.body as Record<string, unknown>;
  }

  async function issue(authorize = true): Promise<string> {
    seq += 1;
    const id = `CF-${run}-${seq}`;
    const res = await gw.post(auditor, '/v1/confirmations', bankLetterRequest(id, `ENG-${run}`, distinctiveAccountNumber()));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    if (authorize) await step(clientSigner, id, 'authorization', { feeConsent: true }, ConfirmationState.Authorized);
    return id;
  }

  it('the bank returns a letter; the firm resends it as a new linked request the bank can read', async function () {
    const id = await issue();
    const returned = await step(officer, id, 'return', { reasonCode: 'MISSING_DATA', note: 'seal page missing' }, ConfirmationState.Returned);
    expect(returned.return).to.include({ reasonCode: 'MISSING_DATA' });
    const resent = await gw.post(auditor, `/v1/confirmations/${id}/resend`, { id: `${id}-b`, letter: bankLetter('6222111122223333') });
    expect(resent.status, JSON.stringify(resent.body)).to.equal(201);
    expect(resent.body.followUpOf).to.equal(id);
    expect(resent.body.letter.content.sections.deposits.rows[0].accountNo).to.equal('6222111122223333');
    const original = await gw.get(auditor, `/v1/confirmations/${id}`);
    expect(original.body.state).to.equal(ConfirmationState.Resent);
    expect(original.body.followUpId).to.equal(`${id}-b`);
    // The follow-up is a new letter: sealed to firm and client, the bank reads it once the client authorizes it.
    expect((await gw.get(officer, `/v1/confirmations/${id}-b`)).status).to.equal(404);
    await step(clientSigner, `${id}-b`, 'authorization', { feeConsent: true }, ConfirmationState.Authorized);
    const seen = await gw.get(officer, `/v1/confirmations/${id}-b`);
    expect(seen.body.letter.readable).to.equal('decrypted');
    expect(seen.body.letter.content.sections.deposits.rows[0].accountNo).to.equal('6222111122223333');
  });

  // Issue 10 §3; fails on c85a0dd, which sealed the letter to bank and branch at issue.
  it('a letter to a branch is sealed to firm and client at issue, and to the bank and the branch when the client authorizes', async function () {
    const [firm, client, bank, branch] = await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'BANK1-SH');
    seq += 1;
    const id = `CF-${run}-${seq}`;
    const account = distinctiveAccountNumber();
    const issued = await gw.post(auditor, '/v1/confirmations', { ...bankLetterRequest(id, `ENG-${run}`, account), addresseeId: 'BANK1-SH' });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    const kids = (...held: HeldInstitution[]) => held.map((h) => h.record.encryptionKey.kid);
    expect(recipientKids(issued.body.letter.ciphertext)).to.deep.equal(kids(firm, client));
    // A widened letter that appends someone else is the ledger's refusal, with its code; nothing changes.
    const outsider = newInstitutionKeys('OUTSIDER').encryption;
    const stranger = await addRecipients(issued.body.letter.ciphertext, client.keys, [recipientOf(bank.record), recipientOf(branch.record), { kid: outsider.kid, jwk: publicJwk(outsider.jwk) }]);
    const refused = await gw.post(clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true, letterCiphertext: stranger });
    expect([refused.status, refused.body.error?.code], JSON.stringify(refused.body)).to.deep.equal([422, 'RECIPIENTS_REFUSED']);
    expect((await gw.get(officer, `/v1/confirmations/${id}`)).status).to.equal(404);
    const authorized = await step(clientSigner, id, 'authorization', { feeConsent: true }, ConfirmationState.Authorized);
    expect(recipientKids((authorized.letter as { ciphertext: string }).ciphertext)).to.deep.equal(kids(firm, client, bank, branch));
    const seen = await gw.get(officer, `/v1/confirmations/${id}`);
    expect(seen.body.letter.readable).to.equal('decrypted');
    expect(seen.body.letter.content.sections.deposits.rows[0].accountNo).to.equal(account);
  });

  it('the client refuses; the auditor records the alternative procedure', async function () {
    const id = await issue(false);
    await step(clientSigner, id, 'refusal', { reason: 'the client declines' }, ConfirmationState.ClientRefused);
    const recorded = await step(auditor, id, 'alternative-procedure', { procedure: 'BANK_STATEMENTS', workpaperHash: 'c'.repeat(64) }, ConfirmationState.AlternativeProcedure);
    expect(recorded.alternativeProcedure).to.include({ trigger: 'client-refused', procedure: 'BANK_STATEMENTS' });
  });

  it('a reviewer rejects a prepared reply; the officer prepares a disagreeing one, which the client reads only after acceptance', async function () {
    const id = await issue();
    await step(officer, id, 'acceptance', {}, ConfirmationState.Accepted);
    await step(officer, id, 'reply', { content: agreeingReply() }, ConfirmationState.ReplyPrepared);
    const rejected = await step(reviewer, id, 'reply/rejection', { reason: 'balance not checked' }, ConfirmationState.Accepted);
    expect(rejected.lastReplyRejection).to.include({ reason: 'balance not checked' });
    const disagreeing = {
      ...agreeingReply(),
      conclusion: 'disagrees',
      differences: [{ section: 'deposits', row: 0, field: 'balance', stated: '1234567.89', actual: '1234000.00', note: 'a fee was debited on 2025-12-30' }],
    };
    // The reply cannot be shared with the client at preparation any more (issue 10 §2): the field is unknown.
    const shared = await gw.post(officer, `/v1/confirmations/${id}/reply`, { content: disagreeing, shareWithClient: true });
    expect([shared.status, shared.body.error?.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
    const prepared = await step(officer, id, 'reply', { content: disagreeing }, ConfirmationState.ReplyPrepared);
    expect((prepared.reply as { conclusion: string }).conclusion).to.equal('disagrees');
    await step(reviewer, id, 'reply/approval', {}, ConfirmationState.Replied);
    expect((await gw.get(clientSigner, `/v1/confirmations/${id}`)).body).not.to.have.property('reply');
    await step(auditor, id, 'auditor-acceptance', {}, ConfirmationState.AuditorAccepted);
    const clientView = await gw.get(clientSigner, `/v1/confirmations/${id}`);
    expect(clientView.body.reply.readable).to.equal('decrypted');
    expect(clientView.body.reply.content.differences[0].actual).to.equal('1234000.00');
    expect(clientView.body.reply.signatureValid).to.equal(true);
  });

  it('a disagreeing reply without differences is refused at the edge (422) and nothing is written', async function () {
    const id = await issue();
    await step(officer, id, 'acceptance', {}, ConfirmationState.Accepted);
    const res = await gw.post(officer, `/v1/confirmations/${id}/reply`, { content: { ...agreeingReply(), conclusion: 'disagrees' } });
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('INVALID_CONTENT');
    expect((await gw.get(officer, `/v1/confirmations/${id}`)).body.state).to.equal(ConfirmationState.Accepted);
  });

  it('the firm recalls a request; the overdue and state lists answer for the caller\'s own requests', async function () {
    const id = await issue(false);
    await step(auditor, id, 'recall', { reason: 'sent by mistake' }, ConfirmationState.Recalled);
    const recalled = await gw.listAll<{ id: string }>(auditor, '/v1/confirmations?state=recalled');
    expect(recalled.map((r) => r.id)).to.include(id);
    const overdue = await gw.get(auditor, '/v1/confirmations?overdue=true');
    expect(overdue.status).to.equal(200);
    expect(overdue.body.records.every((r: { firmId: string; overdue: boolean }) => r.firmId === 'FIRM1' && r.overdue)).to.equal(true);
    const two = await gw.get(auditor, '/v1/confirmations?state=recalled&overdue=true');
    expect(two.status).to.equal(400);
  });
});
