import { Body, Controller, Get, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Role } from '@econfirm/common';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiIdempotencyKeyHeader, ApiLedgerErrors } from '../openapi/common.dto';
import { Executed, ExecutedInterceptor } from '../transactions/executed';
import { ListPaymentBatchesQuery, PaymentBatchDto, PaymentBatchPageDto, SettlePaymentBatchDto } from './dto/payment-batch.dto';
import { PaymentBatchesService } from './payment-batches.service';

/** Batch payments (批量代付): one settlement paying many payees for a payer. */
@ApiTags('payment-batches')
@ApiBearerAuth()
@UseInterceptors(ExecutedInterceptor)
@Controller('v1/payment-batches')
export class PaymentBatchesController {
  constructor(private readonly batches: PaymentBatchesService) {}

  @Post()
  @Roles(Role.BankOfficer)
  @ApiIdempotencyKeyHeader('a retry with the same key returns the first outcome; the batch id itself also settles once')
  @ApiOperation({ summary: "The payer's bank settles many payees in one transaction; per-payee amounts sealed for payer and bank, the total for the regulator too. The same lines under a settled id answer 200 with the settled batch." })
  @ApiCreatedResponse({ type: PaymentBatchDto })
  @ApiOkResponse({ type: PaymentBatchDto, description: 'the batch was already settled with these lines' })
  @ApiLedgerErrors()
  settle(@CurrentPrincipal() p: Principal, @Body() body: SettlePaymentBatchDto): Promise<Executed> {
    return this.batches.settle(p, body);
  }

  @Get()
  @ApiOperation({ summary: "The caller's batches (payer or bank); the regulator names a party" })
  @ApiOkResponse({ type: PaymentBatchPageDto })
  @ApiLedgerErrors()
  list(@CurrentPrincipal() p: Principal, @Query() query: ListPaymentBatchesQuery): Promise<Executed> {
    return this.batches.list(p, query);
  }

  @Get(':id')
  @ApiParam({ name: 'id', description: 'payment batch id' })
  @ApiOperation({ summary: 'One batch: the summary opened for payer, bank and regulator, the lines for payer and bank' })
  @ApiOkResponse({ type: PaymentBatchDto })
  @ApiLedgerErrors()
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<Executed> {
    return this.batches.get(p, id);
  }
}
