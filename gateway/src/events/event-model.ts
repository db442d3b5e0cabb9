/**
 * What the gateway publishes about the ledger. Chaincode events carry ids, states and action
 * names only (chaincode/src/events.ts); the gateway keeps exactly the fields below and drops
 * anything else, so no content can ride along.
 */
export const EVENT_TYPES = ['InstitutionRegistered', 'InstitutionUpdated', 'CalendarSet', 'ConfirmationChanged', 'ConfirmationsIssued', 'MortgageChanged', 'ReceivableChanged', 'PaymentBatchSettled'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The id/state fields an event may carry (all optional; which ones depends on the type). */
export interface EventData {
  /** The confirmation, mortgage registration, receivable, payment batch, institution or calendar ids the event is about (one, or a batch). */
  ids: string[];
  state?: string;
  action?: string;
  originalId?: string;
  engagementId?: string;
  /** InstitutionUpdated: profile | status | keys. */
  change?: string;
  /** InstitutionUpdated with change=status: the new status. */
  status?: string;
}

/** A chaincode event as read from the peer, decoded and checked. */
export interface LedgerEvent {
  type: EventType;
  blockNumber: bigint;
  transactionId: string;
  data: EventData;
  /**
   * A sealed step's event (chaincode/src/state/sealed-events.ts): the block says only
   * `ConfirmationChanged {}`; what changed is read per tenant (`ListConfirmationsChangedBy`,
   * event-router.service.ts) and `data` is empty until then.
   */
  sealed?: boolean;
}

/** Whether a chaincode event is a sealed step's: `ConfirmationChanged` with the empty payload. */
export function isSealedEvent(name: string, payload: Uint8Array): boolean {
  return name === 'ConfirmationChanged' && Buffer.from(payload).toString('utf8').trim() === '{}';
}

/**
 * The largest sequence a request may name: sequences and webhook cursors are SQLite INTEGERs read
 * back as JS numbers, and node:sqlite refuses to read one above 2^53 − 1 (a webhook created with
 * `fromSequence` 10^18 answered 500 on every read until then; the fuzz suite found it).
 */
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

/** One tenant's copy of an event, numbered in the tenant's own sequence (the SSE `id:`). */
export interface TenantEvent extends EventData {
  sequence: number;
  type: EventType;
  transactionId: string;
  blockNumber: string;
  /** The transaction's timestamp (ISO 8601, from its channel header). */
  timestamp: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const WORD = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
}

function text(raw: Record<string, unknown>, key: string, pattern: RegExp): string | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new EventDecodeError(`field ${key} is not an id or state`);
  return value;
}

export function isEventType(name: string): name is EventType {
  return (EVENT_TYPES as readonly string[]).includes(name);
}

/**
 * Decodes a chaincode event payload (canonical JSON) into EventData, keeping only known id and
 * state fields. Throws EventDecodeError for a payload that is not what the chaincode emits.
 */
export function decodeEventData(type: EventType, payload: Uint8Array): EventData {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new EventDecodeError(`${type} payload is not JSON`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new EventDecodeError(`${type} payload is not an object`);
  const obj = raw as Record<string, unknown>;
  let ids: string[];
  if (type === 'ConfirmationsIssued') {
    if (!Array.isArray(obj.ids) || obj.ids.length === 0 || !obj.ids.every((id) => typeof id === 'string' && ID.test(id))) {
      throw new EventDecodeError('ConfirmationsIssued needs a non-empty ids array');
    }
    ids = obj.ids as string[];
  } else {
    const id = text(obj, 'id', ID);
    if (!id) throw new EventDecodeError(`${type} needs an id`);
    ids = [id];
  }
  const data: EventData = { ids };
  const state = text(obj, 'state', WORD);
  const action = text(obj, 'action', WORD);
  const originalId = text(obj, 'originalId', ID);
  const engagementId = text(obj, 'engagementId', ID);
  const change = text(obj, 'change', WORD);
  const status = text(obj, 'status', WORD);
  if (state) data.state = state;
  if (action) data.action = action;
  if (originalId) data.originalId = originalId;
  if (engagementId) data.engagementId = engagementId;
  if (change) data.change = change;
  if (status) data.status = status;
  return data;
}

/** Whether an event concerns confirmation requests (routed per party) or the public registry/calendar. */
export function isConfirmationEvent(type: EventType): boolean {
  return type === 'ConfirmationChanged' || type === 'ConfirmationsIssued';
}
