import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseSync } from 'node:sqlite';
import { DATABASE } from '../database/database.module';
import { TenantsService } from '../tenants/tenants.service';
import { OutboxStore } from './outbox.store';

/** The outbox store on the gateway's database, one checkpoint stream per channel + chaincode. */
@Injectable()
export class OutboxService {
  readonly store: OutboxStore;

  constructor(@Inject(DATABASE) db: DatabaseSync, tenants: TenantsService) {
    this.store = new OutboxStore(db, `${tenants.descriptor.channel}/${tenants.descriptor.chaincode.name}`);
  }
}
