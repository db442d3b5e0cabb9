import { Module } from '@nestjs/common';
import { InstitutionsModule } from '../institutions/institutions.module';
import { ChaincodeEventListener } from './chaincode-event-listener.service';
import { EventBus } from './event-bus';
import { EventMetrics } from './event-metrics';
import { EventRouter } from './event-router.service';
import { EventStreams } from './event-streams.service';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { OutboxService } from './outbox.service';

/** Events out (gateway/README.md): chaincode events → per-tenant outbox (checkpointed) → SSE; webhooks build on it. */
@Module({
  imports: [InstitutionsModule],
  controllers: [EventsController],
  providers: [EventBus, EventMetrics, OutboxService, EventRouter, ChaincodeEventListener, EventStreams, EventsService],
  exports: [EventBus, EventMetrics, OutboxService, ChaincodeEventListener],
})
export class EventsModule {}
