import { Global, Module } from '@nestjs/common';
import { HsmCustody } from './hsm-custody';
import { LedgerService } from './ledger.service';

@Global()
@Module({ providers: [HsmCustody, LedgerService], exports: [HsmCustody, LedgerService] })
export class FabricModule {}
