import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  AlternativeTrigger,
  canonicalJson,
  CONFIRMATION_STATES,
  ConfirmationEvidence,
  ConfirmationRequest,
  ConfirmationState,
  ErrorCode,
  FeePayer,
  Institution,
  isOneOf,
  KEY_ID,
  LedgerError,
  MAX_CIPHERTEXT_CHARS,
  REPLY_CONCLUSIONS,
  ReturnReason,
  Role,
  SHA256_HEX,
  TRANSACTION_ID,
} from '@econfirm/common';
import { forbidden, InstitutionCaller, requireAdmin, requireInstitutionCaller } from '../auth/caller';
import { mayReadReply, Party, requireParty, requireVisible, ResponderStep, responderRoles, viewFor, withoutReply } from '../auth/confirmation-access';
import { emitEvent, EventName } from '../events';
import { deadlineFrom, isOverdue } from '../lifecycle/deadlines';
import { checkEngagement, engagementOf, IssueContext, newIssuedRequest, recordEngagement, refuseDuplicate, resolveResponder } from '../lifecycle/issue';
import { actSealed, refuseUnsealedStep } from '../lifecycle/sealed-act';
import { Action, assertTransition } from '../lifecycle/transitions';
import {
  LETTER_FIELDS,
  MAX_BATCH,
  readAlternativeProcedure,
  readEngagement,
  readLetterFields,
  readOptionalHash,
  readReason,
  readReturnReason,
} from '../models/confirmation-input';
import { readSealedExactlyFor, readWidened } from '../models/sealing';
import { newWorkCalendar } from '../models/work-calendar';
import { computeRegulatorStats } from '../stats/regulator-stats';
import { getWorkCalendar, saveWorkCalendar } from '../state/calendar-store';
import {
  allStatsRows,
  confirmationHistory,
  ConfirmationIndex,
  getConfirmation,
  readConfirmationPage,
  saveConfirmation,
  startConfirmationPrivateStore,
  startStatsIndex,
} from '../state/confirmation-store';
import { getInstitution } from '../state/institution-store';
import { setPseudonymKey } from '../state/pseudonym-key';
import { readSealedEvent } from '../state/sealed-events';
import { txTimeMillis } from '../state/tx-time';
import { FieldReader, invalid, parseJsonArgument } from '../validation/field-reader';
import { parsePageSize } from '../validation/paging';

export const CONFIRMATION_CONTRACT = 'confirmation' as const;

const PARTY_ROLES = [Role.Auditor, Role.ClientSigner, Role.BankOfficer, Role.BankReviewer];
const RESPONDER_ROLES = [Role.BankOfficer, Role.BankReviewer, Role.ClientSigner];

/** One transaction's view of time and caller, passed to each state change. */
interface Step {
  caller: InstitutionCaller;
  nowMillis: number;
  at: string;
}

type Change = (request: ConfirmationRequest, step: Step) => ConfirmationRequest | Promise<ConfirmationRequest>;

/**
 * The confirmation lifecycle (chaincode/README.md, Confirmation contract). Every transaction checks the caller's MSP, role and
 * institution against the request; the ledger holds only JWE ciphertext, salted hashes and
 * routing metadata. Every transaction returns canonical JSON.
 */
@Info({ title: 'confirmation', description: 'Electronic audit confirmations: issue, authorize, reply, accept' })
export class ConfirmationContract extends Contract {
  constructor() {
    super(CONFIRMATION_CONTRACT);
  }

  /** A step called by its own name is refused once the ledger is private (lifecycle/sealed-act.ts). */
  public override async beforeTransaction(ctx: Context): Promise<void> {
    await refuseUnsealedStep(ctx, CONFIRMATION_CONTRACT);
  }

  /**
   * A sealed step (common/src/domain/sealed-call.ts): the step and its arguments come in the
   * transient map, so the block shows neither; it runs exactly as when called by name (the same
   * checks and writes); its answer is sealed to the caller's secret, its event kept private
   * (state/sealed-events.ts) while the block's says only `ConfirmationChanged {}`.
   */
  @Transaction()
  @Returns('string')
  public async Act(ctx: Context): Promise<string> {
    return actSealed(ctx, CONFIRMATION_CONTRACT, this);
  }

  // ---- issuing (the audit firm) ----

  @Transaction()
  @Returns('string')
  public async Issue(ctx: Context, issueJson: string): Promise<string> {
    const input = parseJsonArgument(issueJson, 'issue').allowOnly([...LETTER_FIELDS, 'engagement']);
    const { issue, requests: [request] } = await this.issueLetters(ctx, input.object('engagement'), [input]);
    emitEvent(ctx, EventName.ConfirmationChanged, { id: request.id, state: request.state, action: 'Issue' });
    return canonicalJson(viewFor(issue.caller, request, false));
  }

  /**
   * An engagement's letters in one transaction, all or nothing. Each request writes only its own
   * keys, so the batch neither conflicts with itself nor with parallel batches.
   */
  @Transaction()
  @Returns('string')
  public async IssueBatch(ctx: Context, batchJson: string): Promise<string> {
    const input = parseJsonArgument(batchJson, 'batch').allowOnly(['engagement', 'requests']);
    const letters = input.array('requests', 1, MAX_BATCH).map((item, i) => FieldReader.of(item, `requests[${i}]`).allowOnly(LETTER_FIELDS));
    const { requests } = await this.issueLetters(ctx, input.object('engagement'), letters);
    const ids = requests.map((request) => request.id);
    emitEvent(ctx, EventName.ConfirmationsIssued, { ids, state: ConfirmationState.Issued, engagementId: requests[0].engagementId });
    return canonicalJson({ ids });
  }

  /** Follow-up of a returned or unanswered request: a new linked request; the original closes as resent. */
  @Transaction()
  @Returns('string')
  public async Resend(ctx: Context, resendJson: string): Promise<string> {
    const issue = await this.issueContext(ctx);
    const input = parseJsonArgument(resendJson, 'resend').allowOnly(['id', 'originalId', 'addresseeId', 'letter']);
    const original = await getConfirmation(ctx, input.string('originalId'));
    requireParty(issue.caller, original, Party.Firm);
    assertTransition(original, Action.Resend, isOverdue(original, issue.nowMillis));
    const fields = readLetterFields(FieldReader.of({
      id: input.raw('id'), kind: original.kind, formId: original.formId, feePayer: original.feePayer,
      addresseeId: input.raw('addresseeId') ?? original.addresseeId, letter: input.raw('letter'),
    }, ''));
    await refuseDuplicate(ctx, fields.id);
    const engagement = engagementOf(original);
    const { responder } = await resolveResponder(ctx, fields, engagement, original.firmId, 'addresseeId');
    if (responder.id !== original.responderId) throw invalid('addresseeId', `a follow-up goes to the same responder ${original.responderId}`);
    const client = await getInstitution(ctx, original.clientId);
    const followUp = { ...(await newIssuedRequest(ctx, issue, engagement, client, fields, '')), followUpOf: original.id, attempt: original.attempt + 1 };
    const at = new Date(issue.nowMillis).toISOString();
    await saveConfirmation(ctx, { ...original, state: ConfirmationState.Resent, followUpId: followUp.id, updatedAt: at }, original);
    await saveConfirmation(ctx, followUp);
    emitEvent(ctx, EventName.ConfirmationChanged, { id: followUp.id, state: followUp.state, action: 'Resend', originalId: original.id });
    return canonicalJson(viewFor(issue.caller, followUp, false));
  }

  @Transaction()
  @Returns('string')
  public async Recall(ctx: Context, id: string, reason: string): Promise<string> {
    return this.transition(ctx, id, Action.Recall, [Role.Auditor], Party.Firm, (request, { caller, at }) => ({
      ...request, state: ConfirmationState.Recalled, recall: { by: caller.identityId, at, reason: readReason(reason) },
    }));
  }

  // ---- the client ----

  /**
   * authorizationJson: { feeConsent: boolean, signatureHash?: sha256 hex of the client's JWS,
   * letterCiphertext: the letter's JWE with the responder's current key (and the addressed
   * branch's) appended }. Authorization is what gives the responder the right to read the letter,
   * so it is sealed to it here and not before (models/sealing.ts).
   */
  @Transaction()
  @Returns('string')
  public async ClientAuthorize(ctx: Context, id: string, authorizationJson: string): Promise<string> {
    const input = parseJsonArgument(authorizationJson, 'authorization').allowOnly(['feeConsent', 'signatureHash', 'letterCiphertext']);
    const feeConsent = input.boolean('feeConsent');
    const signatureHash = readOptionalHash(input, 'signatureHash');
    const letterCiphertext = input.string('letterCiphertext', { maxLength: MAX_CIPHERTEXT_CHARS });
    return this.transition(ctx, id, Action.ClientAuthorize, [Role.ClientSigner], Party.Client, async (request, { caller, nowMillis, at }) => {
      const calendar = await getWorkCalendar(ctx);
      const letter = readWidened(letterCiphertext, 'letterCiphertext', request.letter, await this.responderParties(ctx, request));
      return {
        ...request,
        state: ConfirmationState.Authorized,
        letter,
        authorization: { by: caller.identityId, at, feeConsent, ...(signatureHash ? { signatureHash } : {}) },
        // Delivery to the responder: from now on the bank sees the letter and its reply clock runs.
        sentAt: at,
        replyDueAt: deadlineFrom(nowMillis, 'reply', calendar),
      };
    });
  }

  @Transaction()
  @Returns('string')
  public async ClientRefuse(ctx: Context, id: string, reason: string): Promise<string> {
    const text = readReason(reason);
    return this.transition(ctx, id, Action.ClientRefuse, [Role.ClientSigner], Party.Client, (request, { caller, at }) => ({
      ...request, state: ConfirmationState.ClientRefused, refusal: { by: caller.identityId, at, reason: text },
    }));
  }

  // ---- the responder (bank or counterparty) ----

  @Transaction()
  @Returns('string')
  public async BankAccept(ctx: Context, id: string): Promise<string> {
    return this.responderTransition(ctx, id, Action.BankAccept, ResponderStep.Handle, (request, { caller, at }) => ({
      ...request, state: ConfirmationState.Accepted, acceptance: { by: caller.identityId, at },
    }));
  }

  /** reasonCode: NON_STANDARD_FORM | FEE_NOT_AUTHORIZED | SEAL_MISMATCH | MISSING_DATA | OTHER (note required). */
  @Transaction()
  @Returns('string')
  public async BankReturn(ctx: Context, id: string, reasonCode: string, note: string): Promise<string> {
    const reason = readReturnReason(reasonCode, note);
    return this.responderTransition(ctx, id, Action.BankReturn, ResponderStep.Handle, (request, { caller, at }) => {
      if (reason.reasonCode === ReturnReason.FeeNotAuthorized && request.feePayer === FeePayer.Client && request.authorization?.feeConsent) {
        throw invalid('reasonCode', 'the client consented to the fee');
      }
      return { ...request, state: ConfirmationState.Returned, return: { by: caller.identityId, at, ...reason } };
    });
  }

  /**
   * replyJson: { conclusion: agrees|disagrees, ciphertext: JWE for exactly firm and responder
   * (the client is added at AuditorAccept),
   * contentHash, signatureHash: sha256 of the responder's JWS, signingKid: its current signing key }.
   * Differences stay inside the ciphertext. Banks: prepared by an officer, final once a different
   * reviewer approves. Enterprises: final when prepared.
   */
  @Transaction()
  @Returns('string')
  public async PrepareReply(ctx: Context, id: string, replyJson: string): Promise<string> {
    const input = parseJsonArgument(replyJson, 'reply').allowOnly(['conclusion', 'ciphertext', 'contentHash', 'signatureHash', 'signingKid']);
    return this.responderTransition(ctx, id, Action.PrepareReply, ResponderStep.Prepare, async (request, { caller, at }) => {
      const responder = caller.institution;
      const conclusion = input.oneOf('conclusion', REPLY_CONCLUSIONS);
      const signatureHash = input.string('signatureHash', { pattern: SHA256_HEX, maxLength: 64 });
      const signingKid = input.string('signingKid', { pattern: KEY_ID });
      if (signingKid !== responder.signingKey.kid) throw invalid('signingKid', `is not ${responder.id}'s current signing key`);
      const content = readSealedExactlyFor(input, [await getInstitution(ctx, request.firmId), responder]);
      const reply = { ...content, conclusion, signatureHash, signingKid, preparedBy: caller.identityId, preparedAt: at };
      const makerChecker = responderRoles(responder.kind, ResponderStep.Review).length > 0;
      return {
        ...request,
        state: makerChecker ? ConfirmationState.ReplyPrepared : ConfirmationState.Replied,
        reply: makerChecker ? reply : { ...reply, approvedBy: caller.identityId, approvedAt: at },
      };
    });
  }

  @Transaction()
  @Returns('string')
  public async ApproveReply(ctx: Context, id: string): Promise<string> {
    return this.responderTransition(ctx, id, Action.ApproveReply, ResponderStep.Review, (request, { caller, at }) => {
      const reply = request.reply as NonNullable<ConfirmationRequest['reply']>;
      this.requireOtherReviewer(caller, reply.preparedBy);
      return { ...request, state: ConfirmationState.Replied, reply: { ...reply, approvedBy: caller.identityId, approvedAt: at } };
    });
  }

  /** The reviewer sends the prepared reply back to the officers; it stays in the key history. */
  @Transaction()
  @Returns('string')
  public async RejectReply(ctx: Context, id: string, reason: string): Promise<string> {
    const text = readReason(reason);
    return this.responderTransition(ctx, id, Action.RejectReply, ResponderStep.Review, (request, { caller, at }) => {
      this.requireOtherReviewer(caller, (request.reply as NonNullable<ConfirmationRequest['reply']>).preparedBy);
      const { reply: _discarded, ...rest } = request;
      return { ...rest, state: ConfirmationState.Accepted, lastReplyRejection: { by: caller.identityId, at, reason: text } };
    });
  }

  // ---- the auditor closes ----

  /**
   * acceptanceJson: { replyCiphertext: the reply's JWE with the client's current key appended }.
   * The auditor's acceptance is what gives the client the right to read the reply (models/sealing.ts).
   */
  @Transaction()
  @Returns('string')
  public async AuditorAccept(ctx: Context, id: string, acceptanceJson: string): Promise<string> {
    const input = parseJsonArgument(acceptanceJson, 'acceptance').allowOnly(['replyCiphertext']);
    const replyCiphertext = input.string('replyCiphertext', { maxLength: MAX_CIPHERTEXT_CHARS });
    return this.transition(ctx, id, Action.AuditorAccept, [Role.Auditor], Party.Firm, async (request, { caller, at }) => {
      const sealed = request.reply as NonNullable<ConfirmationRequest['reply']>;
      const widened = readWidened(replyCiphertext, 'replyCiphertext', sealed, [await getInstitution(ctx, request.clientId)]);
      return { ...request, state: ConfirmationState.AuditorAccepted, reply: { ...sealed, ...widened }, auditorAcceptance: { by: caller.identityId, at } };
    });
  }

  /** procedureJson: { procedure: SUBSEQUENT_RECEIPTS|BANK_STATEMENTS|VISIT_IN_PERSON|SUPPORTING_DOCUMENTS|OTHER, workpaperHash }. */
  @Transaction()
  @Returns('string')
  public async RecordAlternativeProcedure(ctx: Context, id: string, procedureJson: string): Promise<string> {
    const procedure = readAlternativeProcedure(parseJsonArgument(procedureJson, 'procedure'));
    return this.transition(ctx, id, Action.RecordAlternativeProcedure, [Role.Auditor], Party.Firm, (request, { caller, at }) => {
      const trigger = request.state === ConfirmationState.ClientRefused ? AlternativeTrigger.ClientRefused
        : request.state === ConfirmationState.Returned ? AlternativeTrigger.Returned : AlternativeTrigger.Overdue;
      return { ...request, state: ConfirmationState.AlternativeProcedure, alternativeProcedure: { by: caller.identityId, at, trigger, ...procedure } };
    });
  }

  // ---- configuration ----

  @Transaction()
  @Returns('string')
  public async SetWorkCalendar(ctx: Context, calendarJson: string): Promise<string> {
    requireAdmin(ctx);
    const calendar = newWorkCalendar(parseJsonArgument(calendarJson, 'calendar'));
    await saveWorkCalendar(ctx, calendar);
    emitEvent(ctx, EventName.CalendarSet, { id: 'work-calendar' });
    return canonicalJson(calendar);
  }

  /**
   * The platform's pseudonym key (chaincode/README.md, Need to know on the channel): 32 random
   * bytes in the transient map (`pseudonymKey`), written once into the platform collection by the
   * operator's admin; a second call is refused `ALREADY_EXISTS`. Submit it to member peers of the
   * collection (operator and regulator): only they can tell whether one is set. Answers `{}` and
   * emits no event — the key is nobody's business but the member peers'.
   */
  @Transaction()
  @Returns('string')
  public async SetPseudonymKey(ctx: Context): Promise<string> {
    const caller = requireAdmin(ctx);
    await setPseudonymKey(ctx, caller.identityId);
    return canonicalJson({});
  }

  /**
   * Starts the statistics rows' index (state/confirmation-store.ts startStatsIndex): on a ledger
   * with no request yet, from now on the regulator's statistics read the small rows written beside
   * each record; on one with requests, nothing changes. The operator's admin; `network/deploy.sh`
   * asks it as a query on every deployment and submits it when the answer is `started` (a query
   * that would start it has not). → `{indexed, started}`.
   */
  @Transaction()
  @Returns('string')
  public async StartStatisticsIndex(ctx: Context): Promise<string> {
    const caller = requireAdmin(ctx);
    return canonicalJson(await startStatsIndex(ctx, caller.identityId));
  }

  /**
   * Starts the private store (state/confirmation-placement.ts; README, Need to know on the
   * channel): from now on new requests, engagements, index entries, statistics rows and versions
   * are private data of the platform collection under keyed pseudonyms; requests already public
   * stay public and readable. Once, by the operator's admin, after `SetPseudonymKey`; endorsed on
   * the collection's members (only they hold the key). → `{private, started, publicRecords}`.
   */
  @Transaction()
  @Returns('string')
  public async StartPrivateStore(ctx: Context): Promise<string> {
    const caller = requireAdmin(ctx);
    return canonicalJson(await startConfirmationPrivateStore(ctx, caller.identityId));
  }

  @Transaction(false)
  @Returns('string')
  public async GetWorkCalendar(ctx: Context): Promise<string> {
    return canonicalJson(await getWorkCalendar(ctx));
  }

  // ---- reads ----

  /**
   * The event a sealed step of transaction `txId` emitted, narrowed to the requests the caller
   * may read now (the regulator: all): what the block's `ConfirmationChanged {}` stands for. A
   * caller who may read none of them, an unknown transaction and one whose event is in the clear
   * are answered alike: NOT_FOUND.
   */
  @Transaction(false)
  @Returns('string')
  public async ListConfirmationsChangedBy(ctx: Context, txId: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [...PARTY_ROLES, Role.Regulator]);
    if (!TRANSACTION_ID.test(txId)) throw invalid('txId', 'must be a transaction id (64 hex digits)');
    const event = await readSealedEvent(ctx, txId);
    const visible = async (id: string): Promise<boolean> => {
      if (caller.role === Role.Regulator) return true;
      try {
        requireVisible(caller, await getConfirmation(ctx, id));
        return true;
      } catch (err) {
        if (err instanceof LedgerError && (err.code === ErrorCode.NotFound || err.code === ErrorCode.Forbidden)) return false;
        throw err;
      }
    };
    const payload = { ...(event?.payload ?? {}) };
    if (Array.isArray(payload.ids)) {
      const ids: string[] = [];
      for (const id of payload.ids) if (await visible(id)) ids.push(id);
      payload.ids = ids;
    }
    if (typeof payload.id === 'string' && !(await visible(payload.id))) delete payload.id;
    if (typeof payload.originalId === 'string' && !(await visible(payload.originalId))) delete payload.originalId;
    if (!event || (payload.id === undefined && (payload.ids ?? []).length === 0)) {
      throw new LedgerError(ErrorCode.NotFound, `no confirmation change of transaction ${txId} to show`);
    }
    return canonicalJson({ txId, name: event.name, payload });
  }

  @Transaction(false)
  @Returns('string')
  public async GetConfirmation(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, PARTY_ROLES);
    const request = await getConfirmation(ctx, id);
    requireVisible(caller, request);
    return canonicalJson(viewFor(caller, request, isOverdue(request, txTimeMillis(ctx))));
  }

  /**
   * Every version from the key history, each as the caller may see it now. The regulator reads
   * every request's versions as they were written: verifying a confirmation's evidence against the
   * ledger (clients/evidence committedConfirmation) needs them once the records are private data,
   * which its peers hold anyway; the letter and reply stay sealed to the parties.
   */
  @Transaction(false)
  @Returns('string')
  public async GetConfirmationHistory(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [...PARTY_ROLES, Role.Regulator]);
    const current = await getConfirmation(ctx, id);
    const regulator = caller.role === Role.Regulator;
    if (!regulator) requireVisible(caller, current);
    // Versions are shown through the current request's rules: a client sees no reply in any
    // version before the auditor has accepted the current one.
    const readReply = regulator || mayReadReply(caller, current);
    const history = await confirmationHistory(ctx, id);
    return canonicalJson(history.map((entry) => ({
      ...entry,
      value: entry.value && !readReply ? withoutReply(entry.value) : entry.value,
    })));
  }

  /**
   * Evidence for the working papers, for the firm: the request, the committed trail oldest first,
   * and the responder's signing key (current or retired) named by the reply, to verify its JWS.
   */
  @Transaction(false)
  @Returns('string')
  public async GetConfirmationEvidence(ctx: Context, id: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Auditor]);
    const request = await getConfirmation(ctx, id);
    requireParty(caller, request, Party.Firm);
    const history = await confirmationHistory(ctx, id);
    const trail = history
      .filter((entry) => entry.value !== null)
      .map((entry) => ({ txId: entry.txId, timestamp: entry.timestamp, state: (entry.value as ConfirmationRequest).state }))
      .reverse();
    const evidence: ConfirmationEvidence = { confirmation: { ...request, overdue: isOverdue(request, txTimeMillis(ctx)) }, trail };
    if (request.reply) {
      const responder = await getInstitution(ctx, request.responderId);
      const key = [responder.signingKey, ...responder.retiredKeys].find((k) => k.kid === request.reply?.signingKid);
      if (key) evidence.responderSigningKey = { kid: key.kid, alg: key.alg, jwk: key.jwk };
    }
    return canonicalJson(evidence);
  }

  @Transaction(false)
  @Returns('string')
  public async ListConfirmationsByFirm(ctx: Context, firmId: string, pageSize: string, bookmark: string): Promise<string> {
    const caller = await this.requireOwnInstitution(ctx, [Role.Auditor], firmId);
    return this.page(ctx, caller, ConfirmationIndex.ByFirm, [firmId], pageSize, bookmark);
  }

  /** Engagement ids are the caller's firm's own. */
  @Transaction(false)
  @Returns('string')
  public async ListConfirmationsByEngagement(ctx: Context, engagementId: string, pageSize: string, bookmark: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Auditor]);
    return this.page(ctx, caller, ConfirmationIndex.ByEngagement, [caller.institution.id, engagementId], pageSize, bookmark);
  }

  @Transaction(false)
  @Returns('string')
  public async ListConfirmationsByClient(ctx: Context, clientId: string, pageSize: string, bookmark: string): Promise<string> {
    const caller = await this.requireOwnInstitution(ctx, [Role.ClientSigner], clientId);
    return this.page(ctx, caller, ConfirmationIndex.ByClient, [clientId], pageSize, bookmark);
  }

  /** The responder's inbox: a bank (branches included) or a counterparty enterprise. */
  @Transaction(false)
  @Returns('string')
  public async ListConfirmationsByAddressee(ctx: Context, responderId: string, pageSize: string, bookmark: string): Promise<string> {
    const caller = await this.requireOwnInstitution(ctx, RESPONDER_ROLES, responderId);
    return this.page(ctx, caller, ConfirmationIndex.ByResponder, [responderId], pageSize, bookmark);
  }

  /** Requests in `state` that the caller's institution is party to. */
  @Transaction(false)
  @Returns('string')
  public async ListConfirmationsByState(ctx: Context, state: string, pageSize: string, bookmark: string): Promise<string> {
    if (!isOneOf(CONFIRMATION_STATES, state)) throw invalid('state', `must be one of ${CONFIRMATION_STATES.join(', ')}`);
    const caller = await requireInstitutionCaller(ctx, PARTY_ROLES);
    return this.page(ctx, caller, ConfirmationIndex.ByPartyState, [caller.institution.id, state], pageSize, bookmark);
  }

  /** Overdue requests the caller is party to, most overdue first. */
  @Transaction(false)
  @Returns('string')
  public async ListOverdueConfirmations(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, PARTY_ROLES);
    const nowMillis = txTimeMillis(ctx);
    let passedNow = false;
    // The index is in due order: past the first entry not yet due, nothing further in its range is overdue.
    const page = await readConfirmationPage(
      ctx,
      ConfirmationIndex.ByPartyDue,
      [caller.institution.id],
      parsePageSize(pageSize),
      bookmark,
      async ([, dueAt, id]) => {
        if (passedNow || Date.parse(dueAt) >= nowMillis) {
          passedNow = true;
          return undefined;
        }
        return viewFor(caller, await getConfirmation(ctx, id), true);
      },
      () => passedNow,
    );
    return canonicalJson(page);
  }

  @Transaction(false)
  @Returns('string')
  public async GetRegulatorStats(ctx: Context): Promise<string> {
    await requireInstitutionCaller(ctx, [Role.Regulator]);
    const calendar = await getWorkCalendar(ctx);
    return canonicalJson(computeRegulatorStats(await allStatsRows(ctx), txTimeMillis(ctx), calendar.utcOffsetMinutes));
  }

  // ---- helpers ----

  private async issueContext(ctx: Context): Promise<IssueContext> {
    const caller = await requireInstitutionCaller(ctx, [Role.Auditor]);
    return { caller, nowMillis: txTimeMillis(ctx), calendar: await getWorkCalendar(ctx) };
  }

  /** Validates every letter before writing any: a refusal leaves the ledger untouched. */
  private async issueLetters(ctx: Context, engagementInput: FieldReader, letters: FieldReader[]): Promise<{ issue: IssueContext; requests: ConfirmationRequest[] }> {
    const issue = await this.issueContext(ctx);
    const engagement = readEngagement(engagementInput);
    const items = letters.map(readLetterFields);
    const checked = await checkEngagement(ctx, issue.caller.institution.id, engagement);
    const seen = new Set<string>();
    const requests: ConfirmationRequest[] = [];
    for (const [i, fields] of items.entries()) {
      const prefix = letters[i].path === '' ? '' : `${letters[i].path}.`;
      if (seen.has(fields.id)) throw invalid(`${prefix}id`, `${fields.id} appears twice in the batch`);
      seen.add(fields.id);
      await refuseDuplicate(ctx, fields.id);
      requests.push(await newIssuedRequest(ctx, issue, engagement, checked.client, fields, prefix));
    }
    await recordEngagement(ctx, issue.caller.institution.id, engagement, checked);
    for (const request of requests) await saveConfirmation(ctx, request);
    return { issue, requests };
  }

  /** Load, check party and state, change, save, emit: the shape of every lifecycle step. */
  private async transition(ctx: Context, id: string, action: Action, roles: readonly Role[], party: Party, change: Change): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, roles);
    const request = await getConfirmation(ctx, id);
    requireParty(caller, request, party);
    const nowMillis = txTimeMillis(ctx);
    assertTransition(request, action, isOverdue(request, nowMillis));
    const at = new Date(nowMillis).toISOString();
    const next = { ...(await change(request, { caller, nowMillis, at })), updatedAt: at };
    await saveConfirmation(ctx, next, request);
    emitEvent(ctx, EventName.ConfirmationChanged, { id, state: next.state, action });
    return canonicalJson(viewFor(caller, next, isOverdue(next, nowMillis)));
  }

  private responderTransition(ctx: Context, id: string, action: Action, step: ResponderStep, change: Change): Promise<string> {
    return this.transition(ctx, id, action, RESPONDER_ROLES, Party.Responder, (request, s) => {
      if (!responderRoles(s.caller.institution.kind, step).includes(s.caller.role)) {
        throw forbidden(`a ${s.caller.role} of ${s.caller.institution.id} cannot ${action}`);
      }
      return change(request, s);
    });
  }

  /** Who the letter is sealed to at delivery: the responder and, when the letter names one of its branches, that branch. */
  private async responderParties(ctx: Context, request: ConfirmationRequest): Promise<Institution[]> {
    const responder = await getInstitution(ctx, request.responderId);
    return request.addresseeId === request.responderId ? [responder] : [responder, await getInstitution(ctx, request.addresseeId)];
  }

  /** Maker–checker: the certificate that prepared a reply cannot approve or reject it. */
  private requireOtherReviewer(caller: InstitutionCaller, preparedBy: string): void {
    if (caller.identityId === preparedBy) throw forbidden('the reviewer must be a different identity from the preparer');
  }

  private async requireOwnInstitution(ctx: Context, roles: readonly Role[], institutionId: string): Promise<InstitutionCaller> {
    const caller = await requireInstitutionCaller(ctx, roles);
    if (caller.institution.id !== institutionId) throw forbidden(`${caller.institution.id} cannot list the requests of ${institutionId}`);
    return caller;
  }

  private async page(ctx: Context, caller: InstitutionCaller, index: ConfirmationIndex, prefix: string[], pageSize: string, bookmark: string): Promise<string> {
    const nowMillis = txTimeMillis(ctx);
    const page = await readConfirmationPage(ctx, index, prefix, parsePageSize(pageSize), bookmark, async (attributes) => {
      const request = await getConfirmation(ctx, attributes[attributes.length - 1]);
      return viewFor(caller, request, isOverdue(request, nowMillis));
    });
    return canonicalJson(page);
  }
}
