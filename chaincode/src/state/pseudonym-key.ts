import { Context } from 'fabric-contract-api';
import { ErrorCode, LedgerError } from '@econfirm/common';
import { readPrivateJson, writePrivateJson } from './private-ledger';
import { txTimeIso } from './tx-time';
import { invalid } from '../validation/field-reader';

/** The transient-map key `SetPseudonymKey` takes the platform key's raw bytes from. */
export const PSEUDONYM_KEY_TRANSIENT = 'pseudonymKey';

/** Length of the platform key, in bytes: HMAC-SHA-256's block-sized security, as `pseudonym` demands. */
export const PSEUDONYM_KEY_BYTES = 32;

/**
 * Where the key lives in the platform collection: a simple (not composite) key, so no composite
 * range of the collection (an index, the 16-range scan of a record type) can ever include it.
 */
const PSEUDONYM_KEY_KEY = 'pseudonymKey';

/** The stored key: the bytes (base64) and who set it when. Only member peers hold it. */
interface StoredPseudonymKey {
  key: string;
  setBy: string;
  setAt: string;
  txId: string;
}

/**
 * The platform's pseudonym key (chaincode/README.md, Need to know on the channel), or undefined
 * before the operator's admin has set it. On a peer that is not a member of the platform
 * collection there is none to read: such a peer cannot compute a pseudonym, so cannot endorse.
 */
export async function readPseudonymKey(ctx: Context): Promise<Buffer | undefined> {
  const stored = await readPrivateJson<StoredPseudonymKey>(ctx, PSEUDONYM_KEY_KEY);
  return stored === undefined ? undefined : Buffer.from(stored.key, 'base64');
}

/**
 * Writes the key from the transient map, once: a second key would orphan every pseudonym made
 * under the first (the records would still be there, but no key of theirs could be recomputed).
 * The bytes come through the transient map, so no block carries them; the block holds the hash
 * of the key's collection key and of its (random, so unguessable) value.
 */
export async function setPseudonymKey(ctx: Context, setBy: string): Promise<void> {
  const bytes = ctx.stub.getTransient().get(PSEUDONYM_KEY_TRANSIENT);
  if (!bytes || bytes.length === 0) throw invalid(PSEUDONYM_KEY_TRANSIENT, 'is missing from the transient map');
  if (bytes.length !== PSEUDONYM_KEY_BYTES) throw invalid(PSEUDONYM_KEY_TRANSIENT, `must be ${PSEUDONYM_KEY_BYTES} bytes, not ${bytes.length}`);
  if ((await readPseudonymKey(ctx)) !== undefined) throw new LedgerError(ErrorCode.AlreadyExists, 'the pseudonym key is set; it cannot be replaced');
  const stored: StoredPseudonymKey = { key: Buffer.from(bytes).toString('base64'), setBy, setAt: txTimeIso(ctx), txId: ctx.stub.getTxID() };
  await writePrivateJson(ctx, PSEUDONYM_KEY_KEY, stored);
}
