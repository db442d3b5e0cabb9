import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { AtRestCipher } from './at-rest-cipher';

/** Nest injection token of the gateway's SQLite database (node:sqlite DatabaseSync, WAL mode). */
export const DATABASE = Symbol('DATABASE');

export function openDatabase(file: string): DatabaseSync {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  // FULL: a commit is on disk before the gateway answers (an accepted job, an idempotency record,
  // a pending offline proposal survive a power cut, not only a crash). NORMAL could lose the last ones.
  db.exec('PRAGMA synchronous = FULL');
  // Erased rows (a bulk letter's plaintext once sealed, expired records) are overwritten, not left in free pages.
  db.exec('PRAGMA secure_delete = ON');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: DatabaseSync) {}

  onApplicationShutdown(): void {
    if (this.db.isOpen) this.db.close();
  }
}

@Global()
@Module({
  providers: [
    { provide: DATABASE, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => openDatabase(config.dbPath) },
    { provide: AtRestCipher, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => new AtRestCipher(config.keysDir) },
    DatabaseCloser,
  ],
  exports: [DATABASE, AtRestCipher],
})
export class DatabaseModule {}
