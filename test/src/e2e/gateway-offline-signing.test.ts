import { ConfirmationState } from '@econfirm/common';
import { TransactionExecutor, type LedgerCall } from '@econfirm/gateway';
import { addRecipients, decodeProposal, findIdentity, jsonArgumentWith, recipientOf, OfflineSigningRefusedError, signOfflineProposal, signOfflineTransaction, type OfflineEndorsedAnswer } from '@econfirm/sdk';
import { expect } from 'chai';
import { ensureDemoInstitutions, type HeldInstitution } from '../support/institutions';
import { agreeingReply, bankLetterRequest, type Caller, TestGateway } from '../support/gateway';
import { cliSign, completeOffline, digestSigner, enrollOfflineIdentity, expectedCall, offlineCaller, opensslDigestSigner, type AskedCall, type OfflineIdentity } from '../support/gateway-offline';
import { distinctiveAccountNumber } from '../support/letters';
import { descriptor, uniqueName } from '../support/network';

/**
 * Non-custodial signing: the same bank-letter path, every step signed by keys that exist
 * only in this test process. The gateway holds their certificates, builds the proposals, and
 * endorses, submits and reports commits — it never holds a private key of these identities.
 */
describe('gateway e2e: the bank-letter path with offline signing (keys the gateway never sees)', function () {
  this.timeout(180_000);
  const run = uniqueName('gwoff');
  const tag = run.replace(/[^A-Za-z0-9]/g, '');
  let gw: TestGateway;
  const ids: Record<'auditor' | 'client' | 'officer' | 'reviewer', OfflineIdentity> = {} as never;
  const callers: Record<keyof typeof ids, Caller> = {} as never;
  // The participants' own institution keys, held by their software: they widen sealed content themselves.
  let held: Record<'firm' | 'client' | 'bank', HeldInstitution>;

  before(async function () {
    const [firm, client, bank] = await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1');
    held = { firm, client, bank } as typeof held;
    gw = await TestGateway.start();
    // The gateway's own reads (registry keys to encrypt to, the letter a reply answers) use a
    // custodial identity of the same tenant; every act below is signed offline.
    gw.custodial('firm1', 'auditor2');
    gw.custodial('client1', 'client1');
    gw.custodial('bank1', 'officer2');
    ids.auditor = enrollOfflineIdentity('firm1', `aud-${tag}`, 'auditor', 'FIRM1');
    ids.client = enrollOfflineIdentity('operator', `cs-${tag}`, 'client-signer', 'CLIENT1');
    ids.officer = enrollOfflineIdentity('bank1', `off-${tag}`, 'bank-officer', 'BANK1');
    ids.reviewer = enrollOfflineIdentity('bank1', `rev-${tag}`, 'bank-reviewer', 'BANK1');
    callers.auditor = offlineCaller(gw, 'firm1', ids.auditor);
    callers.client = offlineCaller(gw, 'client1', ids.client);
    callers.officer = offlineCaller(gw, 'bank1', ids.officer);
    callers.reviewer = offlineCaller(gw, 'bank1', ids.reviewer);
  });

  after(async function () {
    await gw?.close();
  });

  const id = `CF-${run}`;
  const account = distinctiveAccountNumber();
  /** Issue as the auditor asked it: the request's own fields (the letter is sealed by the gateway, not compared). */
  const issueOf = (body: Record<string, unknown>): AskedCall => {
    const { id: requestId, kind, addresseeId, feePayer, engagement } = body;
    return { transaction: 'Issue', args: [jsonArgumentWith({ id: requestId, kind, addresseeId, feePayer, engagement })] };
  };
  const read = (confirmationId: string): AskedCall => ({ transaction: 'GetConfirmation', args: [confirmationId] });

  it('the offline identities exist nowhere on the network side: no key file, no descriptor entry; the gateway stored certificates only', function () {
    for (const [who, identity] of Object.entries(ids)) {
      expect(() => findIdentity(descriptor(), who === 'client' ? 'operator' : who === 'auditor' ? 'firm1' : 'bank1', identity.name)).to.throw(/no identity/);
    }
    const credential = gw.credentials.find(callers.auditor.credentialId);
    expect(credential?.custody).to.equal('offline');
    expect(credential?.certificatePem).to.contain('BEGIN CERTIFICATE');
    expect(JSON.stringify(credential)).not.to.contain('"d"');
  });

  it('issue: 202 with a proposal digest, then endorsement and submission with the caller\'s signatures → committed, letter sealed', async function () {
    const request = bankLetterRequest(id, `ENG-${run}`, account);
    const pending = await gw.post(callers.auditor, '/v1/confirmations', request);
    expect(pending.status, JSON.stringify(pending.body)).to.equal(202);
    // The proposal itself, not a digest to sign blindly: the caller reads what it would sign.
    expect(pending.body).not.to.have.property('proposalDigest');
    const proposal = decodeProposal(Buffer.from(pending.body.proposal as string, 'base64'));
    // A sealed step (issue 11): Act with no argument, the step in the transient map the signer reads.
    expect([proposal.transactionId, proposal.function, proposal.args, proposal.creator.mspId]).to.deep.equal([pending.body.transactionId, 'confirmation:Act', [], 'Firm1MSP']);
    const command = JSON.parse(proposal.transient.command as string) as { transaction: string; args: string[] };
    expect(command.transaction).to.equal('Issue');
    expect(JSON.parse(command.args[0] as string).id).to.equal(id);
    expect(proposal.transient.answerSecret).to.match(/^[0-9a-f]{64}$/);
    const status = await gw.get(callers.auditor, `/v1/transactions/${pending.body.transactionId as string}`);
    expect(status.body.stage).to.equal('proposed');
    const done = await completeOffline(gw, callers.auditor, ids.auditor, pending, issueOf(request));
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expect(done.body.status).to.equal('VALID');
    expect(done.body.result.state).to.equal(ConfirmationState.Issued);
    expect(done.body.result.issued.by).to.contain(`aud-${tag}`);
    expect(done.body.result.letter.content.sections.deposits.rows[0].accountNo).to.equal(account);
    // A second submission of a finished transaction is refused, not re-sent.
    const again = await gw.post(callers.auditor, `/v1/transactions/${pending.body.transactionId as string}/submission`, { signature: 'MEUCIQ==' });
    expect(again.status).to.equal(409);
  });

  it('an offline read: GET answers 202, the signed proposal is evaluated, the letter decrypted for the caller', async function () {
    const opened = await completeOffline(gw, callers.client, ids.client, await gw.get(callers.client, `/v1/confirmations/${id}`), read(id));
    expect(opened.status, JSON.stringify(opened.body)).to.equal(200);
    expect(opened.body.result.letter.content.sections.deposits.rows[0].accountNo).to.equal(account);
  });

  it('authorize, accept, prepare (signed reply), approve and auditor-accept — each signed offline', async function () {
    // Sealed when the right arises: the client's software widens the letter to the bank, the
    // firm's the reply to the client, each with its own key; the proposal carries exactly that.
    const letter = (await completeOffline(gw, callers.client, ids.client, await gw.get(callers.client, `/v1/confirmations/${id}`), read(id))).body.result.letter.ciphertext as string;
    const letterCiphertext = await addRecipients(letter, held.client.keys, [recipientOf(held.bank.record)]);
    const steps: Array<[keyof typeof ids, string, object | (() => Promise<object>), AskedCall | (() => AskedCall), string]> = [
      ['client', `/v1/confirmations/${id}/authorization`, { feeConsent: true, letterCiphertext }, { transaction: 'ClientAuthorize', args: [id, jsonArgumentWith({ feeConsent: true, letterCiphertext })] }, ConfirmationState.Authorized],
      ['officer', `/v1/confirmations/${id}/acceptance`, {}, { transaction: 'BankAccept', args: [id] }, ConfirmationState.Accepted],
      ['officer', `/v1/confirmations/${id}/reply`, { content: agreeingReply() }, { transaction: 'PrepareReply', args: [id, jsonArgumentWith({ conclusion: agreeingReply().conclusion })] }, ConfirmationState.ReplyPrepared],
      ['reviewer', `/v1/confirmations/${id}/reply/approval`, {}, { transaction: 'ApproveReply', args: [id] }, ConfirmationState.Replied],
    ];
    let replyCiphertext = '';
    steps.push([
      'auditor',
      `/v1/confirmations/${id}/auditor-acceptance`,
      async () => {
        const reply = (await completeOffline(gw, callers.auditor, ids.auditor, await gw.get(callers.auditor, `/v1/confirmations/${id}`), read(id))).body.result.reply.ciphertext as string;
        replyCiphertext = await addRecipients(reply, held.firm.keys, [recipientOf(held.client.record)]);
        return { replyCiphertext };
      },
      () => ({ transaction: 'AuditorAccept', args: [id, jsonArgumentWith({ replyCiphertext })] }),
      ConfirmationState.AuditorAccepted,
    ]);
    for (const [who, url, body, asked, state] of steps) {
      const sent = typeof body === 'function' ? await body() : body;
      const done = await completeOffline(gw, callers[who], ids[who], await gw.post(callers[who], url, sent), typeof asked === 'function' ? asked() : asked);
      expect(done.status, `${url}: ${JSON.stringify(done.body)}`).to.equal(200);
      expect(done.body.result.state, url).to.equal(state);
    }
    const final = await completeOffline(gw, callers.auditor, ids.auditor, await gw.get(callers.auditor, `/v1/confirmations/${id}`), read(id));
    expect(final.body.result.reply.content).to.deep.equal(agreeingReply());
    expect(final.body.result.reply.signatureValid).to.equal(true);
    expect(final.body.result.reply.preparedBy).to.contain(`off-${tag}`);
    expect(final.body.result.reply.approvedBy).to.contain(`rev-${tag}`);
    expect(final.body.result.reply.ciphertext).to.equal(replyCiphertext);
  });

  it('signatures from openssl with a high S (which Fabric refuses as they are) are normalized by the gateway and commit', async function () {
    const hsm = enrollOfflineIdentity('firm1', `ossl-${tag}`, 'auditor', 'FIRM1');
    const caller = offlineCaller(gw, 'firm1', hsm);
    const openssl = opensslDigestSigner(hsm);
    try {
      const request = bankLetterRequest(`${id}-o`, `ENG-${run}`, distinctiveAccountNumber());
      const pending = await gw.post(caller, '/v1/confirmations', request);
      expect(pending.status, JSON.stringify(pending.body)).to.equal(202);
      const txId = pending.body.transactionId as string;
      // The SDK decodes and checks; openssl signs the digest the SDK computed, with a high S.
      const expected = expectedCall(hsm, issueOf(request));
      const highS = (digest: Uint8Array) => openssl.sign(digest, true);
      const endorsed = await gw.post(caller, `/v1/transactions/${txId}/endorsement`, await signOfflineProposal(pending.body, expected, highS));
      expect(endorsed.status, JSON.stringify(endorsed.body)).to.equal(200);
      const done = await gw.post(caller, `/v1/transactions/${txId}/submission`, await signOfflineTransaction(endorsed.body as OfflineEndorsedAnswer, expected, txId, highS));
      expect(done.status, JSON.stringify(done.body)).to.equal(201);
      expect(done.body.status).to.equal('VALID');
      expect(done.body.result.issued.by).to.contain(`ossl-${tag}`);
      // Raw r||s (what WebCrypto returns) is not DER: refused at the edge with its code, nothing sent.
      const raw = await gw.post(caller, '/v1/confirmations', bankLetterRequest(`${id}-p`, `ENG-${run}`, distinctiveAccountNumber()));
      const refused = await gw.post(caller, `/v1/transactions/${raw.body.transactionId as string}/endorsement`, { signature: Buffer.alloc(64, 7).toString('base64') });
      expect(refused.status).to.equal(400);
      expect(refused.body.error.code).to.equal('INVALID_SIGNATURE');
      expect((await gw.get(caller, `/v1/transactions/${raw.body.transactionId as string}`)).body.stage).to.equal('proposed');
    } finally {
      openssl.close();
    }
  });

  it('a signature by another key is refused by the network and nothing is written', async function () {
    const pending = await gw.post(callers.auditor, `/v1/confirmations/${id}/recall`, { reason: 'test' });
    expect(pending.status).to.equal(202);
    // The reviewer's key signs the auditor's (checked) proposal: the peers refuse the endorsement.
    const { signature: wrong } = await signOfflineProposal(pending.body, expectedCall(ids.auditor, { transaction: 'Recall', args: [id, 'test'] }), digestSigner(ids.reviewer));
    const refused = await gw.post(callers.auditor, `/v1/transactions/${pending.body.transactionId as string}/endorsement`, { signature: wrong });
    expect(refused.status, JSON.stringify(refused.body)).to.be.within(400, 499);
    expect(refused.body.error.code).to.be.oneOf(['IDENTITY_REFUSED', 'ENDORSEMENT_FAILED', 'FORBIDDEN']);
    const after = await completeOffline(gw, callers.auditor, ids.auditor, await gw.get(callers.auditor, `/v1/confirmations/${id}`), read(id));
    expect(after.body.result.state).to.equal(ConfirmationState.AuditorAccepted);
  });

  it("another tenant's credential cannot see or sign someone else's pending transaction", async function () {
    const pending = await gw.post(callers.auditor, `/v1/confirmations/${id}/recall`, { reason: 'test' });
    const txId = pending.body.transactionId as string;
    expect((await gw.get(callers.officer, `/v1/transactions/${txId}`)).status).to.equal(404);
    expect((await gw.post(callers.officer, `/v1/transactions/${txId}/endorsement`, { signature: 'MEUCIQ==' })).status).to.equal(404);
  });

  it('a pending proposal survives a gateway restart: signed after the restart, it commits', async function () {
    const request = bankLetterRequest(`${id}-r`, `ENG-${run}`, distinctiveAccountNumber());
    const pending = await gw.post(callers.auditor, '/v1/confirmations', request);
    expect(pending.status).to.equal(202);
    await gw.restart();
    // This time the caller signs only proposal and transaction; the gateway observes the commit.
    const done = await completeOffline(gw, callers.auditor, ids.auditor, pending, issueOf(request), { signCommitStatus: false });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expect(done.body.result.id).to.equal(`${id}-r`);
    const status = await gw.get(callers.auditor, `/v1/transactions/${pending.body.transactionId as string}`);
    expect(status.body.stage).to.equal('committed');
  });

  it('a commit-status signature that does not verify: 504 COMMIT_STATUS_UNKNOWN, and asking again with a good one does not resubmit', async function () {
    const request = bankLetterRequest(`${id}-s`, `ENG-${run}`, distinctiveAccountNumber());
    const pending = await gw.post(callers.auditor, '/v1/confirmations', request);
    const expected = expectedCall(ids.auditor, issueOf(request));
    const txId = pending.body.transactionId as string;
    const endorsed = await gw.post(callers.auditor, `/v1/transactions/${txId}/endorsement`, await signOfflineProposal(pending.body, expected, digestSigner(ids.auditor)));
    const good = await signOfflineTransaction(endorsed.body as OfflineEndorsedAnswer, expected, txId, digestSigner(ids.auditor));
    const byReviewer = await signOfflineTransaction(endorsed.body as OfflineEndorsedAnswer, expected, txId, digestSigner(ids.reviewer));
    const transactionSignature = good.signature;
    const unknown = await gw.post(callers.auditor, `/v1/transactions/${txId}/submission`, { signature: transactionSignature, commitSignature: byReviewer.commitSignature });
    expect(unknown.status, JSON.stringify(unknown.body)).to.equal(504);
    expect(unknown.body.error.code).to.equal('COMMIT_STATUS_UNKNOWN');
    expect((await gw.get(callers.auditor, `/v1/transactions/${txId}`)).body.stage).to.equal('submitted');
    const done = await gw.post(callers.auditor, `/v1/transactions/${txId}/submission`, { signature: transactionSignature, commitSignature: good.commitSignature });
    // Stage 'submitted': this second call only asks for the commit status of the one ordered copy.
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expect(done.body.status).to.equal('VALID');
    expect(done.body.result.id).to.equal(`${id}-s`);
  });
  it('a compromised gateway that swaps the transaction (ApproveReply for RejectReply, another request) is refused by the client: nothing endorsed, nothing committed', async function () {
    // Fails on c85a0dd: the offline caller got only a digest and signed whatever the gateway built.
    const target = `${id}-x`;
    const other = `${id}-y`;
    const firm = gw.custodial('firm1', 'auditor2');
    const client = gw.custodial('client1', 'client1');
    const bank = gw.custodial('bank1', 'officer2');
    for (const confirmation of [target, other]) {
      expect((await gw.post(firm, '/v1/confirmations', bankLetterRequest(confirmation, `ENG-${run}`, distinctiveAccountNumber()))).status).to.equal(201);
      expect((await gw.post(client, `/v1/confirmations/${confirmation}/authorization`, { feeConsent: true })).status).to.equal(200);
      expect((await gw.post(bank, `/v1/confirmations/${confirmation}/acceptance`)).status).to.equal(200);
      const prepared = await gw.post(bank, `/v1/confirmations/${confirmation}/reply`, { content: agreeingReply() });
      expect(prepared.body.state, JSON.stringify(prepared.body)).to.equal(ConfirmationState.ReplyPrepared);
    }
    const executor = gw.app.get(TransactionExecutor);
    const honest = executor.submit.bind(executor);
    const swaps: Array<[string, (call: LedgerCall) => LedgerCall, RegExp]> = [
      ['ApproveReply instead of RejectReply', (call) => ({ ...call, contract: 'confirmation', transaction: 'ApproveReply', args: [call.args[0] as string] }), /function is 'confirmation:ApproveReply', expected 'confirmation:RejectReply'/],
      ['the rejection of another request', (call) => ({ ...call, args: [other, ...call.args.slice(1)] }), /argument 1 is ".*-y", expected ".*-x"/],
    ];
    try {
      for (const [what, swap, problem] of swaps) {
        executor.submit = (principal, call, options) => honest(principal, call.transaction === 'RejectReply' ? swap(call) : call, options);
        const pending = await gw.post(callers.reviewer, `/v1/confirmations/${target}/reply/rejection`, { reason: 'amounts differ' });
        expect(pending.status, JSON.stringify(pending.body)).to.equal(202);
        let refusal: unknown;
        try {
          await completeOffline(gw, callers.reviewer, ids.reviewer, pending, { transaction: 'RejectReply', args: [target, 'amounts differ'] });
        } catch (err) {
          refusal = err;
        }
        expect(refusal, what).to.be.instanceOf(OfflineSigningRefusedError);
        expect((refusal as Error).message, what).to.match(problem);
        // The CLI refuses the same answer (exit 1, the difference printed).
        const cli = cliSign(pending.body, ids.reviewer, 'confirmation:RejectReply', [target, 'amounts differ']);
        expect([cli.status, cli.body], `${what}: ${cli.stderr}`).to.deep.equal([1, {}]);
        expect(cli.stderr, what).to.match(problem);
        // No signature left the caller: the proposal was never endorsed.
        expect((await gw.get(callers.reviewer, `/v1/transactions/${pending.body.transactionId as string}`)).body.stage, what).to.equal('proposed');
      }
    } finally {
      executor.submit = honest;
    }
    for (const confirmation of [target, other]) {
      expect((await gw.get(bank, `/v1/confirmations/${confirmation}`)).body.state, confirmation).to.equal(ConfirmationState.ReplyPrepared);
    }
    // The honest gateway's rejection is checked and signed by the CLI, step by step, and commits.
    const pending = await gw.post(callers.reviewer, `/v1/confirmations/${target}/reply/rejection`, { reason: 'amounts differ' });
    const txId = pending.body.transactionId as string;
    const proposalSigned = cliSign(pending.body, ids.reviewer, 'confirmation:RejectReply', [target, 'amounts differ']);
    expect(proposalSigned.status, proposalSigned.stderr).to.equal(0);
    const endorsed = await gw.post(callers.reviewer, `/v1/transactions/${txId}/endorsement`, proposalSigned.body);
    expect(endorsed.status, JSON.stringify(endorsed.body)).to.equal(200);
    const transactionSigned = cliSign(endorsed.body, ids.reviewer, 'confirmation:RejectReply', [target, 'amounts differ'], ['--transaction-id', txId]);
    expect(Object.keys(transactionSigned.body), transactionSigned.stderr).to.have.members(['signature', 'commitSignature']);
    const done = await gw.post(callers.reviewer, `/v1/transactions/${txId}/submission`, transactionSigned.body);
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.result.state).to.equal(ConfirmationState.Accepted);
  });

  // Issue 10 §3 with §4: delivery must seal the letter to the bank alone; a gateway that slips in
  // another recipient is caught by the client's own check, because it compares what it widened.
  it('a compromised gateway that seals the letter to someone else at authorization gets no signature: nothing endorsed, the bank still cannot read it', async function () {
    const target = `${id}-w`;
    const firm = gw.custodial('firm1', 'auditor2');
    const bank = gw.custodial('bank1', 'officer2');
    const issued = await gw.post(firm, '/v1/confirmations', bankLetterRequest(target, `ENG-${run}`, distinctiveAccountNumber()));
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    const letterCiphertext = await addRecipients(issued.body.letter.ciphertext as string, held.client.keys, [recipientOf(held.bank.record)]);
    const asked: AskedCall = { transaction: 'ClientAuthorize', args: [target, jsonArgumentWith({ feeConsent: true, letterCiphertext })] };
    const executor = gw.app.get(TransactionExecutor);
    const honest = executor.submit.bind(executor);
    executor.submit = async (principal, call, options) => {
      if (call.transaction !== 'ClientAuthorize') return honest(principal, call, options);
      // The gateway holds CLIENT1's key too: it widens the letter to the bank and the firm's rival.
      const input = JSON.parse(call.args[1] as string) as { letterCiphertext: string };
      const outsider = await addRecipients(input.letterCiphertext, held.client.keys, [{ kid: 'OUTSIDER-enc-1', jwk: recipientOf(held.firm.record).jwk }]);
      return honest(principal, { ...call, args: [call.args[0] as string, JSON.stringify({ ...input, letterCiphertext: outsider })] }, options);
    };
    const pending = await gw.post(callers.client, `/v1/confirmations/${target}/authorization`, { feeConsent: true, letterCiphertext }).finally(() => {
      executor.submit = honest;
    });
    expect(pending.status, JSON.stringify(pending.body)).to.equal(202);
    let refusal: unknown;
    try {
      await completeOffline(gw, callers.client, ids.client, pending, asked);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).to.be.instanceOf(OfflineSigningRefusedError);
    expect((refusal as Error).message).to.match(/letterCiphertext/);
    expect((await gw.get(callers.client, `/v1/transactions/${pending.body.transactionId as string}`)).body.stage).to.equal('proposed');
    expect((await gw.get(bank, `/v1/confirmations/${target}`)).status).to.equal(404);
    // The honest proposal of the same authorization is signed and commits.
    const done = await completeOffline(gw, callers.client, ids.client, await gw.post(callers.client, `/v1/confirmations/${target}/authorization`, { feeConsent: true, letterCiphertext }), asked);
    expect(done.body.result.state, JSON.stringify(done.body)).to.equal(ConfirmationState.Authorized);
    expect((await gw.get(bank, `/v1/confirmations/${target}`)).body.letter.readable).to.equal('decrypted');
  });
});
