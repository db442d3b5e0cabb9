import { ConfirmationState } from '@econfirm/common';
import { findIdentity } from '@econfirm/sdk';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { agreeingReply, bankLetterRequest, TestGateway } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { distinctiveAccountNumber } from '../support/letters';
import { descriptor, networkScript, REPO_ROOT, uniqueName } from '../support/network';

/** Debian's SoftHSM (scripts/lib/system-packages.sh installs softhsm2): a real PKCS#11 token. */
const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '4321';

/**
 * Custodial keys in PKCS#11: a bank officer's Fabric key is imported into a SoftHSM token
 * under its certificate's SKI (printed by the gateway CLI) and its key file is taken away. The
 * gateway, configured with `hsm`, accepts and prepares a reply as that officer — signing only
 * through the token. A wrong PIN is refused with HSM_UNAVAILABLE and nothing is written; a gateway
 * without the PIN in its environment does not start.
 */
describe('gateway e2e: custodial keys in an HSM (SoftHSM over PKCS#11)', function () {
  this.timeout(180_000);
  const run = uniqueName('hsm');
  const name = `hsm-${run.replace(/[^A-Za-z0-9]/g, '').slice(-12)}`;
  const token = `econfirm-${run.replace(/[^A-Za-z0-9]/g, '').slice(-12)}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-hsm-'));
  const id = `CF-${run}`;
  let keyPath = '';
  let gw: TestGateway | undefined;
  const saved = { conf: process.env.SOFTHSM2_CONF, pin: process.env.ECONFIRM_HSM_PIN };

  const hsmConfig = (pinEnv = 'ECONFIRM_HSM_PIN') => ({ hsm: { library: SOFTHSM, tokenLabel: token, pinEnv, identities: [`bank1/${name}`] } });

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1');
    networkScript('identity.sh', 'issue', 'bank1', name, 'bank-officer');
    const files = findIdentity(descriptor(), 'bank1', name);
    keyPath = files.keyPath;
    // The token lives in this test's folder (SoftHSM reads its config from SOFTHSM2_CONF at C_Initialize).
    mkdirSync(path.join(dir, 'tokens'));
    writeFileSync(path.join(dir, 'softhsm2.conf'), `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    process.env.SOFTHSM2_CONF = path.join(dir, 'softhsm2.conf');
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', token, '--pin', PIN, '--so-pin', '87654321'], { stdio: 'ignore' });
    const keyId = execFileSync(process.execPath, [path.join(REPO_ROOT, 'gateway', 'dist', 'cli.js'), 'hsm', 'key-id', '--cert', files.certPath], { encoding: 'utf8' }).trim();
    execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', keyPath, '-out', path.join(dir, 'key.pem')]);
    execFileSync('softhsm2-util', ['--import', path.join(dir, 'key.pem'), '--token', token, '--label', name, '--id', keyId, '--pin', PIN], { stdio: 'ignore' });
    rmSync(path.join(dir, 'key.pem'));
    // From here the key exists only in the token.
    renameSync(keyPath, `${keyPath}.away`);

    const issuer = await TestGateway.start();
    try {
      const auditor = issuer.custodial('firm1', 'auditor1');
      const clientSigner = issuer.custodial('client1', 'client1');
      expect((await issuer.post(auditor, '/v1/confirmations', bankLetterRequest(id, `ENG-${run}`, distinctiveAccountNumber()))).status).to.equal(201);
      expect((await issuer.post(clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true })).body.state).to.equal(ConfirmationState.Authorized);
    } finally {
      await issuer.close();
    }
  });

  after(async function () {
    await gw?.close();
    if (keyPath && existsSync(`${keyPath}.away`)) renameSync(`${keyPath}.away`, keyPath);
    rmSync(dir, { recursive: true, force: true });
    for (const [env, value] of [['SOFTHSM2_CONF', saved.conf], ['ECONFIRM_HSM_PIN', saved.pin]] as const) {
      if (value === undefined) delete process.env[env];
      else process.env[env] = value;
    }
  });

  it('without the PIN in its environment the gateway does not start, naming the variable', async function () {
    let failure: unknown;
    try {
      await (await TestGateway.start(hsmConfig('ECONFIRM_TEST_HSM_PIN_UNSET'))).close();
    } catch (err) {
      failure = err;
    }
    expect(String(failure)).to.contain('ECONFIRM_TEST_HSM_PIN_UNSET');
  });

  it('a wrong PIN: 503 HSM_UNAVAILABLE, nothing written', async function () {
    process.env.ECONFIRM_HSM_PIN = '0000';
    const wrong = await TestGateway.start(hsmConfig());
    try {
      const res = await wrong.post(wrong.custodial('bank1', name), `/v1/confirmations/${id}/acceptance`);
      expect(res.status, JSON.stringify(res.body)).to.equal(503);
      expect(res.body.error.code).to.equal('HSM_UNAVAILABLE');
      expect((await wrong.get(wrong.custodial('firm1', 'auditor1'), `/v1/confirmations/${id}`)).body.state).to.equal(ConfirmationState.Authorized);
    } finally {
      // One PKCS#11 initialization per process at a time: this gateway lets go of the library before the next opens it.
      await wrong.close();
    }
  });

  it('the officer whose key is only in the token accepts and prepares a signed reply; the ledger names it', async function () {
    expect(existsSync(keyPath), 'the key file is away').to.equal(false);
    process.env.ECONFIRM_HSM_PIN = PIN;
    gw = await TestGateway.start(hsmConfig());
    const officer = gw.custodial('bank1', name);
    const accepted = await gw.post(officer, `/v1/confirmations/${id}/acceptance`);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    expect(accepted.body.state).to.equal(ConfirmationState.Accepted);
    const prepared = await gw.post(officer, `/v1/confirmations/${id}/reply`, { content: agreeingReply() });
    expect(prepared.status, JSON.stringify(prepared.body)).to.equal(200);
    expect(prepared.body.reply.preparedBy).to.contain(`CN=${name}@bank1`);
    expect(existsSync(keyPath), 'still no key file').to.equal(false);
  });
});
