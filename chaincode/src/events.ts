import { Context } from 'fabric-contract-api';
import { marshal } from './state/marshal';

/**
 * Chaincode event names. Every channel member receives events, so payloads carry ids and states
 * only — never amounts, account numbers or names.
 */
export const EventName = {
  InstitutionRegistered: 'InstitutionRegistered',
  InstitutionUpdated: 'InstitutionUpdated',
  KeyRecoveryApproved: 'KeyRecoveryApproved',
  CalendarSet: 'CalendarSet',
  ConfirmationChanged: 'ConfirmationChanged',
  ConfirmationsIssued: 'ConfirmationsIssued',
  MortgageChanged: 'MortgageChanged',
  ReceivableChanged: 'ReceivableChanged',
  ReceivableLimitSet: 'ReceivableLimitSet',
  PaymentBatchSettled: 'PaymentBatchSettled',
} as const;
export type EventName = (typeof EventName)[keyof typeof EventName];

export type EventPayload = Record<string, string | string[]>;

/** An event a sealed step set, held back for `confirmation:Act` to keep private (state/sealed-events.ts). */
export interface HeldEvent {
  name: EventName;
  payload: EventPayload;
}

/** Transactions running a sealed step: their event is held here instead of being set. */
const held = new WeakMap<Context, { event?: HeldEvent }>();

/** From now on this transaction's event is held (`heldEvent`), not set: Act decides what the block shows. */
export function holdEvents(ctx: Context): void {
  held.set(ctx, {});
}

export function heldEvent(ctx: Context): HeldEvent | undefined {
  return held.get(ctx)?.event;
}

/** Sets the event as the step emitted it, in the clear (a ledger whose records are public). */
export function setHeldEvent(ctx: Context, event: HeldEvent): void {
  ctx.stub.setEvent(event.name, marshal(event.payload));
}

/** Fabric keeps one event per transaction: the last set wins, so each transaction sets exactly one. */
export function emitEvent(ctx: Context, name: EventName, payload: EventPayload): void {
  const holding = held.get(ctx);
  if (holding) holding.event = { name, payload };
  else ctx.stub.setEvent(name, marshal(payload));
}
