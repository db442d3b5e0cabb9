import { AnchoringService, openHsmEvmSigner, type AnchorBatchRow } from '@econfirm/gateway';
import { defaultDescriptorPath, findIdentity } from '@econfirm/sdk';
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { computeAddress, Contract, parseEther, Signature, verifyMessage, verifyTypedData, Wallet, type JsonRpcProvider } from 'ethers';
import { anchoringOn, completeConfirmation, startAnchoringGateway, waitForBatches } from '../support/anchoring';
import { anchorContract, evmDeployment, evmProvider } from '../support/evm';
import { ensureDemoInstitutions } from '../support/institutions';
import { E2E_TENANTS } from '../support/gateway';
import { descriptor, networkScript, REPO_ROOT, uniqueName } from '../support/network';

/** Debian's SoftHSM (scripts/lib/system-packages.sh installs softhsm2): a real PKCS#11 token. */
const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '4321';
const HALF_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n / 2n;

/**
 * Issue 15: the anchorer's secp256k1 key in a PKCS#11 token (config `anchoring.hsm`). Keys are
 * imported into a SoftHSM token (their public halves kept aside by openssl, so the address the
 * signer derives from the token is checked against an independent one) and the key files removed.
 * The signer's signatures recover to its address, the development node accepts its transactions,
 * and the gateway anchors a batch with it; a key without the role is refused by the contract; a
 * missing or wrong PIN, an unknown label and a key on another curve stop the start-up.
 */
describe('public EVM anchoring with the anchorer key in an HSM (SoftHSM over PKCS#11, issue 15)', function () {
  this.timeout(240_000);
  const run = uniqueName('hsa').replace(/[^A-Za-z0-9-]/g, '');
  const token = `anchor-${run.replace(/[^A-Za-z0-9]/g, '').slice(-12)}`;
  const engagementId = `ENG-${run}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-hsm-anchor-'));
  const saved = { conf: process.env.SOFTHSM2_CONF, pin: process.env.ECONFIRM_HSM_PIN };
  const publicKeys: Record<string, string> = {};
  let provider: JsonRpcProvider;

  /** The `anchoring.hsm` key source for the key pair labelled `keyLabel` in this test's token. */
  const inToken = (keyLabel: string, pinEnv = 'ECONFIRM_HSM_PIN') => ({ hsm: { library: SOFTHSM, tokenLabel: token, pinEnv, keyLabel } });

  /** Generates a key with openssl, imports it into the token (private and public objects) and removes the file; answers the public point. */
  function importKey(curve: 'secp256k1' | 'prime256v1', label: string, id: string): string {
    const pem = path.join(dir, `${label}.pem`);
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', pem]);
    const spki = execFileSync('openssl', ['pkey', '-in', pem, '-pubout', '-outform', 'DER']);
    execFileSync('softhsm2-util', ['--import', pem, '--token', token, '--label', label, '--id', id, '--pin', PIN], { stdio: 'ignore' });
    rmSync(pem);
    return `0x${spki.subarray(spki.length - 65).toString('hex')}`;
  }

  async function startRefused(key: ReturnType<typeof inToken>): Promise<string> {
    try {
      const gw = await startAnchoringGateway(anchoringOn({ key, maxItems: 1 }));
      await gw.close();
    } catch (err) {
      return String(err);
    }
    throw new Error('the gateway started');
  }

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    // The token lives in this test's folder (SoftHSM reads its config from SOFTHSM2_CONF at C_Initialize).
    mkdirSync(path.join(dir, 'tokens'));
    writeFileSync(path.join(dir, 'softhsm2.conf'), `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    process.env.SOFTHSM2_CONF = path.join(dir, 'softhsm2.conf');
    process.env.ECONFIRM_HSM_PIN = PIN;
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', token, '--pin', PIN, '--so-pin', '87654321'], { stdio: 'ignore' });
    publicKeys.anchorer = importKey('secp256k1', 'anchorer', 'a1');
    publicKeys.stranger = importKey('secp256k1', 'stranger', 'a2');
    publicKeys.p256 = importKey('prime256v1', 'p256', 'a3');
    // From here the keys exist only in the token.

    provider = evmProvider();
    const admin = await provider.getSigner(0);
    const role = (await anchorContract(provider).getFunction('ANCHORER_ROLE')()) as string;
    // The admin's AccessControl call (not in the ABI econfirm's own code uses, which only anchors and reads).
    const roles = new Contract(evmDeployment().address, ['function grantRole(bytes32 role, address account)'], admin);
    await (await roles.getFunction('grantRole')(role, computeAddress(publicKeys.anchorer))).wait();
    // Gas money for both secp256k1 keys, so that only the role tells them apart.
    for (const key of [publicKeys.anchorer, publicKeys.stranger]) await (await admin.sendTransaction({ to: computeAddress(key), value: parseEther('1') })).wait();
  });

  after(function () {
    provider?.destroy();
    rmSync(dir, { recursive: true, force: true });
    for (const [env, value] of [['SOFTHSM2_CONF', saved.conf], ['ECONFIRM_HSM_PIN', saved.pin]] as const) {
      if (value === undefined) delete process.env[env];
      else process.env[env] = value;
    }
  });

  it('the signer\'s address is that of the token\'s public key (by label or id); its signatures are low-s and recover to it', async function () {
    const signer = await openHsmEvmSigner(inToken('anchorer').hsm);
    const byId = await openHsmEvmSigner({ library: SOFTHSM, tokenLabel: token, pinEnv: 'ECONFIRM_HSM_PIN', keyId: 'a1' });
    try {
      expect(signer.address).to.equal(computeAddress(publicKeys.anchorer as string));
      expect(byId.address).to.equal(signer.address);
      const parities = new Set<number>();
      // CKM_ECDSA gives a high s half the time and no recovery id: 16 signatures see both of each.
      for (let i = 0; i < 16; i++) {
        const message = `econfirm ${run} ${i}`;
        const signature = await signer.signMessage(message);
        expect(verifyMessage(message, signature)).to.equal(signer.address);
        const { s, yParity } = Signature.from(signature);
        expect(BigInt(s) <= HALF_N, `signature ${i} is low-s`).to.equal(true);
        parities.add(yParity);
      }
      expect([...parities].sort()).to.deep.equal([0, 1]);
      const domain = { name: 'econfirm', version: '1', chainId: 31337 };
      const types = { Batch: [{ name: 'root', type: 'bytes32' }] };
      const value = { root: `0x${'ab'.repeat(32)}` };
      expect(verifyTypedData(domain, types, value, await signer.signTypedData(domain, types, value))).to.equal(signer.address);
    } finally {
      signer.close();
      byId.close();
    }
  });

  it('the admin CLI prints the address the contract\'s admin grants the role to, from the gateway\'s config; an unknown label is refused', function () {
    const deployment = evmDeployment();
    const configFor = (keyLabel: string): string => {
      const file = path.join(dir, `gateway-${keyLabel}.json`);
      const anchoring = { rpcUrl: deployment.rpcUrl, chainId: deployment.chainId, contractAddress: deployment.address, recorder: 'operator/admin', ...inToken(keyLabel) };
      writeFileSync(file, JSON.stringify({ dbPath: path.join(dir, 'cli.db'), networkDescriptorPath: defaultDescriptorPath(REPO_ROOT), keysDir: dir, tenants: E2E_TENANTS, events: { enabled: true }, anchoring }));
      return file;
    };
    const cli = (config: string) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'gateway', 'dist', 'cli.js'), 'anchoring', 'address'], { encoding: 'utf8', env: { ...process.env, ECONFIRM_GATEWAY_CONFIG: config } });
    const printed = cli(configFor('anchorer'));
    expect(printed.status, printed.stderr).to.equal(0);
    expect(printed.stdout.trim()).to.equal(computeAddress(publicKeys.anchorer as string));
    const refused = cli(configFor('no-such-key'));
    expect(refused.status).to.equal(1);
    expect(refused.stderr).to.contain(`anchoring.hsm: no private key labelled 'no-such-key' in token '${token}'`);
  });

  it('transactions it signs are accepted by the development node, sent from its address', async function () {
    const signer = (await openHsmEvmSigner(inToken('anchorer').hsm)).connect(provider);
    try {
      for (let i = 0; i < 3; i++) {
        const sent = await signer.sendTransaction({ to: Wallet.createRandom().address, value: 1n });
        const receipt = await sent.wait();
        expect(receipt?.status).to.equal(1);
        expect(receipt?.from).to.equal(signer.address);
      }
    } finally {
      signer.close();
    }
  });

  it('the gateway anchors a batch with the HSM key: the contract names the token\'s address as the anchorer', async function () {
    const gw = await startAnchoringGateway(anchoringOn({ key: inToken('anchorer'), maxItems: 1 }));
    try {
      const address = computeAddress(publicKeys.anchorer as string);
      const id = `CF-${run}-H`;
      await completeConfirmation(gw, gw.demoCallers(), id, engagementId);
      expect((await gw.http().get('/readyz')).body.anchoring).to.include({ anchorer: address });
      const service = gw.app.get(AnchoringService);
      const itemId = `confirmation:${id}`;
      // The completion reaches the outbox through the chaincode event: wait for its item's batch, not for an idle service.
      await waitForBatches(service, `${itemId} anchored`, (batches) => batches.some((b) => b.state === 'confirmed' && b.root === service.store.item(itemId)?.batchRoot), 90_000);
      const root = service.store.item(itemId)?.batchRoot as string;
      const batch = service.store.batch(root) as AnchorBatchRow;
      const onChain = (await anchorContract(provider).getFunction('anchorOf')(root)) as { anchorer: string };
      expect(onChain.anchorer).to.equal(address);
      expect((await provider.getTransactionReceipt(batch.evmTx as string))?.from).to.equal(address);
    } finally {
      await gw.close();
    }
  });

  it('an HSM key without ANCHORER_ROLE anchors nothing: the contract refuses it and the batch waits', async function () {
    const gw = await startAnchoringGateway(anchoringOn({ key: inToken('stranger'), maxItems: 1 }));
    try {
      await completeConfirmation(gw, gw.demoCallers(), `CF-${run}-S`, engagementId);
      const service = gw.app.get(AnchoringService);
      const [refused] = await waitForBatches(service, 'refused by the contract', (b) => b.some((x) => x.state === 'recorded' && /AnchorUnauthorized/.test(x.lastError ?? '')));
      const batch = refused as AnchorBatchRow;
      expect(batch.evmTx).to.equal(undefined);
      expect(await anchorContract(provider).getFunction('isAnchored')(batch.root)).to.equal(false);
      expect((await gw.http().get('/readyz')).body.anchoring).to.include({ anchorer: computeAddress(publicKeys.stranger as string) });
    } finally {
      await gw.close();
    }
  });

  it('one token holds a bank officer\'s Fabric key and the anchorer\'s: the gateway signs with both, the module initialized once', async function () {
    const name = `hsa-${run.replace(/[^A-Za-z0-9]/g, '').slice(-12)}`;
    networkScript('identity.sh', 'issue', 'bank1', name, 'bank-officer');
    const files = findIdentity(descriptor(), 'bank1', name);
    const keyId = execFileSync(process.execPath, [path.join(REPO_ROOT, 'gateway', 'dist', 'cli.js'), 'hsm', 'key-id', '--cert', files.certPath], { encoding: 'utf8' }).trim();
    execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', files.keyPath, '-out', path.join(dir, 'officer.pem')]);
    execFileSync('softhsm2-util', ['--import', path.join(dir, 'officer.pem'), '--token', token, '--label', name, '--id', keyId, '--pin', PIN], { stdio: 'ignore' });
    rmSync(path.join(dir, 'officer.pem'));
    // Library, token and PIN variable of the anchorer's key come from the hsm section.
    const hsm = { library: SOFTHSM, tokenLabel: token, pinEnv: 'ECONFIRM_HSM_PIN', identities: [`bank1/${name}`] };
    const gw = await startAnchoringGateway(anchoringOn({ key: { hsm: { ...hsm, keyLabel: 'anchorer' } }, maxItems: 1 }), undefined, { hsm });
    try {
      const id = `CF-${run}-T`;
      // The officer's acceptance and reply are signed in the token (HsmCustody), the anchor too (the anchoring signer).
      await completeConfirmation(gw, { ...gw.demoCallers(), officer: gw.custodial('bank1', name) }, id, engagementId);
      const service = gw.app.get(AnchoringService);
      const itemId = `confirmation:${id}`;
      await waitForBatches(service, `${itemId} anchored`, (batches) => batches.some((b) => b.state === 'confirmed' && b.root === service.store.item(itemId)?.batchRoot), 90_000);
      const onChain = (await anchorContract(provider).getFunction('anchorOf')(service.store.item(itemId)?.batchRoot)) as { anchorer: string };
      expect(onChain.anchorer).to.equal(computeAddress(publicKeys.anchorer as string));
    } finally {
      await gw.close();
    }
  });

  describe('a key the gateway could not anchor with stops the start-up', function () {
    it('no PIN in the environment variable: names the variable', async function () {
      expect(await startRefused(inToken('anchorer', 'ECONFIRM_TEST_ANCHOR_PIN_UNSET'))).to.contain("anchoring.hsm: the token's PIN is not in the environment variable ECONFIRM_TEST_ANCHOR_PIN_UNSET");
    });

    it('a wrong PIN: the token refuses the login', async function () {
      process.env.ECONFIRM_TEST_ANCHOR_PIN_WRONG = '0000';
      try {
        expect(await startRefused(inToken('anchorer', 'ECONFIRM_TEST_ANCHOR_PIN_WRONG'))).to.contain(`anchoring.hsm: login to token '${token}' refused: CKR_PIN_INCORRECT`);
      } finally {
        delete process.env.ECONFIRM_TEST_ANCHOR_PIN_WRONG;
      }
    });

    it('an unknown key label: names the label and the token', async function () {
      expect(await startRefused(inToken('no-such-key'))).to.contain(`anchoring.hsm: no private key labelled 'no-such-key' in token '${token}'`);
    });

    it('a key on P-256: not secp256k1, the only curve of an EVM account', async function () {
      expect(await startRefused(inToken('p256'))).to.contain("anchoring.hsm: the key labelled 'p256' is on P-256, not secp256k1");
    });
  });
});
