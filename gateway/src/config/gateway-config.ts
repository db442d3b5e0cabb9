import { INSTITUTION_ID, parseEvmDeployment } from '@econfirm/common';
import { DEFAULT_DEADLINES, type CallDeadlines } from '@econfirm/sdk';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { allowedHostProblem, DEFAULT_WEBHOOK_EGRESS, type WebhookEgressSettings } from '../webhooks/webhook-egress';

/**
 * One tenant: an institution this gateway acts for, the network org whose identities it uses, and
 * (through the InstitutionKeyStore under `keysDir`) that institution's private encryption and
 * signing keys. The identities themselves are named by API credentials (database), never by callers.
 */
export interface TenantConfig {
  /** Stable tenant id used in credentials and records (e.g. "firm1"). */
  id: string;
  /** The registry institution this tenant is (FIRM1, BANK1, CLIENT1, REGULATOR, OPERATOR…). */
  institutionId: string;
  /** The org in the network descriptor whose MSP issued the tenant's identities. */
  orgKey: string;
  /** Whose peer to use as gateway peer (orgs without peers use another's); default orgKey. */
  gatewayOrgKey?: string;
}

export interface GatewayLimits {
  /** Largest accepted request body (JSON), bytes. */
  bodyBytes: number;
  /** Deepest accepted nesting of arrays and objects in a JSON body (checked on the bytes, before parsing). */
  jsonDepth: number;
  /** Largest page a list route asks the ledger for. */
  maxPageSize: number;
  /** Longest accepted lifetime of an API token (exp - iat), seconds; at most 300. */
  tokenLifetimeSeconds: number;
  /** Tolerated clock skew between caller and gateway, seconds. */
  clockSkewSeconds: number;
  /** How long an Idempotency-Key record is kept, hours. */
  idempotencyHours: number;
  /** How long an unsigned offline proposal may wait for its signatures, minutes. */
  offlineProposalMinutes: number;
  /** Requests a minute, over all routes, before 429 TOO_MANY_REQUESTS with Retry-After (gateway/src/auth/rate-limit.guard.ts). */
  rate: { credentialPerMinute: number; tenantPerMinute: number };
}

/** Settings of the evidence module (gateway/README.md); its owner extends this section. */
export interface EvidenceSettings {
  /** Where evidence certificates and keys are kept (default <keysDir>/evidence). */
  dir: string;
  verifier: VerifierSettings;
}

/** POST /v1/evidence/verify runs in worker threads (gateway/src/evidence/verifier/verifier-pool.ts). */
export interface VerifierSettings {
  /** Largest PDF accepted for verification, bytes (a raw application/pdf body). */
  maxPdfBytes: number;
  /** Worker threads verifying at once. */
  workers: number;
  /** Verifications waiting for a worker before the next is refused (503 VERIFIER_BUSY). */
  queue: number;
  /** Longest a verification may run before its worker is stopped (422 VERIFY_TIME_EXCEEDED). */
  timeoutSeconds: number;
  /** Heap of one worker, MB (a document that needs more is 422 EVIDENCE_UNREADABLE). */
  workerHeapMb: number;
}

/** Settings of event delivery (SSE, webhooks); its owner extends this section. */
export interface EventSettings {
  /** Webhook delivery attempts before a delivery is dead-lettered. */
  webhookMaxAttempts: number;
  /** First retry delay; doubles each attempt. */
  webhookBackoffMs: number;
  /** Whether the gateway listens to chaincode events at all (tests may switch it off). */
  enabled: boolean;
  /** Longest delay between two webhook attempts (the doubling stops there). */
  webhookMaxBackoffMs: number;
  /** How long one webhook POST may take before it counts as failed. */
  webhookTimeoutMs: number;
  /** Which receivers webhooks may be POSTed to (default: public addresses only). */
  webhookEgress: WebhookEgressSettings;
  /** SSE heartbeat (comment line) interval. */
  heartbeatMs: number;
  /** First delay before reconnecting the chaincode-event stream; doubles up to 30 s. */
  reconnectBackoffMs: number;
}

/** Settings of bulk issuance jobs; its owner extends this section. */
export interface BulkSettings {
  /** Largest upload, bytes. */
  uploadBytes: number;
  /** Letters per IssueBatch transaction. */
  batchSize: number;
  /** Most data rows one upload may have (each worksheet of an XLSX). */
  maxRows: number;
  /** Most cells one upload may have (CSV fields; XLSX cells of every worksheet), counted before any row is built. */
  maxCells: number;
  /** Most bytes an XLSX may inflate to, counted as inflated (the sizes a zip declares can lie). */
  maxUncompressedBytes: number;
}

/** The registry record cache (RegistryReader): events invalidate an entry, the TTL bounds a missed event. */
export interface RegistryCacheSettings {
  /** How long a record may be served without an event; 0 = no cache (every use reads the ledger). */
  ttlMs: number;
  /** Most institutions kept (the oldest entry is dropped first). */
  maxEntries: number;
}

/**
 * PKCS#11 custody: identities whose Fabric private keys live in an HSM token instead of files.
 * Each key is found by its CKA_ID, the SKI of its certificate (`hsm key-id` of the CLI prints it).
 */
export interface HsmSettings {
  /** The PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  library: string;
  /** The label of the token holding the keys. */
  tokenLabel: string;
  /** The environment variable holding the token's user PIN (never written in the file); default ECONFIRM_HSM_PIN. */
  pinEnv: string;
  /** `<tenantId>/<identityName>` of every identity whose key is in the token. */
  identities: string[];
}

/**
 * An anchorer key (secp256k1) kept in a PKCS#11 token: the gateway signs its transactions through
 * the token and never holds the key. Library, token and PIN variable default to the `hsm` section's.
 */
export interface AnchoringHsmKey {
  /** The PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  library: string;
  /** The label of the token holding the key. */
  tokenLabel: string;
  /** The environment variable holding the token's user PIN (never written in the file). */
  pinEnv: string;
  /** The key pair's CKA_LABEL… */
  keyLabel?: string;
  /** …or its CKA_ID (hex). */
  keyId?: string;
}

/**
 * Public EVM anchoring (gateway/README.md "Anchoring"): completed evidence is batched, each batch
 * recorded on the channel and its Merkle root anchored on an EVM chain through its JSON-RPC.
 */
export interface AnchoringSettings {
  /** Any EVM JSON-RPC endpoint (the development node, a consortium chain, a public one). */
  rpcUrl: string;
  /** Decimal chain id the endpoint must report (nothing is sent to another chain). */
  chainId: string;
  /** The EvidenceAnchor contract. */
  contractAddress: string;
  /** Where the anchorer's private key is: a file (hex, first line), an environment variable or a PKCS#11 token; never in the config itself. */
  key: { file: string } | { env: string } | { hsm: AnchoringHsmKey };
  /** The tenant and identity that record batches on the channel (the operator's admin). */
  recorder: { tenantId: string; identityName: string };
  /** A batch is cut when this much time passed since its oldest item… */
  batchIntervalMs: number;
  /** …or when this many items wait (at most 1024, the chaincode's limit). */
  maxItems: number;
  /** Blocks on top of (and including) the anchor's before the batch counts as anchored. */
  confirmations: number;
  /** How often the service runs (collect, cut, send, confirm). */
  pollMs: number;
  /** A sent transaction no node knows for this long is taken as dropped and the root anchored again. */
  dropAfterMs: number;
  /** How often anchored batches are checked to be still on the chain (a reorg or a reset chain re-anchors). */
  reconcileMs: number;
}

/** The web portal (clients/portal) served at /portal/. */
export interface PortalSettings {
  enabled: boolean;
  /** The portal package folder: `static/` (index.html, CSS) and `dist/` (its compiled ES modules). */
  dir: string;
}

/** Where the portal package is when the config names none: the workspace package, else the repo's folder. */
export function defaultPortalDir(): string {
  try {
    return path.dirname(require.resolve('@econfirm/portal/package.json'));
  } catch {
    // gateway/dist/config → the repository's clients/portal
    return path.resolve(__dirname, '..', '..', '..', 'clients', 'portal');
  }
}

export interface GatewayConfig {
  host: string;
  port: number;
  /** SQLite file (tenants, credentials, idempotency, pending offline proposals, feature tables). */
  dbPath: string;
  networkDescriptorPath: string;
  /** InstitutionKeyStore folder: `<institutionId>.keys.json` per tenant institution. */
  keysDir: string;
  /**
   * The gateway's own URL as its callers reach it (scheme, host, port, no path): every API token's
   * `htu` is this URL plus the request path. Default `http://<host>:<port>`.
   */
  publicUrl: string;
  /** The `aud` claim every API token must carry; default publicUrl, so a token for one gateway serves at no other. */
  audience: string;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  tenants: TenantConfig[];
  deadlines: CallDeadlines;
  limits: GatewayLimits;
  evidence: EvidenceSettings;
  events: EventSettings;
  bulk: BulkSettings;
  registryCache: RegistryCacheSettings;
  /** `reclaimIdleSeconds`: quiet seconds after which the gateway gives idle memory back (memory/idle-reclaim.ts); 0 = never. */
  memory: { reclaimIdleSeconds: number };
  portal: PortalSettings;
  /** Absent: every custodial key is a file of the network descriptor. */
  hsm?: HsmSettings;
  /** Absent: nothing is anchored, evidence carries no anchor section. */
  anchoring?: AnchoringSettings;
}

/** A config that failed validation: every problem, with its path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid gateway configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export const DEFAULT_LIMITS: GatewayLimits = {
  bodyBytes: 256 * 1024,
  jsonDepth: 32,
  maxPageSize: 200,
  tokenLifetimeSeconds: 300,
  clockSkewSeconds: 30,
  idempotencyHours: 24,
  offlineProposalMinutes: 10,
  rate: { credentialPerMinute: 1200, tenantPerMinute: 6000 },
};

function readRate(limits: Json, r: Reader): GatewayLimits['rate'] {
  const rate = r.section(limits, 'rate', 'limits.');
  const extra = Object.keys(rate).filter((k) => !['credentialPerMinute', 'tenantPerMinute'].includes(k));
  if (extra.length > 0) r.problems.push(`limits.rate.${extra.join(', ')}: unknown field`);
  return {
    credentialPerMinute: r.int(rate, 'credentialPerMinute', 'limits.rate.', DEFAULT_LIMITS.rate.credentialPerMinute, 1, 10_000_000),
    tenantPerMinute: r.int(rate, 'tenantPerMinute', 'limits.rate.', DEFAULT_LIMITS.rate.tenantPerMinute, 1, 10_000_000),
  };
}

function readVerifier(evidence: Json, r: Reader): VerifierSettings {
  const v = r.section(evidence, 'verifier', 'evidence.');
  const extra = Object.keys(v).filter((k) => !['maxPdfBytes', 'workers', 'queue', 'timeoutSeconds', 'workerHeapMb'].includes(k));
  if (extra.length > 0) r.problems.push(`evidence.verifier.${extra.join(', ')}: unknown field`);
  const at = 'evidence.verifier.';
  return {
    maxPdfBytes: r.int(v, 'maxPdfBytes', at, 20 * 1024 * 1024, 64 * 1024, 512 * 1024 * 1024),
    workers: r.int(v, 'workers', at, 2, 1, 64),
    queue: r.int(v, 'queue', at, 8, 0, 10_000),
    timeoutSeconds: r.int(v, 'timeoutSeconds', at, 30, 1, 3600),
    workerHeapMb: r.int(v, 'workerHeapMb', at, 512, 64, 16 * 1024),
  };
}

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads typed fields out of untrusted input, collecting every problem instead of stopping at the first. */
class Reader {
  constructor(readonly problems: string[] = []) {}

  string(source: Json, key: string, where: string, fallback?: string): string {
    const value = source[key] ?? fallback;
    if (typeof value !== 'string' || value.trim() === '') {
      this.problems.push(`${where}${key}: must be a non-empty string`);
      return '';
    }
    return value;
  }

  int(source: Json, key: string, where: string, fallback: number, min: number, max: number): number {
    const raw = source[key] ?? fallback;
    const value = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${where}${key}: must be an integer in [${min}, ${max}]`);
      return fallback;
    }
    return value;
  }

  bool(source: Json, key: string, where: string, fallback: boolean): boolean {
    const raw = source[key] ?? fallback;
    const value = raw === 'true' ? true : raw === 'false' ? false : raw;
    if (typeof value !== 'boolean') {
      this.problems.push(`${where}${key}: must be true or false`);
      return fallback;
    }
    return value;
  }

  section(source: Json, key: string, where = ''): Json {
    const value = source[key] ?? {};
    if (!isObject(value)) {
      this.problems.push(`${where}${key}: must be an object`);
      return {};
    }
    return value;
  }
}

/** `events.webhookEgress`: { allowPrivateNetworks?, allowedHosts?: [host name | IP | CIDR] }. */
function readWebhookEgress(events: Json, r: Reader): WebhookEgressSettings {
  const where = 'events.webhookEgress.';
  const raw = events.webhookEgress ?? {};
  if (!isObject(raw)) {
    r.problems.push('events.webhookEgress: must be an object');
    return DEFAULT_WEBHOOK_EGRESS;
  }
  const extra = Object.keys(raw).filter((k) => !['allowPrivateNetworks', 'allowedHosts'].includes(k));
  if (extra.length > 0) r.problems.push(`${where}${extra.join(', ')}: unknown field`);
  const hosts = raw.allowedHosts ?? [];
  if (!Array.isArray(hosts)) {
    r.problems.push(`${where}allowedHosts: must be an array of host names, IP addresses or CIDR ranges`);
    return { allowPrivateNetworks: r.bool(raw, 'allowPrivateNetworks', where, false), allowedHosts: [] };
  }
  const allowedHosts: string[] = [];
  hosts.forEach((entry: unknown, index) => {
    const problem = typeof entry === 'string' ? allowedHostProblem(entry) : 'must be a string';
    if (problem) r.problems.push(`${where}allowedHosts[${index}]: ${problem}`);
    else allowedHosts.push(entry as string);
  });
  return { allowPrivateNetworks: r.bool(raw, 'allowPrivateNetworks', where, false), allowedHosts };
}

/** `hsm`: { library, tokenLabel, pinEnv?, identities: ['<tenantId>/<identityName>'] }, tenants known. */
function readHsm(raw: unknown, tenants: TenantConfig[], baseDir: string, r: Reader): HsmSettings | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    r.problems.push('hsm: must be an object');
    return undefined;
  }
  const extra = Object.keys(raw).filter((k) => !['library', 'tokenLabel', 'pinEnv', 'identities'].includes(k));
  if (extra.length > 0) r.problems.push(`hsm.${extra.join(', ')}: unknown field`);
  const library = r.string(raw, 'library', 'hsm.');
  const pinEnv = r.string(raw, 'pinEnv', 'hsm.', 'ECONFIRM_HSM_PIN');
  if (pinEnv && !/^[A-Z_][A-Z0-9_]*$/.test(pinEnv)) r.problems.push('hsm.pinEnv: the name of an environment variable (A-Z, 0-9, _)');
  const identities: string[] = [];
  if (!Array.isArray(raw.identities) || raw.identities.length === 0) {
    r.problems.push("hsm.identities: a non-empty array of '<tenantId>/<identityName>'");
  } else {
    raw.identities.forEach((entry: unknown, index) => {
      const [tenantId, identityName, ...rest] = typeof entry === 'string' ? entry.split('/') : [];
      if (!tenantId || !identityName || rest.length > 0) r.problems.push(`hsm.identities[${index}]: '<tenantId>/<identityName>'`);
      else if (!tenants.some((t) => t.id === tenantId)) r.problems.push(`hsm.identities[${index}]: no tenant '${tenantId}'`);
      else identities.push(entry as string);
    });
  }
  return { library: library ? path.resolve(baseDir, library) : library, tokenLabel: r.string(raw, 'tokenLabel', 'hsm.'), pinEnv, identities };
}

const ANCHORING_FIELDS = ['deploymentFile', 'rpcUrl', 'chainId', 'contractAddress', 'keyFile', 'keyEnv', 'hsm', 'recorder', 'batchIntervalMs', 'maxItems', 'confirmations', 'pollMs', 'dropAfterMs', 'reconcileMs'];

/**
 * `anchoring`: { deploymentFile? (network/lib/evm.sh's deployment.json: rpcUrl, chainId, contract
 * address and anchorer key file), rpcUrl?, chainId?, contractAddress?, keyFile? | keyEnv? | hsm?,
 * recorder: '<tenantId>/<identityName>', batchIntervalMs?, maxItems?, confirmations?, pollMs?,
 * dropAfterMs?, reconcileMs? } — explicit fields win over the deployment file's.
 */
function readAnchoring(raw: unknown, tenants: TenantConfig[], hsm: HsmSettings | undefined, baseDir: string, r: Reader): AnchoringSettings | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    r.problems.push('anchoring: must be an object');
    return undefined;
  }
  const w = 'anchoring.';
  const extra = Object.keys(raw).filter((k) => !ANCHORING_FIELDS.includes(k));
  if (extra.length > 0) r.problems.push(`${w}${extra.join(', ')}: unknown field`);
  let fromFile: { rpcUrl?: string; chainId?: string; contractAddress?: string; keyFile?: string } = {};
  if (raw.deploymentFile !== undefined) {
    const file = path.resolve(baseDir, r.string(raw, 'deploymentFile', w));
    try {
      const deployment = parseEvmDeployment(readFileSync(file, 'utf8'));
      fromFile = { rpcUrl: deployment.rpcUrl, chainId: deployment.chainId, contractAddress: deployment.address, keyFile: deployment.anchorerKeyFile };
    } catch (err) {
      r.problems.push(`${w}deploymentFile: ${file}: ${(err as Error).message}`);
    }
  }
  const rpcUrl = r.string(raw, 'rpcUrl', w, fromFile.rpcUrl);
  if (rpcUrl && !/^https?:\/\/[^\s]+$/.test(rpcUrl)) r.problems.push(`${w}rpcUrl: an http(s) URL`);
  const chainId = String(raw.chainId ?? fromFile.chainId ?? '');
  if (!/^[1-9]\d{0,19}$/.test(chainId)) r.problems.push(`${w}chainId: a decimal chain id`);
  const contractAddress = r.string(raw, 'contractAddress', w, fromFile.contractAddress);
  if (contractAddress && !/^0x[0-9a-fA-F]{40}$/.test(contractAddress)) r.problems.push(`${w}contractAddress: a 20-byte hex address`);
  let key: AnchoringSettings['key'] = { file: '' };
  const sources = ['keyFile', 'keyEnv', 'hsm'].filter((k) => raw[k] !== undefined);
  if (sources.length > 1) r.problems.push(`${w}${sources.join(', ')}: one key source only (a file, an environment variable or an HSM token)`);
  if (raw.hsm !== undefined) {
    key = { hsm: readAnchoringHsm(raw.hsm, hsm, baseDir, r) };
  } else if (raw.keyEnv !== undefined) {
    const env = r.string(raw, 'keyEnv', w);
    if (env && !/^[A-Z_][A-Z0-9_]*$/.test(env)) r.problems.push(`${w}keyEnv: the name of an environment variable (A-Z, 0-9, _)`);
    key = { env };
  } else {
    const file = r.string(raw, 'keyFile', w, fromFile.keyFile);
    key = { file: file ? path.resolve(baseDir, file) : file };
  }
  const [tenantId, identityName, ...rest] = r.string(raw, 'recorder', w).split('/');
  if (!tenantId || !identityName || rest.length > 0) r.problems.push(`${w}recorder: '<tenantId>/<identityName>'`);
  else if (!tenants.some((t) => t.id === tenantId)) r.problems.push(`${w}recorder: no tenant '${tenantId}'`);
  return {
    rpcUrl,
    chainId,
    contractAddress,
    key,
    recorder: { tenantId: tenantId ?? '', identityName: identityName ?? '' },
    batchIntervalMs: r.int(raw, 'batchIntervalMs', w, 60_000, 100, 86_400_000),
    maxItems: r.int(raw, 'maxItems', w, 256, 1, 1024),
    confirmations: r.int(raw, 'confirmations', w, 2, 1, 1000),
    pollMs: r.int(raw, 'pollMs', w, 2000, 50, 600_000),
    dropAfterMs: r.int(raw, 'dropAfterMs', w, 120_000, 100, 86_400_000),
    reconcileMs: r.int(raw, 'reconcileMs', w, 600_000, 1000, 86_400_000),
  };
}

/**
 * `anchoring.hsm`: { library?, tokenLabel?, pinEnv?, keyLabel | keyId } — the anchorer's secp256k1
 * key in a PKCS#11 token; library, token and PIN variable default to the gateway's `hsm` section
 * (one token may hold the Fabric keys and the anchorer's), the PIN variable else to ECONFIRM_HSM_PIN.
 */
function readAnchoringHsm(raw: unknown, hsm: HsmSettings | undefined, baseDir: string, r: Reader): AnchoringHsmKey {
  const w = 'anchoring.hsm.';
  if (!isObject(raw)) {
    r.problems.push('anchoring.hsm: must be an object');
    return { library: '', tokenLabel: '', pinEnv: '' };
  }
  const extra = Object.keys(raw).filter((k) => !['library', 'tokenLabel', 'pinEnv', 'keyLabel', 'keyId'].includes(k));
  if (extra.length > 0) r.problems.push(`${w}${extra.join(', ')}: unknown field`);
  const library = raw.library !== undefined ? r.string(raw, 'library', w) : (hsm?.library ?? r.string(raw, 'library', w));
  const pinEnv = r.string(raw, 'pinEnv', w, hsm?.pinEnv ?? 'ECONFIRM_HSM_PIN');
  if (pinEnv && !/^[A-Z_][A-Z0-9_]*$/.test(pinEnv)) r.problems.push(`${w}pinEnv: the name of an environment variable (A-Z, 0-9, _)`);
  const key: AnchoringHsmKey = { library: library ? path.resolve(baseDir, library) : library, tokenLabel: r.string(raw, 'tokenLabel', w, hsm?.tokenLabel), pinEnv };
  if ((raw.keyLabel === undefined) === (raw.keyId === undefined)) r.problems.push(`${w}keyLabel | keyId: exactly one (the key pair's CKA_LABEL or its CKA_ID in hex)`);
  else if (raw.keyLabel !== undefined) key.keyLabel = r.string(raw, 'keyLabel', w);
  else {
    const keyId = r.string(raw, 'keyId', w);
    if (keyId && !/^([0-9a-fA-F]{2})+$/.test(keyId)) r.problems.push(`${w}keyId: hex bytes (the CKA_ID)`);
    key.keyId = keyId.toLowerCase();
  }
  return key;
}

function readTenants(raw: unknown, r: Reader): TenantConfig[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    r.problems.push('tenants: at least one tenant is required');
    return [];
  }
  const tenants = raw.map((entry, index): TenantConfig => {
    const where = `tenants[${index}].`;
    if (!isObject(entry)) {
      r.problems.push(`tenants[${index}]: must be an object`);
      return { id: '', institutionId: '', orgKey: '' };
    }
    const tenant: TenantConfig = { id: r.string(entry, 'id', where), institutionId: r.string(entry, 'institutionId', where), orgKey: r.string(entry, 'orgKey', where) };
    if (tenant.id && !TENANT_ID.test(tenant.id)) r.problems.push(`${where}id: lowercase letters, digits and '-' only`);
    if (tenant.institutionId && !INSTITUTION_ID.test(tenant.institutionId)) r.problems.push(`${where}institutionId: not a registry id`);
    if (entry.gatewayOrgKey !== undefined) tenant.gatewayOrgKey = r.string(entry, 'gatewayOrgKey', where);
    const extra = Object.keys(entry).filter((k) => !['id', 'institutionId', 'orgKey', 'gatewayOrgKey'].includes(k));
    if (extra.length > 0) r.problems.push(`${where}${extra.join(', ')}: unknown field`);
    return tenant;
  });
  const seen = new Set<string>();
  for (const t of tenants) {
    if (seen.has(t.id)) r.problems.push(`tenants: duplicate id '${t.id}'`);
    seen.add(t.id);
  }
  const institutions = new Set<string>();
  for (const t of tenants) {
    if (institutions.has(t.institutionId)) r.problems.push(`tenants: institution '${t.institutionId}' is hosted twice`);
    institutions.add(t.institutionId);
  }
  return tenants;
}

/**
 * Validates a raw configuration object (from a JSON file, with environment overrides applied)
 * into a GatewayConfig, or throws ConfigError listing every problem. Relative paths resolve
 * against `baseDir`.
 */
export function validateGatewayConfig(raw: unknown, baseDir = process.cwd()): GatewayConfig {
  const r = new Reader();
  if (!isObject(raw)) throw new ConfigError(['the configuration must be a JSON object']);
  const known = ['host', 'port', 'publicUrl', 'dbPath', 'networkDescriptorPath', 'keysDir', 'audience', 'logLevel', 'tenants', 'deadlines', 'limits', 'evidence', 'events', 'bulk', 'registryCache', 'memory', 'portal', 'hsm', 'anchoring'];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length > 0) r.problems.push(`${unknown.join(', ')}: unknown setting`);
  const file = (key: string, fallback?: string): string => {
    const value = r.string(raw, key, '', fallback);
    return value ? path.resolve(baseDir, value) : value;
  };
  const logLevel = (raw.logLevel ?? 'log') as GatewayConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) r.problems.push(`logLevel: one of ${LOG_LEVELS.join(', ')}`);
  const keysDir = file('keysDir');
  const deadlines = r.section(raw, 'deadlines');
  const limits = r.section(raw, 'limits');
  const evidence = r.section(raw, 'evidence');
  const events = r.section(raw, 'events');
  const bulk = r.section(raw, 'bulk');
  const registryCache = r.section(raw, 'registryCache');
  const memory = r.section(raw, 'memory');
  const portal = r.section(raw, 'portal');
  const portalExtra = Object.keys(portal).filter((k) => !['enabled', 'dir'].includes(k));
  if (portalExtra.length > 0) r.problems.push(`portal.${portalExtra.join(', ')}: unknown field`);
  const tenants = readTenants(raw.tenants, r);
  const hsm = readHsm(raw.hsm, tenants, baseDir, r);
  const anchoring = readAnchoring(raw.anchoring, tenants, hsm, baseDir, r);
  const host = r.string(raw, 'host', '', '127.0.0.1');
  const port = r.int(raw, 'port', '', 8443, 0, 65535);
  const publicUrl = readPublicUrl(r.string(raw, 'publicUrl', '', `http://${host.includes(':') ? `[${host}]` : host}:${port}`), r);
  const config: GatewayConfig = {
    host,
    port,
    publicUrl,
    dbPath: file('dbPath'),
    networkDescriptorPath: file('networkDescriptorPath'),
    keysDir,
    audience: r.string(raw, 'audience', '', publicUrl),
    logLevel,
    tenants,
    deadlines: {
      evaluateMs: r.int(deadlines, 'evaluateMs', 'deadlines.', DEFAULT_DEADLINES.evaluateMs, 100, 600_000),
      endorseMs: r.int(deadlines, 'endorseMs', 'deadlines.', DEFAULT_DEADLINES.endorseMs, 100, 600_000),
      submitMs: r.int(deadlines, 'submitMs', 'deadlines.', DEFAULT_DEADLINES.submitMs, 100, 600_000),
      commitStatusMs: r.int(deadlines, 'commitStatusMs', 'deadlines.', DEFAULT_DEADLINES.commitStatusMs, 100, 600_000),
    },
    limits: {
      bodyBytes: r.int(limits, 'bodyBytes', 'limits.', DEFAULT_LIMITS.bodyBytes, 1024, 64 * 1024 * 1024),
      jsonDepth: r.int(limits, 'jsonDepth', 'limits.', DEFAULT_LIMITS.jsonDepth, 4, 256),
      maxPageSize: r.int(limits, 'maxPageSize', 'limits.', DEFAULT_LIMITS.maxPageSize, 1, 200),
      tokenLifetimeSeconds: r.int(limits, 'tokenLifetimeSeconds', 'limits.', DEFAULT_LIMITS.tokenLifetimeSeconds, 10, 300),
      clockSkewSeconds: r.int(limits, 'clockSkewSeconds', 'limits.', DEFAULT_LIMITS.clockSkewSeconds, 0, 300),
      idempotencyHours: r.int(limits, 'idempotencyHours', 'limits.', DEFAULT_LIMITS.idempotencyHours, 1, 24 * 30),
      offlineProposalMinutes: r.int(limits, 'offlineProposalMinutes', 'limits.', DEFAULT_LIMITS.offlineProposalMinutes, 1, 24 * 60),
      rate: readRate(limits, r),
    },
    evidence: {
      dir: typeof evidence.dir === 'string' ? path.resolve(baseDir, evidence.dir) : path.join(keysDir || baseDir, 'evidence'),
      verifier: readVerifier(evidence, r),
    },
    events: {
      enabled: r.bool(events, 'enabled', 'events.', true),
      webhookMaxAttempts: r.int(events, 'webhookMaxAttempts', 'events.', 8, 1, 100),
      webhookBackoffMs: r.int(events, 'webhookBackoffMs', 'events.', 1000, 10, 3_600_000),
      webhookMaxBackoffMs: r.int(events, 'webhookMaxBackoffMs', 'events.', 600_000, 10, 86_400_000),
      webhookTimeoutMs: r.int(events, 'webhookTimeoutMs', 'events.', 10_000, 100, 120_000),
      webhookEgress: readWebhookEgress(events, r),
      heartbeatMs: r.int(events, 'heartbeatMs', 'events.', 15_000, 100, 300_000),
      reconnectBackoffMs: r.int(events, 'reconnectBackoffMs', 'events.', 1000, 10, 60_000),
    },
    bulk: {
      uploadBytes: r.int(bulk, 'uploadBytes', 'bulk.', 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
      batchSize: r.int(bulk, 'batchSize', 'bulk.', 50, 1, 500),
      maxRows: r.int(bulk, 'maxRows', 'bulk.', 10_000, 1, 1_000_000),
      maxCells: r.int(bulk, 'maxCells', 'bulk.', 500_000, 1, 50_000_000),
      maxUncompressedBytes: r.int(bulk, 'maxUncompressedBytes', 'bulk.', 64 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    },
    memory: { reclaimIdleSeconds: r.int(memory, 'reclaimIdleSeconds', 'memory.', 10, 0, 3600) },
    registryCache: {
      ttlMs: r.int(registryCache, 'ttlMs', 'registryCache.', 30_000, 0, 3_600_000),
      maxEntries: r.int(registryCache, 'maxEntries', 'registryCache.', 10_000, 1, 1_000_000),
    },
    portal: {
      enabled: r.bool(portal, 'enabled', 'portal.', true),
      dir: portal.dir === undefined ? defaultPortalDir() : path.resolve(baseDir, r.string(portal, 'dir', 'portal.')),
    },
    ...(hsm ? { hsm } : {}),
    ...(anchoring ? { anchoring } : {}),
  };
  // The service learns of completed evidence from the tenants' event outboxes.
  if (anchoring && !config.events.enabled) r.problems.push('anchoring: needs events.enabled (completed evidence is found through chaincode events)');
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** An http(s) origin (a path only as a prefix, no query or fragment), without a trailing slash. */
function readPublicUrl(value: string, r: Reader): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    r.problems.push(`publicUrl: must be an absolute http(s) URL, got '${value}'`);
    return value;
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password) {
    r.problems.push(`publicUrl: must be an http(s) URL without query, fragment or credentials, got '${value}'`);
  }
  return url.href.replace(/\/+$/, '');
}

/** Environment variables that override the file (for scripts and containers). */
const ENV_OVERRIDES: ReadonlyArray<[env: string, key: string]> = [
  ['ECONFIRM_GATEWAY_HOST', 'host'],
  ['ECONFIRM_GATEWAY_PORT', 'port'],
  ['ECONFIRM_GATEWAY_DB', 'dbPath'],
  ['ECONFIRM_GATEWAY_KEYS_DIR', 'keysDir'],
  ['ECONFIRM_GATEWAY_PUBLIC_URL', 'publicUrl'],
  ['ECONFIRM_GATEWAY_AUDIENCE', 'audience'],
  ['ECONFIRM_GATEWAY_LOG_LEVEL', 'logLevel'],
  ['ECONFIRM_NETWORK_DESCRIPTOR', 'networkDescriptorPath'],
];

/**
 * The start-up configuration: the JSON file named by ECONFIRM_GATEWAY_CONFIG (or `file`), then
 * the environment overrides, validated. A bad config stops the gateway before it listens.
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env, file = env.ECONFIRM_GATEWAY_CONFIG): GatewayConfig {
  let raw: Json = {};
  let baseDir = process.cwd();
  if (file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!isObject(parsed)) throw new Error('not a JSON object');
      raw = parsed;
    } catch (err) {
      throw new ConfigError([`${file}: ${(err as Error).message}`]);
    }
    baseDir = path.dirname(path.resolve(file));
  }
  for (const [name, key] of ENV_OVERRIDES) {
    if (env[name] !== undefined && env[name] !== '') raw[key] = env[name];
  }
  if (raw.networkDescriptorPath === undefined && env.ECONFIRM_NETWORK_DIR) {
    raw.networkDescriptorPath = path.join(env.ECONFIRM_NETWORK_DIR, 'network.json');
  }
  return validateGatewayConfig(raw, baseDir);
}

/** Nest injection token of the validated GatewayConfig. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
