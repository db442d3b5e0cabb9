import { ConfirmationState } from './confirmation';

/** Reply-time buckets, in hours from delivery to the final reply. */
export const REPLY_TIME_BUCKETS = ['<1h', '1-4h', '4-24h', '1-3d', '3-10d', '>10d'] as const;
export type ReplyTimeBucket = (typeof REPLY_TIME_BUCKETS)[number];

export interface ResponderStats {
  responderId: string;
  sent: number;
  replied: number;
  returned: number;
  overdue: number;
  replyRate: number;
  medianReplyHours: number | null;
  p90ReplyHours: number | null;
  replyTimeHistogram: Record<ReplyTimeBucket, number>;
}

export const RedFlagType = {
  /** Several responders of one engagement all replied on the same local day. */
  SameDayReplies: 'same-day-replies',
  /** A responder's reply rate is more than two standard deviations from the platform's. */
  UnusualReplyRate: 'unusual-reply-rate',
} as const;
export type RedFlagType = (typeof RedFlagType)[keyof typeof RedFlagType];

export interface RedFlag {
  type: RedFlagType;
  firmId?: string;
  engagementId?: string;
  responderId?: string;
  detail: string;
}

/**
 * One week of requests, by the week they were issued in (weeks start on Monday, on the platform
 * calendar's local time): how many, how many of them are overdue now, how many have a final reply
 * and how many of those disagree.
 */
export interface WeeklyRates {
  /** The Monday the week starts on (YYYY-MM-DD, local to the work calendar). */
  weekStart: string;
  issued: number;
  overdue: number;
  /** overdue / issued */
  overdueRate: number;
  finalReplies: number;
  exceptions: number;
  /** exceptions / finalReplies */
  exceptionRate: number;
}

/** The regulator's view: computed from ledger metadata only (states, ids, timestamps, conclusions). */
export interface RegulatorStats {
  asOf: string;
  total: number;
  byState: Record<ConfirmationState, number>;
  overdue: number;
  overdueRate: number;
  /** Share of delivered requests the responder returned. */
  returnRate: number;
  /** Share of final replies that disagree. */
  exceptionRate: number;
  responders: ResponderStats[];
  redFlags: RedFlag[];
  /** Overdue and exception rates week by week, oldest first (the weeks requests were issued in). */
  weekly: WeeklyRates[];
}
