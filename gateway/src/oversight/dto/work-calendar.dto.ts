import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, Matches, Max, Min, ValidateNested } from 'class-validator';

/** The working-day calendar deadlines are computed with (common/src/domain/confirmation.ts). */
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ElapsedDeadlinesDto {
  @ApiProperty() @IsInt() @Min(1) authorizationSeconds: number;
  @ApiProperty() @IsInt() @Min(1) replySeconds: number;
}

export class WorkCalendarDto {
  @ApiProperty({ type: [Number], example: [0, 6], description: 'days of the week off, 0 = Sunday' }) @IsArray() @ArrayMaxSize(6) @IsInt({ each: true }) @Min(0, { each: true }) @Max(6, { each: true })
  weekendDays: number[];
  @ApiProperty({ type: [String], example: ['2026-10-01'] }) @IsArray() @ArrayMaxSize(400) @Matches(DATE, { each: true }) holidays: string[];
  @ApiProperty({ type: [String], example: [] }) @IsArray() @ArrayMaxSize(400) @Matches(DATE, { each: true }) extraWorkdays: string[];
  @ApiProperty({ example: 480 }) @IsInt() @Min(-720) @Max(840) utcOffsetMinutes: number;
  @ApiProperty({ example: 10 }) @IsInt() @Min(1) @Max(365) authorizationWorkingDays: number;
  @ApiProperty({ example: 10 }) @IsInt() @Min(1) @Max(365) replyWorkingDays: number;
  @ApiPropertyOptional({ type: ElapsedDeadlinesDto, description: 'drill/sandbox channels only' }) @IsOptional() @ValidateNested() @Type(() => ElapsedDeadlinesDto)
  elapsedDeadlines?: ElapsedDeadlinesDto;
}
