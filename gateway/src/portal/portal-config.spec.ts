import { expect } from 'chai';
import * as path from 'node:path';
import { ConfigError, defaultPortalDir, validateGatewayConfig } from '../config/gateway-config';

const BASE = { dbPath: 'g.db', networkDescriptorPath: 'n.json', keysDir: 'keys', tenants: [{ id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' }] };

describe('gateway config: portal', function () {
  it('is enabled by default and serves the workspace portal package', function () {
    const config = validateGatewayConfig(BASE, '/etc/econfirm');
    expect(config.portal).to.deep.equal({ enabled: true, dir: defaultPortalDir() });
    expect(path.basename(defaultPortalDir())).to.equal('portal');
  });

  it('takes enabled and a dir relative to the config file', function () {
    expect(validateGatewayConfig({ ...BASE, portal: { enabled: false, dir: 'web' } }, '/etc/econfirm').portal).to.deep.equal({ enabled: false, dir: '/etc/econfirm/web' });
    expect(validateGatewayConfig({ ...BASE, portal: { enabled: 'true' } }, '/x').portal.enabled).to.equal(true);
  });

  it('refuses a wrong type, an empty dir and unknown fields, each with its path', function () {
    try {
      validateGatewayConfig({ ...BASE, portal: { enabled: 'yes', dir: '', root: '/' } }, '/x');
      expect.fail('accepted a bad portal section');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems).to.include.members(['portal.root: unknown field', 'portal.enabled: must be true or false', 'portal.dir: must be a non-empty string']);
    }
    expect(() => validateGatewayConfig({ ...BASE, portal: 'on' }, '/x')).to.throw(ConfigError, 'portal: must be an object');
  });
});
