import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  canonicalJson,
  ConfirmationState,
  CrossCheckLedgerRecord,
  ErrorCode,
  Institution,
  InstitutionKind,
  InstitutionStatus,
  LedgerError,
  REQUEST_ID,
  Role,
} from '@econfirm/common';
import { requireInstitutionCaller } from '../auth/caller';
import { Party, requireParty } from '../auth/confirmation-access';
import { actSealed, refuseUnsealedStep } from '../lifecycle/sealed-act';
import { readSealed } from '../models/sealing';
import { getConfirmation } from '../state/confirmation-store';
import { findCrossCheck, pageCrossChecks, saveCrossCheck } from '../state/cross-check-store';
import { findInstitution, institutionIdsOfKind } from '../state/institution-store';
import { txTimeIso } from '../state/tx-time';
import { checkString, parseJsonArgument } from '../validation/field-reader';
import { parsePageSize } from '../validation/paging';

export const CROSS_CHECK_CONTRACT = 'crosscheck' as const;

/**
 * Cross-check summaries (issue 14). The firm runs the cross-check off-chain, where the reply's
 * plaintext is; what reaches the ledger is that a check of this request was made, by whom and
 * when, and its counts of exceptions by code, sealed to the firm and every active regulator: the
 * regulator's statistics are counts by bank and kind, and a member reading blocks learns neither
 * (the request's routing, already on the ledger, is all the record adds in the clear).
 */
@Info({ title: 'CrossCheckContract', description: 'sealed cross-check summaries for the regulator' })
export class CrossCheckContract extends Contract {
  constructor() {
    super(CROSS_CHECK_CONTRACT);
  }

  /** RecordCrossCheck names the request it checked: called by name it is refused once the ledger is private (lifecycle/sealed-act.ts). */
  public override async beforeTransaction(ctx: Context): Promise<void> {
    await refuseUnsealedStep(ctx, CROSS_CHECK_CONTRACT);
  }

  /** A sealed RecordCrossCheck (common/src/domain/sealed-call.ts): the input in the transient map, the answer sealed to the caller. */
  @Transaction()
  @Returns('string')
  public async Act(ctx: Context): Promise<string> {
    return actSealed(ctx, CROSS_CHECK_CONTRACT, this);
  }

  /** `{ confirmationId, summary: {ciphertext, contentHash} }` by an auditor of the request's firm, once the reply (of any kind) is accepted. A later one replaces it (history keeps each). */
  @Transaction()
  @Returns('string')
  public async RecordCrossCheck(ctx: Context, inputJson: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Auditor]);
    const input = parseJsonArgument(inputJson, 'crossCheck').allowOnly(['confirmationId', 'summary']);
    const confirmationId = input.string('confirmationId', { pattern: REQUEST_ID, maxLength: 128 });
    const request = await getConfirmation(ctx, confirmationId);
    requireParty(caller, request, Party.Firm);
    // Every kind is cross-checked (a bank reply, a customer's or supplier's balances): the accepted reply is what counts.
    if (request.state !== ConfirmationState.AuditorAccepted) {
      throw new LedgerError(ErrorCode.InvalidStateTransition, `cannot RecordCrossCheck confirmation ${confirmationId}: it is a ${request.kind} in state ${request.state} (an accepted reply is needed)`);
    }
    const summary = readSealed(input.object('summary'), [caller.institution, ...(await this.regulators(ctx))]);
    const record: CrossCheckLedgerRecord = {
      docType: 'cross-check',
      confirmationId,
      firmId: request.firmId,
      responderId: request.responderId,
      summary,
      recordedBy: caller.identityId,
      recordedAt: txTimeIso(ctx),
      txId: ctx.stub.getTxID(),
    };
    await saveCrossCheck(ctx, record);
    return canonicalJson(record);
  }

  /** The latest summary of one request: the auditor of its firm, the regulator. */
  @Transaction(false)
  @Returns('string')
  public async GetCrossCheck(ctx: Context, confirmationId: string): Promise<string> {
    const caller = await requireInstitutionCaller(ctx, [Role.Auditor, Role.Regulator]);
    checkString(confirmationId, 'confirmationId', { pattern: REQUEST_ID, maxLength: 128 });
    if (caller.role === Role.Auditor) requireParty(caller, await getConfirmation(ctx, confirmationId), Party.Firm);
    const record = await findCrossCheck(ctx, confirmationId);
    if (!record) throw new LedgerError(ErrorCode.NotFound, `no cross-check of ${confirmationId} is recorded`);
    return canonicalJson(record);
  }

  /** Every recorded summary, for the regulator's statistics (the regulator opens them with its key). */
  @Transaction(false)
  @Returns('string')
  public async ListCrossChecks(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    await requireInstitutionCaller(ctx, [Role.Regulator]);
    return canonicalJson(await pageCrossChecks(ctx, parsePageSize(pageSize), bookmark));
  }

  /** The active regulators, in key order: each must be able to open the summary. */
  private async regulators(ctx: Context): Promise<Institution[]> {
    const out: Institution[] = [];
    for (const id of await institutionIdsOfKind(ctx, InstitutionKind.Regulator)) {
      const institution = await findInstitution(ctx, id);
      if (institution?.status === InstitutionStatus.Active) out.push(institution);
    }
    return out;
  }
}
