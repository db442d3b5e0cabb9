import {
  AbstractSigner,
  computeAddress,
  copyRequest,
  getAddress,
  getBytes,
  hashMessage,
  resolveAddress,
  resolveProperties,
  Signature,
  SigningKey,
  toBeHex,
  Transaction,
  TypedDataEncoder,
  type Provider,
  type TransactionRequest,
  type TypedDataDomain,
  type TypedDataField,
} from 'ethers';
import type * as Pkcs11 from 'pkcs11js';
import type { AnchoringHsmKey } from '../config/gateway-config';
import { oneAtATime } from '../fabric/hsm-custody';

/** secp256k1's group order n (SEC 2, 2.4.1). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** CKA_EC_PARAMS of secp256k1: the DER of its named-curve OID 1.3.132.0.10. */
export const SECP256K1_EC_PARAMS = Buffer.from('06052b8104000a', 'hex');

/** Curves a token is likely to hold, by the DER of their OIDs, so a refusal can name the curve it found. */
const KNOWN_CURVES: Record<string, string> = {
  '06052b8104000a': 'secp256k1',
  '06082a8648ce3d030107': 'P-256',
  '06052b81040022': 'P-384',
  '06052b81040023': 'P-521',
};

/**
 * One loaded and initialized PKCS#11 module per library path in this process. A module's state is
 * process-wide (every handle from dlopen shares it), so a second C_Initialize answers
 * CKR_CRYPTOKI_ALREADY_INITIALIZED and one C_Finalize ends every user's sessions: initialize once,
 * count the users, finalize after the last — and never when someone else (the Fabric HSM custody,
 * through fabric-gateway's signer factory) initialized it and still uses it.
 */
const modules = new Map<string, { pkcs11: Pkcs11.PKCS11; users: number; ours: boolean }>();

type Binding = typeof Pkcs11;
let bindingPromise: Promise<Binding> | undefined;

/**
 * pkcs11js, loaded on first use. It is a native addon and an optional dependency (as it is
 * fabric-gateway's): a gateway whose install could not build it still starts, as long as no
 * anchoring key is in a token. It is CommonJS whose exports Node cannot list statically, so an
 * import() finds them on `default` only.
 */
function loadBinding(): Promise<Binding> {
  bindingPromise ??= import('pkcs11js').then(
    (m) => (m as unknown as { default: Binding }).default,
    (err: Error) => {
      bindingPromise = undefined;
      throw new Error(`anchoring.hsm: the PKCS#11 binding (pkcs11js) is not installed: ${err.message}`);
    },
  );
  return bindingPromise;
}

async function acquireModule(library: string): Promise<Pkcs11.PKCS11> {
  const open = modules.get(library);
  if (open) {
    open.users += 1;
    return open.pkcs11;
  }
  const binding = await loadBinding();
  const pkcs11 = new binding.PKCS11();
  try {
    pkcs11.load(library);
  } catch (err) {
    throw new Error(`anchoring.hsm: cannot load the PKCS#11 module ${library}: ${(err as Error).message}`);
  }
  let ours = true;
  try {
    pkcs11.C_Initialize();
  } catch (err) {
    if ((err as Pkcs11.Pkcs11Error).code !== binding.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw new Error(`anchoring.hsm: ${library}: C_Initialize: ${(err as Error).message}`);
    ours = false;
  }
  modules.set(library, { pkcs11, users: 1, ours });
  return pkcs11;
}

function releaseModule(library: string): void {
  const open = modules.get(library);
  if (!open || --open.users > 0) return;
  modules.delete(library);
  if (open.ours) open.pkcs11.C_Finalize();
}

/** CKA_EC_POINT as the uncompressed point 0x04 ‖ x ‖ y: the spec's DER OCTET STRING, or the raw point some tokens return. */
export function ecPointOf(value: Buffer): string {
  let point = value;
  if (point[0] === 0x04 && point.length >= 2 && point[1] === point.length - 2 && (point.length === 67 || point.length === 35)) point = point.subarray(2);
  // computePublicKey checks the point is on secp256k1 (and expands a compressed one).
  return SigningKey.computePublicKey(point, false);
}

/** s → n − s when s > n/2: EIP-2 makes nodes refuse a transaction with a high s, and CKM_ECDSA returns either half the time. */
export function lowS(s: bigint): bigint {
  return s > SECP256K1_N / 2n ? SECP256K1_N - s : s;
}

/**
 * The Ethereum signature for a raw CKM_ECDSA result (r ‖ s, 32 bytes each) over `digest` by the key
 * whose public point is `publicKey`. PKCS#11 does not return the recovery id (the parity of R's
 * y, which only the signer saw), so each of the two candidates is recovered and the one that gives
 * back the token's own public key is kept; neither means the token signed with another key.
 */
export function ethereumSignature(digest: string, raw: Uint8Array, publicKey: string): Signature {
  if (raw.length !== 64) throw new Error(`the token returned a ${raw.length}-byte ECDSA signature, not r ‖ s of 64 bytes`);
  const r = toBeHex(BigInt(`0x${Buffer.from(raw.subarray(0, 32)).toString('hex')}`), 32);
  const s = toBeHex(lowS(BigInt(`0x${Buffer.from(raw.subarray(32)).toString('hex')}`)), 32);
  for (const yParity of [0, 1] as const) {
    const signature = Signature.from({ r, s, yParity });
    let recovered: string;
    try {
      recovered = SigningKey.recoverPublicKey(digest, signature);
    } catch {
      continue;
    }
    if (recovered === publicKey) return signature;
  }
  throw new Error('the token\'s signature does not recover to its own public key');
}

/** A key pair in an open token session: signs 32-byte digests, one at a time (one session signs one digest at a time). */
class TokenKey {
  private readonly signRaw: (digest: Uint8Array) => Promise<Uint8Array>;
  private closed = false;

  constructor(
    private readonly pkcs11: Pkcs11.PKCS11,
    private readonly session: Buffer,
    privateKey: Buffer,
    readonly publicKey: string,
    private readonly library: string,
    mechanism: number,
  ) {
    // CKM_ECDSA (not CKM_ECDSA_SHA256): the token signs the 32 bytes it is given as the hash, which
    // is what Ethereum needs — its digests are keccak-256, a hash no PKCS#11 mechanism computes.
    this.signRaw = oneAtATime(async (digest) => {
      pkcs11.C_SignInit(session, { mechanism }, privateKey);
      return pkcs11.C_SignAsync(session, Buffer.from(digest), Buffer.alloc(64));
    });
  }

  async sign(digest: string): Promise<Signature> {
    if (this.closed) throw new Error('the HSM session of the anchorer key is closed');
    return ethereumSignature(digest, await this.signRaw(getBytes(digest)), this.publicKey);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.pkcs11.C_CloseSession(this.session);
    } finally {
      releaseModule(this.library);
    }
  }
}

function findObjects(pkcs11: Pkcs11.PKCS11, session: Buffer, template: Pkcs11.Template): Buffer[] {
  pkcs11.C_FindObjectsInit(session, template);
  try {
    return pkcs11.C_FindObjects(session, 2);
  } finally {
    pkcs11.C_FindObjectsFinal(session);
  }
}

/**
 * Opens the anchorer key in its token: the PIN from the environment, the token by label, the key
 * pair by label or id, checked to be secp256k1 (the only curve an EVM account has), its address
 * derived from the token's public point, and one signature made and recovered, so that a key the
 * gateway could not anchor with stops the start-up rather than the first batch.
 */
export async function openHsmEvmSigner(settings: AnchoringHsmKey, env: NodeJS.ProcessEnv = process.env, provider: Provider | null = null): Promise<HsmEvmSigner> {
  const which = settings.keyLabel !== undefined ? `labelled '${settings.keyLabel}'` : `with CKA_ID ${settings.keyId}`;
  const pin = env[settings.pinEnv] ?? '';
  if (!pin) throw new Error(`anchoring.hsm: the token's PIN is not in the environment variable ${settings.pinEnv}`);
  const binding = await loadBinding();
  const pkcs11 = await acquireModule(settings.library);
  let session: Buffer | undefined;
  let key: TokenKey | undefined;
  try {
    const slot = pkcs11.C_GetSlotList(true).find((s) => pkcs11.C_GetTokenInfo(s).label.trim() === settings.tokenLabel);
    if (!slot) throw new Error(`no token labelled '${settings.tokenLabel}' in ${settings.library}`);
    session = pkcs11.C_OpenSession(slot, binding.CKF_SERIAL_SESSION);
    try {
      pkcs11.C_Login(session, binding.CKU_USER, pin);
    } catch (err) {
      // Login is per application, not per session: the Fabric custody may have logged in already.
      if ((err as Pkcs11.Pkcs11Error).code !== binding.CKR_USER_ALREADY_LOGGED_IN) throw new Error(`login to token '${settings.tokenLabel}' refused: ${(err as Error).message}`);
    }
    const selector: Pkcs11.Template =
      settings.keyLabel !== undefined ? [{ type: binding.CKA_LABEL, value: settings.keyLabel }] : [{ type: binding.CKA_ID, value: Buffer.from(settings.keyId ?? '', 'hex') }];
    const privateKeys = findObjects(pkcs11, session, [{ type: binding.CKA_CLASS, value: binding.CKO_PRIVATE_KEY }, ...selector]);
    if (privateKeys.length === 0) throw new Error(`no private key ${which} in token '${settings.tokenLabel}'`);
    if (privateKeys.length > 1) throw new Error(`more than one private key ${which} in token '${settings.tokenLabel}'`);
    const privateKey = privateKeys[0] as Buffer;
    const [keyType] = pkcs11.C_GetAttributeValue(session, privateKey, [{ type: binding.CKA_KEY_TYPE }]);
    if (ulong(keyType?.value) !== binding.CKK_EC) throw new Error(`the key ${which} is not an EC key; an EVM account is a secp256k1 key`);
    const [params] = pkcs11.C_GetAttributeValue(session, privateKey, [{ type: binding.CKA_EC_PARAMS }]);
    const curve = Buffer.from(params?.value as Buffer);
    if (!curve.equals(SECP256K1_EC_PARAMS)) {
      throw new Error(`the key ${which} is on ${KNOWN_CURVES[curve.toString('hex')] ?? `the curve ${curve.toString('hex')}`}, not secp256k1 (the only curve of an EVM account)`);
    }
    // The private key object does not carry its public point (CKA_EC_POINT is an attribute of the
    // public key object), so the address comes from the public object of the same label or id.
    const publicKeys = findObjects(pkcs11, session, [{ type: binding.CKA_CLASS, value: binding.CKO_PUBLIC_KEY }, ...selector]);
    if (publicKeys.length !== 1) throw new Error(`${publicKeys.length === 0 ? 'no' : 'more than one'} public key ${which} in token '${settings.tokenLabel}' (its CKA_EC_POINT gives the account's address)`);
    const [point] = pkcs11.C_GetAttributeValue(session, publicKeys[0] as Buffer, [{ type: binding.CKA_EC_POINT }]);
    key = new TokenKey(pkcs11, session, privateKey, ecPointOf(point?.value as Buffer), settings.library, binding.CKM_ECDSA);
    try {
      // A public object of the same label from another pair would give an address no signature recovers to.
      await key.sign(hashMessage('econfirm anchorer key check'));
    } catch (err) {
      throw new Error(`the key ${which} does not sign for its public key: ${(err as Error).message}`);
    }
    return new HsmEvmSigner(key, provider);
  } catch (err) {
    if (key) key.close();
    else {
      try {
        if (session) pkcs11.C_CloseSession(session);
      } finally {
        releaseModule(settings.library);
      }
    }
    throw new Error(`anchoring.hsm: ${(err as Error).message.replace(/^anchoring\.hsm: /, '')}`);
  }
}

/** A CK_ULONG attribute value (native byte order: little-endian on every platform the gateway runs on). */
function ulong(value: unknown): number | undefined {
  if (!Buffer.isBuffer(value)) return undefined;
  if (value.length === 8) return Number(value.readBigUInt64LE());
  if (value.length === 4) return value.readUInt32LE();
  return undefined;
}

/**
 * An ethers 6 signer whose secp256k1 key stays in a PKCS#11 token: ethers builds and serializes
 * transactions, messages and typed data as for a Wallet (this mirrors ethers' BaseWallet), and only
 * the 32-byte digest goes to the token.
 */
export class HsmEvmSigner extends AbstractSigner {
  readonly address: string;

  constructor(
    private readonly key: TokenKey,
    provider: Provider | null = null,
  ) {
    super(provider);
    this.address = computeAddress(key.publicKey);
  }

  /** The uncompressed public key read from the token. */
  get publicKey(): string {
    return this.key.publicKey;
  }

  getAddress(): Promise<string> {
    return Promise.resolve(this.address);
  }

  /** The same token session on another provider (closing either closes it). */
  connect(provider: Provider | null): HsmEvmSigner {
    return new HsmEvmSigner(this.key, provider);
  }

  async signTransaction(request: TransactionRequest): Promise<string> {
    const tx = copyRequest(request);
    // ENS names and Addressables become addresses, as a Wallet resolves them.
    const { to, from } = await resolveProperties({
      to: tx.to ? resolveAddress(tx.to, this) : undefined,
      from: tx.from ? resolveAddress(tx.from, this) : undefined,
    });
    if (to !== undefined && to !== null) tx.to = to;
    if (from !== undefined && from !== null) {
      if (getAddress(from) !== this.address) throw new Error(`transaction from ${from} is not the HSM key's address ${this.address}`);
    }
    delete tx.from;
    const btx = Transaction.from(tx as Parameters<typeof Transaction.from>[0]);
    btx.signature = await this.key.sign(btx.unsignedHash);
    return btx.serialized;
  }

  async signMessage(message: string | Uint8Array): Promise<string> {
    return (await this.key.sign(hashMessage(message))).serialized;
  }

  async signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string> {
    const populated = await TypedDataEncoder.resolveNames(domain, types, value, async (name) => {
      const address = await this.resolveName(name);
      if (!address) throw new Error(`unconfigured ENS name ${name}`);
      return address;
    });
    return (await this.key.sign(TypedDataEncoder.hash(populated.domain, types, populated.value))).serialized;
  }

  /** Closes the token session (and the module after its last user). */
  close(): void {
    this.key.close();
  }
}
