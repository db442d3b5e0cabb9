import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SHA256_HEX } from '@econfirm/common';
import { IsOptional, Matches } from 'class-validator';

const BLOCK_NUMBER = /^\d{1,19}$/;

/** GET /v1/ledger/integrity: the blocks to check (default: from the genesis block to the last, 2,000 per call). */
export class LedgerIntegrityQuery {
  @ApiPropertyOptional({ description: 'first block (default 0)', example: '0' }) @IsOptional() @Matches(BLOCK_NUMBER)
  fromBlock?: string;

  @ApiPropertyOptional({ description: 'last block (default the last on the peer)' }) @IsOptional() @Matches(BLOCK_NUMBER)
  toBlock?: string;

  @ApiPropertyOptional({ description: 'a block the regulator trusts out of band (the genesis block, or an earlier report’s checkpoint): in the range or just before it; with anchorHash', pattern: BLOCK_NUMBER.source })
  @IsOptional()
  @Matches(BLOCK_NUMBER)
  anchorBlock?: string;

  @ApiPropertyOptional({ description: 'the header hash (hex) of anchorBlock, as the regulator holds it', pattern: SHA256_HEX.source })
  @IsOptional()
  @Matches(SHA256_HEX)
  anchorHash?: string;
}

export class ChainBreakDto {
  @ApiProperty() block: string;
  @ApiProperty() reason: string;
}

export class CheckpointDto {
  @ApiProperty() block: string;
  @ApiProperty({ description: 'hex' }) headerHash: string;
}

export class TrustAnchorDto extends CheckpointDto {
  @ApiProperty({ description: 'false: the chain served is not the one the anchor names (see breaks)' }) matched: boolean;
}

/** The sdk's ChainReport (clients/sdk/src/ledger-integrity.ts). */
export class DayActivityDto {
  @ApiProperty({ format: 'date', description: 'UTC day' }) day: string;
  @ApiProperty({ type: 'integer', description: 'blocks whose first transaction was proposed that day' }) blocks: number;
  @ApiProperty({ type: 'integer', description: 'their transactions, valid or not' }) transactions: number;
}

export class ChainReportDto {
  @ApiProperty() channel: string;
  @ApiProperty({ description: 'blocks on the peer' }) height: string;
  @ApiProperty() fromBlock: string;
  @ApiProperty() toBlock: string;
  @ApiProperty() blocksChecked: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'transactions of the checked blocks by the peers’ verdict (VALID, MVCC_READ_CONFLICT, …)' })
  transactionsByValidation: Record<string, number>;
  @ApiProperty({ description: 'VALID transactions whose creator and endorsement signatures, membership and id derivation were checked' }) transactionsChecked: number;
  @ApiProperty({ type: [DayActivityDto], description: 'blocks and transactions of the checked range per UTC day, oldest first' }) activityByDay: DayActivityDto[];
  @ApiProperty({ description: 'the recorded validation codes were recomputed by replaying the read-write sets from block 0 (MVCC of point reads; only when the range starts at the genesis block)' }) validationReplayed: boolean;
  @ApiProperty({ type: [ChainBreakDto], description: 'every inconsistency found; empty when the chain holds' }) breaks: ChainBreakDto[];
  @ApiProperty({ description: 'the range reaches the last block, whose header hashes to the peer’s current block hash' }) anchoredToPeerHeight: boolean;
  @ApiPropertyOptional({ type: TrustAnchorDto, description: 'the pinned block and whether the chain served holds it; absent: the first block was trusted as the peer served it' }) trustAnchor?: TrustAnchorDto;
  @ApiProperty({ type: CheckpointDto, description: 'the last checked block and its header hash: pin it as the next audit’s anchor' }) checkpoint: CheckpointDto;
  @ApiPropertyOptional({ description: 'where the next call goes on (the range was cut at 2,000 blocks)' }) nextFromBlock?: string;
}
