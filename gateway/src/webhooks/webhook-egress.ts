import { BlockList, isIP } from 'node:net';

/**
 * Which receivers the gateway may POST webhooks to. Tenants choose webhook URLs, so without a
 * policy any tenant could make the gateway reach its own host, the peers' operations ports, a
 * cloud metadata service or the bank's internal network (server-side request forgery).
 */
export interface WebhookEgressSettings {
  /** Allow RFC 1918 / shared (100.64/10) IPv4 and unique-local / site-local IPv6 receivers. */
  allowPrivateNetworks: boolean;
  /** Exact host names (trusted whatever they resolve to) and IP addresses / CIDR ranges allowed even when not public. */
  allowedHosts: string[];
}

export const DEFAULT_WEBHOOK_EGRESS: WebhookEgressSettings = { allowPrivateNetworks: false, allowedHosts: [] };

/** Why an address is not a public unicast one. */
export type AddressClass = 'loopback' | 'private' | 'link-local' | 'unique-local' | 'unspecified' | 'multicast' | 'reserved';

/** The classes `allowPrivateNetworks` opens; loopback and link-local (metadata services) need an explicit range. */
const PRIVATE_NETWORK_CLASSES: ReadonlySet<AddressClass> = new Set(['private', 'unique-local']);

type Family = 'ipv4' | 'ipv6';

/** A literal IP address as node:net reads it (an IPv6 zone such as `%eth0` kept). */
export interface IpAddress {
  address: string;
  family: Family;
}

/** An address or CIDR range. */
export interface Cidr extends IpAddress {
  prefix: number;
}

/**
 * A literal IP address (IPv6 with or without brackets), or undefined. `node:net`'s `isIP` is the
 * judge, the same parser the socket uses, so only the strict forms count: `127.1` or `0x7f.0.0.1`
 * are host names here (a URL's host is normalised to dotted decimal by WHATWG URL before this).
 */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const kind = isIP(bare);
  return kind === 4 ? { address: bare, family: 'ipv4' } : kind === 6 ? { address: bare, family: 'ipv6' } : undefined;
}

/** Parses `address` or `address/prefix` (IPv4 or IPv6), or undefined when it is neither. */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const max = ip.family === 'ipv4' ? 32 : 128;
  if (prefixText === undefined) return { ...ip, prefix: max };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { ...ip, prefix: Number(prefixText) };
}

/**
 * IPv6 forms whose packets go to the IPv4 address they carry: `BlockList` itself matches an
 * IPv4-mapped address (::ffff:a.b.c.d) against IPv4 rules; these are added as IPv6 rules derived
 * from each IPv4 rule — IPv4-translated (::ffff:0:a.b.c.d, RFC 6145), NAT64 (64:ff9b::a.b.c.d,
 * RFC 6052) and 6to4 (2002:aabb:ccdd::/48, RFC 3056, whose tunnel sends to a.b.c.d).
 */
function embeddingsOf(v4: Cidr): Cidr[] {
  const [a = 0, b = 0, c = 0, d = 0] = v4.address.split('.').map(Number);
  const hex = (hi: number, lo: number): string => ((hi << 8) | lo).toString(16);
  return [
    { address: `::ffff:0:${v4.address}`, family: 'ipv6', prefix: 96 + v4.prefix },
    { address: `64:ff9b::${v4.address}`, family: 'ipv6', prefix: 96 + v4.prefix },
    { address: `2002:${hex(a, b)}:${hex(c, d)}::`, family: 'ipv6', prefix: 16 + v4.prefix },
  ];
}

/** A `node:net` BlockList of the ranges, IPv4 ones also in the IPv6 forms that carry them. */
function blockListOf(ranges: readonly Cidr[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    for (const r of range.family === 'ipv4' ? [range, ...embeddingsOf(range)] : [range]) list.addSubnet(r.address, r.prefix, r.family);
  }
  return list;
}

function cidrs(texts: readonly string[]): Cidr[] {
  return texts.map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`not a CIDR range: ${text}`);
    return cidr;
  });
}

/**
 * The non-public classes, checked in this order (the first that matches names the address). These
 * are the policy README.md § Webhook egress documents, not the whole IANA special-purpose
 * registry: documentation and benchmarking prefixes of IPv6, for instance, stay reachable.
 */
const CLASSES: ReadonlyArray<readonly [AddressClass, BlockList]> = (
  [
    ['unspecified', ['0.0.0.0/8', '::/128']],
    ['loopback', ['127.0.0.0/8', '::1/128']],
    ['private', ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16']],
    ['link-local', ['169.254.0.0/16', 'fe80::/10']],
    ['unique-local', ['fc00::/7', 'fec0::/10']],
    ['multicast', ['224.0.0.0/4', 'ff00::/8']],
    // ::/96 (IPv4-compatible, deprecated) and 64:ff9b:1::/48 (local-use NAT64, RFC 8215: where its
    // IPv4 address sits is the site's choice, so it cannot be judged by it).
    ['reserved', ['192.0.0.0/24', '198.18.0.0/15', '240.0.0.0/4', '255.255.255.255/32', '::/96', '64:ff9b:1::/48']],
  ] as const
).map(([kind, ranges]) => [kind, blockListOf(cidrs(ranges))] as const);

/** The class of a non-public address, or undefined for a public unicast one (or text that is no IP). */
export function classifyAddress(address: string): AddressClass | undefined {
  const ip = parseIp(address);
  return ip ? classify(ip) : undefined;
}

function classify(ip: IpAddress): AddressClass | undefined {
  return CLASSES.find(([, list]) => list.check(ip.address, ip.family))?.[0];
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Problem with one `allowedHosts` entry for the config validator, or undefined when it is a host name or a CIDR range. */
export function allowedHostProblem(entry: string): string | undefined {
  if (entry.includes('/') || isIP(entry) !== 0) return parseCidr(entry) ? undefined : 'not a valid IP address or CIDR range';
  return HOST_NAME.test(entry) ? undefined : 'not a host name, IP address or CIDR range';
}

/** Host names that always mean this machine (RFC 6761). */
function isLocalhostName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost');
}

function normalizeName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

/** The error of a refused receiver; `code` names it for callers and the delivery log. */
export class EgressRefused extends Error {
  override readonly name = 'EgressRefused';
  readonly code = 'WEBHOOK_URL_NOT_ALLOWED';
}

/** Applies WebhookEgressSettings to URLs (at create/update and delivery) and to resolved addresses (at delivery). */
export class WebhookEgressPolicy {
  private readonly names: ReadonlySet<string>;
  private readonly allowed: BlockList;

  constructor(private readonly settings: WebhookEgressSettings = DEFAULT_WEBHOOK_EGRESS) {
    const ranges: Cidr[] = [];
    const names = new Set<string>();
    for (const entry of settings.allowedHosts) {
      const cidr = entry.includes('/') || isIP(entry) !== 0 ? parseCidr(entry) : undefined;
      if (cidr) ranges.push(cidr);
      else names.add(normalizeName(entry));
    }
    this.names = names;
    this.allowed = blockListOf(ranges);
  }

  /** Whether the operator named this host, which is then trusted whatever it resolves to. */
  namedHost(hostname: string): boolean {
    return this.names.has(normalizeName(hostname));
  }

  /** Why a connection to `address` is refused, or undefined when it is allowed. */
  refuseAddress(address: string): string | undefined {
    const ip = parseIp(address);
    if (!ip) return `${address} is not an IP address`;
    const kind = classify(ip);
    if (kind === undefined) return undefined;
    if (this.settings.allowPrivateNetworks && PRIVATE_NETWORK_CLASSES.has(kind)) return undefined;
    if (this.allowed.check(ip.address, ip.family)) return undefined;
    return `${address} is a ${kind} address`;
  }

  /**
   * Why `url` may not be a webhook receiver judged from the URL alone (scheme, credentials, a
   * literal IP or `localhost`), or undefined. Host names are judged again at delivery, on the
   * addresses they resolve to.
   */
  refuseUrl(url: URL): string | undefined {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be http or https';
    if (url.username || url.password) return 'must not carry credentials (user:password@)';
    const host = url.hostname;
    if (this.namedHost(host)) return undefined;
    if (parseIp(host)) {
      const refused = this.refuseAddress(host.replace(/^\[|\]$/g, ''));
      return refused ? `${refused}, not an allowed receiver` : undefined;
    }
    if (isLocalhostName(normalizeName(host))) return `${host} is this machine (loopback), not an allowed receiver`;
    return undefined;
  }

  /** Why delivery to `hostname`, resolved to `addresses`, is refused (any disallowed address refuses), or undefined. */
  refuseResolved(hostname: string, addresses: readonly string[]): string | undefined {
    if (this.namedHost(hostname)) return undefined;
    if (addresses.length === 0) return `${hostname} resolves to no address`;
    for (const address of addresses) {
      const refused = this.refuseAddress(address);
      if (refused) return `${hostname} resolves to ${address}: ${refused.replace(`${address} is `, '')}, not an allowed receiver`;
    }
    return undefined;
  }
}
