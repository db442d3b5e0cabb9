import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { AnchoringMetrics } from './anchoring.metrics';
import { AnchoringService } from './anchoring.service';

/** Public EVM anchoring of completed evidence (gateway/README.md "Anchoring"). */
@Module({
  imports: [EventsModule],
  providers: [AnchoringMetrics, AnchoringService],
  exports: [AnchoringService],
})
export class AnchoringModule {}
