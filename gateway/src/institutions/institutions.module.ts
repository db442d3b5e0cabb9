import { Module, type OnModuleInit } from '@nestjs/common';
import type { Institution } from '@econfirm/common';
import { ResultPresenters } from '../transactions/result-presenters';
import { InstitutionsController } from './institutions.controller';
import { INSTITUTION_KEYS_PRESENTER, InstitutionsService } from './institutions.service';
import { RegistryReader } from './registry-reader.service';

@Module({ controllers: [InstitutionsController], providers: [RegistryReader, InstitutionsService], exports: [RegistryReader] })
export class InstitutionsModule implements OnModuleInit {
  constructor(private readonly presenters: ResultPresenters) {}

  onModuleInit(): void {
    this.presenters.register(INSTITUTION_KEYS_PRESENTER, (_principal, bytes) => {
      const i = JSON.parse(Buffer.from(bytes).toString('utf8')) as Institution;
      return Promise.resolve({ institutionId: i.id, status: i.status, encryptionKey: i.encryptionKey, signingKey: i.signingKey, retiredKeys: i.retiredKeys });
    });
  }
}
