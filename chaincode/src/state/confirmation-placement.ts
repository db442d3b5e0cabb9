import { Context } from 'fabric-contract-api';
import { ErrorCode, LedgerError } from '@econfirm/common';
import { readJson, writeJson } from './ledger';
import { pseudonym } from './private-ledger';
import { readPseudonymKey } from './pseudonym-key';
import { txTimeIso } from './tx-time';

/**
 * Where the confirmation ledger keeps its records on this channel (chaincode/README.md, Need to
 * know on the channel, step 1). Until the operator's admin starts the private store
 * (`StartPrivateStore`) every record, engagement, index entry and statistics row is public state,
 * as on every ledger written before issue 11. From then on new ones are private data of the
 * platform collection under keyed pseudonyms; records that were public before stay public (and
 * readable), each step on them too.
 *
 * A simple public key, read by every confirmation transaction: its name and value say only that
 * the switch was made, when, and whether public records predate it — nothing about any request.
 */
const PRIVATE_STORE_MARKER = 'confirmationPrivateStore';

interface PrivateStoreMarker {
  startedAt: string;
  by: string;
  txId: string;
  /** Whether public confirmation records existed when the store started: only then are public keys read. */
  publicRecords: boolean;
}

export interface Placement {
  /** New records go to the platform collection. */
  readonly private: boolean;
  /**
   * Public records may exist: reads fall back to public state. On a ledger private from its first
   * request this is false, and no confirmation transaction reads a public record key — such a
   * read would put the (plaintext) key, the request id, in the block's read set.
   */
  readonly publicRecords: boolean;
  /** The pseudonym of `parts` (private placement only). */
  pseudonym(...parts: string[]): string;
}

const PUBLIC: Placement = {
  private: false,
  publicRecords: true,
  pseudonym: () => {
    throw new Error('pseudonyms are for the private store only');
  },
};

/** One placement per transaction: the marker and the platform key are read once. */
const placements = new WeakMap<Context, Promise<Placement>>();

async function readPlacement(ctx: Context): Promise<Placement> {
  const marker = await readJson<PrivateStoreMarker>(ctx, PRIVATE_STORE_MARKER);
  if (!marker) return PUBLIC;
  const key = await readPseudonymKey(ctx);
  // A peer that is not a member of the platform collection holds no key: it cannot endorse a
  // confirmation step (the gateway sends them to the members; README, Need to know step 2).
  if (!key) throw new Error('this peer holds no platform pseudonym key (not a member of econfirmPlatform): endorse on the operator’s and the regulator’s peers');
  return { private: true, publicRecords: marker.publicRecords, pseudonym: (...parts) => pseudonym(key, ...parts) };
}

export function placement(ctx: Context): Promise<Placement> {
  let cached = placements.get(ctx);
  if (!cached) {
    cached = readPlacement(ctx);
    placements.set(ctx, cached);
  }
  return cached;
}

/**
 * Starts the private store, once: needs the platform key (`SetPseudonymKey` first), records
 * whether public records exist (`hasPublicRecords`). `started`: this transaction is the one that
 * starts it (as `StartStatisticsIndex`: asked as a query, it says whether a submit would).
 */
export async function startPrivateStore(
  ctx: Context,
  by: string,
  hasPublicRecords: () => Promise<boolean>,
): Promise<{ private: true; started: boolean; publicRecords: boolean }> {
  const existing = await readJson<PrivateStoreMarker>(ctx, PRIVATE_STORE_MARKER);
  if (existing) return { private: true, started: false, publicRecords: existing.publicRecords };
  if (!(await readPseudonymKey(ctx))) throw new LedgerError(ErrorCode.Conflict, 'the platform pseudonym key is not set: SetPseudonymKey first');
  const publicRecords = await hasPublicRecords();
  const marker: PrivateStoreMarker = { startedAt: txTimeIso(ctx), by, txId: ctx.stub.getTxID(), publicRecords };
  await writeJson(ctx, PRIVATE_STORE_MARKER, marker);
  return { private: true, started: true, publicRecords };
}
