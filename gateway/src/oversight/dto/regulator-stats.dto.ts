import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONFIRMATION_STATES, REPLY_TIME_BUCKETS, RedFlagType } from '@econfirm/common';

/** OpenAPI schema of GetRegulatorStats' answer (common/src/domain/regulator-stats.ts). */

export const countsOf = (keys: readonly string[]) => ({
  type: 'object' as const,
  properties: Object.fromEntries(keys.map((k) => [k, { type: 'integer' as const }])),
  required: [...keys],
});

export class ResponderStatsDto {
  @ApiProperty() responderId: string;
  @ApiProperty() sent: number;
  @ApiProperty() replied: number;
  @ApiProperty() returned: number;
  @ApiProperty() overdue: number;
  @ApiProperty({ description: 'replied / sent' }) replyRate: number;
  @ApiProperty({ type: Number, nullable: true }) medianReplyHours: number | null;
  @ApiProperty({ type: Number, nullable: true }) p90ReplyHours: number | null;
  @ApiProperty({ ...countsOf(REPLY_TIME_BUCKETS), description: 'final replies per reply-time bucket (hours from delivery)' }) replyTimeHistogram: Record<string, number>;
}

export class RedFlagDto {
  @ApiProperty({ enum: Object.values(RedFlagType) }) type: string;
  @ApiPropertyOptional() firmId?: string;
  @ApiPropertyOptional() engagementId?: string;
  @ApiPropertyOptional() responderId?: string;
  @ApiProperty() detail: string;
}

export class WeeklyRatesDto {
  @ApiProperty({ format: 'date', description: 'the Monday the week starts on, on the work calendar\'s local time' }) weekStart: string;
  @ApiProperty({ type: 'integer', description: 'requests issued that week' }) issued: number;
  @ApiProperty({ type: 'integer', description: 'of them, overdue now' }) overdue: number;
  @ApiProperty({ description: 'overdue / issued' }) overdueRate: number;
  @ApiProperty({ type: 'integer', description: 'of them, with a final reply' }) finalReplies: number;
  @ApiProperty({ type: 'integer', description: 'final replies that disagree' }) exceptions: number;
  @ApiProperty({ description: 'exceptions / finalReplies' }) exceptionRate: number;
}

export class RegulatorStatsDto {
  @ApiProperty() asOf: string;
  @ApiProperty() total: number;
  @ApiProperty({ ...countsOf(CONFIRMATION_STATES), description: 'requests per state' }) byState: Record<string, number>;
  @ApiProperty() overdue: number;
  @ApiProperty() overdueRate: number;
  @ApiProperty({ description: 'share of delivered requests the responder returned' }) returnRate: number;
  @ApiProperty({ description: 'share of final replies that disagree' }) exceptionRate: number;
  @ApiProperty({ type: [ResponderStatsDto] }) responders: ResponderStatsDto[];
  @ApiProperty({ type: [RedFlagDto] }) redFlags: RedFlagDto[];
  @ApiProperty({ type: [WeeklyRatesDto], description: 'overdue and exception rates week by week, oldest first, by the week requests were issued in' }) weekly: WeeklyRatesDto[];
}
