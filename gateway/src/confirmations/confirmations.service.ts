import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ConfirmationKind,
  ConfirmationState,
  findForm,
  Role,
  validateLetter,
  validateReply,
  type ConfirmationView,
  type AuthorizeInput,
  type HistoryEntry,
  type IssueInput,
  type LetterContent,
  type Page,
  type ReplyInput,
  type TransactionName,
} from '@econfirm/common';
import { addRecipients, recipientOf, seal, sealReply, type Recipient } from '@econfirm/sdk';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { GatewayError } from '../errors/gateway-error';
import { resumingEarlierWrites } from '../logging/request-context';
import { ledgerCall, parseResult as parse, type LedgerCall } from '../fabric/ledger-call';
import { RegistryReader } from '../institutions/registry-reader.service';
import { TenantsService } from '../tenants/tenants.service';
import { ResultPresenters } from '../transactions/result-presenters';
import { Executed } from '../transactions/executed';
import { TransactionExecutor } from '../transactions/transaction-executor.service';
import { ConfirmationContentService, type PresentedConfirmation } from './confirmation-content.service';
import type { AuditorAcceptDto, AuthorizeDto, IssueConfirmationDto, PrepareReplyDto, ResendDto } from './dto/confirmation-inputs.dto';
import type { ListConfirmationsQuery } from './dto/list-query.dto';

export const CONFIRMATION_PRESENTER = 'confirmation';
export const LETTER_PRESENTER = 'confirmation-letter';
export const REPLY_PRESENTER = 'confirmation-reply';

const DEFAULT_FORM: Readonly<Record<ConfirmationKind, string>> = {
  'bank-form-1': 'bank-letter-2020',
  'bank-form-2': 'bank-letter-2020',
  'capital-verification': 'capital-verification-2020',
  receivable: 'balance-confirmation-2020',
  payable: 'balance-confirmation-2020',
};

/** How many consecutive empty ledger pages one list request may fold in. */
const MAX_EMPTY_PAGES = 10;


function call(transaction: TransactionName<'confirmation'>, ...args: string[]): LedgerCall {
  return ledgerCall('confirmation', transaction, ...args);
}

function contentIssues(issues: Array<{ path: string; problem: string }>, what: string): GatewayError {
  return new GatewayError('INVALID_CONTENT', `the ${what} does not fit its form: ${issues.map((i) => `${i.path || '(root)'}: ${i.problem}`).join('; ')}`, {
    issues: issues.map((i) => ({ path: `${what}${i.path ? `.${i.path}` : ''}`, problem: i.problem })),
  });
}

/**
 * The confirmation lifecycle over the ledger for one principal: plain JSON in, validated against
 * the forms, sealed for the registry's named institutions, submitted; results decrypted for the
 * caller's own tenant only.
 */
@Injectable()
export class ConfirmationsService implements OnModuleInit {
  constructor(
    private readonly executor: TransactionExecutor,
    private readonly presenters: ResultPresenters,
    private readonly content: ConfirmationContentService,
    private readonly registry: RegistryReader,
    private readonly tenants: TenantsService,
  ) {}

  onModuleInit(): void {
    this.presenters.register(CONFIRMATION_PRESENTER, (principal, bytes) => this.content.present(principal, parse<ConfirmationView>(bytes)));
    this.presenters.register(LETTER_PRESENTER, async (principal, bytes) => {
      const view = parse<ConfirmationView>(bytes);
      return this.download(principal, view, 'letter');
    });
    this.presenters.register(REPLY_PRESENTER, async (principal, bytes) => this.download(principal, parse<ConfirmationView>(bytes), 'reply'));
  }

  /** File download (T/CBA): the letter or reply plaintext, only if addressed to the caller's institution. */
  private async download(principal: Principal, view: ConfirmationView, part: 'letter' | 'reply'): Promise<Record<string, unknown>> {
    const sealed = part === 'letter' ? view.letter : view.reply;
    if (!sealed) throw GatewayError.notFound(`confirmation ${view.id} has no ${part} the caller may read`);
    const opened = await this.content.openFor(principal, sealed);
    if (opened.readable !== 'decrypted') {
      throw new GatewayError('CONTENT_NOT_READABLE', `the ${part} of ${view.id} is not addressed to ${principal.institutionId} (${opened.readable})`);
    }
    return { confirmationId: view.id, formId: view.formId, part, contentHash: sealed.contentHash, content: opened.content, ...(opened.signature ? { signature: opened.signature } : {}) };
  }

  /**
   * Who a letter is sealed for at issue: the firm and the client, nobody else — the responder's
   * right to read it arises at the client's authorization (chaincode/README.md, Privacy design),
   * when `authorize` widens it. Also used by bulk issuance.
   */
  async letterRecipients(principal: Principal, clientId: string): Promise<Recipient[]> {
    const [firm, client] = await Promise.all([this.registry.get(principal, principal.institutionId), this.registry.get(principal, clientId)]);
    return [recipientOf(firm), recipientOf(client)];
  }

  private checkLetter(letter: Record<string, unknown>, kind: ConfirmationKind, formId: string): void {
    if (letter.formId !== undefined && letter.formId !== formId) {
      throw contentIssues([{ path: 'formId', problem: `must be ${formId}, the request's form` }], 'letter');
    }
    const issues = validateLetter({ ...letter, formId }, kind);
    if (issues.length > 0) throw contentIssues(issues, 'letter');
  }

  async issue(principal: Principal, dto: IssueConfirmationDto): Promise<Executed> {
    const formId = dto.formId ?? DEFAULT_FORM[dto.kind];
    if (!findForm(formId)) throw contentIssues([{ path: 'formId', problem: `unknown form ${formId}` }], 'request');
    const letter = { ...dto.letter, formId };
    this.checkLetter(letter, dto.kind, formId);
    const input: IssueInput = {
      id: dto.id ?? `CF-${randomUUID()}`,
      kind: dto.kind,
      formId,
      engagement: { ...dto.engagement },
      addresseeId: dto.addresseeId,
      feePayer: dto.feePayer,
      letter: await seal(letter, await this.letterRecipients(principal, dto.engagement.clientId)),
    };
    return this.executor.submit(principal, call('Issue', JSON.stringify(input)), { presenter: CONFIRMATION_PRESENTER, successStatus: 201 });
  }

  async resend(principal: Principal, originalId: string, dto: ResendDto): Promise<Executed> {
    const original = parse<ConfirmationView>(await this.executor.readAsTenant(principal, call('GetConfirmation', originalId)));
    const letter = { ...dto.letter, formId: original.formId };
    this.checkLetter(letter, original.kind, original.formId);
    const sealed = await seal(letter, await this.letterRecipients(principal, original.clientId));
    const input = { id: dto.id ?? `CF-${randomUUID()}`, originalId, ...(dto.addresseeId ? { addresseeId: dto.addresseeId } : {}), letter: sealed };
    return this.executor.submit(principal, call('Resend', JSON.stringify(input)), { presenter: CONFIRMATION_PRESENTER, successStatus: 201 });
  }

  /** A lifecycle step whose arguments need no content crypto. */
  transition(principal: Principal, transaction: TransactionName<'confirmation'>, ...args: string[]): Promise<Executed> {
    return this.executor.submit(principal, call(transaction, ...args), { presenter: CONFIRMATION_PRESENTER });
  }

  /**
   * The client's authorization delivers the letter: it is widened to the responder (and the
   * addressed branch) by appending recipients that wrap the same content key. The client's own
   * software may do that and send `letterCiphertext` (its key never leaves it); else the gateway
   * does it with the tenant's institution key. The chaincode checks that only those recipients
   * were appended.
   */
  async authorize(principal: Principal, id: string, dto: AuthorizeDto): Promise<Executed> {
    const letterCiphertext = dto.letterCiphertext ?? (await this.widened(principal, id, 'letter'));
    const input: AuthorizeInput = { feeConsent: dto.feeConsent, ...(dto.signatureHash ? { signatureHash: dto.signatureHash } : {}), letterCiphertext };
    return this.transition(principal, 'ClientAuthorize', id, JSON.stringify(input));
  }

  /** The auditor's acceptance gives the client the reply: widened to the client as `authorize` widens the letter. */
  async auditorAccept(principal: Principal, id: string, dto: AuditorAcceptDto): Promise<Executed> {
    const replyCiphertext = dto.replyCiphertext ?? (await this.widened(principal, id, 'reply'));
    return this.transition(principal, 'AuditorAccept', id, JSON.stringify({ replyCiphertext }));
  }

  /** The letter (to the responder and addressed branch) or reply (to the client) with the new recipients appended (SDK addRecipients). */
  private async widened(principal: Principal, id: string, part: 'letter' | 'reply'): Promise<string> {
    const field = `${part}Ciphertext`;
    const keys = this.tenants.institutionKeys(principal.tenantId);
    if (!keys) {
      throw new GatewayError('NO_INSTITUTION_KEYS', `this gateway holds no private keys for ${principal.institutionId}: widen the ${part} with your own key (SDK addRecipients) and send it as ${field}`);
    }
    const view = parse<ConfirmationView>(await this.executor.readAsTenant(principal, call('GetConfirmation', id)));
    const sealed = part === 'letter' ? view.letter : view.reply;
    const from = part === 'letter' ? ConfirmationState.Issued : ConfirmationState.Replied;
    // The ledger's own refusal, word for word, without widening content that cannot move on —
    // unless this is a retry whose earlier attempt may have made the move: the ledger service
    // answers from that transaction (or the chaincode refuses, as it would have).
    if (!sealed || view.state !== from) {
      if (sealed && resumingEarlierWrites()) return sealed.ciphertext;
      throw new GatewayError('INVALID_STATE_TRANSITION', `cannot ${part === 'letter' ? 'ClientAuthorize' : 'AuditorAccept'} confirmation ${id}: it is ${view.state}`);
    }
    const parties = part === 'reply' ? [view.clientId] : view.addresseeId === view.responderId ? [view.responderId] : [view.responderId, view.addresseeId];
    // Current keys, not cached ones: the chaincode accepts only the registry's current kids.
    const recipients = (await Promise.all(parties.map((party) => this.registry.get(principal, party, { fresh: true })))).map(recipientOf);
    try {
      return await addRecipients(sealed.ciphertext, keys, recipients);
    } catch (err) {
      throw new GatewayError('CONTENT_NOT_READABLE', `the ${part} of ${id} cannot be opened with ${principal.institutionId}'s key to widen it: ${(err as Error).message}`);
    }
  }

  /**
   * The responder's reply: the letter it answers is opened with the tenant's key, the reply is
   * validated against it, signed with the institution's signing key (JWS inside the JWE) and
   * sealed for the firm and the responder only: the client is added at the auditor's acceptance.
   */
  async prepareReply(principal: Principal, id: string, dto: PrepareReplyDto): Promise<Executed> {
    const keys = this.tenants.institutionKeys(principal.tenantId);
    if (!keys) throw new GatewayError('NO_INSTITUTION_KEYS', `this gateway holds no private keys for ${principal.institutionId}: it cannot sign or encrypt a reply`);
    const view = parse<ConfirmationView>(await this.executor.readAsTenant(principal, call('GetConfirmation', id)));
    if (view.responderId !== principal.institutionId) throw GatewayError.notFound(`NOT_FOUND: confirmation ${id} does not exist`);
    const letter = await this.content.openFor<LetterContent>(principal, view.letter, keys);
    if (letter.readable !== 'decrypted' || !letter.content) {
      throw new GatewayError('CONTENT_NOT_READABLE', `the letter of ${id} cannot be opened with ${principal.institutionId}'s key (${letter.readable})`);
    }
    const issues = validateReply(dto.content, letter.content, view.kind);
    if (issues.length > 0) throw contentIssues(issues, 'content');
    const conclusion = dto.content.conclusion as ReplyInput['conclusion'];
    const parties = [view.firmId, view.responderId];
    const recipients = (await Promise.all(parties.map((p) => this.registry.get(principal, p)))).map(recipientOf);
    const signingKey = { kid: keys.signing.kid, jwk: keys.signing.jwk, ...((keys.signing as { x5c?: string[] }).x5c ? { x5c: (keys.signing as { x5c?: string[] }).x5c } : {}) };
    const sealed = await sealReply(id, conclusion, dto.content, recipients, signingKey);
    const input: ReplyInput = { conclusion, ciphertext: sealed.ciphertext, contentHash: sealed.contentHash, signatureHash: sealed.signatureHash, signingKid: sealed.signingKid };
    return this.executor.submit(principal, call('PrepareReply', id, JSON.stringify(input)), { presenter: CONFIRMATION_PRESENTER });
  }

  get(principal: Principal, id: string): Promise<Executed> {
    return this.executor.evaluate(principal, call('GetConfirmation', id), { presenter: CONFIRMATION_PRESENTER });
  }

  /** For the gateway's own work on the caller's behalf (cross-checks): the request as the tenant reads it, its content opened. */
  async read(principal: Principal, id: string): Promise<PresentedConfirmation> {
    return this.content.present(principal, parse<ConfirmationView>(await this.executor.readAsTenant(principal, call('GetConfirmation', id))));
  }

  /** Every version of the request as the tenant reads it, oldest last (the ledger's order). */
  async readHistory(principal: Principal, id: string): Promise<Array<HistoryEntry<ConfirmationView>>> {
    return parse<Array<HistoryEntry<ConfirmationView>>>(await this.executor.readAsTenant(principal, call('GetConfirmationHistory', id)));
  }

  /** Every request of an engagement the tenant's firm may read, all pages. */
  async readEngagement(principal: Principal, engagementId: string): Promise<ConfirmationView[]> {
    const out: ConfirmationView[] = [];
    let bookmark = '';
    do {
      const page = parse<Page<ConfirmationView>>(await this.executor.readAsTenant(principal, call('ListConfirmationsByEngagement', engagementId, '200', bookmark)));
      out.push(...page.records);
      bookmark = page.records.length === 0 && page.fetchedRecordsCount === 0 ? '' : page.bookmark;
    } while (bookmark !== '');
    return out;
  }

  history(principal: Principal, id: string): Promise<Executed> {
    return this.executor.evaluate(principal, call('GetConfirmationHistory', id));
  }

  file(principal: Principal, id: string, part: 'letter' | 'reply'): Promise<Executed> {
    return this.executor.evaluate(principal, call('GetConfirmation', id), { presenter: part === 'letter' ? LETTER_PRESENTER : REPLY_PRESENTER });
  }

  /**
   * Lists: one selector, which must be the caller's own institution (a tenant never lists for
   * another); without one, the caller's own requests by its role.
   */
  async list(principal: Principal, query: ListConfirmationsQuery): Promise<Executed> {
    const pageSize = String(query.pageSize ?? 50);
    const bookmark = query.bookmark ?? '';
    const selectors = (['firmId', 'engagementId', 'clientId', 'addresseeId', 'state', 'overdue'] as const).filter((k) => query[k] !== undefined);
    if (selectors.length > 1) throw new GatewayError('VALIDATION_FAILED', `choose one of ${selectors.join(', ')}`);
    const own = (given: string | undefined, what: string): string => {
      if (given !== undefined && given !== principal.institutionId) {
        throw GatewayError.forbidden(`${principal.institutionId} cannot list the requests of ${what} ${given}`);
      }
      return principal.institutionId;
    };
    const role = principal.role;
    let ledgerCall: LedgerCall;
    if (query.engagementId !== undefined) ledgerCall = call('ListConfirmationsByEngagement', query.engagementId, pageSize, bookmark);
    else if (query.state !== undefined) ledgerCall = call('ListConfirmationsByState', query.state, pageSize, bookmark);
    else if (query.overdue !== undefined) ledgerCall = call('ListOverdueConfirmations', pageSize, bookmark);
    else if (query.firmId !== undefined || (selectors.length === 0 && role === Role.Auditor)) ledgerCall = call('ListConfirmationsByFirm', own(query.firmId, 'firm'), pageSize, bookmark);
    else if (query.clientId !== undefined) ledgerCall = call('ListConfirmationsByClient', own(query.clientId, 'client'), pageSize, bookmark);
    else if (query.addresseeId !== undefined || role === Role.BankOfficer || role === Role.BankReviewer) {
      ledgerCall = call('ListConfirmationsByAddressee', own(query.addresseeId, 'responder'), pageSize, bookmark);
    } else if (role === Role.ClientSigner) ledgerCall = call('ListConfirmationsByClient', principal.institutionId, pageSize, bookmark);
    else throw new GatewayError('VALIDATION_FAILED', `role ${role} has no default list: give a selector`);
    return this.fillPage(principal, ledgerCall);
  }

  /**
   * The ledger pages an index and drops what the caller may not see yet (a responder's requests
   * before delivery), so a page can come back empty with more to come. Custodial callers get the
   * next ledger pages folded in (up to a bound) instead of an empty page; offline ones get the raw page.
   */
  private async fillPage(principal: Principal, ledgerCall: LedgerCall): Promise<Executed> {
    let executed = await this.executor.evaluate(principal, ledgerCall);
    if (principal.custody === 'offline') return executed;
    let page = executed.body as Page<unknown>;
    let fetched = page.fetchedRecordsCount;
    for (let extra = 0; extra < MAX_EMPTY_PAGES && page.records.length === 0 && page.bookmark !== '' && page.fetchedRecordsCount > 0; extra++) {
      const args = [...ledgerCall.args];
      args[args.length - 1] = page.bookmark;
      executed = await this.executor.evaluate(principal, { ...ledgerCall, args });
      page = executed.body as Page<unknown>;
      fetched += page.fetchedRecordsCount;
    }
    return new Executed(executed.status, { ...page, fetchedRecordsCount: fetched });
  }

}
