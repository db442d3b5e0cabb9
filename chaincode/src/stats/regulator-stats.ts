import {
  CONFIRMATION_STATES,
  ConfirmationState,
  RedFlag,
  RedFlagType,
  REPLY_TIME_BUCKETS,
  ReplyConclusion,
  ReplyTimeBucket,
  RegulatorStats,
  ResponderStats,
  WeeklyRates,
} from '@econfirm/common';
import { isOverdue } from '../lifecycle/deadlines';
import { groupBy, ratio, round } from './aggregate';
import { ConfirmationStatsRow } from './stats-row';

const HOUR_MS = 3_600_000;
const BUCKET_LIMITS_HOURS: readonly number[] = [1, 4, 24, 72, 240];
const SAME_DAY_MIN_REPLIES = 3;
const RATE_MIN_SENT = 5;
const RATE_SIGMAS = 2;

/** A reply is final once approved (banks) or prepared (enterprises, no maker–checker). */
function finalReplyAt(request: ConfirmationStatsRow): string | undefined {
  const final = request.state === ConfirmationState.Replied || request.state === ConfirmationState.AuditorAccepted;
  return final && request.reply ? (request.reply.approvedAt ?? request.reply.preparedAt) : undefined;
}

function replyHours(request: ConfirmationStatsRow): number | undefined {
  const at = finalReplyAt(request);
  return at && request.sentAt ? (Date.parse(at) - Date.parse(request.sentAt)) / HOUR_MS : undefined;
}

function bucketOf(hours: number): ReplyTimeBucket {
  const index = BUCKET_LIMITS_HOURS.findIndex((limit) => hours < limit);
  return REPLY_TIME_BUCKETS[index === -1 ? REPLY_TIME_BUCKETS.length - 1 : index];
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);
}

function responderStats(responderId: string, requests: ConfirmationStatsRow[], nowMillis: number): ResponderStats {
  const sent = requests.filter((r) => r.sentAt !== undefined);
  const hours = sent.map(replyHours).filter((h): h is number => h !== undefined).sort((a, b) => a - b);
  const histogram = Object.fromEntries(REPLY_TIME_BUCKETS.map((b) => [b, 0])) as Record<ReplyTimeBucket, number>;
  for (const h of hours) histogram[bucketOf(h)]++;
  return {
    responderId,
    sent: sent.length,
    replied: hours.length,
    returned: sent.filter((r) => r.return !== undefined).length,
    overdue: sent.filter((r) => isOverdue(r, nowMillis)).length,
    replyRate: ratio(hours.length, sent.length),
    medianReplyHours: percentile(hours, 0.5),
    p90ReplyHours: percentile(hours, 0.9),
    replyTimeHistogram: histogram,
  };
}

function sameDayReplyFlags(requests: readonly ConfirmationStatsRow[], utcOffsetMinutes: number): RedFlag[] {
  const localDay = (iso: string) => new Date(Date.parse(iso) + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
  const flags: RedFlag[] = [];
  for (const [, replies] of groupBy(requests.filter((r) => finalReplyAt(r)), (r) => `${r.firmId}\u0000${r.engagementId}`)) {
    const days = new Set(replies.map((r) => localDay(finalReplyAt(r) as string)));
    const responders = new Set(replies.map((r) => r.responderId));
    if (replies.length >= SAME_DAY_MIN_REPLIES && responders.size >= 2 && days.size === 1) {
      flags.push({
        type: RedFlagType.SameDayReplies,
        firmId: replies[0].firmId,
        engagementId: replies[0].engagementId,
        detail: `${replies.length} replies from ${responders.size} responders all on ${[...days][0]}`,
      });
    }
  }
  return flags;
}

function unusualRateFlags(responders: readonly ResponderStats[]): RedFlag[] {
  const eligible = responders.filter((r) => r.sent >= RATE_MIN_SENT);
  if (eligible.length < 3) return [];
  const mean = eligible.reduce((sum, r) => sum + r.replyRate, 0) / eligible.length;
  const sd = Math.sqrt(eligible.reduce((sum, r) => sum + (r.replyRate - mean) ** 2, 0) / eligible.length);
  if (sd === 0) return [];
  return eligible
    .filter((r) => Math.abs(r.replyRate - mean) > RATE_SIGMAS * sd)
    .map((r) => ({
      type: RedFlagType.UnusualReplyRate,
      responderId: r.responderId,
      detail: `reply rate ${r.replyRate} against a platform mean of ${round(mean)} (sd ${round(sd)})`,
    }));
}

/** The Monday (YYYY-MM-DD) of the local week an instant falls in. */
function weekStartOf(iso: string, utcOffsetMinutes: number): string {
  const local = new Date(Date.parse(iso) + utcOffsetMinutes * 60_000);
  const sinceMonday = (local.getUTCDay() + 6) % 7;
  return new Date(local.getTime() - sinceMonday * 86_400_000).toISOString().slice(0, 10);
}

/** Requests grouped by the week they were issued in, oldest week first (groupBy sorts; ISO dates sort as text). */
function weeklyRates(requests: readonly ConfirmationStatsRow[], nowMillis: number, utcOffsetMinutes: number): WeeklyRates[] {
  return groupBy(requests, (r) => weekStartOf(r.issued.at, utcOffsetMinutes))
    .map(([weekStart, week]) => {
      const overdue = week.filter((r) => isOverdue(r, nowMillis)).length;
      const finals = week.filter((r) => finalReplyAt(r) !== undefined);
      const exceptions = finals.filter((r) => r.reply?.conclusion === ReplyConclusion.Disagrees).length;
      return { weekStart, issued: week.length, overdue, overdueRate: ratio(overdue, week.length), finalReplies: finals.length, exceptions, exceptionRate: ratio(exceptions, finals.length) };
    });
}

export function computeRegulatorStats(requests: readonly ConfirmationStatsRow[], nowMillis: number, utcOffsetMinutes: number): RegulatorStats {
  const byState = Object.fromEntries(CONFIRMATION_STATES.map((s) => [s, 0])) as Record<ConfirmationState, number>;
  for (const request of requests) byState[request.state]++;
  const sent = requests.filter((r) => r.sentAt !== undefined);
  const finals = requests.filter((r) => finalReplyAt(r) !== undefined);
  const overdue = requests.filter((r) => isOverdue(r, nowMillis)).length;
  const responders = groupBy(requests, (r) => r.responderId).map(([id, rs]) => responderStats(id, rs, nowMillis));
  return {
    asOf: new Date(nowMillis).toISOString(),
    total: requests.length,
    byState,
    overdue,
    overdueRate: ratio(overdue, requests.length),
    returnRate: ratio(sent.filter((r) => r.return !== undefined).length, sent.length),
    exceptionRate: ratio(finals.filter((r) => r.reply?.conclusion === ReplyConclusion.Disagrees).length, finals.length),
    responders,
    redFlags: [...sameDayReplyFlags(requests, utcOffsetMinutes), ...unusualRateFlags(responders)],
    weekly: weeklyRates(requests, nowMillis, utcOffsetMinutes),
  };
}
