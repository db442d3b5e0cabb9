import { Global, Module } from '@nestjs/common';
import { PendingTransactionsStore } from './pending-transactions.store';
import { ResultPresenters } from './result-presenters';
import { TransactionExecutor } from './transaction-executor.service';
import { TransactionsController } from './transactions.controller';

@Global()
@Module({
  controllers: [TransactionsController],
  providers: [PendingTransactionsStore, ResultPresenters, TransactionExecutor],
  exports: [TransactionExecutor, ResultPresenters],
})
export class TransactionsModule {}
