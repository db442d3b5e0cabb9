import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayUnique, IsBoolean, IsIn, IsInt, IsOptional, IsString, MaxLength, Min, Max, Matches } from 'class-validator';
import { EVENT_TYPES, MAX_SEQUENCE, type EventType } from '../../events/event-model';
import { TenantEventDto } from '../../events/dto/events.dto';

const WEBHOOK_ID = /^wh_[A-Za-z0-9_-]{12}$/;

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://erp.bank1.example/econfirm/events', description: 'http(s) URL the signed events are POSTed to' })
  @IsString() @MaxLength(2048)
  url: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, description: 'event types to deliver; omitted or empty = all' })
  @IsOptional() @IsIn(EVENT_TYPES as readonly string[], { each: true }) @ArrayUnique()
  events?: EventType[];

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_SEQUENCE, description: 'deliver from this sequence on (default: only events recorded after creation)' })
  @IsOptional() @IsInt() @Min(1) @Max(MAX_SEQUENCE)
  fromSequence?: number;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) url?: string;
  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true }) @IsOptional() @IsIn(EVENT_TYPES as readonly string[], { each: true }) @ArrayUnique() events?: EventType[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) description?: string;
}

export class ReplayDto {
  @ApiProperty({ minimum: 1, maximum: MAX_SEQUENCE, description: 'deliver again every event from this sequence on, in order' }) @IsInt() @Min(1) @Max(MAX_SEQUENCE)
  fromSequence: number;
}

export class WebhookIdParam {
  @ApiProperty({ description: 'webhook id', example: 'wh_3dE8nQv1aZ0x' }) @Matches(WEBHOOK_ID) id: string;
}

export class DeadLetterParam extends WebhookIdParam {
  @ApiProperty({ description: 'sequence of the dead-lettered event', example: 7, minimum: 1, maximum: MAX_SEQUENCE }) @Type(() => Number) @IsInt() @Min(1) @Max(MAX_SEQUENCE) sequence: number;
}

export class AttemptsQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_SEQUENCE, description: 'attempt id to page after' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_SEQUENCE) after?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class WebhookDto {
  @ApiProperty({ example: 'wh_3dE8nQv1aZ0x' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: EVENT_TYPES, isArray: true }) events: EventType[];
  @ApiProperty() active: boolean;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ description: 'last sequence delivered or dead-lettered' }) cursor: number;
  @ApiProperty({ description: 'failed attempts of the next event' }) attempts: number;
  @ApiPropertyOptional({ description: 'when the next attempt is due (ISO 8601)' }) nextAttemptAt?: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class WebhookJwkDto {
  @ApiProperty({ enum: ['EC'] }) kty: string;
  @ApiProperty({ enum: ['P-256'] }) crv: string;
  @ApiProperty() x: string;
  @ApiProperty() y: string;
  @ApiProperty() kid: string;
  @ApiProperty({ enum: ['ES256'] }) alg: string;
  @ApiProperty({ enum: ['sig'] }) use: string;
}

export class JwksDto {
  @ApiProperty({ type: [WebhookJwkDto] }) keys: WebhookJwkDto[];
}

export class DeliveryAttemptDto {
  @ApiProperty({ description: 'attempt id (page with ?after=)' }) id: number;
  @ApiProperty() sequence: number;
  @ApiProperty({ description: 'attempt number of this event' }) attempt: number;
  @ApiProperty({ enum: ['scheduled', 'redelivery'] }) kind: string;
  @ApiProperty({ enum: ['delivered', 'failed'] }) outcome: string;
  @ApiPropertyOptional({ description: "the receiver's HTTP status" }) httpStatus?: number;
  @ApiPropertyOptional() error?: string;
  @ApiProperty() at: string;
}

export class DeadLetterDto {
  @ApiProperty() sequence: number;
  @ApiProperty() attempts: number;
  @ApiProperty() lastError: string;
  @ApiProperty() deadAt: string;
  @ApiPropertyOptional() redeliveredAt?: string;
  @ApiProperty({ type: TenantEventDto, nullable: true, description: 'the event itself' }) event: TenantEventDto | null;
}

export class RedeliveredDto {
  @ApiProperty() sequence: number;
  @ApiProperty({ enum: [true] }) delivered: boolean;
  @ApiPropertyOptional({ description: "the receiver's HTTP status" }) httpStatus?: number;
}
