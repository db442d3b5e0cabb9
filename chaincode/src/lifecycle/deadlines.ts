import { ConfirmationRequest, ConfirmationState, WorkCalendar } from '@econfirm/common';
import { addWorkingDays } from './working-days';

/** The deadline the request is currently waiting on, if any: the client's, then the responder's. */
export function currentDueAt(request: Pick<ConfirmationRequest, 'state' | 'authorizationDueAt' | 'replyDueAt'>): string | undefined {
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
export function isOverdue(request: Pick<ConfirmationRequest, 'state' | 'authorizationDueAt' | 'replyDueAt'>, nowMillis: number): boolean {
  const dueAt = currentDueAt(request);
  return dueAt !== undefined && nowMillis > Date.parse(dueAt);
}

/** Which clock a deadline runs on: the client's authorization, or the responder's reply. */
export type DeadlineKind = 'authorization' | 'reply';

/** The deadline starting at `startMillis` under the calendar in force (working days, or elapsed seconds on drill channels). */
export function deadlineFrom(startMillis: number, kind: DeadlineKind, calendar: WorkCalendar): string {
  const elapsed = calendar.elapsedDeadlines;
  if (elapsed) {
    const seconds = kind === 'authorization' ? elapsed.authorizationSeconds : elapsed.replySeconds;
    return new Date(startMillis + seconds * 1000).toISOString();
  }
  return addWorkingDays(startMillis, kind === 'authorization' ? calendar.authorizationWorkingDays : calendar.replyWorkingDays, calendar);
}
