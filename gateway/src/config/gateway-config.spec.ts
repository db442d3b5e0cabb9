import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, DEFAULT_LIMITS, loadGatewayConfig, validateGatewayConfig } from './gateway-config';

const minimal = { dbPath: 'gw.db', networkDescriptorPath: 'net/network.json', keysDir: 'keys', tenants: [{ id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' }] };

function problems(raw: unknown): string[] {
  try {
    validateGatewayConfig(raw, '/base');
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('gateway config', function () {
  it('fills defaults and resolves paths against the config file folder', function () {
    const config = validateGatewayConfig(minimal, '/base');
    expect(config.dbPath).to.equal('/base/gw.db');
    expect(config.networkDescriptorPath).to.equal('/base/net/network.json');
    expect(config.port).to.equal(8443);
    // The audience is the gateway's own URL, not one name every gateway shares.
    expect(config.publicUrl).to.equal('http://127.0.0.1:8443');
    expect(config.audience).to.equal('http://127.0.0.1:8443');
    expect(config.limits).to.deep.equal(DEFAULT_LIMITS);
    expect(config.deadlines.commitStatusMs).to.be.greaterThan(0);
    expect(config.evidence.dir).to.equal('/base/keys/evidence');
  });

  it('collects every problem at once, each with its path', function () {
    const found = problems({
      port: 70000,
      dbPath: '',
      tenants: [{ id: 'Bad Id', institutionId: 'FIRM1', orgKey: 'firm1', extra: 1 }, { id: 'x', institutionId: 'FIRM1', orgKey: 'firm1' }],
      limits: { tokenLifetimeSeconds: 3600 },
      logLevel: 'chatty',
      surprise: true,
    });
    expect(found).to.include.members([
      'port: must be an integer in [0, 65535]',
      'dbPath: must be a non-empty string',
      'networkDescriptorPath: must be a non-empty string',
      'keysDir: must be a non-empty string',
      "tenants[0].id: lowercase letters, digits and '-' only",
      'tenants[0].extra: unknown field',
      "tenants: institution 'FIRM1' is hosted twice",
      'limits.tokenLifetimeSeconds: must be an integer in [10, 300]',
      'surprise: unknown setting',
    ]);
    expect(found.some((p) => p.startsWith('logLevel'))).to.equal(true);
  });

  it('limits.rate and evidence.verifier: defaults, bounds and unknown fields', function () {
    const config = validateGatewayConfig(minimal, '/base');
    expect(config.limits.rate).to.deep.equal({ credentialPerMinute: 1200, tenantPerMinute: 6000 });
    expect(config.evidence.verifier).to.deep.equal({ maxPdfBytes: 20 * 1024 * 1024, workers: 2, queue: 8, timeoutSeconds: 30, workerHeapMb: 512 });
    const given = validateGatewayConfig({ ...minimal, limits: { rate: { credentialPerMinute: 3 } }, evidence: { verifier: { workers: 1, queue: 0 } } }, '/base');
    expect(given.limits.rate).to.deep.equal({ credentialPerMinute: 3, tenantPerMinute: 6000 });
    expect(given.evidence.verifier).to.include({ workers: 1, queue: 0, timeoutSeconds: 30 });
    expect(problems({ ...minimal, limits: { rate: { credentialPerMinute: 0, burst: 5 } }, evidence: { verifier: { workers: 0, threads: 2 } } })).to.include.members([
      'limits.rate.burst: unknown field',
      'limits.rate.credentialPerMinute: must be an integer in [1, 10000000]',
      'evidence.verifier.threads: unknown field',
      'evidence.verifier.workers: must be an integer in [1, 64]',
    ]);
    expect(problems({ ...minimal, evidence: { verifier: 'fast' } })).to.include('evidence.verifier: must be an object');
  });

  it('publicUrl: the audience follows it; an explicit audience stays; not a URL, a query or a fragment is refused', function () {
    const behindProxy = validateGatewayConfig({ ...minimal, publicUrl: 'https://gw.bank1.example/' }, '/base');
    expect([behindProxy.publicUrl, behindProxy.audience]).to.deep.equal(['https://gw.bank1.example', 'https://gw.bank1.example']);
    expect(validateGatewayConfig({ ...minimal, host: '::1', port: 9000 }, '/base').publicUrl).to.equal('http://[::1]:9000');
    expect(validateGatewayConfig({ ...minimal, publicUrl: 'https://gw.example', audience: 'bank1-gateway' }, '/base').audience).to.equal('bank1-gateway');
    for (const bad of ['gw.example', 'ftp://gw.example', 'https://gw.example/?a=1', 'https://gw.example/#x', 'https://u:p@gw.example']) {
      expect(problems({ ...minimal, publicUrl: bad }).some((p) => p.startsWith('publicUrl: must be')), bad).to.equal(true);
    }
  });

  it('needs at least one tenant and refuses duplicate tenant ids', function () {
    expect(problems({ ...minimal, tenants: [] })).to.include('tenants: at least one tenant is required');
    const dup = { ...minimal, tenants: [minimal.tenants[0], { id: 'firm1', institutionId: 'FIRM2', orgKey: 'firm2' }] };
    expect(problems(dup)).to.include("tenants: duplicate id 'firm1'");
  });

  it('loads a JSON file with environment overrides (port as a string, descriptor from ECONFIRM_NETWORK_DIR)', function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'gwcfg-'));
    const { networkDescriptorPath: _unused, ...withoutDescriptor } = minimal;
    writeFileSync(path.join(dir, 'gateway.json'), JSON.stringify(withoutDescriptor));
    const config = loadGatewayConfig({ ECONFIRM_GATEWAY_PORT: '9001', ECONFIRM_NETWORK_DIR: '/net' }, path.join(dir, 'gateway.json'));
    expect(config.port).to.equal(9001);
    expect(config.networkDescriptorPath).to.equal('/net/network.json');
    expect(config.dbPath).to.equal(path.join(dir, 'gw.db'));
    expect(() => loadGatewayConfig({ ECONFIRM_GATEWAY_PORT: 'eighty' }, path.join(dir, 'gateway.json'))).to.throw(ConfigError, /port/);
    expect(() => loadGatewayConfig({}, path.join(dir, 'missing.json'))).to.throw(ConfigError, /missing\.json/);
  });

  describe('anchoring', function () {
    const deployment = {
      format: 'econfirm-evm-deployment/1', chainId: '31337', rpcUrl: 'http://127.0.0.1:7130', contract: 'EvidenceAnchor',
      address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', deploymentTx: `0x${'1'.repeat(64)}`, deploymentBlock: 1,
      admin: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', anchorer: '0x02EeC52318943CCc4d16B6f406EEe08a99D39c4B', anchorerKeyFile: '/net/evm/anchorer.key',
    };

    it('takes the chain, contract and key file from a deployment file; explicit fields win', function () {
      const dir = mkdtempSync(path.join(tmpdir(), 'gw-anchoring-'));
      writeFileSync(path.join(dir, 'deployment.json'), JSON.stringify(deployment));
      const config = validateGatewayConfig({ ...minimal, anchoring: { deploymentFile: 'deployment.json', recorder: 'firm1/admin', confirmations: 3 } }, dir);
      expect(config.anchoring).to.deep.include({ rpcUrl: deployment.rpcUrl, chainId: '31337', contractAddress: deployment.address, key: { file: '/net/evm/anchorer.key' }, confirmations: 3, maxItems: 256 });
      expect(config.anchoring?.recorder).to.deep.equal({ tenantId: 'firm1', identityName: 'admin' });
      const other = validateGatewayConfig({ ...minimal, anchoring: { deploymentFile: 'deployment.json', rpcUrl: 'https://rpc.example', chainId: 11155111, keyEnv: 'ANCHOR_KEY', recorder: 'firm1/admin' } }, dir);
      expect(other.anchoring).to.deep.include({ rpcUrl: 'https://rpc.example', chainId: '11155111', key: { env: 'ANCHOR_KEY' } });
    });

    it('is absent unless configured', function () {
      expect(validateGatewayConfig(minimal, '/base').anchoring).to.equal(undefined);
    });

    it('refuses a missing chain, a bad address or key variable, an unknown recorder, too large batches, no events and unknown fields', function () {
      const found = problems({ ...minimal, events: { enabled: false }, anchoring: { rpcUrl: 'ftp://x', contractAddress: '0x12', keyEnv: 'lower-case', recorder: 'bank9/admin', maxItems: 5000, surprise: 1 } });
      for (const expected of ['anchoring.surprise: unknown field', 'anchoring.rpcUrl: an http(s) URL', 'anchoring.chainId: a decimal chain id', 'anchoring.contractAddress: a 20-byte hex address', 'anchoring.keyEnv', "anchoring.recorder: no tenant 'bank9'", 'anchoring.maxItems', 'anchoring: needs events.enabled']) {
        expect(found.join('\n'), expected).to.include(expected);
      }
      expect(problems({ ...minimal, anchoring: { deploymentFile: '/nonexistent/deployment.json', recorder: 'firm1/admin' } }).join('\n')).to.include('anchoring.deploymentFile');
    });

    it('an anchorer key in a PKCS#11 token: by label or id; library, token and PIN variable from the hsm section unless given', function () {
      const dir = mkdtempSync(path.join(tmpdir(), 'gw-anchoring-'));
      writeFileSync(path.join(dir, 'deployment.json'), JSON.stringify(deployment));
      const own = validateGatewayConfig({ ...minimal, anchoring: { deploymentFile: 'deployment.json', recorder: 'firm1/admin', hsm: { library: 'lib/p11.so', tokenLabel: 'anchor', keyLabel: 'anchorer' } } }, dir);
      expect(own.anchoring?.key).to.deep.equal({ hsm: { library: path.join(dir, 'lib/p11.so'), tokenLabel: 'anchor', pinEnv: 'ECONFIRM_HSM_PIN', keyLabel: 'anchorer' } });
      const shared = validateGatewayConfig(
        { ...minimal, hsm: { library: '/usr/lib/p11.so', tokenLabel: 'firm1', pinEnv: 'FIRM1_PIN', identities: ['firm1/admin'] }, anchoring: { deploymentFile: 'deployment.json', recorder: 'firm1/admin', hsm: { keyId: 'A1B2' } } },
        dir,
      );
      expect(shared.anchoring?.key).to.deep.equal({ hsm: { library: '/usr/lib/p11.so', tokenLabel: 'firm1', pinEnv: 'FIRM1_PIN', keyId: 'a1b2' } });
    });

    it('refuses an HSM key without a library or token, with both or neither of label and id, a bad id or PIN variable, a PIN in the file, or beside another key source', function () {
      const base = { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, contractAddress: deployment.address, recorder: 'firm1/admin' };
      const found = problems({ ...minimal, anchoring: { ...base, keyFile: 'anchorer.key', hsm: { pin: '1234', pinEnv: 'lower', keyLabel: 'a', keyId: '01' } } });
      for (const expected of [
        'anchoring.keyFile, hsm: one key source only (a file, an environment variable or an HSM token)',
        'anchoring.hsm.pin: unknown field',
        'anchoring.hsm.library: must be a non-empty string',
        'anchoring.hsm.tokenLabel: must be a non-empty string',
        'anchoring.hsm.pinEnv: the name of an environment variable (A-Z, 0-9, _)',
        'anchoring.hsm.keyLabel | keyId: exactly one',
      ]) {
        expect(found.join('\n'), expected).to.include(expected);
      }
      const hsm = { library: '/p11.so', tokenLabel: 't' };
      expect(problems({ ...minimal, anchoring: { ...base, hsm } }).join('\n')).to.include('anchoring.hsm.keyLabel | keyId: exactly one');
      expect(problems({ ...minimal, anchoring: { ...base, hsm: { ...hsm, keyId: 'xyz' } } })).to.include('anchoring.hsm.keyId: hex bytes (the CKA_ID)');
      expect(problems({ ...minimal, anchoring: { ...base, hsm: 'anchorer' } })).to.include('anchoring.hsm: must be an object');
    });
  });
});
