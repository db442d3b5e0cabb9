import { Context } from 'fabric-contract-api';
import {
  ConfirmationRequest,
  ConfirmationState,
  Engagement,
  ErrorCode,
  Institution,
  InstitutionKind,
  InstitutionStatus,
  isBankLetter,
  LedgerError,
  WorkCalendar,
} from '@econfirm/common';
import { InstitutionCaller } from '../auth/caller';
import { readSealedExactlyFor } from '../models/sealing';
import { LetterFields } from '../models/confirmation-input';
import { findInstitution, getInstitution } from '../state/institution-store';
import { confirmationExists, findEngagement, saveEngagement } from '../state/confirmation-store';
import { invalid } from '../validation/field-reader';
import { deadlineFrom } from './deadlines';

export interface IssueContext {
  caller: InstitutionCaller;
  nowMillis: number;
  calendar: WorkCalendar;
}

async function activeInstitution(ctx: Context, id: string, field: string, kinds: readonly InstitutionKind[]): Promise<Institution> {
  const institution = await findInstitution(ctx, id);
  if (!institution || !kinds.includes(institution.kind)) throw invalid(field, `${id} is not a registered ${kinds.join(' or ')}`);
  if (institution.status !== InstitutionStatus.Active) throw invalid(field, `${id} is ${institution.status}`);
  return institution;
}

export function engagementOf(request: ConfirmationRequest): Engagement {
  const { engagementId: id, clientId, periodStart, periodEnd, asOfDate } = request;
  return { id, clientId, periodStart, periodEnd, asOfDate };
}

export interface CheckedEngagement {
  client: Institution;
  /** Whether this transaction is the engagement's first letter and must record it. */
  isNew: boolean;
}

/**
 * The engagement's client must be a registered client; the first letter of an engagement fixes
 * its client, period and as-of date so later letters cannot quietly change them.
 */
export async function checkEngagement(ctx: Context, firmId: string, engagement: Engagement): Promise<CheckedEngagement> {
  const client = await activeInstitution(ctx, engagement.clientId, 'engagement.clientId', [InstitutionKind.Client]);
  const existing = await findEngagement(ctx, firmId, engagement.id);
  if (existing && (existing.clientId !== engagement.clientId || existing.periodStart !== engagement.periodStart
    || existing.periodEnd !== engagement.periodEnd || existing.asOfDate !== engagement.asOfDate)) {
    throw invalid('engagement', `differs from engagement ${engagement.id} as first issued`);
  }
  return { client, isNew: !existing };
}

/** Written only after every letter of the transaction validated: a refusal writes nothing. */
export async function recordEngagement(ctx: Context, firmId: string, engagement: Engagement, checked: CheckedEngagement): Promise<void> {
  if (checked.isNew) await saveEngagement(ctx, { ...engagement, firmId });
}

/**
 * The responder comes from the registry, never from the client (chaincode/README.md, threat model): a bank letter goes
 * to a bank or one of its branches (the bank answers), a receivable/payable letter to the
 * counterparty enterprise. Neither may be the client or the firm itself.
 */
export async function resolveResponder(ctx: Context, fields: LetterFields, engagement: Engagement, firmId: string, field: string): Promise<{ addressee: Institution; responder: Institution }> {
  const kinds = isBankLetter(fields.kind) ? [InstitutionKind.Bank, InstitutionKind.BankBranch] : [InstitutionKind.Enterprise, InstitutionKind.Client];
  const addressee = await activeInstitution(ctx, fields.addresseeId, field, kinds);
  if (addressee.id === engagement.clientId || addressee.id === firmId) throw invalid(field, 'the responder must be independent of the client and the firm');
  const responder = addressee.parentId ? await getInstitution(ctx, addressee.parentId) : addressee;
  if (responder.status !== InstitutionStatus.Active) throw invalid(field, `${responder.id} is ${responder.status}`);
  return { addressee, responder };
}

export async function refuseDuplicate(ctx: Context, id: string): Promise<void> {
  if (await confirmationExists(ctx, id)) throw new LedgerError(ErrorCode.AlreadyExists, `confirmation ${id} already exists`);
}

/** Builds a freshly issued request; the caller has checked the engagement and the id. */
export async function newIssuedRequest(
  ctx: Context,
  issue: IssueContext,
  engagement: Engagement,
  client: Institution,
  fields: LetterFields,
  field: string,
): Promise<ConfirmationRequest> {
  const firm = issue.caller.institution;
  const { addressee, responder } = await resolveResponder(ctx, fields, engagement, firm.id, `${field}addresseeId`);
  // Sealed when the right arises: the responder is added at the client's authorization (models/sealing.ts).
  const letter = readSealedExactlyFor(fields.letter, [firm, client]);
  const at = new Date(issue.nowMillis).toISOString();
  return {
    docType: 'confirmation',
    id: fields.id,
    kind: fields.kind,
    formId: fields.formId,
    firmId: firm.id,
    engagementId: engagement.id,
    clientId: engagement.clientId,
    periodStart: engagement.periodStart,
    periodEnd: engagement.periodEnd,
    asOfDate: engagement.asOfDate,
    addresseeId: addressee.id,
    responderId: responder.id,
    feePayer: fields.feePayer,
    state: ConfirmationState.Issued,
    letter,
    issued: { by: issue.caller.identityId, at },
    authorizationDueAt: deadlineFrom(issue.nowMillis, 'authorization', issue.calendar),
    attempt: 1,
    updatedAt: at,
  };
}
