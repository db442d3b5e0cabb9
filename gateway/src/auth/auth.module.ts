import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { TenantsService } from '../tenants/tenants.service';
import { PathParamsGuard } from '../http/path-params.guard';
import { AuthGuard } from './auth.guard';
import { CredentialsStore } from './credentials.store';
import { MeController } from './me.controller';
import { RateLimitGuard, rateLimitOptions } from './rate-limit.guard';
import { TokenVerifier } from './token-verifier';

@Global()
@Module({
  imports: [ThrottlerModule.forRootAsync({ inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => rateLimitOptions(config) })],
  controllers: [MeController],
  // Global guards run in this order: who the caller is (AuthGuard), then how often it called
  // (RateLimitGuard), then whether the path ids can name anything (PathParamsGuard, before the body).
  providers: [
    TenantsService,
    CredentialsStore,
    TokenVerifier,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: PathParamsGuard },
  ],
  exports: [TenantsService, CredentialsStore, TokenVerifier],
})
export class AuthModule {}
