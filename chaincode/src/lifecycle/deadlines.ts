import { ConfirmationRequest, ConfirmationState } from '@econfirm/common';

/** The deadline the request is currently waiting on, if any: the client's, then the responder's. */
export function currentDueAt(request: ConfirmationRequest): string | undefined {
  switch (request.state) {
    case ConfirmationState.Issued:
      return request.authorizationDueAt;
    case ConfirmationState.Authorized:
    case ConfirmationState.Accepted:
    case ConfirmationState.ReplyPrepared:
      return request.replyDueAt;
    default:
      return undefined;
  }
}

/** Derived at read time from the reading transaction's timestamp: no job marks anything overdue. */
export function isOverdue(request: ConfirmationRequest, nowMillis: number): boolean {
  const dueAt = currentDueAt(request);
  return dueAt !== undefined && nowMillis > Date.parse(dueAt);
}
