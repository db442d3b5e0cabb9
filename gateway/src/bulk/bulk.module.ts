import { Module } from '@nestjs/common';
import { ConfirmationsModule } from '../confirmations/confirmations.module';
import { InstitutionsModule } from '../institutions/institutions.module';
import { BulkJobsService } from './bulk-jobs.service';
import { BulkJobsStore } from './bulk-jobs.store';
import { BulkRunner } from './bulk-runner.service';
import { BulkUploadService } from './bulk-upload.service';
import { BulkController } from './bulk.controller';
import { uploadMulterModule } from './uploaded-sheet';

/** Bulk issuance (gateway/README.md): uploads, jobs in SQLite, the IssueBatch runner that resumes at start-up. */
@Module({
  imports: [
    InstitutionsModule,
    ConfirmationsModule,
    uploadMulterModule(),
  ],
  controllers: [BulkController],
  providers: [BulkJobsStore, BulkRunner, BulkUploadService, BulkJobsService],
  exports: [BulkJobsStore, BulkRunner],
})
export class BulkModule {}
