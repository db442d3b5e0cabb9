import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The key file's name in the gateway's keysDir (next to `<institutionId>.keys.json`, see tenants/tenants.service.ts). */
export const AT_REST_KEY_FILE = 'gateway-at-rest.key';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The master key: read from keysDir, created (32 random bytes, owner-only) on the first start. */
function loadOrCreateMasterKey(keysDir: string): Buffer {
  const file = path.join(keysDir, AT_REST_KEY_FILE);
  try {
    return decodeKey(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': two gateways starting on one keysDir cannot each write their own key; the loser reads the winner's.
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return decodeKey(readFileSync(file, 'utf8'), file);
}

function decodeKey(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} must hold 32 bytes in base64 (the gateway's at-rest key)`);
  return key;
}

/**
 * Seals what the gateway must keep but may not keep readable — a recorded response to replay
 * (idempotency), an offline transaction's final answer, a bulk letter waiting for its chunk — so
 * no decrypted content is ever written to its SQLite file, WAL or backups (gateway/README.md,
 * "Content at rest"). AES-256-GCM under a key per tenant, derived with HKDF-SHA256 from the master
 * key in keysDir, the folder that already holds each institution's private keys and is kept apart
 * from the database: whoever reads that folder can decrypt the ledger's content anyway, whoever
 * holds only the database (a copy, a backup, its WAL) reads nothing. Each value carries a fresh
 * random IV; its context (table, tenant, row key) is authenticated data, so a sealed value moved
 * to another row or tenant does not open.
 */
export class AtRestCipher {
  private readonly master: Buffer;
  private readonly tenantKeys = new Map<string, Buffer>();

  constructor(keysDir: string) {
    this.master = loadOrCreateMasterKey(keysDir);
  }

  private keyOf(tenantId: string): Buffer {
    let key = this.tenantKeys.get(tenantId);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.master, Buffer.from('econfirm gateway at rest'), Buffer.from(`tenant:${tenantId}`), 32));
      this.tenantKeys.set(tenantId, key);
    }
    return key;
  }

  /**
   * The secret a credential's sealed steps have their answers sealed under (clients/sdk
   * sealed-steps.ts): derived from the master key, so it outlives a restart and the gateway opens
   * an earlier attempt's answer from the block (fabric/ledger.service.ts, committedEarlier); one
   * per credential, because an offline credential's signer sees it in the proposal it signs and
   * must not open any other credential's answers with it.
   */
  answerSecret(credentialId: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.master, Buffer.from('econfirm sealed answers'), Buffer.from(`credential:${credentialId}`), 32));
  }

  /** `v1.<base64 iv|tag|ciphertext>` of the JSON of `value` (bigints as strings). */
  sealJson(tenantId: string, context: string, value: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyOf(tenantId), iv);
    cipher.setAAD(Buffer.from(`${tenantId}\n${context}`));
    const json = JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    const ciphertext = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  }

  /** Whether a stored value is sealed (rows written before sealing began are re-sealed at start-up). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(`${VERSION}.`);
  }

  /** The value sealJson sealed for this tenant and context; throws if it was altered, moved or sealed under another key. */
  openJson(tenantId: string, context: string, sealed: string): unknown {
    if (!sealed.startsWith(`${VERSION}.`)) throw new Error('not a sealed value');
    const bytes = Buffer.from(sealed.slice(VERSION.length + 1), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.keyOf(tenantId), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${tenantId}\n${context}`));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const json = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    return JSON.parse(json) as unknown;
  }
}
