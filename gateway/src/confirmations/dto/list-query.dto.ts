import { ApiPropertyOptional } from '@nestjs/swagger';
import { CONFIRMATION_STATES, INSTITUTION_ID, REQUEST_ID, type ConfirmationState } from '@econfirm/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** Exactly one selector (or none: the caller's own institution for its role), then paging. */
export class ListConfirmationsQuery {
  @ApiPropertyOptional({ description: "auditor: the firm's requests (must be the caller's firm)" }) @IsOptional() @IsString() @Matches(INSTITUTION_ID)
  firmId?: string;

  @ApiPropertyOptional({ description: "auditor: one engagement of the caller's firm" }) @IsOptional() @IsString() @Matches(REQUEST_ID)
  engagementId?: string;

  @ApiPropertyOptional({ description: 'client-signer: requests about the client (must be the caller)' }) @IsOptional() @IsString() @Matches(INSTITUTION_ID)
  clientId?: string;

  @ApiPropertyOptional({ description: 'responder: requests delivered to it (must be the caller)' }) @IsOptional() @IsString() @Matches(INSTITUTION_ID)
  addresseeId?: string;

  @ApiPropertyOptional({ enum: CONFIRMATION_STATES, description: "the caller institution's requests in this state" })
  @IsOptional() @IsIn(CONFIRMATION_STATES as readonly string[])
  state?: ConfirmationState;

  @ApiPropertyOptional({ enum: ['true'], description: "the caller institution's overdue requests, most overdue first" })
  @IsOptional() @IsIn(['true'])
  overdue?: 'true';

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  pageSize?: number;

  @ApiPropertyOptional({ description: 'from the previous page' }) @IsOptional() @IsString() @MaxLength(4096)
  bookmark?: string;
}
