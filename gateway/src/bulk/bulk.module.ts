import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { ConfirmationsModule } from '../confirmations/confirmations.module';
import { InstitutionsModule } from '../institutions/institutions.module';
import { BulkJobsService } from './bulk-jobs.service';
import { BulkJobsStore } from './bulk-jobs.store';
import { BulkRunner } from './bulk-runner.service';
import { BulkUploadService } from './bulk-upload.service';
import { BulkController } from './bulk.controller';

/** Bulk issuance (gateway/README.md): uploads, jobs in SQLite, the IssueBatch runner that resumes at start-up. */
@Module({
  imports: [
    InstitutionsModule,
    ConfirmationsModule,
    MulterModule.registerAsync({
      inject: [GATEWAY_CONFIG],
      // No dest: multer keeps the file in memory (bounded by uploadBytes); it is parsed at once, never written to disk.
      useFactory: (config: GatewayConfig) => ({ limits: { fileSize: config.bulk.uploadBytes, files: 1, fields: 10, fieldSize: 256 } }),
    }),
  ],
  controllers: [BulkController],
  providers: [BulkJobsStore, BulkRunner, BulkUploadService, BulkJobsService],
  exports: [BulkJobsStore, BulkRunner],
})
export class BulkModule {}
