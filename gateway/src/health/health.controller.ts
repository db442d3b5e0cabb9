import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { HealthService, type Readiness } from './health.service';

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: Fabric is reachable and the chaincode answers, for every tenant' })
  @ApiOkResponse({ schema: { example: { status: 'ready', checks: [{ tenantId: 'firm1', ok: true }] } } })
  @ApiServiceUnavailableResponse({ description: 'some tenant cannot reach the ledger' })
  readyz(): Promise<Readiness> {
    return this.health.readiness();
  }
}
