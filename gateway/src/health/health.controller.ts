import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { ApiPublicRoute, ErrorResponse } from '../openapi/common.dto';
import { LivenessDto, ReadinessDto } from './dto/health.dto';
import { HealthService, type Readiness } from './health.service';

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
