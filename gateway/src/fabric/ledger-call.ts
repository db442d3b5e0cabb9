/** One chaincode transaction as the gateway calls it: every argument a string (chaincode/README.md). */
export interface LedgerCall {
  contract: 'registry' | 'confirmation' | 'mortgage' | 'crosscheck' | 'anchor' | 'receivable' | 'payment-batch';
  transaction: string;
  args: string[];
  /**
   * The proposal's transient map (endorsers see it, no block records it): the openings of sealed
   * amounts a receivable or payment-batch rule needs (chaincode/README.md, "Receivable contract").
   */
  transient?: Record<string, string>;
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
