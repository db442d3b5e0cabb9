import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status: string;
}

export class TenantCheckDto {
  @ApiProperty({ example: 'firm1' }) tenantId: string;
  @ApiProperty() ok: boolean;
  @ApiPropertyOptional({ description: 'the error code when not ok' }) code?: string;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ready'] }) status: string;
  @ApiProperty({ type: [TenantCheckDto] }) checks: TenantCheckDto[];
}
