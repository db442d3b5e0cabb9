import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

const BLOCK_NUMBER = /^\d{1,19}$/;

/** GET /v1/ledger/integrity: the blocks to check (default: from the genesis block to the last, 2,000 per call). */
export class LedgerIntegrityQuery {
  @ApiPropertyOptional({ description: 'first block (default 0)', example: '0' }) @IsOptional() @Matches(BLOCK_NUMBER)
  fromBlock?: string;

  @ApiPropertyOptional({ description: 'last block (default the last on the peer)' }) @IsOptional() @Matches(BLOCK_NUMBER)
  toBlock?: string;
}

export class ChainBreakDto {
  @ApiProperty() block: string;
  @ApiProperty() reason: string;
}

/** The sdk's ChainReport (clients/sdk/src/ledger-integrity.ts). */
export class ChainReportDto {
  @ApiProperty() channel: string;
  @ApiProperty({ description: 'blocks on the peer' }) height: string;
  @ApiProperty() fromBlock: string;
  @ApiProperty() toBlock: string;
  @ApiProperty() blocksChecked: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'transactions of the checked blocks by the peers’ verdict (VALID, MVCC_READ_CONFLICT, …)' })
  transactionsByValidation: Record<string, number>;
  @ApiProperty({ type: [ChainBreakDto], description: 'every inconsistency found; empty when the chain holds' }) breaks: ChainBreakDto[];
  @ApiProperty({ description: 'the range reaches the last block, whose header hashes to the peer’s current block hash' }) anchoredToPeerHeight: boolean;
  @ApiPropertyOptional({ description: 'where the next call goes on (the range was cut at 2,000 blocks)' }) nextFromBlock?: string;
}
