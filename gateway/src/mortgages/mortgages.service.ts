import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  MortgageType,
  mortgageUnitKey,
  Role,
  type MortgageApplicationInput,
  type MortgageRecord,
  type MortgageView,
  type Page,
  type TransactionName,
} from '@econfirm/common';
import { mortgageRecipients, mortgageRegistration, recipientOf, seal } from '@econfirm/sdk';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { ConfirmationContentService, type OpenedContent } from '../confirmations/confirmation-content.service';
import { GatewayError } from '../errors/gateway-error';
import { ledgerCall, parseResult as parse, type LedgerCall } from '../fabric/ledger-call';
import { RegistryReader } from '../institutions/registry-reader.service';
import { Executed } from '../transactions/executed';
import { ResultPresenters } from '../transactions/result-presenters';
import { TransactionExecutor } from '../transactions/transaction-executor.service';
import type { FileMortgageDto, ListMortgagesQuery, RegisterMortgageDto } from './dto/mortgage-inputs.dto';

export const MORTGAGE_PRESENTER = 'mortgage';

/** The sealed application's plaintext as MortgagesService.file seals it. */
export interface MortgageApplicationContent {
  unitNumber: string;
  currency: string;
  securedPrincipal?: string;
  maximumAmount?: string;
}

/** A registration as a tenant reads it: its sealed parts opened when addressed to the tenant. */
export type PresentedMortgage = Omit<MortgageView, 'application' | 'certificate'> & {
  application: OpenedContent<MortgageApplicationContent>;
  certificate?: OpenedContent;
};
export const MORTGAGE_PAGE_PRESENTER = 'mortgage-page';


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
  constructor(
    private readonly executor: TransactionExecutor,
    private readonly presenters: ResultPresenters,
    private readonly content: ConfirmationContentService,
    private readonly registry: RegistryReader,
  ) {}

  onModuleInit(): void {
    this.presenters.registerRecordAndPage<MortgageView>(MORTGAGE_PRESENTER, MORTGAGE_PAGE_PRESENTER, (principal, view) => this.presentRecord(principal, view));
  }

  private async presentRecord(principal: Principal, view: MortgageView): Promise<PresentedMortgage> {
    const application = await this.content.openFor<MortgageApplicationContent>(principal, view.application);
    const { certificate: sealedCertificate, ...rest } = view;
    const certificate = sealedCertificate ? await this.content.openFor(principal, sealedCertificate) : undefined;
    return { ...rest, application, ...(certificate ? { certificate } : {}) };
  }

  private async sealFor(principal: Principal, record: Pick<MortgageRecord, 'mortgageeId' | 'registryId' | 'mortgagorIds'>, content: object) {
    const ids = mortgageRecipients(record);
    const parties = await Promise.all(ids.map((id) => this.registry.get(principal, id)));
    return seal(content, parties.map(recipientOf));
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
      // Plain objects: the DTO instances are class instances, which canonical JSON refuses.
      mortgagors: dto.mortgagors.map((m) => ({ name: m.name, ...(m.idNumber ? { idNumber: m.idNumber } : {}), ...(m.institutionId ? { institutionId: m.institutionId } : {}) })),
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
      application: await this.sealFor(principal, routing, sealedContent),
    };
    return this.executor.submit(principal, call('FileMortgageApplication', JSON.stringify(input)), { presenter: MORTGAGE_PRESENTER, successStatus: 201 });
  }

  /** The registrar registers: the certificate (number and matters) is sealed to the record's parties. */
  async register(principal: Principal, id: string, dto: RegisterMortgageDto): Promise<Executed> {
    const record = parse<MortgageView>(await this.executor.readAsTenant(principal, call('GetMortgage', id)));
    const registration = await mortgageRegistration({ get: (institutionId) => this.registry.get(principal, institutionId) }, record, dto.certificateNumber, dto.remarks);
    return this.executor.submit(principal, call('RegisterMortgage', id, JSON.stringify(registration)), { presenter: MORTGAGE_PRESENTER });
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

  authorizeQuery(principal: Principal, unitNumber: string, bankId: string, validUntil: string): Promise<Executed> {
    return this.executor.submit(principal, call('AuthorizeEncumbranceQuery', mortgageUnitKey(unitNumber), JSON.stringify({ bankId, validUntil })), { successStatus: 201 });
  }

  encumbrances(principal: Principal, unitNumber: string): Promise<Executed> {
    return this.executor.evaluate(principal, call('GetEncumbrances', mortgageUnitKey(unitNumber)));
  }

  revokeAuditorAccess(principal: Principal, firmId: string): Promise<Executed> {
    return this.executor.submit(principal, call('RevokeAuditorMortgageAccess', firmId));
  }

  grantAuditorAccess(principal: Principal, firmId: string, validUntil: string): Promise<Executed> {
    return this.executor.submit(principal, call('GrantAuditorMortgageAccess', JSON.stringify({ firmId, validUntil })), { successStatus: 201 });
  }
}
