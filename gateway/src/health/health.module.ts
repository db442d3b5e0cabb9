import { Module } from '@nestjs/common';
import { AnchoringModule } from '../anchoring/anchoring.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({ imports: [AnchoringModule], controllers: [HealthController], providers: [HealthService] })
export class HealthModule {}
