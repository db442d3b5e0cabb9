import { Module } from '@nestjs/common';
import { PortalController } from './portal.controller';

/** Serves the web portal (clients/portal) at /portal/ when `portal.enabled`. */
@Module({ controllers: [PortalController] })
export class PortalModule {}
