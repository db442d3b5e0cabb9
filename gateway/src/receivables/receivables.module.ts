import { Module } from '@nestjs/common';
import { ConfirmationsModule } from '../confirmations/confirmations.module';
import { InstitutionsModule } from '../institutions/institutions.module';
import { ReceivablesController } from './receivables.controller';
import { ReceivablesService } from './receivables.service';

/** Receivables; content is opened with the confirmations' one decryption service. */
@Module({
  imports: [InstitutionsModule, ConfirmationsModule],
  controllers: [ReceivablesController],
  providers: [ReceivablesService],
  exports: [ReceivablesService],
})
export class ReceivablesModule {}
