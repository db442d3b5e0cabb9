import type { ContractName, TransactionName } from '@econfirm/common';
import { evaluate, LedgerCallError, submitAndWait } from '@econfirm/sdk';
import { expect } from 'chai';
import { untilCommitted, withLedger } from './network';

/** An identity of the test network: `<orgKey>/<identityName>`. */
export type Who = [orgKey: string, identityName: string];

/**
 * Submits and reads of one contract as the suite's identities, each on its own connection. The
 * calls of a suite follow one another across orgs: a read waits until the reader's peer has
 * committed the block of the suite's last write, so the read sees it (support/network.ts
 * untilCommitted) — without it the second bank, hosted on the regulator's peer, read a record a
 * block before it was there, now and then (integration/receivable.test.ts, mortgage.test.ts).
 */
export class SuiteLedger {
  private lastWriteBlock = -1n;

  async submit<T, C extends ContractName = ContractName>(contract: C, who: Who, tx: TransactionName<C>, args: string[], transient?: Record<string, unknown>, gatewayOrg?: string): Promise<T> {
    const transientData = transient ? Object.fromEntries(Object.entries(transient).map(([k, v]) => [k, JSON.stringify(v)])) : undefined;
    return withLedger(
      who[0],
      who[1],
      async (ledger) => {
        const outcome = await submitAndWait(ledger.contract(contract), tx, { arguments: args, transientData });
        if (outcome.blockNumber > this.lastWriteBlock) this.lastWriteBlock = outcome.blockNumber;
        return parseJson<T>(outcome.result);
      },
      gatewayOrg,
    );
  }

  async read<T, C extends ContractName = ContractName>(contract: C, who: Who, tx: TransactionName<C>, ...args: string[]): Promise<T> {
    return withLedger(who[0], who[1], async (ledger) => {
      await untilCommitted(ledger, this.lastWriteBlock);
      return parseJson<T>(await evaluate(ledger.contract(contract), tx, args));
    });
  }
}

export function parseJson<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

/** Expects `call` to fail with the ledger's error `code`; returns its message. */
export async function refused(code: string, call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(LedgerCallError);
    expect((err as LedgerCallError).code, (err as LedgerCallError).message).to.equal(code);
    return (err as LedgerCallError).message;
  }
  expect.fail(`expected ${code}, but the call succeeded`);
}

/** Expects `call` to be refused by the chaincode itself (not by Fabric) with `code`; returns the refusal text. */
export async function refusedByContract(code: string, call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(LedgerCallError);
    const failure = err as LedgerCallError;
    expect(failure.code, failure.message).to.equal(code);
    expect(failure.contractRefusal).to.equal(true);
    return failure.message;
  }
  expect.fail(`expected ${code}, but the call succeeded`);
}

/**
 * The object types of the confirmation ledger's composite keys (chaincode/src/state/confirmation-store.ts),
 * its sealed steps' events (sealed-events.ts) and the cross-check summaries (cross-check-store.ts).
 */
const CONFIRMATION_KEY_TYPES = /^(cf|cfs|cfv|cftx|eng|xcheck|cf~[a-z~]+)$/;

/**
 * Whether `key` is a composite key of the confirmation ledger — a record, statistics row, version,
 * engagement, index entry, sealed event or cross-check summary (U+0000, the object type, U+0000, …): once the private store is
 * started, no transaction writes one to public state (issue 11).
 */
export function isConfirmationStateKey(key: string): boolean {
  const [empty, type] = key.split('\u0000');
  return empty === '' && type !== undefined && CONFIRMATION_KEY_TYPES.test(type);
}
