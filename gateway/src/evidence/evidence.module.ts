import { Module } from '@nestjs/common';
import { CrossCheckModule } from '../crosscheck/cross-check.module';
import { AnchoringModule } from '../anchoring/anchoring.module';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';
import { VerifierPool } from './verifier/verifier-pool';

/** Evidence PDFs and bundles for the caller's tenant (with the firm's cross-check section), and the verifier as an endpoint (in worker threads: verifier/). */
@Module({
  imports: [CrossCheckModule, AnchoringModule],
  controllers: [EvidenceController],
  providers: [EvidenceService, VerifierPool],
})
export class EvidenceModule {}
