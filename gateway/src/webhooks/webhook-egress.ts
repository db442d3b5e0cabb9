import { isIP } from 'node:net';

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

/** An IP address as bytes (4 or 16). */
type Bytes = number[];

function parseIPv4(text: string): Bytes | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.map(Number);
}

function parseIPv6(text: string): Bytes | undefined {
  let rest = text.toLowerCase();
  let tail: Bytes = [];
  // An embedded IPv4 in the last 32 bits (::ffff:127.0.0.1).
  const dotted = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(rest);
  if (dotted?.[1]) {
    const v4 = parseIPv4(dotted[1]);
    if (!v4) return undefined;
    tail = v4;
    rest = `${rest.slice(0, dotted.index + 1)}0:0`;
  }
  const halves = rest.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string | undefined): string[] => (s ? s.split(':') : []);
  const head = groups(halves[0]);
  const end = groups(halves[1]);
  const missing = 8 - head.length - end.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...end];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const bytes = all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Bytes of a literal IP address (IPv6 with or without brackets), or undefined. */
export function parseIp(text: string): Bytes | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const kind = isIP(bare);
  return kind === 4 ? parseIPv4(bare) : kind === 6 ? parseIPv6(bare) : undefined;
}

/** Whether the first `prefix` bits of `a` and `b` (same length) agree. */
function samePrefix(a: Bytes, b: Bytes, prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    if (((a[bit >> 3] ?? 0) & mask) !== ((b[bit >> 3] ?? 0) & mask)) return false;
  }
  return true;
}

const V4_RANGES: ReadonlyArray<[string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const V6_RANGES: ReadonlyArray<[string, number, AddressClass]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'unique-local'],
  ['fc00::', 7, 'unique-local'],
  ['ff00::', 8, 'multicast'],
  ['::', 96, 'reserved'],
];

/** IPv6 prefixes whose last 32 bits are an IPv4 address the packet really goes to (mapped, NAT64). */
const V6_EMBEDDING_V4: ReadonlyArray<[string, number]> = [
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
];

/** The class of a non-public address, or undefined for a public unicast one (or text that is no IP). */
export function classifyAddress(address: string): AddressClass | undefined {
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  return classifyBytes(bytes);
}

/** The IPv4 address an IPv4-mapped or NAT64 IPv6 address stands for. */
function embeddedV4(bytes: Bytes): Bytes | undefined {
  return bytes.length === 16 && V6_EMBEDDING_V4.some(([net, prefix]) => samePrefix(bytes, parseIPv6(net) as Bytes, prefix)) ? bytes.slice(12) : undefined;
}

function classifyBytes(bytes: Bytes): AddressClass | undefined {
  const v4 = embeddedV4(bytes);
  if (v4) return classifyBytes(v4);
  const ranges = bytes.length === 4 ? V4_RANGES : V6_RANGES;
  for (const [net, prefix, kind] of ranges) {
    const netBytes = bytes.length === 4 ? parseIPv4(net) : parseIPv6(net);
    if (netBytes && samePrefix(bytes, netBytes, prefix)) return kind;
  }
  if (bytes.length === 4 && bytes.every((b) => b === 255)) return 'reserved';
  return undefined;
}

/** An allowed range: network bytes and prefix length. */
interface Cidr {
  bytes: Bytes;
  prefix: number;
}

/** Parses `address` or `address/prefix` (IPv4 or IPv6), or undefined when it is neither. */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (prefixText === undefined) return { bytes, prefix: max };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { bytes, prefix: Number(prefixText) };
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
  private readonly ranges: readonly Cidr[];

  constructor(private readonly settings: WebhookEgressSettings = DEFAULT_WEBHOOK_EGRESS) {
    const ranges: Cidr[] = [];
    const names = new Set<string>();
    for (const entry of settings.allowedHosts) {
      const cidr = entry.includes('/') || isIP(entry) !== 0 ? parseCidr(entry) : undefined;
      if (cidr) ranges.push(cidr);
      else names.add(normalizeName(entry));
    }
    this.names = names;
    this.ranges = ranges;
  }

  /** Whether the operator named this host, which is then trusted whatever it resolves to. */
  namedHost(hostname: string): boolean {
    return this.names.has(normalizeName(hostname));
  }

  /** Why a connection to `address` is refused, or undefined when it is allowed. */
  refuseAddress(address: string): string | undefined {
    const bytes = parseIp(address);
    if (!bytes) return `${address} is not an IP address`;
    const kind = classifyBytes(bytes);
    if (kind === undefined) return undefined;
    if (this.settings.allowPrivateNetworks && PRIVATE_NETWORK_CLASSES.has(kind)) return undefined;
    const v4 = embeddedV4(bytes);
    const candidates = v4 ? [bytes, v4] : [bytes];
    if (candidates.some((b) => this.ranges.some((r) => r.bytes.length === b.length && samePrefix(b, r.bytes, r.prefix)))) return undefined;
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
