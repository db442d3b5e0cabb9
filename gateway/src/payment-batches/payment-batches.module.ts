import { Module } from '@nestjs/common';
import { uploadMulterModule } from '../bulk/uploaded-sheet';
import { ConfirmationsModule } from '../confirmations/confirmations.module';
import { InstitutionsModule } from '../institutions/institutions.module';
import { ImportProgressService } from './import-progress.service';
import { PaymentBatchImportService } from './payment-batch-import.service';
import { PaymentBatchesController } from './payment-batches.controller';
import { PaymentBatchesService } from './payment-batches.service';

@Module({
  imports: [InstitutionsModule, ConfirmationsModule, uploadMulterModule()],
  controllers: [PaymentBatchesController],
  providers: [PaymentBatchesService, PaymentBatchImportService, ImportProgressService],
})
export class PaymentBatchesModule {}
