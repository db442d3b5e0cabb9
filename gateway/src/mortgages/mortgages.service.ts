import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  MortgageState,
  MortgageType,
  mortgageUnitKey,
  Role,
  type Encumbrance,
  type EncumbranceDisclosureInput,
  type PresentedEncumbrance,
  type MortgageApplicationInput,
  type Institution,
  type MortgageReview,
  type MortgageView,
  type Page,
  type TransactionName,
  type UnitEncumbrancesView,
} from '@econfirm/common';
import {
  activeApplications,
  encumbranceAmountOf,
  encumbranceDisclosures,
  MortgageContentError,
  mortgageChange,
  mortgageRegistration,
  mortgageTransfer,
  mortgagorContent,
  pendingDisclosures,
  sealToMortgageParties,
  type MortgageApplicationContent,
} from '@econfirm/sdk';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { ConfirmationContentService, type OpenedContent } from '../confirmations/confirmation-content.service';
import { GatewayError } from '../errors/gateway-error';
import { ledgerCall, parseResult as parse, type LedgerCall } from '../fabric/ledger-call';
import { RegistryReader } from '../institutions/registry-reader.service';
import { Executed } from '../transactions/executed';
import { ResultPresenters } from '../transactions/result-presenters';
import { TransactionExecutor } from '../transactions/transaction-executor.service';
import { TenantsService } from '../tenants/tenants.service';
import type { ChangeMortgageDto, EncumbranceAuthorizationDto, FileMortgageDto, ListMortgagesQuery, RegisterMortgageDto, TransferMortgageDto } from './dto/mortgage-inputs.dto';

export const MORTGAGE_PRESENTER = 'mortgage';

/**
 * A registration as a tenant reads it: its sealed parts opened when addressed to the tenant — a
 * pending change's or transfer's application too, so that the reviewer sees what it approves.
 */
export type PresentedMortgage = Omit<MortgageView, 'application' | 'certificate' | 'review'> & {
  application: OpenedContent<MortgageApplicationContent>;
  certificate?: OpenedContent;
  review?: PresentedReview;
};
export type PresentedReview = Omit<MortgageReview, 'change' | 'transfer'> & {
  change?: { debtTermEnd: string; application: OpenedContent<MortgageApplicationContent> };
  transfer?: { mortgagorIds: string[]; application: OpenedContent<MortgageApplicationContent> };
};
export const MORTGAGE_PAGE_PRESENTER = 'mortgage-page';
const RESEALED_ON_APPROVAL: readonly string[] = [MortgageState.Registered, MortgageState.Changed, MortgageState.Transferred];
export const ENCUMBRANCES_PRESENTER = 'encumbrances';

function call(transaction: TransactionName<'mortgage'>, ...args: string[]): LedgerCall {
  return ledgerCall('mortgage', transaction, ...args);
}

/**
 * Mortgage registrations over the ledger (chaincode/src/contracts/mortgage-contract.ts): plain JSON
 * in, the unit number and certificate number turned into their ledger keys, names and amounts
 * sealed for the bank, the registry and the mortgagor institutions; results opened for the
 * caller's own tenant only.
 */
@Injectable()
export class MortgagesService implements OnModuleInit {
  private readonly logger = new Logger(MortgagesService.name);

  constructor(
    private readonly executor: TransactionExecutor,
    private readonly presenters: ResultPresenters,
    private readonly content: ConfirmationContentService,
    private readonly registry: RegistryReader,
    private readonly tenants: TenantsService,
  ) {}

  onModuleInit(): void {
    this.presenters.registerRecordAndPage<MortgageView>(MORTGAGE_PRESENTER, MORTGAGE_PAGE_PRESENTER, (principal, view) => this.presentRecord(principal, view));
    this.presenters.register(ENCUMBRANCES_PRESENTER, async (principal, bytes) => {
      const answer = parse<UnitEncumbrancesView>(bytes);
      const encumbrances = await Promise.all(answer.encumbrances.map((e) => this.presentEncumbrance(principal, e)));
      return { unitKey: answer.unitKey, encumbrances, ...(answer.consents ? { consents: answer.consents } : {}) };
    });
  }

  /**
   * The amount and currency of the application, when the caller's key opens it: the whole
   * application is sealed to the caller (names, location, loan contract among it — the owner's
   * consent discloses it), but an encumbrance answer shows what a register extract shows.
   */
  private async presentEncumbrance(principal: Principal, encumbrance: Encumbrance): Promise<PresentedEncumbrance> {
    if (!encumbrance.application) return { ...encumbrance, amountStatus: 'not-disclosed' };
    const opened = await this.content.openFor<MortgageApplicationContent>(principal, encumbrance.application);
    if (opened.readable !== 'decrypted' || !opened.content) {
      return { ...encumbrance, amountStatus: opened.readable === 'no-key' ? 'no-key' : opened.readable === 'not-addressed' ? 'not-disclosed' : 'unreadable' };
    }
    return { ...encumbrance, amountStatus: 'shown', amount: encumbranceAmountOf(opened.content) };
  }

  private async presentRecord(principal: Principal, view: MortgageView): Promise<PresentedMortgage> {
    const open = (sealed: MortgageView['application']) => this.content.openFor<MortgageApplicationContent>(principal, sealed);
    const application = await open(view.application);
    const { certificate: sealedCertificate, review: sealedReview, ...rest } = view;
    const certificate = sealedCertificate ? await this.content.openFor(principal, sealedCertificate) : undefined;
    let review: PresentedReview | undefined;
    if (sealedReview) {
      const { change, transfer, ...plain } = sealedReview;
      review = {
        ...plain,
        ...(change ? { change: { debtTermEnd: change.debtTermEnd, application: await open(change.application) } } : {}),
        ...(transfer ? { transfer: { mortgagorIds: transfer.mortgagorIds, application: await open(transfer.application) } } : {}),
      };
    }
    return { ...rest, application, ...(certificate ? { certificate } : {}), ...(review ? { review } : {}) };
  }

  /** The registry as this tenant reads it, for sealing to a registration's parties. */
  private registryOf(principal: Principal): { get(id: string): Promise<Institution> } {
    return { get: (institutionId) => this.registry.get(principal, institutionId) };
  }

  /**
   * The record and its application opened with this gateway's key of the caller's institution: a
   * change or transfer re-seals the application, so the registrar's key must open it: 409
   * NO_INSTITUTION_KEYS when this gateway holds none (the CLI prepares it with the key file),
   * 403 CONTENT_NOT_READABLE when the key does not open it.
   */
  private async openedRecord(principal: Principal, id: string): Promise<{ record: MortgageView; content: MortgageApplicationContent }> {
    const record = parse<MortgageView>(await this.executor.readAsTenant(principal, call('GetMortgage', id)));
    const opened = await this.content.openFor<MortgageApplicationContent>(principal, record.application);
    if (opened.readable !== 'decrypted' || !opened.content) {
      if (opened.readable === 'no-key') throw new GatewayError('NO_INSTITUTION_KEYS', `this gateway holds no key of ${principal.institutionId} to open mortgage ${id}'s application: prepare the step with the CLI and the institution's key file`);
      throw new GatewayError('CONTENT_NOT_READABLE', `${principal.institutionId}'s key does not open mortgage ${id}'s application (${opened.readable})`);
    }
    return { record, content: opened.content };
  }

  /** A change or transfer refused before it reaches the ledger: nothing written. */
  private static contentRefusal(err: unknown): never {
    if (err instanceof MortgageContentError) throw new GatewayError('VALIDATION_FAILED', err.message, { issues: [{ path: err.path, problem: err.message }] });
    throw err;
  }

  async file(principal: Principal, dto: FileMortgageDto): Promise<Executed> {
    const ordinary = dto.mortgageType === MortgageType.Ordinary;
    // One amount, the one the mortgage type secures (DOMAIN §6: never both).
    if (ordinary ? dto.securedPrincipal === undefined || dto.maximumAmount !== undefined : dto.maximumAmount === undefined || dto.securedPrincipal !== undefined) {
      throw new GatewayError('VALIDATION_FAILED', `a ${dto.mortgageType} mortgage takes ${ordinary ? 'securedPrincipal' : 'maximumAmount'} and not the other`, {
        issues: [{ path: ordinary ? 'securedPrincipal' : 'maximumAmount', problem: `required for ${dto.mortgageType}, and the other amount must be absent` }],
      });
    }
    const mortgagorIds = dto.mortgagors.flatMap((m) => (m.institutionId ? [m.institutionId] : []));
    const routing = { mortgageeId: principal.institutionId, registryId: dto.registryId, mortgagorIds };
    const sealedContent = {
      unitNumber: dto.unitNumber,
      location: dto.location,
      mortgagors: dto.mortgagors.map(mortgagorContent),
      currency: dto.currency,
      ...(ordinary ? { securedPrincipal: dto.securedPrincipal } : { maximumAmount: dto.maximumAmount }),
      ...(dto.loanContract ? { loanContract: dto.loanContract } : {}),
    };
    const input: MortgageApplicationInput = {
      id: dto.id ?? `MTG-${randomUUID()}`,
      registryId: dto.registryId,
      unitKey: mortgageUnitKey(dto.unitNumber),
      propertyType: dto.propertyType,
      mortgageType: dto.mortgageType,
      debtTermStart: dto.debtTermStart,
      debtTermEnd: dto.debtTermEnd,
      preRegistration: dto.preRegistration ?? false,
      mortgagorIds,
      consentHash: dto.consentHash,
      application: await sealToMortgageParties(this.registryOf(principal), routing, sealedContent),
    };
    return this.executor.submit(principal, call('FileMortgageApplication', JSON.stringify(input)), { presenter: MORTGAGE_PRESENTER, successStatus: 201 });
  }

  /** The registrar registers: the certificate (number and matters) is sealed to the record's parties. */
  async register(principal: Principal, id: string, dto: RegisterMortgageDto): Promise<Executed> {
    const record = parse<MortgageView>(await this.executor.readAsTenant(principal, call('GetMortgage', id)));
    const registration = await mortgageRegistration(this.registryOf(principal), record, dto.certificateNumber, dto.remarks);
    return this.executor.submit(principal, call('RegisterMortgage', id, JSON.stringify(registration)), { presenter: MORTGAGE_PRESENTER });
  }

  /** The registrar prepares a change (变更登记): the application opened, changed and re-sealed to the parties. */
  async change(principal: Principal, id: string, dto: ChangeMortgageDto): Promise<Executed> {
    const { record, content } = await this.openedRecord(principal, id);
    const input = await mortgageChange(this.registryOf(principal), record, content, {
      ...(dto.debtTermEnd !== undefined ? { debtTermEnd: dto.debtTermEnd } : {}),
      ...(dto.securedPrincipal !== undefined ? { securedPrincipal: dto.securedPrincipal } : {}),
      ...(dto.maximumAmount !== undefined ? { maximumAmount: dto.maximumAmount } : {}),
      ...(dto.loanContract !== undefined ? { loanContract: dto.loanContract } : {}),
    }).catch(MortgagesService.contentRefusal);
    return this.executor.submit(principal, call('ChangeMortgage', id, JSON.stringify(input)), { presenter: MORTGAGE_PRESENTER });
  }

  /** The registrar prepares a transfer (转移登记): the new owners named in the application, sealed to them, the bank and the registry. */
  async transfer(principal: Principal, id: string, dto: TransferMortgageDto): Promise<Executed> {
    const { record, content } = await this.openedRecord(principal, id);
    // mortgageTransfer copies each with mortgagorContent, as filing does.
    const input = await mortgageTransfer(this.registryOf(principal), record, content, dto.mortgagors).catch(MortgagesService.contentRefusal);
    return this.executor.submit(principal, call('TransferMortgage', id, JSON.stringify(input)), { presenter: MORTGAGE_PRESENTER });
  }

  /** A step whose arguments need no content crypto. */
  transition(principal: Principal, transaction: TransactionName<'mortgage'>, ...args: string[]): Promise<Executed> {
    return this.executor.submit(principal, call(transaction, ...args), { presenter: MORTGAGE_PRESENTER });
  }

  get(principal: Principal, id: string): Promise<Executed> {
    return this.executor.evaluate(principal, call('GetMortgage', id), { presenter: MORTGAGE_PRESENTER });
  }

  list(principal: Principal, query: ListMortgagesQuery): Promise<Executed> {
    const pageSize = String(query.pageSize ?? 50);
    const bookmark = query.bookmark ?? '';
    if (query.clientId !== undefined) {
      if (query.state !== undefined) throw new GatewayError('VALIDATION_FAILED', 'choose one of clientId, state');
      return this.executor.evaluate(principal, call('ListMortgagesOfClient', query.clientId, pageSize, bookmark), { presenter: MORTGAGE_PAGE_PRESENTER });
    }
    if (principal.role === Role.Auditor || principal.role === Role.Regulator) {
      throw new GatewayError('VALIDATION_FAILED', `a ${principal.role} lists a client's registrations: give clientId`);
    }
    return this.executor.evaluate(principal, call('ListMortgages', query.state ?? '', pageSize, bookmark), { presenter: MORTGAGE_PAGE_PRESENTER });
  }

  /**
   * Every registration of a client as the firm's tenant reads it (ListMortgagesOfClient: the
   * regulator, or an auditor with the client's current grant), sealed parts opened where they are
   * addressed to the tenant. For cross-checks; a refusal comes as the ledger's FORBIDDEN.
   */
  async readClientRecords(principal: Principal, clientId: string): Promise<PresentedMortgage[]> {
    const out: PresentedMortgage[] = [];
    let bookmark = '';
    do {
      const page = parse<Page<MortgageView>>(await this.executor.readAsTenant(principal, call('ListMortgagesOfClient', clientId, '200', bookmark)));
      for (const record of page.records) out.push(await this.presentRecord(principal, record));
      bookmark = page.records.length === 0 && page.fetchedRecordsCount === 0 ? '' : page.bookmark;
    } while (bookmark !== '');
    return out;
  }

  /**
   * The owner's consent, with the unit's active applications widened to the bank so that it reads
   * their amounts: given by the caller's own software (`applications`), or widened here with the
   * tenant's key when this gateway holds it — each application the tenant can open (a mortgagor
   * its own registrations, the registry every one); none when it holds no key.
   */
  async authorizeQuery(principal: Principal, dto: EncumbranceAuthorizationDto): Promise<Executed> {
    const unitKey = mortgageUnitKey(dto.unitNumber);
    const applications = dto.applications?.map(({ mortgageId, ciphertext }) => ({ mortgageId, ciphertext })) ?? (await this.widenedApplications(principal, unitKey, dto.bankId));
    const authorization = { bankId: dto.bankId, validUntil: dto.validUntil, ...(applications.length > 0 ? { applications } : {}) };
    return this.executor.submit(principal, call('AuthorizeEncumbranceQuery', unitKey, JSON.stringify(authorization)), { successStatus: 201 });
  }

  private async widenedApplications(principal: Principal, unitKey: string, bankId: string): Promise<Array<{ mortgageId: string; ciphertext: string }>> {
    const keys = this.tenants.institutionKeys(principal.tenantId);
    if (!keys) return [];
    let bank;
    try {
      // Current keys, not cached ones: the chaincode accepts only the registry's current kid.
      bank = await this.registry.get(principal, bankId, { fresh: true });
    } catch (err) {
      // No such bank: the ledger's own refusal says so, word for word.
      if (err instanceof GatewayError) return [];
      throw err;
    }
    const read = (transaction: TransactionName<'mortgage'>, ...args: string[]) => this.executor.readAsTenant(principal, call(transaction, ...args));
    return encumbranceDisclosures(await activeApplications(read, principal.role === Role.Registrar, unitKey), keys, bank);
  }

  /**
   * The reviewer approves; a registration that now encumbers the unit (or a changed or transferred
   * one, its application re-sealed) is disclosed at once to the
   * banks holding a current consent of the unit's owner (pendingDisclosures). The approval stands
   * whatever the disclosure does: one that fails is logged, and POST
   * /v1/mortgages/encumbrance-disclosures does it again.
   */
  async approve(principal: Principal, id: string): Promise<Executed> {
    const executed = await this.transition(principal, 'ApproveMortgageStep', id);
    // 200 only for a custodial caller: an offline one gets 202 and a proposal, and signs its own steps.
    const record = executed.status === 200 ? (executed.body as Partial<MortgageView>) : undefined;
    // A registration now encumbers; a change or transfer re-sealed the application, withdrawing the banks' stale copies.
    const unitKey = record?.state !== undefined && RESEALED_ON_APPROVAL.includes(record.state) ? record.unitKey : undefined;
    if (unitKey !== undefined) {
      try {
        const disclosures = await this.pendingDisclosures(principal, unitKey);
        if (disclosures.length > 0) await this.executor.submit(principal, call('DiscloseEncumbrances', unitKey, JSON.stringify({ disclosures })));
      } catch (err) {
        this.logger.warn(`mortgage ${id}: registered, not yet disclosed to the unit's consented banks: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return executed;
  }

  /** POST /v1/mortgages/encumbrance-disclosures: the registry widens what consented banks cannot open yet. */
  async disclose(principal: Principal, unitNumber: string): Promise<Executed> {
    if (!this.tenants.institutionKeys(principal.tenantId)) throw new GatewayError('NO_INSTITUTION_KEYS', `this gateway holds no keys of ${principal.institutionId}: widen with your own (econfirm mortgages disclose --keys)`);
    const unitKey = mortgageUnitKey(unitNumber);
    const disclosures = await this.pendingDisclosures(principal, unitKey);
    // Nothing a consented bank lacks: nothing to record (the ledger refuses an empty list).
    if (disclosures.length === 0) return new Executed(200, { unitKey, disclosed: [] });
    return this.executor.submit(principal, call('DiscloseEncumbrances', unitKey, JSON.stringify({ disclosures })));
  }

  /**
   * Every active application of the unit that a bank with a current consent cannot open yet,
   * widened with the registry tenant's key to the bank's current key (sdk pendingDisclosures).
   */
  private async pendingDisclosures(principal: Principal, unitKey: string): Promise<EncumbranceDisclosureInput[]> {
    const keys = this.tenants.institutionKeys(principal.tenantId);
    if (!keys) return [];
    const view = parse<UnitEncumbrancesView>(await this.executor.readAsTenant(principal, call('GetEncumbrances', unitKey)));
    return pendingDisclosures(view, keys, (bankId) => this.registry.get(principal, bankId, { fresh: true }));
  }

  encumbrances(principal: Principal, unitNumber: string): Promise<Executed> {
    return this.executor.evaluate(principal, call('GetEncumbrances', mortgageUnitKey(unitNumber)), { presenter: ENCUMBRANCES_PRESENTER });
  }

  revokeAuditorAccess(principal: Principal, firmId: string): Promise<Executed> {
    return this.executor.submit(principal, call('RevokeAuditorMortgageAccess', firmId));
  }

  grantAuditorAccess(principal: Principal, firmId: string, validUntil: string): Promise<Executed> {
    return this.executor.submit(principal, call('GrantAuditorMortgageAccess', JSON.stringify({ firmId, validUntil })), { successStatus: 201 });
  }
}
