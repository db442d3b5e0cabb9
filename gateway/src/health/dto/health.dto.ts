import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status: string;
}

export class TenantCheckDto {
  @ApiProperty({ example: 'firm1' }) tenantId: string;
  @ApiProperty() ok: boolean;
  @ApiPropertyOptional({ description: 'the error code when not ok' }) code?: string;
}

export class AnchoringStatusDto {
  @ApiProperty() enabled: boolean;
  @ApiPropertyOptional({ description: 'decimal EVM chain id' }) chainId?: string;
  @ApiPropertyOptional() contract?: string;
  @ApiPropertyOptional({ description: "the anchorer's address" }) anchorer?: string;
  @ApiProperty({ description: 'completed evidence not yet in a batch' }) pendingItems: number;
  @ApiProperty({ type: 'object', properties: { built: { type: 'integer' }, recorded: { type: 'integer' }, sent: { type: 'integer' }, confirmed: { type: 'integer' } }, required: ['built', 'recorded', 'sent', 'confirmed'] })
  batches: Record<string, number>;
  @ApiPropertyOptional({ format: 'date-time' }) oldestPendingAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'block time of the newest confirmed anchor' }) lastConfirmedAt?: string;
  @ApiPropertyOptional({ description: 'why the last round failed (retried)' }) lastError?: string;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ready'] }) status: string;
  @ApiProperty({ type: [TenantCheckDto] }) checks: TenantCheckDto[];
  @ApiProperty({ type: AnchoringStatusDto, description: 'public EVM anchoring (informative: it does not decide readiness)' }) anchoring: AnchoringStatusDto;
}
