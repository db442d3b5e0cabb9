import { Module, type DynamicModule } from '@nestjs/common';
import { AnchoringModule } from './anchoring/anchoring.module';
import { AuthModule } from './auth/auth.module';
import { BulkModule } from './bulk/bulk.module';
import { ConfigModule } from './config/config.module';
import type { GatewayConfig } from './config/gateway-config';
import { DatabaseModule } from './database/database.module';
import { EvidenceModule } from './evidence/evidence.module';
import { FabricModule } from './fabric/fabric.module';
import { ConfirmationsModule } from './confirmations/confirmations.module';
import { MortgagesModule } from './mortgages/mortgages.module';
import { CrossCheckModule } from './crosscheck/cross-check.module';
import { PaymentBatchesModule } from './payment-batches/payment-batches.module';
import { ReceivablesModule } from './receivables/receivables.module';
import { HealthModule } from './health/health.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { InstitutionsModule } from './institutions/institutions.module';
import { MetricsModule } from './metrics/metrics.module';
import { OversightModule } from './oversight/oversight.module';
import { PortalModule } from './portal/portal.module';
import { TransactionsModule } from './transactions/transactions.module';
import { EventsModule } from './events/events.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The gateway: infrastructure modules (config, database, metrics, auth, Fabric) and the feature
 * modules. A feature module owns its routes, its services and its tables (applyMigrations).
 */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        MetricsModule,
        AuthModule,
        FabricModule,
        IdempotencyModule,
        TransactionsModule,
        HealthModule,
        // feature modules
        InstitutionsModule,
        ConfirmationsModule,
        MortgagesModule,
        CrossCheckModule,
        ReceivablesModule,
        PaymentBatchesModule,
        OversightModule,
        BulkModule,
        EvidenceModule,
        EventsModule,
        AnchoringModule,
        WebhooksModule,
        // the web portal's static files (not API)
        PortalModule,
      ],
    };
  }
}
