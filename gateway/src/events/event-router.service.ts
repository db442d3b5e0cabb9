import { Injectable, Logger } from '@nestjs/common';
import { ConfirmationState, Role, type ConfirmationView, type ContractTransaction, type MortgageRecord } from '@econfirm/common';
import type { LedgerCall } from '../fabric/ledger-call';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import { LedgerService } from '../fabric/ledger.service';
import { servicePrincipal } from '../tenants/service-principal';
import { TenantsService, type Tenant } from '../tenants/tenants.service';
import { sleep } from './backoff';
import { decodeEventData, EventDecodeError, isConfirmationEvent, isEventType, type EventData, type EventType, type LedgerEvent } from './event-model';
import { chainHeight } from './ledger-clock';
import { awaitReadPeer, knownCommitted, platformTargets } from '@econfirm/sdk';
import type { Delivery } from './outbox.store';

/** Roles the chaincode lets read a confirmation (as firm, client or responder). */
const READER_ROLES: readonly string[] = [Role.Auditor, Role.ClientSigner, Role.BankOfficer, Role.BankReviewer];

/**
 * Ledger records whose events go to their parties and the regulator only: the record is read as one
 * of the tenant's own identities with one of `roles`; the chaincode's NOT_FOUND / FORBIDDEN means not
 * theirs, and `concerns` (when the contract lets more read than its parties) narrows further.
 * Receivables and payment batches: the contract lets exactly their parties and the regulator read.
 */
type RecordRoute = ContractTransaction & {
  roles: readonly string[];
  concerns?: (reader: Principal, record: unknown) => boolean;
};

const PARTY_READERS: readonly string[] = [Role.ClientSigner, Role.BankOfficer, Role.BankReviewer, Role.Regulator];

const RECORD_ROUTES: Partial<Record<EventType, RecordRoute>> = {
  // Not the auditor: a firm the client granted its registrations reads them for a cross-check, but
  // is no party and is not told of each step.
  MortgageChanged: {
    contract: 'mortgage',
    transaction: 'GetMortgage',
    roles: [...PARTY_READERS, Role.MortgageOfficer, Role.Registrar, Role.RegistryReviewer],
    concerns: (reader, record) => {
      const r = record as Pick<MortgageRecord, 'mortgageeId' | 'registryId' | 'mortgagorIds'>;
      return reader.role === Role.Regulator || [r.mortgageeId, r.registryId, ...r.mortgagorIds].includes(reader.institutionId);
    },
  },
  ReceivableChanged: { contract: 'receivable', transaction: 'GetReceivable', roles: PARTY_READERS },
  PaymentBatchSettled: { contract: 'payment-batch', transaction: 'GetPaymentBatch', roles: PARTY_READERS },
};

/** How long a tenant's gateway peer may lag behind the listener's before the event is retried later. */
const CATCH_UP_MS = 15_000;

/** Parallel GetConfirmation reads when narrowing a batch event. */
const BATCH_READS = 8;

/** Refusals that mean "this request is not the tenant's": the chaincode answers a stranger NOT_FOUND. */
const NOT_THEIRS = new Set(['NOT_FOUND', 'FORBIDDEN']);

/**
 * Decides which tenants an event concerns, so that a tenant never learns another tenant's
 * request ids:
 * - registry and calendar events (InstitutionRegistered, InstitutionUpdated, CalendarSet) are
 *   about public registry records every channel member reads: every tenant gets them;
 * - confirmation events go to a tenant only if the ledger itself shows the tenant the request:
 *   GetConfirmation is evaluated as one of the tenant's own reading identities; NOT_FOUND (the
 *   chaincode's answer to a stranger) or FORBIDDEN means not theirs. A batch
 *   (ConfirmationsIssued) is narrowed to the ids the tenant can read;
 * - mortgage, receivable and payment-batch events (MortgageChanged, ReceivableChanged,
 *   PaymentBatchSettled) go to the record's parties and the regulator only (RECORD_ROUTES): a
 *   registration's mortgagee, registry and mortgagors — never an auditor, even one the client
 *   granted its registrations; a receivable's obligor, holders past and present and bank; a batch's
 *   payer and bank.
 * Any other failure (peer down, timeout) is thrown: the event is then retried, never guessed.
 */
@Injectable()
export class EventRouter {
  private readonly logger = new Logger('EventRouter');
  private readonly readers = new Map<string, Principal | undefined>();
  private readonly recordReaders = new Map<string, Principal | undefined>();
  /** The newest height seen per gateway peer org: a peer never goes back, so no need to ask again. */
  private readonly heights = new Map<string, bigint>();

  constructor(
    private readonly ledger: LedgerService,
    private readonly tenants: TenantsService,
  ) {}

  /**
   * The tenant's identity used to ask the ledger what the tenant can see: a custodial identity
   * of the tenant's org acting for the tenant's institution with a reading role (undefined when
   * it has none — e.g. a regulator or operator, who are party to no request).
   */
  reader(tenant: Tenant): Principal | undefined {
    if (this.readers.has(tenant.id)) return this.readers.get(tenant.id);
    const org = this.tenants.descriptor.orgs.find((o) => o.key === tenant.orgKey);
    const identity = org?.identities.find((i) => i.institution === tenant.institutionId && READER_ROLES.includes(i.role));
    const principal = identity ? servicePrincipal(tenant, identity, 'events') : undefined;
    if (!principal) this.logger.log(`tenant ${tenant.id} has no reading identity: it receives registry events only`);
    this.readers.set(tenant.id, principal);
    return principal;
  }

  /** The tenant's identity with one of the route's roles (undefined: none, e.g. an audit firm for mortgages). */
  private recordReader(tenant: Tenant, type: EventType, route: RecordRoute): Principal | undefined {
    const key = `${tenant.id}:${type}`;
    if (this.recordReaders.has(key)) return this.recordReaders.get(key);
    const org = this.tenants.descriptor.orgs.find((o) => o.key === tenant.orgKey);
    const identity = org?.identities.find((i) => i.institution === tenant.institutionId && route.roles.includes(i.role));
    const principal = identity ? servicePrincipal(tenant, identity, 'events') : undefined;
    this.recordReaders.set(key, principal);
    return principal;
  }

  /** Whether the record's event concerns the tenant whose identity `reader` is. */
  private async concerns(reader: Principal, route: RecordRoute, id: string): Promise<boolean> {
    let record: unknown;
    try {
      record = JSON.parse(Buffer.from(await this.ledger.evaluate(reader, { contract: route.contract, transaction: route.transaction, args: [id] } as LedgerCall)).toString('utf8'));
    } catch (err) {
      if (err instanceof GatewayError && NOT_THEIRS.has(err.code)) return false;
      throw err;
    }
    return route.concerns ? route.concerns(reader, record) : true;
  }

  /** Any identity the gateway holds, to listen to the channel with (events are the same for every member). */
  listener(): Principal {
    for (const tenant of this.tenants.list()) {
      const reader = this.reader(tenant);
      if (reader) return reader;
    }
    for (const tenant of this.tenants.list()) {
      const identity = this.tenants.descriptor.orgs.find((o) => o.key === tenant.orgKey)?.identities.find((i) => i.institution === tenant.institutionId);
      if (identity) return servicePrincipal(tenant, identity, 'events');
    }
    throw new Error('no tenant has a custodial identity in the network descriptor to listen to chaincode events with');
  }

  /**
   * The tenant's gateway peer may be another peer than the listener's and lag a block behind:
   * asking it before it committed the event's block could answer NOT_FOUND for a request the
   * tenant is party to. Wait (bounded) until its height passes the event's block.
   */
  private async caughtUp(tenant: Tenant, reader: Principal, blockNumber: bigint): Promise<void> {
    const deadline = Date.now() + CATCH_UP_MS;
    while ((this.heights.get(tenant.gatewayOrgKey) ?? 0n) <= blockNumber) {
      this.heights.set(tenant.gatewayOrgKey, await chainHeight(this.ledger.network(reader)));
      if ((this.heights.get(tenant.gatewayOrgKey) ?? 0n) > blockNumber) break;
      if (Date.now() > deadline) throw new Error(`the gateway peer of ${tenant.id} has not committed block ${blockNumber} yet`);
      await sleep(100);
    }
    // Confirmation and cross-check reads go to the platform collection's read peer
    // (clients/sdk/src/platform-targets.ts), which commits the block moments apart from this one.
    const platform = platformTargets(this.ledger.session(reader).contract('confirmation'));
    if (!platform) return;
    await awaitReadPeer(platform, blockNumber);
    if (!knownCommitted(platform, blockNumber)) throw new Error(`the platform's read peer for ${tenant.id} has not committed block ${blockNumber} yet`);
  }

  /**
   * Whether the reader was party to the request when the event's transaction committed (`state`:
   * the state the event recorded). The ledger answers for now, and the router may route an event
   * after later blocks committed — an issuance read once the client's authorization is in would
   * show the bank a step it was never party to. The lifecycle makes the event's own state enough:
   * the responder becomes a party at authorization (chaincode/src/auth/confirmation-access.ts,
   * isParty), ClientAuthorize starts only from `issued` (chaincode/src/lifecycle/transitions.ts),
   * so an event recording `issued` was written before the responder was a party. Every other
   * event's parties are today's: no step takes a party away.
   */
  private async visible(reader: Principal, id: string, state?: string): Promise<boolean> {
    let view: Pick<ConfirmationView, 'firmId' | 'clientId'>;
    try {
      view = JSON.parse(Buffer.from(await this.ledger.evaluate(reader, { contract: 'confirmation', transaction: 'GetConfirmation', args: [id] })).toString('utf8')) as ConfirmationView;
    } catch (err) {
      if (err instanceof GatewayError && NOT_THEIRS.has(err.code)) return false;
      throw err;
    }
    if (state !== ConfirmationState.Issued) return true;
    return view.firmId === reader.institutionId || view.clientId === reader.institutionId;
  }

  /** The ids the reader can see, in their order; a batch (up to 500 ids) is asked a few at a time. */
  private async visibleIds(reader: Principal, ids: readonly string[], state?: string): Promise<string[]> {
    const seen = new Array<boolean>(ids.length).fill(false);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < ids.length; i = next++) seen[i] = await this.visible(reader, ids[i] as string, state);
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_READS, ids.length) }, worker));
    return ids.filter((_, i) => seen[i]);
  }

  /**
   * A sealed step's event as the reader may see it (`ListConfirmationsChangedBy`: the ids it may
   * read now), or undefined when it may see none of it. What the chaincode answers is checked as
   * a block's event payload is.
   */
  private async sealedEvent(reader: Principal, transactionId: string): Promise<{ type: EventType; data: EventData } | undefined> {
    let shown: { name: string; payload: unknown };
    try {
      shown = JSON.parse(Buffer.from(await this.ledger.evaluate(reader, { contract: 'confirmation', transaction: 'ListConfirmationsChangedBy', args: [transactionId] })).toString('utf8')) as { name: string; payload: unknown };
    } catch (err) {
      if (err instanceof GatewayError && NOT_THEIRS.has(err.code)) return undefined;
      throw err;
    }
    try {
      if (!isEventType(shown.name) || !isConfirmationEvent(shown.name)) throw new EventDecodeError(`it is a '${String(shown.name)}'`);
      return { type: shown.name, data: decodeEventData(shown.name, Buffer.from(JSON.stringify(shown.payload))) };
    } catch (err) {
      // Not what the chaincode writes: skipped for this tenant, as a malformed block event is (never retried forever).
      if (!(err instanceof EventDecodeError)) throw err;
      this.logger.warn(`ignoring the sealed event of ${transactionId} for ${reader.tenantId}: ${err.message}`);
      return undefined;
    }
  }

  async route(event: LedgerEvent): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (const tenant of this.tenants.list()) {
      const route = RECORD_ROUTES[event.type];
      if (route) {
        const reader = this.recordReader(tenant, event.type, route);
        if (!reader) continue;
        await this.caughtUp(tenant, reader, event.blockNumber);
        if (await this.concerns(reader, route, event.data.ids[0] as string)) deliveries.push({ tenantId: tenant.id, data: event.data });
        continue;
      }
      if (!isConfirmationEvent(event.type)) {
        deliveries.push({ tenantId: tenant.id, data: event.data });
        continue;
      }
      const reader = this.reader(tenant);
      if (!reader) continue;
      await this.caughtUp(tenant, reader, event.blockNumber);
      const shown = event.sealed ? await this.sealedEvent(reader, event.transactionId) : { type: event.type, data: event.data };
      if (!shown) continue;
      const ids = await this.visibleIds(reader, shown.data.ids, shown.data.state);
      if (ids.length === 0) continue;
      const data = { ...shown.data, ids };
      // originalId (Resend) names a request of the same parties; drop it anyway if this tenant cannot read it.
      if (data.originalId && !(await this.visible(reader, data.originalId))) delete data.originalId;
      deliveries.push({ tenantId: tenant.id, data, ...(shown.type !== event.type ? { type: shown.type } : {}) });
    }
    return deliveries;
  }
}
