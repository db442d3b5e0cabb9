import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ConfigModule } from './config/config.module';
import type { GatewayConfig } from './config/gateway-config';
import { DatabaseModule } from './database/database.module';
import { FabricModule } from './fabric/fabric.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';

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
        HealthModule,
        // feature modules
      ],
    };
  }
}
