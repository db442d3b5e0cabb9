import { Context } from 'fabric-contract-api';
import { EventName, setHeldEvent, type HeldEvent } from '../events';
import { placement } from './confirmation-placement';
import { readPrivateJson, writePrivateJson } from './private-ledger';
import { marshal } from './marshal';

/**
 * The event of a sealed step (common/src/domain/sealed-call.ts) once the confirmation ledger is
 * private: its ids and state would be in the block, so the block's event is `ConfirmationChanged`
 * with `{}` and the event as the step emitted it is private data of the platform collection under
 * the transaction's pseudonym, `cftx`[ρ('cftx', txId)]. A gateway learns what changed by asking
 * `ListConfirmationsChangedBy(txId)` as its tenants (gateway/src/events/event-router.service.ts):
 * each sees the ids it may read. The value carries a pseudonym (`ref`) as salt: the block holds
 * SHA-256 of every private value, and an event's ids and state are guessable.
 */
const TX_EVENT = 'cftx';

interface SealedEventEntry extends HeldEvent {
  ref: string;
  txId: string;
}

/** What a sealed step's transaction shows of its event: `{}` and the entry (private store), or the event itself (public). */
export async function publishHeldEvent(ctx: Context, event: HeldEvent | undefined): Promise<void> {
  if (!event) return;
  const place = await placement(ctx);
  if (!place.private) {
    setHeldEvent(ctx, event);
    return;
  }
  const txId = ctx.stub.getTxID();
  const entry: SealedEventEntry = { ref: place.pseudonym(TX_EVENT, 'ref', txId), txId, name: event.name, payload: event.payload };
  await writePrivateJson(ctx, ctx.stub.createCompositeKey(TX_EVENT, [place.pseudonym(TX_EVENT, txId)]), entry);
  ctx.stub.setEvent(EventName.ConfirmationChanged, marshal({}));
}

/** The event a sealed step of transaction `txId` emitted, or undefined (no such step, or a public ledger: its events are in the clear). */
export async function readSealedEvent(ctx: Context, txId: string): Promise<HeldEvent | undefined> {
  const place = await placement(ctx);
  if (!place.private) return undefined;
  const entry = await readPrivateJson<SealedEventEntry>(ctx, ctx.stub.createCompositeKey(TX_EVENT, [place.pseudonym(TX_EVENT, txId)]));
  return entry && { name: entry.name, payload: entry.payload };
}
