import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TenantsService } from '../tenants/tenants.service';
import { AuthGuard } from './auth.guard';
import { CredentialsStore } from './credentials.store';
import { MeController } from './me.controller';
import { TokenVerifier } from './token-verifier';

@Global()
@Module({
  controllers: [MeController],
  providers: [TenantsService, CredentialsStore, TokenVerifier, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TenantsService, CredentialsStore, TokenVerifier],
})
export class AuthModule {}
