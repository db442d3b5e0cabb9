import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '@econfirm/common';

/** The caller as GET /v1/me answers it (auth/principal.ts). */
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
