import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  InstitutionKind,
  newSalt,
  receivableAmountHash,
  receivableInvoiceKey,
  Role,
  saltedHash,
  type EncryptedContent,
  type Institution,
  type Page,
  type ReceivableIssuedTotal,
  type ReceivableLimit,
  type ReceivableRecord,
  type ReceivableRegistrationInput,
  type TransactionName,
} from '@econfirm/common';
import { recipientOf, seal } from '@econfirm/sdk';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { ConfirmationContentService } from '../confirmations/confirmation-content.service';
import { GatewayError } from '../errors/gateway-error';
import { parseResult as parse, type LedgerCall } from '../fabric/ledger-call';
import { RegistryReader } from '../institutions/registry-reader.service';
import { Executed } from '../transactions/executed';
import { ResultPresenters } from '../transactions/result-presenters';
import { TransactionExecutor } from '../transactions/transaction-executor.service';
import type { ListReceivablesQuery, RegisterReceivableDto, SplitReceivableDto } from './dto/receivable-inputs.dto';

export const RECEIVABLE_PRESENTER = 'receivable';
export const RECEIVABLE_PAGE_PRESENTER = 'receivable-page';
export const RECEIVABLE_CREDIT_PRESENTER = 'receivable-credit';
export const RECEIVABLE_LIMIT_PRESENTER = 'receivable-limit';

/** What a receivable's sealed terms hold: the amount's opening and the references with their salts. */
export interface ReceivableTerms {
  amount: string;
  salt: string;
  currency: string;
  contractNumber: string;
  contractSalt: string;
  invoiceNumbers: string[];
  invoiceSalt: string;
  goods?: string;
}

/** `{amount, salt}`: an opening, as the limit and the issued total are sealed. */
interface Opening {
  amount: string;
  salt: string;
}

/** An obligor's confirmation races another of its confirmations: the loser re-reads its total and tries again. */
const CONFIRM_ATTEMPTS = 3;

function call(transaction: TransactionName<'receivable'>, args: string[], transient?: Record<string, unknown>): LedgerCall {
  const encoded = transient ? Object.fromEntries(Object.entries(transient).map(([k, v]) => [k, JSON.stringify(v)])) : undefined;
  return { contract: 'receivable', transaction, args, ...(encoded ? { transient: encoded } : {}) };
}

/**
 * Receivables over the ledger (chaincode/src/contracts/receivable-contract.ts): plain JSON in;
 * amounts, contract and invoice numbers sealed for the parties; the openings a rule needs (a
 * split's sums, the obligor's limit) taken from content the caller's own institution opens, and
 * sent in the transient map, never as arguments. Results opened for the caller's tenant only.
 */
@Injectable()
export class ReceivablesService implements OnModuleInit {
  constructor(
    private readonly executor: TransactionExecutor,
    private readonly presenters: ResultPresenters,
    private readonly content: ConfirmationContentService,
    private readonly registry: RegistryReader,
  ) {}

  onModuleInit(): void {
    this.presenters.registerRecordAndPage<ReceivableRecord>(RECEIVABLE_PRESENTER, RECEIVABLE_PAGE_PRESENTER, (principal, record) => this.present(principal, record));
    this.presenters.register(RECEIVABLE_LIMIT_PRESENTER, (principal, bytes) => this.presentLimit(principal, parse<ReceivableLimit>(bytes)));
    this.presenters.register(RECEIVABLE_CREDIT_PRESENTER, async (principal, bytes) => {
      const { limit, issued } = parse<{ limit: ReceivableLimit; issued: ReceivableIssuedTotal | null }>(bytes);
      // No total before the first confirmation: the member is left out rather than null.
      return {
        limit: await this.presentLimit(principal, limit),
        ...(issued ? { issued: { ...issued, issued: await this.content.openFor(principal, issued.issued) } } : {}),
      };
    });
  }

  private async present(principal: Principal, record: ReceivableRecord): Promise<Record<string, unknown>> {
    return { ...record, terms: await this.content.openFor(principal, record.terms) };
  }

  private async presentLimit(principal: Principal, limit: ReceivableLimit): Promise<Record<string, unknown>> {
    return { ...limit, limit: await this.content.openFor(principal, limit.limit) };
  }

  /** The regulator's statistics (GetReceivableStatistics): counts only, nothing to open. */
  statistics(principal: Principal): Promise<Executed> {
    return this.executor.evaluate(principal, call('GetReceivableStatistics', []));
  }

  // ---- the platform ---------------------------------------------------------------------------

  async setLimit(principal: Principal, obligorId: string, amountMinor: string, currency: string): Promise<Executed> {
    const opening: Opening = { amount: amountMinor, salt: newSalt() };
    const obligor = await this.registry.get(principal, obligorId);
    const limit = await seal(opening, [recipientOf(obligor), ...(await this.regulators(principal)).map(recipientOf)]);
    const input = { currency, limitHash: receivableAmountHash(opening.amount, opening.salt), limit };
    return this.executor.submit(principal, call('SetReceivableLimit', [obligorId, JSON.stringify(input)]), { presenter: RECEIVABLE_LIMIT_PRESENTER });
  }

  credit(principal: Principal, obligorId: string): Promise<Executed> {
    return this.executor.evaluate(principal, call('GetReceivableLimit', [obligorId]), { presenter: RECEIVABLE_CREDIT_PRESENTER });
  }

  // ---- the supplier and later holders -----------------------------------------------------------

  async register(principal: Principal, dto: RegisterReceivableDto): Promise<Executed> {
    const terms: ReceivableTerms = {
      amount: dto.amountMinor,
      salt: newSalt(),
      currency: dto.currency,
      contractNumber: dto.contractNumber,
      contractSalt: newSalt(),
      invoiceNumbers: [...dto.invoiceNumbers],
      invoiceSalt: newSalt(),
      ...(dto.goods ? { goods: dto.goods } : {}),
    };
    const input: ReceivableRegistrationInput = {
      id: dto.id ?? `RCV-${randomUUID()}`,
      obligorId: dto.obligorId,
      currency: dto.currency,
      issueDate: dto.issueDate,
      maturityDate: dto.maturityDate,
      amountHash: receivableAmountHash(terms.amount, terms.salt),
      contractHash: saltedHash(terms.contractNumber, terms.contractSalt),
      invoiceHash: saltedHash(terms.invoiceNumbers, terms.invoiceSalt),
      invoiceKeys: [...new Set(terms.invoiceNumbers.map(receivableInvoiceKey))],
      terms: await this.sealTo(principal, [principal.institutionId, dto.obligorId], terms),
    };
    return this.executor.submit(principal, call('RegisterReceivable', [JSON.stringify(input)]), { presenter: RECEIVABLE_PRESENTER, successStatus: 201 });
  }

  /** The holder splits: each part's terms are the parent's with its own amount and salt; the sums go as openings. */
  async split(principal: Principal, id: string, dto: SplitReceivableDto): Promise<Executed> {
    const record = await this.read(principal, id);
    const terms = await this.openTerms(principal, record);
    const parts = await Promise.all(
      dto.parts.map(async (part, i) => {
        const partTerms: ReceivableTerms = { ...terms, amount: part.amountMinor, salt: newSalt() };
        return {
          input: { id: part.id ?? `${id}-${i + 1}`, amountHash: receivableAmountHash(partTerms.amount, partTerms.salt), terms: await this.sealTo(principal, this.sealedTo(record), partTerms) },
          opening: { amount: partTerms.amount, salt: partTerms.salt },
        };
      }),
    );
    const openings = { parent: { amount: terms.amount, salt: terms.salt }, parts: parts.map((p) => p.opening) };
    return this.executor.submit(principal, call('SplitReceivable', [id, JSON.stringify({ parts: parts.map((p) => p.input) })], { openings }), { presenter: RECEIVABLE_PRESENTER });
  }

  async transfer(principal: Principal, id: string, toId: string): Promise<Executed> {
    const record = await this.read(principal, id);
    const terms = await this.reseal(principal, record, { ...record, holderId: toId });
    return this.executor.submit(principal, call('TransferReceivable', [id, JSON.stringify({ toId, terms })]), { presenter: RECEIVABLE_PRESENTER });
  }

  async requestFinancing(principal: Principal, id: string, bankId: string): Promise<Executed> {
    const record = await this.read(principal, id);
    const terms = await this.reseal(principal, record, { ...record, bankId });
    return this.executor.submit(principal, call('RequestReceivableFinancing', [id, JSON.stringify({ bankId, terms })]), { presenter: RECEIVABLE_PRESENTER });
  }

  // ---- the obligor ------------------------------------------------------------------------------

  /** Opens the amount, the limit and the total so far with the obligor's keys; retries when another confirmation came first. */
  async confirm(principal: Principal, id: string): Promise<Executed> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.confirmOnce(principal, id);
      } catch (err) {
        if (!(err instanceof GatewayError && err.code === 'CONFLICT') || attempt >= CONFIRM_ATTEMPTS) throw err;
      }
    }
  }

  private async confirmOnce(principal: Principal, id: string): Promise<Executed> {
    const record = await this.read(principal, id);
    const terms = await this.openTerms(principal, record);
    const credit = await this.readCredit(principal, record.obligorId);
    const limit = await this.openOwn<Opening>(principal, credit.limit.limit, 'the limit');
    const issued = credit.issued ? await this.openOwn<Opening>(principal, credit.issued.issued, 'the issued total') : undefined;
    const next: Opening = { amount: (BigInt(issued?.amount ?? '0') + BigInt(terms.amount)).toString(), salt: newSalt() };
    const openings = {
      amount: { amount: terms.amount, salt: terms.salt },
      limit: { amount: limit.amount, salt: limit.salt },
      ...(issued ? { issued: { amount: issued.amount, salt: issued.salt } } : {}),
      nextIssuedSalt: next.salt,
    };
    const sealedIssued = await seal(next, [recipientOf(await this.registry.get(principal, record.obligorId)), ...(await this.regulators(principal)).map(recipientOf)]);
    return this.executor.submit(principal, call('ConfirmReceivable', [id, JSON.stringify({ issued: sealedIssued })], { openings }), { presenter: RECEIVABLE_PRESENTER });
  }

  /** A step whose arguments need no content crypto. */
  transition(principal: Principal, transaction: TransactionName<'receivable'>, ...args: string[]): Promise<Executed> {
    return this.executor.submit(principal, call(transaction, args), { presenter: RECEIVABLE_PRESENTER });
  }

  get(principal: Principal, id: string): Promise<Executed> {
    return this.executor.evaluate(principal, call('GetReceivable', [id]), { presenter: RECEIVABLE_PRESENTER });
  }

  list(principal: Principal, query: ListReceivablesQuery): Promise<Executed> {
    const pageSize = String(query.pageSize ?? 50);
    const bookmark = query.bookmark ?? '';
    const state = query.state ?? '';
    if (principal.role === Role.Regulator) {
      if (query.partyId === undefined) throw new GatewayError('VALIDATION_FAILED', 'the regulator lists an institution\'s receivables: give partyId', { issues: [{ path: 'partyId', problem: 'required for the regulator' }] });
      return this.executor.evaluate(principal, call('ListReceivablesOfParty', [query.partyId, state, pageSize, bookmark]), { presenter: RECEIVABLE_PAGE_PRESENTER });
    }
    if (query.partyId !== undefined) throw new GatewayError('VALIDATION_FAILED', 'only the regulator names another party', { issues: [{ path: 'partyId', problem: 'only for the regulator' }] });
    return this.executor.evaluate(principal, call('ListReceivables', [state, pageSize, bookmark]), { presenter: RECEIVABLE_PAGE_PRESENTER });
  }

  // ---- the client's auditors (cross-checks) ----------------------------------------------------

  grantAuditorAccess(principal: Principal, firmId: string, validUntil: string): Promise<Executed> {
    return this.executor.submit(principal, call('GrantAuditorReceivableAccess', [JSON.stringify({ firmId, validUntil })]), { successStatus: 201 });
  }

  revokeAuditorAccess(principal: Principal, firmId: string): Promise<Executed> {
    return this.executor.submit(principal, call('RevokeAuditorReceivableAccess', [firmId]));
  }

  /**
   * Every receivable a client is party to as the firm's tenant reads it (ListReceivablesOfClient:
   * the regulator, or an auditor with the client's current grant), each with its amount when the
   * terms open with the tenant's keys and open the amount hash on the ledger (never otherwise). For
   * cross-checks; a refusal comes as the ledger's FORBIDDEN.
   */
  async readClientRecords(principal: Principal, clientId: string): Promise<Array<{ record: ReceivableRecord; amountMinor?: string }>> {
    const out: Array<{ record: ReceivableRecord; amountMinor?: string }> = [];
    let bookmark = '';
    do {
      const page = parse<Page<ReceivableRecord>>(await this.executor.readAsTenant(principal, call('ListReceivablesOfClient', [clientId, '200', bookmark])));
      for (const record of page.records) {
        const opened = await this.content.openFor<ReceivableTerms>(principal, record.terms);
        const terms = opened.readable === 'decrypted' ? opened.content : undefined;
        const opens = terms !== undefined && receivableAmountHash(terms.amount, terms.salt) === record.amountHash;
        out.push(opens ? { record, amountMinor: terms.amount } : { record });
      }
      bookmark = page.records.length === 0 && page.fetchedRecordsCount === 0 ? '' : page.bookmark;
    } while (bookmark !== '');
    return out;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async read(principal: Principal, id: string): Promise<ReceivableRecord> {
    return parse<ReceivableRecord>(await this.executor.readAsTenant(principal, call('GetReceivable', [id])));
  }

  private async readCredit(principal: Principal, obligorId: string): Promise<{ limit: ReceivableLimit; issued: ReceivableIssuedTotal | null }> {
    try {
      return parse(await this.executor.readAsTenant(principal, call('GetReceivableLimit', [obligorId])));
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'NOT_FOUND') throw new GatewayError('LIMIT_EXCEEDED', `the platform has set no limit for ${obligorId}`);
      throw err;
    }
  }

  private async openTerms(principal: Principal, record: ReceivableRecord): Promise<ReceivableTerms> {
    const terms = await this.openOwn<ReceivableTerms>(principal, record.terms, `the terms of ${record.id}`);
    // What the ledger holds decides: terms that do not open its hash are not the receivable's.
    if (receivableAmountHash(terms.amount, terms.salt) !== record.amountHash) {
      throw new GatewayError('CONTENT_NOT_READABLE', `the terms of ${record.id} do not open the amount hash on the ledger`);
    }
    return terms;
  }

  /** Content sealed to the caller's institution, opened with its keys, or a precise refusal. */
  private async openOwn<T>(principal: Principal, sealed: EncryptedContent, what: string): Promise<T> {
    const opened = await this.content.openFor<T>(principal, sealed);
    if (opened.readable === 'decrypted' && opened.content !== undefined) return opened.content;
    if (opened.readable === 'no-key') throw new GatewayError('NO_INSTITUTION_KEYS', `this gateway holds no keys of ${principal.institutionId} to open ${what}`);
    throw new GatewayError('CONTENT_NOT_READABLE', `${what} cannot be opened with the keys of ${principal.institutionId} (${opened.readable})`);
  }

  /** The terms opened by the caller and sealed anew to the parties of `next`. */
  private async reseal(principal: Principal, record: ReceivableRecord, next: ReceivableRecord): Promise<EncryptedContent> {
    return this.sealTo(principal, this.sealedTo(next), await this.openTerms(principal, record));
  }

  private sealedTo(record: Pick<ReceivableRecord, 'obligorId' | 'originalCreditorId' | 'holderId' | 'bankId'>): string[] {
    return [...new Set([record.obligorId, record.originalCreditorId, record.holderId, ...(record.bankId ? [record.bankId] : [])])];
  }

  private async sealTo(principal: Principal, ids: string[], content: object): Promise<EncryptedContent> {
    const parties = await Promise.all([...new Set(ids)].map((id) => this.registry.get(principal, id)));
    return seal(content, parties.map(recipientOf));
  }

  private regulators(principal: Principal): Promise<Institution[]> {
    return this.registry.activeOfKind(principal, InstitutionKind.Regulator);
  }
}
