import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, type Role } from '@econfirm/common';

/** OpenAPI schema of every error answer. */
export class ErrorDetail {
  @ApiProperty({ example: 'INVALID_STATE_TRANSITION', description: 'stable machine-readable code (gateway/README.md)' })
  code: string;

  @ApiProperty({ example: 'cannot BankAccept confirmation CF-1: it is issued' })
  message: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'field issues, transaction id, phase…' })
  details?: Record<string, unknown>;

  @ApiProperty({ example: '6f1c2c1e-8a4e-4a43-9f55-6a1f0e0b4c11' })
  requestId: string;
}

export class ErrorResponse {
  @ApiProperty({ type: ErrorDetail })
  error: ErrorDetail;
}

export class PrincipalDto {
  @ApiProperty({ example: 'firm1' }) tenantId: string;
  @ApiProperty({ example: 'FIRM1' }) institutionId: string;
  @ApiProperty({ example: 'firm1' }) orgKey: string;
  @ApiProperty({ example: 'auditor1' }) identityName: string;
  @ApiProperty({ example: 'Firm1MSP' }) mspId: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ example: 'firm1.auditor1' }) credentialId: string;
  @ApiProperty({ enum: ['custodial', 'offline'] }) custody: 'custodial' | 'offline';
}
