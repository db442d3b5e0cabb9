import { Body, Controller, Get, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role, type TransactionName } from '@econfirm/common';
import { ledgerCall, type LedgerCall } from '../fabric/ledger-call';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiLedgerErrors, ErrorResponse } from '../openapi/common.dto';
import { LedgerService } from '../fabric/ledger.service';
import { ChainReportDto, LedgerIntegrityQuery } from './dto/ledger-integrity.dto';
import { GatewayError } from '../errors/gateway-error';
import { RegulatorStatsDto } from './dto/regulator-stats.dto';
import { WorkCalendarDto } from './dto/work-calendar.dto';
import { Executed, ExecutedInterceptor } from '../transactions/executed';
import { TransactionExecutor } from '../transactions/transaction-executor.service';

const confirmation = (transaction: TransactionName<'confirmation'>, ...args: string[]): LedgerCall => ledgerCall('confirmation', transaction, ...args);

/** The regulator's statistics and the working-day calendar deadlines are computed with. */
@ApiTags('oversight')
@ApiBearerAuth()
@ApiLedgerErrors()
@UseInterceptors(ExecutedInterceptor)
@Controller('v1')
export class OversightController {
  constructor(
    private readonly executor: TransactionExecutor,
    private readonly ledger: LedgerService,
  ) {}

  @Get('statistics')
  @Roles(Role.Regulator)
  @ApiOperation({ summary: "The regulator's statistics: states, overdue, return and exception rates, per-responder reply times, red flags" })
  @ApiOkResponse({ type: RegulatorStatsDto })
  @ApiForbiddenResponse({ type: ErrorResponse })
  statistics(@CurrentPrincipal() p: Principal): Promise<Executed> {
    return this.executor.evaluate(p, confirmation('GetRegulatorStats'));
  }

  @Get('ledger/integrity')
  @Roles(Role.Regulator)
  @ApiOperation({
    summary:
      "The regulator's integrity check of the channel's chain: every block's data hash and header hash recomputed by the gateway from the blocks the peer serves, the previous-hash links, every orderer signature, each VALID transaction's creator and endorsement signatures (members of the channel at that block), its id's derivation and uniqueness, a pinned trust anchor (anchorBlock + anchorHash), and the last header against the peer's current block hash; 2,000 blocks per call (nextFromBlock, checkpoint)",
  })
  @ApiOkResponse({ type: ChainReportDto })
  @ApiForbiddenResponse({ type: ErrorResponse })
  async integrity(@CurrentPrincipal() p: Principal, @Query() query: LedgerIntegrityQuery): Promise<ChainReportDto> {
    if ((query.anchorBlock === undefined) !== (query.anchorHash === undefined)) {
      throw new GatewayError('VALIDATION_FAILED', 'anchorBlock and anchorHash go together: the block you trust and its header hash');
    }
    return this.ledger.verifyChain(p, {
      ...(query.fromBlock !== undefined ? { from: BigInt(query.fromBlock) } : {}),
      ...(query.toBlock !== undefined ? { to: BigInt(query.toBlock) } : {}),
      ...(query.anchorBlock !== undefined && query.anchorHash !== undefined ? { anchor: { block: BigInt(query.anchorBlock), headerHash: Buffer.from(query.anchorHash, 'hex') } } : {}),
    });
  }

  @Get('calendar')
  @ApiOperation({ summary: 'The working-day calendar in force' })
  @ApiOkResponse({ type: WorkCalendarDto })
  calendar(@CurrentPrincipal() p: Principal): Promise<Executed> {
    return this.executor.evaluate(p, confirmation('GetWorkCalendar'));
  }

  @Put('calendar')
  @Roles(Role.Admin)
  @ApiOperation({ summary: "Set the calendar (the operator's admin)" })
  @ApiOkResponse({ type: WorkCalendarDto })
  @ApiForbiddenResponse({ type: ErrorResponse })
  setCalendar(@CurrentPrincipal() p: Principal, @Body() body: WorkCalendarDto): Promise<Executed> {
    return this.executor.submit(p, confirmation('SetWorkCalendar', JSON.stringify(body)));
  }
}
