import { ApiProperty } from '@nestjs/swagger';
import { RECEIVABLE_STATES } from '@econfirm/common';
import { countsOf } from '../../oversight/dto/regulator-stats.dto';

/** OpenAPI schema of GetReceivableStatistics' answer (common/src/domain/receivable-stats.ts): counts, never amounts. */

const COUNT = { type: 'integer', minimum: 0 } as const;
const SHARE = { type: 'number', minimum: 0, maximum: 1 } as const;

export class ObligorReceivableStatsDto {
  @ApiProperty() obligorId: string;
  @ApiProperty({ ...COUNT, description: 'owed parts (confirmed, not split)' }) parts: number;
  @ApiProperty({ ...COUNT, description: 'parts a bank financed (lien taken, released since or not)' }) financed: number;
  @ApiProperty({ ...COUNT, description: 'parts past maturity and unpaid, or marked overdue or defaulted' }) pastDue: number;
  @ApiProperty(COUNT) paid: number;
}

export class BankReceivableStatsDto {
  @ApiProperty() bankId: string;
  @ApiProperty({ ...COUNT, description: 'parts the bank financed' }) financed: number;
  @ApiProperty({ ...COUNT, description: 'liens the bank holds now' }) activeLiens: number;
  @ApiProperty({ ...COUNT, description: 'financing requests waiting for the bank' }) requested: number;
}

export class ReceivableStatsDto {
  @ApiProperty({ description: "the reading transaction's time; its UTC date decides what is past due" }) asOf: string;
  @ApiProperty({ ...COUNT, description: 'every record, split, registered and refused ones included' }) total: number;
  @ApiProperty({ ...countsOf(RECEIVABLE_STATES), description: 'records per state' }) byState: Record<string, number>;
  @ApiProperty({ ...COUNT, description: 'owed parts: confirmed by the obligor and not closed by a split' }) parts: number;
  @ApiProperty(COUNT) financed: number;
  @ApiProperty(COUNT) pastDue: number;
  @ApiProperty(COUNT) paid: number;
  @ApiProperty({ ...SHARE, description: 'financed / parts' }) financedShare: number;
  @ApiProperty({ ...SHARE, description: 'pastDue / parts' }) pastDueRate: number;
  @ApiProperty(COUNT) activeLiens: number;
  @ApiProperty({ type: [ObligorReceivableStatsDto] }) obligors: ObligorReceivableStatsDto[];
  @ApiProperty({ type: [BankReceivableStatsDto] }) banks: BankReceivableStatsDto[];
}
