import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, validateGatewayConfig, type GatewayConfig } from '../config/gateway-config';
import { HsmCustody, hsmKeyIdentifier, oneAtATime } from './hsm-custody';

const BASE = { dbPath: 'g.db', networkDescriptorPath: 'n.json', keysDir: 'keys', tenants: [{ id: 'bank1', institutionId: 'BANK1', orgKey: 'bank1' }] };

function problems(raw: unknown): string[] {
  try {
    validateGatewayConfig(raw, '/etc/econfirm');
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('HSM custody (PKCS#11)', function () {
  it('config: absent by default; library relative to the config file, PIN variable ECONFIRM_HSM_PIN unless named', function () {
    expect(validateGatewayConfig(BASE, '/etc/econfirm').hsm).to.equal(undefined);
    const config = validateGatewayConfig({ ...BASE, hsm: { library: 'lib/p11.so', tokenLabel: 'bank1', identities: ['bank1/officer9'] } }, '/etc/econfirm');
    expect(config.hsm).to.deep.equal({ library: '/etc/econfirm/lib/p11.so', tokenLabel: 'bank1', pinEnv: 'ECONFIRM_HSM_PIN', identities: ['bank1/officer9'] });
  });

  it('config: every problem with its path (missing fields, a PIN written in the file, unknown tenants, malformed names)', function () {
    expect(problems({ ...BASE, hsm: { pin: '1234', pinEnv: 'lower-case', identities: ['bank2/officer1', 'officer1', 'bank1/a/b'] } })).to.include.members([
      'hsm.pin: unknown field',
      'hsm.library: must be a non-empty string',
      'hsm.tokenLabel: must be a non-empty string',
      'hsm.pinEnv: the name of an environment variable (A-Z, 0-9, _)',
      "hsm.identities[0]: no tenant 'bank2'",
      "hsm.identities[1]: '<tenantId>/<identityName>'",
      "hsm.identities[2]: '<tenantId>/<identityName>'",
    ]);
    expect(problems({ ...BASE, hsm: { library: 'x.so', tokenLabel: 't', identities: [] } })).to.include("hsm.identities: a non-empty array of '<tenantId>/<identityName>'");
  });

  it('the key identifier is the SKI openssl computes: sha256 of the certificate\'s uncompressed public point', function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-ski-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-subj', '/CN=ski', '-days', '1'], { stdio: 'ignore' });
      const spki = execFileSync('openssl', ['x509', '-in', path.join(dir, 'c.pem'), '-noout', '-pubkey']);
      writeFileSync(path.join(dir, 'pub.pem'), spki);
      const der = execFileSync('openssl', ['pkey', '-pubin', '-in', path.join(dir, 'pub.pem'), '-outform', 'DER']);
      const expected = execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: der.subarray(der.length - 65) }).toString().trim().split(' ').pop();
      expect(hsmKeyIdentifier(readFileSync(path.join(dir, 'c.pem'))).toString('hex')).to.equal(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without the PIN in its environment variable, naming it', function () {
    const config = validateGatewayConfig({ ...BASE, hsm: { library: '/nonexistent.so', tokenLabel: 't', pinEnv: 'ECONFIRM_TEST_NO_SUCH_PIN', identities: ['bank1/officer9'] } }, '/x') as GatewayConfig;
    expect(() => new HsmCustody(config)).to.throw('ECONFIRM_TEST_NO_SUCH_PIN');
    const custody = new HsmCustody(validateGatewayConfig(BASE, '/x'));
    expect(custody.holds('bank1', 'officer9')).to.equal(false);
  });

  it('one signature at a time per token session, in call order; a failed one does not block the next', async function () {
    let busy = false;
    const order: number[] = [];
    const token = async (digest: Uint8Array): Promise<Uint8Array> => {
      if (busy) throw new Error('CKR_OPERATION_ACTIVE');
      busy = true;
      await new Promise((resolve) => setTimeout(resolve, 5));
      busy = false;
      if (digest[0] === 9) throw new Error('CKR_DEVICE_ERROR');
      order.push(digest[0] as number);
      return digest;
    };
    const signer = oneAtATime(token);
    const results = await Promise.allSettled([1, 2, 9, 3].map((n) => signer(Uint8Array.of(n))));
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(order).to.deep.equal([1, 2, 3]);
    // Unqueued, the same token refuses concurrent use: the test above would see CKR_OPERATION_ACTIVE.
    const raw = await Promise.allSettled([1, 2].map((n) => token(Uint8Array.of(n))));
    expect(raw.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected']);
  });
});
