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

/** Fabric keeps one event per transaction: the last set wins, so each transaction sets exactly one. */
export function emitEvent(ctx: Context, name: EventName, payload: Record<string, string | string[]>): void {
  ctx.stub.setEvent(name, marshal(payload));
}
