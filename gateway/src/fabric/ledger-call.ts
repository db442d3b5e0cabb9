import type { ContractName, ContractTransaction, TransactionName } from '@econfirm/common';
/**
 * One chaincode transaction as the gateway calls it: a contract and one of its transactions as
 * common's CONTRACT_TRANSACTIONS lists them (a name the chaincode does not serve does not
 * compile), every argument a string (chaincode/README.md).
 */
export type LedgerCall = ContractTransaction & {
  args: string[];
  /**
   * The proposal's transient map (endorsers see it, no block records it): the openings of sealed
   * amounts a receivable or payment-batch rule needs (chaincode/README.md, "Receivable contract").
   */
  transient?: Record<string, string>;
};

/** A call of one contract's transaction (the services' own `call` helpers build theirs with it). */
export function ledgerCall<C extends ContractName>(contract: C, transaction: TransactionName<C>, ...args: string[]): LedgerCall {
  return { contract, transaction, args } as LedgerCall;
}

/** A committed submit: the transaction id, its block and the chaincode's result bytes. */
export interface LedgerResult {
  transactionId: string;
  blockNumber: bigint;
  result: Uint8Array;
}

const decoder = new TextDecoder();

/** A chaincode result as the JSON it is (every transaction returns canonical JSON: chaincode/README.md). */
export function parseResult<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}

export function callName(call: LedgerCall): string {
  return `${call.contract}:${call.transaction}`;
}
