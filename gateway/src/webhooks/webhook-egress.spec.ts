import { expect } from 'chai';
import { ConfigError, validateGatewayConfig } from '../config/gateway-config';
import { allowedHostProblem, classifyAddress, parseCidr, parseIp, WebhookEgressPolicy } from './webhook-egress';

describe('webhook egress: address classification', function () {
  it('IPv4: loopback, RFC 1918, shared, link-local, unspecified, multicast, reserved; public is undefined', function () {
    const cases: Array<[string, string | undefined]> = [
      ['127.0.0.1', 'loopback'],
      ['127.255.1.2', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['172.32.0.1', undefined],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'private'],
      ['169.254.169.254', 'link-local'],
      ['0.0.0.0', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['8.8.8.8', undefined],
      ['93.184.216.34', undefined],
    ];
    for (const [address, kind] of cases) expect(classifyAddress(address), address).to.equal(kind);
  });

  it('IPv6: loopback, unspecified, link-local, unique-local, multicast; public is undefined', function () {
    const cases: Array<[string, string | undefined]> = [
      ['::1', 'loopback'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      ['[::1]', 'loopback'],
      ['::', 'unspecified'],
      ['fe80::1', 'link-local'],
      ['fd00:ec2::254', 'unique-local'],
      ['fc12:3456::1', 'unique-local'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', undefined],
      ['2606:4700:4700::1111', undefined],
    ];
    for (const [address, kind] of cases) expect(classifyAddress(address), address).to.equal(kind);
  });

  it('IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4 address they carry', function () {
    expect(classifyAddress('::ffff:127.0.0.1')).to.equal('loopback');
    expect(classifyAddress('::ffff:7f00:1')).to.equal('loopback');
    expect(classifyAddress('::ffff:a9fe:a9fe')).to.equal('link-local');
    expect(classifyAddress('::ffff:10.0.0.1')).to.equal('private');
    expect(classifyAddress('64:ff9b::192.168.0.1')).to.equal('private');
    expect(classifyAddress('::ffff:8.8.8.8')).to.equal(undefined);
  });

  it('tricky forms: IPv4-translated, NAT64, 6to4, IPv4-compatible, zone ids, padded and upper-case IPv6, non-decimal IPv4', function () {
    const cases: Array<[string, string | undefined]> = [
      ['::ffff:0:127.0.0.1', 'loopback'], // IPv4-translated (RFC 6145)
      ['::ffff:0:a9fe:a9fe', 'link-local'],
      ['64:ff9b::7f00:1', 'loopback'], // NAT64 in hex
      ['64:ff9b::8.8.8.8', undefined],
      ['64:ff9b:1::a00:1', 'reserved'], // local-use NAT64: the site decides where the IPv4 address sits
      ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
      ['2002:a9fe:a9fe::', 'link-local'],
      ['2002:808:808::1', undefined],
      ['::127.0.0.1', 'reserved'], // IPv4-compatible (deprecated), not mapped
      ['::7f00:1', 'reserved'],
      ['fe80::1%eth0', 'link-local'], // dns.lookup may answer a scoped address
      ['::1%lo', 'loopback'],
      ['0000:0000:0000:0000:0000:FFFF:7F00:0001', 'loopback'],
      ['::FFFF:A9FE:A9FE', 'link-local'],
      ['FD00::1', 'unique-local'],
      ['::ffff:255.255.255.255', 'reserved'],
      ['::ffff:100.64.0.1', 'private'],
      ['127.1', undefined], // not an IP literal for node:net (and WHATWG URL normalises it first)
      ['0x7f.0.0.1', undefined],
    ];
    for (const [address, kind] of cases) expect(classifyAddress(address), address).to.equal(kind);
    const policy = new WebhookEgressPolicy();
    // WHATWG URL turns every IPv4 spelling into dotted decimal and compresses IPv6 before the check.
    for (const text of ['http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/', 'http://[0:0:0:0:0:ffff:7f00:1]/', 'http://[::ffff:0:127.0.0.1]/', 'http://[2002:7f00:1::]/']) {
      expect(policy.refuseUrl(new URL(text)), text).to.match(/loopback/);
    }
    expect(policy.refuseResolved('receiver.example', ['fe80::1%2'])).to.match(/link-local/);
    expect(policy.refuseAddress('not-an-ip')).to.match(/not an IP address/);
    const allowed = new WebhookEgressPolicy({ allowPrivateNetworks: false, allowedHosts: ['127.0.0.0/8'] });
    expect(allowed.refuseAddress('64:ff9b::127.0.0.1')).to.equal(undefined);
    expect(allowed.refuseAddress('::ffff:0:127.0.0.1')).to.equal(undefined);
    expect(allowed.refuseAddress('::127.0.0.1')).to.match(/reserved/);
  });

  it('parses IPs and CIDR ranges strictly', function () {
    expect(parseIp('1.2.3.4')).to.deep.equal({ address: '1.2.3.4', family: 'ipv4' });
    expect(parseIp('[::ffff:1.2.3.4]')).to.deep.equal({ address: '::ffff:1.2.3.4', family: 'ipv6' });
    expect(parseIp('1.2.3.256')).to.equal(undefined);
    expect(parseIp('example.org')).to.equal(undefined);
    expect(parseCidr('10.0.0.0/8')).to.deep.equal({ address: '10.0.0.0', family: 'ipv4', prefix: 8 });
    expect(parseCidr('fd00::/8')?.prefix).to.equal(8);
    expect(parseCidr('10.0.0.0/33')).to.equal(undefined);
    expect(parseCidr('10.0.0.0/8/1')).to.equal(undefined);
    expect(allowedHostProblem('erp.bank1.internal')).to.equal(undefined);
    expect(allowedHostProblem('127.0.0.0/8')).to.equal(undefined);
    expect(allowedHostProblem('::1')).to.equal(undefined);
    expect(allowedHostProblem('10.0.0.0/40')).to.match(/CIDR/);
    expect(allowedHostProblem('*.bank1.internal')).to.match(/host name/);
  });
});

describe('webhook egress: policy', function () {
  const url = (text: string) => new URL(text);

  it('by default refuses non-public literal IPs, localhost and credentials; public URLs pass', function () {
    const policy = new WebhookEgressPolicy();
    expect(policy.refuseUrl(url('http://127.0.0.1:9443/operations'))).to.match(/127\.0\.0\.1 is a loopback address/);
    expect(policy.refuseUrl(url('http://169.254.169.254/latest/meta-data/'))).to.match(/link-local/);
    expect(policy.refuseUrl(url('http://10.0.0.5/'))).to.match(/private/);
    expect(policy.refuseUrl(url('http://[::1]:8080/'))).to.match(/loopback/);
    expect(policy.refuseUrl(url('http://[::ffff:127.0.0.1]/'))).to.match(/loopback/);
    expect(policy.refuseUrl(url('http://[fd00::1]/'))).to.match(/unique-local/);
    expect(policy.refuseUrl(url('http://0.0.0.0/'))).to.match(/unspecified/);
    expect(policy.refuseUrl(url('http://2130706433/'))).to.match(/loopback/); // WHATWG URL normalises it to 127.0.0.1
    expect(policy.refuseUrl(url('http://LOCALHOST:80/'))).to.match(/loopback/);
    expect(policy.refuseUrl(url('http://api.localhost./'))).to.match(/loopback/);
    expect(policy.refuseUrl(url('https://user:pw@example.org/'))).to.match(/credentials/);
    expect(policy.refuseUrl(url('https://token@example.org/'))).to.match(/credentials/);
    expect(policy.refuseUrl(url('https://erp.bank1.example/econfirm/events'))).to.equal(undefined);
    expect(policy.refuseUrl(url('https://93.184.216.34/'))).to.equal(undefined);
  });

  it('allowPrivateNetworks opens RFC 1918 and unique-local, not loopback or link-local (metadata)', function () {
    const policy = new WebhookEgressPolicy({ allowPrivateNetworks: true, allowedHosts: [] });
    expect(policy.refuseUrl(url('http://10.0.0.5/'))).to.equal(undefined);
    expect(policy.refuseUrl(url('http://192.168.1.10/'))).to.equal(undefined);
    expect(policy.refuseUrl(url('http://[fd00::1]/'))).to.equal(undefined);
    expect(policy.refuseUrl(url('http://127.0.0.1/'))).to.match(/loopback/);
    expect(policy.refuseUrl(url('http://169.254.169.254/'))).to.match(/link-local/);
  });

  it('allowedHosts: CIDR ranges (also for mapped IPv6) and exact host names', function () {
    const policy = new WebhookEgressPolicy({ allowPrivateNetworks: false, allowedHosts: ['127.0.0.0/8', '10.20.0.0/16', 'erp.bank1.internal', 'fd00:1::/32'] });
    expect(policy.refuseUrl(url('http://127.0.0.1:9000/'))).to.equal(undefined);
    expect(policy.refuseUrl(url('http://[::ffff:127.0.0.1]/'))).to.equal(undefined);
    expect(policy.refuseUrl(url('http://10.20.3.4/'))).to.equal(undefined);
    expect(policy.refuseUrl(url('http://10.21.3.4/'))).to.match(/private/);
    expect(policy.refuseUrl(url('http://[fd00:1::5]/'))).to.equal(undefined);
    expect(policy.refuseUrl(url('http://[fd00:2::5]/'))).to.match(/unique-local/);
    expect(policy.refuseUrl(url('http://[::1]/'))).to.match(/loopback/);
    expect(policy.refuseUrl(url('http://localhost/'))).to.match(/loopback/); // the name must be listed itself
    expect(policy.refuseResolved('erp.bank1.internal', ['10.99.0.1'])).to.equal(undefined);
    expect(policy.refuseResolved('ERP.bank1.internal.', ['10.99.0.1'])).to.equal(undefined);
    expect(policy.refuseUrl(url('https://user:pw@erp.bank1.internal/'))).to.match(/credentials/);
  });

  it('at delivery, any disallowed resolved address refuses the host (DNS rebinding, names pointing inside)', function () {
    const policy = new WebhookEgressPolicy();
    expect(policy.refuseResolved('receiver.example', ['93.184.216.34'])).to.equal(undefined);
    expect(policy.refuseResolved('receiver.example', ['93.184.216.34', '127.0.0.1'])).to.equal('receiver.example resolves to 127.0.0.1: a loopback address, not an allowed receiver');
    expect(policy.refuseResolved('receiver.example', ['2606:4700::1', '::ffff:169.254.169.254'])).to.match(/link-local/);
    expect(policy.refuseResolved('receiver.example', [])).to.match(/no address/);
  });
});

describe('webhook egress: configuration', function () {
  const base = { dbPath: 'gw.db', networkDescriptorPath: 'n.json', keysDir: 'k', tenants: [{ id: 'firm1', institutionId: 'FIRM1', orgKey: 'firm1' }] };

  it('defaults to public receivers only', function () {
    expect(validateGatewayConfig(base).events.webhookEgress).to.deep.equal({ allowPrivateNetworks: false, allowedHosts: [] });
  });

  it('accepts host names, IPs and CIDR ranges and refuses anything else, with the path', function () {
    const ok = validateGatewayConfig({ ...base, events: { webhookEgress: { allowPrivateNetworks: true, allowedHosts: ['127.0.0.0/8', '::1', 'erp.bank1.internal'] } } });
    expect(ok.events.webhookEgress).to.deep.equal({ allowPrivateNetworks: true, allowedHosts: ['127.0.0.0/8', '::1', 'erp.bank1.internal'] });
    let problems: string[] = [];
    try {
      validateGatewayConfig({ ...base, events: { webhookEgress: { allowPrivateNetworks: 'yes', allowedHosts: ['10.0.0.0/99', 7, 'a b'], allowAll: true } } });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).to.include.members([
      'events.webhookEgress.allowAll: unknown field',
      'events.webhookEgress.allowedHosts[0]: not a valid IP address or CIDR range',
      'events.webhookEgress.allowedHosts[1]: must be a string',
      'events.webhookEgress.allowedHosts[2]: not a host name, IP address or CIDR range',
      'events.webhookEgress.allowPrivateNetworks: must be true or false',
    ]);
  });
});
