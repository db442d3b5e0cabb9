import { ConfirmationState } from '@econfirm/common';
import { findIdentity } from '@econfirm/sdk';
import { signers } from '@hyperledger/fabric-gateway';
import { expect } from 'chai';
import { ensureDemoInstitutions } from '../support/institutions';
import { agreeingReply, bankLetterRequest, type Caller, TestGateway } from '../support/gateway';
import { completeOffline, enrollOfflineIdentity, offlineCaller, opensslDigestSigner, type OfflineIdentity } from '../support/gateway-offline';
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

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1');
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
    const pending = await gw.post(callers.auditor, '/v1/confirmations', bankLetterRequest(id, `ENG-${run}`, account));
    expect(pending.status, JSON.stringify(pending.body)).to.equal(202);
    expect(Buffer.from(pending.body.proposalDigest as string, 'base64')).to.have.length(32);
    const status = await gw.get(callers.auditor, `/v1/transactions/${pending.body.transactionId as string}`);
    expect(status.body.stage).to.equal('proposed');
    const done = await completeOffline(gw, callers.auditor, ids.auditor, pending);
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
    const read = await completeOffline(gw, callers.client, ids.client, await gw.get(callers.client, `/v1/confirmations/${id}`));
    expect(read.status, JSON.stringify(read.body)).to.equal(200);
    expect(read.body.result.letter.content.sections.deposits.rows[0].accountNo).to.equal(account);
  });

  it('authorize, accept, prepare (signed reply), approve and auditor-accept — each signed offline', async function () {
    const steps: Array<[keyof typeof ids, string, object, string]> = [
      ['client', `/v1/confirmations/${id}/authorization`, { feeConsent: true }, ConfirmationState.Authorized],
      ['officer', `/v1/confirmations/${id}/acceptance`, {}, ConfirmationState.Accepted],
      ['officer', `/v1/confirmations/${id}/reply`, { content: agreeingReply() }, ConfirmationState.ReplyPrepared],
      ['reviewer', `/v1/confirmations/${id}/reply/approval`, {}, ConfirmationState.Replied],
      ['auditor', `/v1/confirmations/${id}/auditor-acceptance`, {}, ConfirmationState.AuditorAccepted],
    ];
    for (const [who, url, body, state] of steps) {
      const done = await completeOffline(gw, callers[who], ids[who], await gw.post(callers[who], url, body));
      expect(done.status, `${url}: ${JSON.stringify(done.body)}`).to.equal(200);
      expect(done.body.result.state, url).to.equal(state);
    }
    const final = await completeOffline(gw, callers.auditor, ids.auditor, await gw.get(callers.auditor, `/v1/confirmations/${id}`));
    expect(final.body.result.reply.content).to.deep.equal(agreeingReply());
    expect(final.body.result.reply.signatureValid).to.equal(true);
    expect(final.body.result.reply.preparedBy).to.contain(`off-${tag}`);
    expect(final.body.result.reply.approvedBy).to.contain(`rev-${tag}`);
  });

  it('signatures from openssl with a high S (which Fabric refuses as they are) are normalized by the gateway and commit', async function () {
    const hsm = enrollOfflineIdentity('firm1', `ossl-${tag}`, 'auditor', 'FIRM1');
    const caller = offlineCaller(gw, 'firm1', hsm);
    const openssl = opensslDigestSigner(hsm);
    try {
      const pending = await gw.post(caller, '/v1/confirmations', bankLetterRequest(`${id}-o`, `ENG-${run}`, distinctiveAccountNumber()));
      expect(pending.status, JSON.stringify(pending.body)).to.equal(202);
      const txId = pending.body.transactionId as string;
      const endorsed = await gw.post(caller, `/v1/transactions/${txId}/endorsement`, { signature: await openssl.sign(pending.body.proposalDigest as string, true) });
      expect(endorsed.status, JSON.stringify(endorsed.body)).to.equal(200);
      const done = await gw.post(caller, `/v1/transactions/${txId}/submission`, {
        signature: await openssl.sign(endorsed.body.transactionDigest as string, true),
        commitSignature: await openssl.sign(endorsed.body.commitDigest as string, true),
      });
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
    // The reviewer's key signs the auditor's proposal: the peers refuse the endorsement.
    const wrong = Buffer.from(await signers.newPrivateKeySigner(ids.reviewer.privateKey)(Buffer.from(pending.body.proposalDigest as string, 'base64'))).toString('base64');
    const refused = await gw.post(callers.auditor, `/v1/transactions/${pending.body.transactionId as string}/endorsement`, { signature: wrong });
    expect(refused.status, JSON.stringify(refused.body)).to.be.within(400, 499);
    expect(refused.body.error.code).to.be.oneOf(['IDENTITY_REFUSED', 'ENDORSEMENT_FAILED', 'FORBIDDEN']);
    const after = await completeOffline(gw, callers.auditor, ids.auditor, await gw.get(callers.auditor, `/v1/confirmations/${id}`));
    expect(after.body.result.state).to.equal(ConfirmationState.AuditorAccepted);
  });

  it("another tenant's credential cannot see or sign someone else's pending transaction", async function () {
    const pending = await gw.post(callers.auditor, `/v1/confirmations/${id}/recall`, { reason: 'test' });
    const txId = pending.body.transactionId as string;
    expect((await gw.get(callers.officer, `/v1/transactions/${txId}`)).status).to.equal(404);
    expect((await gw.post(callers.officer, `/v1/transactions/${txId}/endorsement`, { signature: 'MEUCIQ==' })).status).to.equal(404);
  });

  it('a pending proposal survives a gateway restart: signed after the restart, it commits', async function () {
    const pending = await gw.post(callers.auditor, '/v1/confirmations', bankLetterRequest(`${id}-r`, `ENG-${run}`, distinctiveAccountNumber()));
    expect(pending.status).to.equal(202);
    await gw.restart();
    // This time the caller signs only proposal and transaction; the gateway observes the commit.
    const done = await completeOffline(gw, callers.auditor, ids.auditor, pending, { signCommitStatus: false });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expect(done.body.result.id).to.equal(`${id}-r`);
    const status = await gw.get(callers.auditor, `/v1/transactions/${pending.body.transactionId as string}`);
    expect(status.body.stage).to.equal('committed');
  });

  it('a commit-status signature that does not verify: 504 COMMIT_STATUS_UNKNOWN, and asking again with a good one does not resubmit', async function () {
    const pending = await gw.post(callers.auditor, '/v1/confirmations', bankLetterRequest(`${id}-s`, `ENG-${run}`, distinctiveAccountNumber()));
    const sign = (identity: OfflineIdentity, digest: string) => signers.newPrivateKeySigner(identity.privateKey)(Buffer.from(digest, 'base64')).then((s) => Buffer.from(s).toString('base64'));
    const txId = pending.body.transactionId as string;
    const endorsed = await gw.post(callers.auditor, `/v1/transactions/${txId}/endorsement`, { signature: await sign(ids.auditor, pending.body.proposalDigest as string) });
    const transactionSignature = await sign(ids.auditor, endorsed.body.transactionDigest as string);
    const unknown = await gw.post(callers.auditor, `/v1/transactions/${txId}/submission`, {
      signature: transactionSignature,
      commitSignature: await sign(ids.reviewer, endorsed.body.commitDigest as string),
    });
    expect(unknown.status, JSON.stringify(unknown.body)).to.equal(504);
    expect(unknown.body.error.code).to.equal('COMMIT_STATUS_UNKNOWN');
    expect((await gw.get(callers.auditor, `/v1/transactions/${txId}`)).body.stage).to.equal('submitted');
    const done = await gw.post(callers.auditor, `/v1/transactions/${txId}/submission`, {
      signature: transactionSignature,
      commitSignature: await sign(ids.auditor, endorsed.body.commitDigest as string),
    });
    // Stage 'submitted': this second call only asks for the commit status of the one ordered copy.
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expect(done.body.status).to.equal('VALID');
    expect(done.body.result.id).to.equal(`${id}-s`);
  });
});
