/** One chaincode transaction as the gateway calls it: every argument a string (chaincode/README.md). */
export interface LedgerCall {
  contract: 'registry' | 'confirmation' | 'mortgage' | 'crosscheck' | 'anchor';
  transaction: string;
  args: string[];
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
