import { Module } from '@nestjs/common';
import { ConfirmationsModule } from '../confirmations/confirmations.module';
import { InstitutionsModule } from '../institutions/institutions.module';
import { MortgagesController } from './mortgages.controller';
import { MortgagesService } from './mortgages.service';

/** Mortgage registrations; content is opened with the confirmations' one decryption service. */
@Module({
  imports: [InstitutionsModule, ConfirmationsModule],
  controllers: [MortgagesController],
  providers: [MortgagesService],
  exports: [MortgagesService],
})
export class MortgagesModule {}
