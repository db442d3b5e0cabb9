import { RECEIVABLE_STATES, type Page, type ReceivableRecord, type ReceivableStats, type TransactionName } from '@econfirm/common';
import { evaluate, type LedgerSession } from '@econfirm/sdk';

/**
 * `econfirm receivables …`: the receivable contract (chaincode/src/contracts/receivable-contract.ts)
 * read as one identity of the network. Amounts stay sealed here (the CLI holds no institution
 * keys; the ledger has only their salted hashes); the gateway's /v1/receivables opens them for a tenant.
 */
export const RECEIVABLES_USAGE = `  receivables list [state]     the caller's receivables (obligor, holder past or present, bank), all pages
  receivables show <id>        one receivable with its chain of holders, lien and steps
  receivables statistics       the regulator: records by state, owed parts, financed share, past due, liens by bank (counts, no amounts)`;

export class ReceivableUsageError extends Error {}

const decoder = new TextDecoder();

async function read<T>(ledger: LedgerSession, transaction: TransactionName<'receivable'>, ...args: string[]): Promise<T> {
  return JSON.parse(decoder.decode(await evaluate(ledger.contract('receivable'), transaction, args))) as T;
}

function line(r: ReceivableRecord): string {
  const lien = r.lien && !r.lien.releasedAt ? `lien ${r.lien.bankId}` : '-';
  return `${r.id.padEnd(28)} ${r.state.padEnd(20)} ${r.obligorId.padEnd(12)} ${r.holderId.padEnd(12)} ${r.maturityDate} ${r.currency} ${lien.padEnd(16)} ${r.holders.join('>')}`;
}

export async function receivablesCommand(ledger: LedgerSession, verb: string | undefined, arg: string | undefined, print: (value: unknown) => void): Promise<void> {
  if (verb === 'list') {
    if (arg !== undefined && !(RECEIVABLE_STATES as readonly string[]).includes(arg)) throw new ReceivableUsageError(`unknown state '${arg}' (${RECEIVABLE_STATES.join(', ')})`);
    let bookmark = '';
    do {
      const page = await read<Page<ReceivableRecord>>(ledger, 'ListReceivables', arg ?? '', '200', bookmark);
      for (const record of page.records) console.log(line(record));
      bookmark = page.bookmark;
    } while (bookmark !== '');
  } else if (verb === 'statistics' && arg === undefined) {
    print(await read<ReceivableStats>(ledger, 'GetReceivableStatistics'));
  } else if (verb === 'show' && arg) {
    print(await read<ReceivableRecord>(ledger, 'GetReceivable', arg));
  } else {
    throw new ReceivableUsageError(`unknown command 'receivables ${[verb, arg].filter(Boolean).join(' ')}'`);
  }
}
