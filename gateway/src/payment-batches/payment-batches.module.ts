import { Module } from '@nestjs/common';
import { ConfirmationsModule } from '../confirmations/confirmations.module';
import { InstitutionsModule } from '../institutions/institutions.module';
import { PaymentBatchesController } from './payment-batches.controller';
import { PaymentBatchesService } from './payment-batches.service';

@Module({
  imports: [InstitutionsModule, ConfirmationsModule],
  controllers: [PaymentBatchesController],
  providers: [PaymentBatchesService],
})
export class PaymentBatchesModule {}
