import { ConfirmationRequest, ConfirmationState, ErrorCode, LedgerError } from '@econfirm/common';

const S = ConfirmationState;

export const Action = {
  ClientAuthorize: 'ClientAuthorize',
  ClientRefuse: 'ClientRefuse',
  BankAccept: 'BankAccept',
  BankReturn: 'BankReturn',
  PrepareReply: 'PrepareReply',
  ApproveReply: 'ApproveReply',
  RejectReply: 'RejectReply',
  AuditorAccept: 'AuditorAccept',
  Recall: 'Recall',
  Resend: 'Resend',
  RecordAlternativeProcedure: 'RecordAlternativeProcedure',
} as const;
export type Action = (typeof Action)[keyof typeof Action];

/** States in which someone owes an answer by a deadline: only these can become overdue. */
export const WAITING_STATES: readonly ConfirmationState[] = [S.Issued, S.Authorized, S.Accepted, S.ReplyPrepared];

/** The lifecycle of chaincode/README.md (Lifecycle) as data: the states each action may start from. */
const FROM: Readonly<Record<Action, readonly ConfirmationState[]>> = {
  ClientAuthorize: [S.Issued],
  ClientRefuse: [S.Issued],
  BankAccept: [S.Authorized],
  BankReturn: [S.Authorized, S.Accepted],
  // The accept step is optional: a responder may answer a compliant letter directly.
  PrepareReply: [S.Authorized, S.Accepted],
  ApproveReply: [S.ReplyPrepared],
  RejectReply: [S.ReplyPrepared],
  AuditorAccept: [S.Replied],
  // Before the reply is final; afterwards the reply is evidence and cannot be withdrawn.
  Recall: [S.Issued, S.Authorized, S.Accepted, S.ReplyPrepared],
  // A returned letter is corrected and resent; an unanswered one is followed up once overdue.
  Resend: [S.Returned, ...WAITING_STATES],
  RecordAlternativeProcedure: [S.ClientRefused, S.Returned, ...WAITING_STATES],
};

/** Actions that may start from a waiting state only once that state's deadline has passed. */
const ONLY_WHEN_OVERDUE: readonly Action[] = [Action.Resend, Action.RecordAlternativeProcedure];

export function assertTransition(request: ConfirmationRequest, action: Action, overdue: boolean): void {
  const allowed = FROM[action].includes(request.state);
  const needsOverdue = ONLY_WHEN_OVERDUE.includes(action) && WAITING_STATES.includes(request.state);
  if (!allowed || (needsOverdue && !overdue)) {
    const why = allowed ? 'it is not overdue' : `it is ${request.state}`;
    throw new LedgerError(ErrorCode.InvalidStateTransition, `cannot ${action} confirmation ${request.id}: ${why}`);
  }
}
