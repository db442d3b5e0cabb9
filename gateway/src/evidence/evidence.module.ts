import { Module } from '@nestjs/common';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';
import { VerifierPool } from './verifier/verifier-pool';

/** Evidence PDFs and bundles for the caller's tenant, and the verifier as an endpoint (in worker threads: verifier/). */
@Module({
  controllers: [EvidenceController],
  providers: [EvidenceService, VerifierPool],
})
export class EvidenceModule {}
