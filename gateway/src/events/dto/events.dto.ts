import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { EVENT_TYPES, MAX_SEQUENCE, type EventType } from '../event-model';

export class ListEventsQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_SEQUENCE, default: 0, description: 'return events with a sequence greater than this' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_SEQUENCE)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, description: 'only these types (repeat the parameter)' })
  @IsOptional() @Type(() => String) @IsIn(EVENT_TYPES as readonly string[], { each: true })
  type?: EventType | EventType[];
}

export class StreamQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_SEQUENCE, description: 'replay from after this sequence (Last-Event-ID wins); default: only new events' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_SEQUENCE)
  after?: number;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true }) @IsOptional() @Type(() => String) @IsIn(EVENT_TYPES as readonly string[], { each: true })
  type?: EventType | EventType[];
}

export class TenantEventDto {
  @ApiProperty({ example: 7, description: "the tenant's own gap-free sequence; the SSE id" }) sequence: number;
  @ApiProperty({ enum: EVENT_TYPES }) type: EventType;
  @ApiProperty({ example: ['CF-2026-000001'], description: 'confirmation, mortgage registration or institution ids the event is about (only ids this tenant can read)' }) ids: string[];
  @ApiPropertyOptional({ example: 'authorized' }) state?: string;
  @ApiPropertyOptional({ example: 'ClientAuthorize' }) action?: string;
  @ApiPropertyOptional() originalId?: string;
  @ApiPropertyOptional() engagementId?: string;
  @ApiPropertyOptional({ enum: ['profile', 'status', 'keys'] }) change?: string;
  @ApiPropertyOptional() status?: string;
  @ApiProperty() transactionId: string;
  @ApiProperty({ example: '42', description: 'block number (decimal string)' }) blockNumber: string;
  @ApiProperty({ example: '2026-01-10T08:00:00.000Z', description: "the transaction's timestamp" }) timestamp: string;
}

/** Named apart from the ledger audit's CheckpointDto: Swagger keys schemas by class name, and the later one replaced this. */
export class EventCheckpointDto {
  @ApiProperty({ example: '42', description: 'block number (decimal string)' }) blockNumber: string;
  @ApiPropertyOptional({ description: 'last transaction recorded in that block' }) transactionId?: string;
}

export class EventsStatusDto {
  @ApiProperty() enabled: boolean;
  @ApiProperty() connected: boolean;
  @ApiProperty() reconnects: number;
  @ApiPropertyOptional() lastError?: string;
  @ApiPropertyOptional({ type: EventCheckpointDto }) checkpoint?: EventCheckpointDto;
  @ApiProperty({ description: "the caller tenant's newest sequence" }) lastSequence: number;
}

export class EventPageDto {
  @ApiProperty({ type: [TenantEventDto] }) events: TenantEventDto[];
  @ApiProperty({ description: 'pass as `after` for the next page' }) next: number;
  @ApiProperty({ description: "the tenant's newest sequence" }) lastSequence: number;
}
