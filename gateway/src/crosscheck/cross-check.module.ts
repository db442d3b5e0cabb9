import { Module } from '@nestjs/common';
import { ConfirmationsModule } from '../confirmations/confirmations.module';
import { InstitutionsModule } from '../institutions/institutions.module';
import { MortgagesModule } from '../mortgages/mortgages.module';
import { ReceivablesModule } from '../receivables/receivables.module';
import { CrossCheckController } from './cross-check.controller';
import { CrossCheckService } from './cross-check.service';

/** Cross-checks of bank replies against the ledger's other records (issue 14); reads through the confirmation, mortgage and receivable services. */
@Module({
  imports: [ConfirmationsModule, MortgagesModule, ReceivablesModule, InstitutionsModule],
  controllers: [CrossCheckController],
  providers: [CrossCheckService],
  exports: [CrossCheckService],
})
export class CrossCheckModule {}
