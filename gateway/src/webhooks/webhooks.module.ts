import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { WebhookDelivery } from './webhook-delivery.service';
import { WebhookKeysController, WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Webhooks (gateway/README.md): signed, ordered, retried, dead-lettered and replayable deliveries of the tenants' events. */
@Module({
  imports: [EventsModule],
  // The JWKS route first, so `jwks.json` is not taken for a webhook id.
  controllers: [WebhookKeysController, WebhooksController],
  providers: [WebhookDelivery, WebhooksService],
})
export class WebhooksModule {}
