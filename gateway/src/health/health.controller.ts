import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { ApiPublicRoute, ErrorResponse } from '../openapi/common.dto';
import { HealthService, type Readiness } from './health.service';

class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status: string;
}

class TenantCheckDto {
  @ApiProperty({ example: 'firm1' }) tenantId: string;
  @ApiProperty() ok: boolean;
  @ApiPropertyOptional({ description: 'the error code when not ok' }) code?: string;
}

class ReadinessDto {
  @ApiProperty({ enum: ['ready'] }) status: string;
  @ApiProperty({ type: [TenantCheckDto] }) checks: TenantCheckDto[];
}

const PROBE = 'operations probe: no token, no input';

@ApiTags('operations')
@Public()
@ApiPublicRoute(PROBE)
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: LivenessDto })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: Fabric is reachable and the chaincode answers, for every tenant' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'NOT_READY: some tenant cannot reach the ledger (details.checks), or no tenant has a custodial credential to probe with' })
  readyz(): Promise<Readiness> {
    return this.health.readiness();
  }
}
