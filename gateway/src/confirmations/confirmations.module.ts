import { Module } from '@nestjs/common';
import { InstitutionsModule } from '../institutions/institutions.module';
import { ConfirmationContentService } from './confirmation-content.service';
import { ConfirmationsController } from './confirmations.controller';
import { ConfirmationsService } from './confirmations.service';

@Module({
  imports: [InstitutionsModule],
  controllers: [ConfirmationsController],
  providers: [ConfirmationsService, ConfirmationContentService],
  exports: [ConfirmationsService, ConfirmationContentService],
})
export class ConfirmationsModule {}
