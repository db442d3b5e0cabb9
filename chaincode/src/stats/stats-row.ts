import { ConfirmationRequest } from '@econfirm/common';

/**
 * What the regulator's statistics read of one request (regulator-stats.ts): routing, state, the
 * deadlines and the times of its steps — no letter, no reply ciphertext. Every save writes it
 * beside the record (state/confirmation-store.ts `cfs`), so the statistics scan a few hundred
 * bytes per request instead of the whole record with its sealed content (issue 18; README
 * "Regulator statistics at scale"). A full record is a row too: the statistics take either.
 */
export interface ConfirmationStatsRow {
  id: string;
  state: ConfirmationRequest['state'];
  firmId: string;
  engagementId: string;
  responderId: string;
  issued: { at: string };
  authorizationDueAt: string;
  sentAt?: string;
  replyDueAt?: string;
  /** Present when the responder returned the letter: only its presence counts. */
  return?: { at: string };
  reply?: Pick<NonNullable<ConfirmationRequest['reply']>, 'conclusion' | 'preparedAt' | 'approvedAt'>;
}

/** The row of a request: exactly the fields above, none of the rest. */
export function statsRow(request: ConfirmationRequest): ConfirmationStatsRow {
  const { id, state, firmId, engagementId, responderId, authorizationDueAt, sentAt, replyDueAt, reply } = request;
  return {
    id,
    state,
    firmId,
    engagementId,
    responderId,
    issued: { at: request.issued.at },
    authorizationDueAt,
    ...(sentAt !== undefined ? { sentAt } : {}),
    ...(replyDueAt !== undefined ? { replyDueAt } : {}),
    ...(request.return ? { return: { at: request.return.at } } : {}),
    ...(reply
      ? { reply: { conclusion: reply.conclusion, preparedAt: reply.preparedAt, ...(reply.approvedAt !== undefined ? { approvedAt: reply.approvedAt } : {}) } }
      : {}),
  };
}
