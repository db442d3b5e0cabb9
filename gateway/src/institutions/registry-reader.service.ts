import { Injectable } from '@nestjs/common';
import type { Institution } from '@econfirm/common';
import type { Principal } from '../auth/principal';
import { TransactionExecutor } from '../transactions/transaction-executor.service';

const decoder = new TextDecoder();

/** Registry reads the gateway makes for its own work (whose keys to encrypt to, which key verifies a reply). */
@Injectable()
export class RegistryReader {
  constructor(private readonly executor: TransactionExecutor) {}

  async get(principal: Principal, id: string): Promise<Institution> {
    const bytes = await this.executor.readAsTenant(principal, { contract: 'registry', transaction: 'GetInstitution', args: [id] });
    return JSON.parse(decoder.decode(bytes)) as Institution;
  }
}
