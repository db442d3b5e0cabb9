/** One chaincode transaction as the gateway calls it: every argument a string (chaincode/README.md). */
export interface LedgerCall {
  contract: 'registry' | 'confirmation' | 'mortgage';
  transaction: string;
  args: string[];
}

/** A committed submit: the transaction id, its block and the chaincode's result bytes. */
export interface LedgerResult {
  transactionId: string;
  blockNumber: bigint;
  result: Uint8Array;
}

export function callName(call: LedgerCall): string {
  return `${call.contract}:${call.transaction}`;
}
