import { ConfirmationState, type Institution } from '@econfirm/common';
import { LedgerCallError, recipientKids, submitAndWait, type InstitutionPrivateKeys } from '@econfirm/sdk';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { demoKeyStore, ensureDemoInstitutions } from '../support/institutions';
import { agreeingReply, bankLetterRequest, type Caller, TestGateway } from '../support/gateway';
import { distinctiveAccountNumber } from '../support/letters';
import { REPO_ROOT, uniqueName, withLedger } from '../support/network';

/**
 * Key rotation without losing old content: FIRM1 and BANK1 rotate their keys with the gateway's
 * CLI (`keys rotate`, RotateInstitutionKeys as the operator's admin) while the gateway runs. A
 * letter issued before is still readable by the firm and answerable by the bank (the gateway
 * keeps the retired private keys and picks the key by the JWE's recipient kid), an old reply's
 * signature still verifies, and new letters are sealed to the new kids as soon as the registry
 * events reach the gateway (its registry cache is invalidated by them).
 */
describe('gateway e2e: institution key rotation keeps old content readable', function () {
  this.timeout(240_000);
  const run = uniqueName('rot');
  let gw: TestGateway;
  let auditor: Caller, clientSigner: Caller, officer: Caller, reviewer: Caller;
  let bankAdmin: Caller;
  let configFile: string;
  const before1: Partial<Record<'FIRM1' | 'BANK1', InstitutionPrivateKeys>> = {};

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    gw = await TestGateway.start({
      events: { enabled: true, webhookMaxAttempts: 5, webhookBackoffMs: 300, webhookMaxBackoffMs: 1500, webhookTimeoutMs: 3000, heartbeatMs: 500, reconnectBackoffMs: 200, webhookEgress: { allowPrivateNetworks: false, allowedHosts: ['127.0.0.0/8'] } },
    });
    ({ auditor, clientSigner, officer, reviewer } = gw.demoCallers());
    bankAdmin = gw.custodial('bank1', 'admin');
    // The CLI reads the same config (database, descriptor, keysDir) as the running gateway.
    configFile = path.join(path.dirname(gw.config.dbPath), 'config.json');
    writeFileSync(configFile, JSON.stringify(gw.config));
  });

  after(async function () {
    await gw?.close();
  });

  const issue = async (id: string, account: string) => {
    const res = await gw.post(auditor, '/v1/confirmations', bankLetterRequest(id, `ENG-${run}`, account));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res;
  };
  const step = async (caller: Caller, url: string, body: object = {}) => {
    const res = await gw.post(caller, url, body);
    expect(res.status, `${url}: ${JSON.stringify(res.body)}`).to.equal(200);
    return res;
  };
  const answer = async (id: string) => {
    await step(officer, `/v1/confirmations/${id}/acceptance`);
    await step(officer, `/v1/confirmations/${id}/reply`, { content: agreeingReply() });
    return step(reviewer, `/v1/confirmations/${id}/reply/approval`);
  };
  const rotateWithCli = (tenant: string): string =>
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'gateway', 'dist', 'cli.js'), 'keys', 'rotate', '--tenant', tenant, '--as', 'operator/admin'], {
      env: { ...process.env, ECONFIRM_GATEWAY_CONFIG: configFile },
      encoding: 'utf8',
    });

  const oldLetter = `CF-${run}-old`;
  const repliedBefore = `CF-${run}-replied`;
  const oldAccount = distinctiveAccountNumber();

  it('before the rotation: one letter authorized (not yet answered), one answered', async function () {
    await issue(oldLetter, oldAccount);
    await step(clientSigner, `/v1/confirmations/${oldLetter}/authorization`, { feeConsent: true });
    await issue(repliedBefore, distinctiveAccountNumber());
    await step(clientSigner, `/v1/confirmations/${repliedBefore}/authorization`, { feeConsent: true });
    expect((await answer(repliedBefore)).body.state).to.equal(ConfirmationState.Replied);
    before1.FIRM1 = demoKeyStore().load('FIRM1');
    before1.BANK1 = demoKeyStore().load('BANK1');
  });

  it('a bank admin cannot rotate through its gateway route: FORBIDDEN, naming what the registry requires', async function () {
    const own = await gw.post(bankAdmin, '/v1/institutions/BANK1/keys/rotation');
    expect(own.status, JSON.stringify(own.body)).to.equal(403);
    expect(own.body.error.code).to.equal('FORBIDDEN');
    expect(own.body.error.message).to.contain('keys rotate');
    expect(own.body.error.details.requires).to.deep.equal({ role: 'admin', mspId: 'OperatorMSP' });
    const other = await gw.post(bankAdmin, '/v1/institutions/FIRM1/keys/rotation');
    expect(other.status).to.equal(403);
    expect(other.body.error.message).to.contain('only its own');
    // Nothing was staged or rotated.
    expect(demoKeyStore().load('BANK1').pending).to.equal(undefined);
    expect(demoKeyStore().load('BANK1').encryption.kid).to.equal(before1.BANK1?.encryption.kid);
  });

  it('FIRM1 and BANK1 rotate with the CLI; the old private keys stay in the key store as retired', async function () {
    const lastSequence = (await gw.get(auditor, '/v1/events?limit=1')).body.lastSequence as number;
    for (const [tenant, id] of [['firm1', 'FIRM1'], ['bank1', 'BANK1']] as const) {
      const out = rotateWithCli(tenant);
      const old = before1[id] as InstitutionPrivateKeys;
      const now = demoKeyStore().load(id);
      expect(out).to.contain(`retired`).and.to.contain(old.encryption.kid);
      expect(now.pending).to.equal(undefined);
      expect(now.encryption.kid).not.to.equal(old.encryption.kid);
      expect(now.signing.kid).not.to.equal(old.signing.kid);
      expect(now.retired?.map((k) => k.kid)).to.include.members([old.encryption.kid, old.signing.kid]);
      const keys = await gw.get(auditor, `/v1/institutions/${id}/keys`);
      expect(keys.body.encryptionKey.kid).to.equal(now.encryption.kid);
      expect((keys.body.retiredKeys as Institution['retiredKeys']).map((k) => k.kid)).to.include.members([old.encryption.kid, old.signing.kid]);
    }
    // The registry events reach the gateway (and drop its cached records of both).
    const seen = new Set<string>();
    for (let i = 0; i < 120 && seen.size < 2; i++) {
      const res = await gw.get(auditor, `/v1/events?after=${lastSequence}&type=InstitutionUpdated&limit=500`);
      for (const e of res.body.events as Array<{ ids: string[]; change?: string }>) if (e.change === 'keys') e.ids.forEach((x) => seen.add(x));
      if (seen.size < 2) await new Promise((r) => setTimeout(r, 250));
    }
    expect([...seen]).to.include.members(['FIRM1', 'BANK1']);
  });

  it('the letter issued before the rotation: the firm and the bank still read it', async function () {
    for (const caller of [auditor, officer]) {
      const res = await gw.get(caller, `/v1/confirmations/${oldLetter}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.letter.readable).to.equal('decrypted');
      expect(res.body.letter.content.sections.deposits.rows[0].accountNo).to.equal(oldAccount);
      expect(recipientKids(res.body.letter.ciphertext)).to.include(before1.FIRM1?.encryption.kid);
    }
  });

  it('the bank answers the old letter after the rotation: signed with its new key, sealed to the firm\'s new key; the firm reads it', async function () {
    expect((await answer(oldLetter)).body.state).to.equal(ConfirmationState.Replied);
    const firmView = await gw.get(auditor, `/v1/confirmations/${oldLetter}`);
    const bankNow = demoKeyStore().load('BANK1');
    const firmNow = demoKeyStore().load('FIRM1');
    expect(firmView.body.reply.readable).to.equal('decrypted');
    expect(firmView.body.reply.signatureValid).to.equal(true);
    expect(firmView.body.reply.signingKid).to.equal(bankNow.signing.kid);
    expect(recipientKids(firmView.body.reply.ciphertext)).to.include(firmNow.encryption.kid).and.not.include(before1.FIRM1?.encryption.kid);
    expect((await step(auditor, `/v1/confirmations/${oldLetter}/auditor-acceptance`)).body.state).to.equal(ConfirmationState.AuditorAccepted);
  });

  it('a reply sealed and signed before the rotation still opens and its signature (retired kid) still verifies', async function () {
    const res = await gw.get(auditor, `/v1/confirmations/${repliedBefore}`);
    expect(res.body.reply.readable).to.equal('decrypted');
    expect(res.body.reply.signingKid).to.equal(before1.BANK1?.signing.kid);
    expect(res.body.reply.signatureValid).to.equal(true);
  });

  it("the firm's evidence PDF of a request sealed before the rotation is generated (letter and reply opened with the retired key)", async function () {
    expect((await step(auditor, `/v1/confirmations/${repliedBefore}/auditor-acceptance`)).body.state).to.equal(ConfirmationState.AuditorAccepted);
    const pdf = await gw.getBytes(auditor, `/v1/confirmations/${repliedBefore}/evidence.pdf`);
    const bytes = pdf.body as Buffer;
    expect(pdf.status, pdf.status === 200 ? '' : bytes.toString('utf8')).to.equal(200);
    expect(bytes.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
  });

  it('a new letter is sealed to the new kids only: the firm\'s at issue, the bank\'s at authorization', async function () {
    const id = `CF-${run}-new`;
    const res = await issue(id, distinctiveAccountNumber());
    const firmNow = demoKeyStore().load('FIRM1');
    const bankNow = demoKeyStore().load('BANK1');
    expect(recipientKids(res.body.letter.ciphertext)).to.deep.equal([firmNow.encryption.kid, demoKeyStore().load('CLIENT1').encryption.kid]);
    expect(res.body.letter.readable).to.equal('decrypted');
    const authorized = await step(clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true });
    const kids = recipientKids(authorized.body.letter.ciphertext);
    expect(kids).to.include.members([firmNow.encryption.kid, bankNow.encryption.kid]);
    expect(kids).not.to.include(before1.FIRM1?.encryption.kid);
    expect(kids).not.to.include(before1.BANK1?.encryption.kid);
  });

  it('an institution whose gateway cannot submit registry writes: --stage-only, the operator submits the printed keys, a re-run finishes', async function () {
    const run = (...extra: string[]) =>
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'gateway', 'dist', 'cli.js'), 'keys', 'rotate', '--tenant', 'firm1', ...extra], {
        env: { ...process.env, ECONFIRM_GATEWAY_CONFIG: configFile },
        encoding: 'utf8',
      });
    const current = demoKeyStore().load('FIRM1');
    const staged = JSON.parse(run('--stage-only', 'true')) as { transaction: string; args: [string, { encryptionKey: { kid: string }; signingKey: { kid: string } }, string] };
    expect(staged.transaction).to.equal('RotateInstitutionKeys');
    expect(JSON.stringify(staged)).not.to.contain('"d"');
    const afterStage = demoKeyStore().load('FIRM1');
    expect(afterStage.encryption.kid).to.equal(current.encryption.kid);
    expect(afterStage.pending?.encryption.kid).to.equal(staged.args[1].encryptionKey.kid);
    // The operator, elsewhere, with only the public halves and FIRM1's consent (alone it is refused).
    const alone = await withLedger('operator', 'admin', (admin) => submitAndWait(admin.contract('registry'), 'RotateInstitutionKeys', { arguments: [staged.args[0], JSON.stringify(staged.args[1]), ''] }).then(() => undefined, (err: unknown) => err));
    expect(alone).to.be.instanceOf(LedgerCallError);
    expect((alone as LedgerCallError).code).to.equal('CONSENT_REQUIRED');
    await withLedger('operator', 'admin', (admin) => submitAndWait(admin.contract('registry'), 'RotateInstitutionKeys', { arguments: [staged.args[0], JSON.stringify(staged.args[1]), staged.args[2]] }));
    expect(run()).to.contain('finished a staged rotation');
    const finished = demoKeyStore().load('FIRM1');
    expect(finished.pending).to.equal(undefined);
    expect(finished.encryption.kid).to.equal(staged.args[1].encryptionKey.kid);
    expect(finished.retired?.map((k) => k.kid)).to.include.members([current.encryption.kid, before1.FIRM1?.encryption.kid]);
    // Two rotations later the first letter still opens.
    const res = await gw.get(auditor, `/v1/confirmations/${oldLetter}`);
    expect(res.body.letter.readable).to.equal('decrypted');
  });
});
