import { MORTGAGE_STATES, mortgageUnitKey, type Encumbrance, type MortgageView, type Page } from '@econfirm/common';
import { evaluate, type LedgerSession } from '@econfirm/sdk';

/**
 * `econfirm mortgages …`: the mortgage contract (chaincode/src/contracts/mortgage-contract.ts) read
 * as one identity of the network. Sealed parts stay sealed here (the CLI holds no institution
 * keys); the gateway's /v1/mortgages opens them for a tenant.
 */
export const MORTGAGES_USAGE = `  mortgages list [state]       the caller's registrations (bank, registry queue, mortgagor), all pages
  mortgages show <id>          one registration with its priority
  mortgages encumbrances <unit number>
                               a unit's active encumbrances in priority order (a bank needs the owner's consent)`;

export class MortgageUsageError extends Error {}

const decoder = new TextDecoder();

async function read<T>(ledger: LedgerSession, transaction: string, ...args: string[]): Promise<T> {
  return JSON.parse(decoder.decode(await evaluate(ledger.contract('mortgage'), transaction, args))) as T;
}

function line(r: MortgageView): string {
  return `${r.id.padEnd(28)} ${r.state.padEnd(20)} ${String(r.priority ?? '-').padEnd(3)} ${r.mortgageeId.padEnd(12)} ${r.registryId.padEnd(8)} ${r.mortgageType.padEnd(15)} ${r.debtTermStart}..${r.debtTermEnd}`;
}

export async function mortgagesCommand(ledger: LedgerSession, verb: string | undefined, arg: string | undefined, print: (value: unknown) => void): Promise<void> {
  if (verb === 'list') {
    if (arg !== undefined && !(MORTGAGE_STATES as readonly string[]).includes(arg)) throw new MortgageUsageError(`unknown state '${arg}' (${MORTGAGE_STATES.join(', ')})`);
    let bookmark = '';
    do {
      const page = await read<Page<MortgageView>>(ledger, 'ListMortgages', arg ?? '', '200', bookmark);
      for (const record of page.records) console.log(line(record));
      bookmark = page.bookmark;
    } while (bookmark !== '');
  } else if (verb === 'show' && arg) {
    print(await read<MortgageView>(ledger, 'GetMortgage', arg));
  } else if (verb === 'encumbrances' && arg) {
    const { encumbrances } = await read<{ encumbrances: Encumbrance[] }>(ledger, 'GetEncumbrances', mortgageUnitKey(arg));
    if (encumbrances.length === 0) console.log('no active encumbrances');
    for (const e of encumbrances) console.log(`${String(e.priority).padEnd(3)} ${e.mortgageId.padEnd(28)} ${e.mortgageeId.padEnd(12)} ${e.mortgageType.padEnd(15)} registered ${e.registeredAt}  term ${e.debtTermStart}..${e.debtTermEnd}`);
  } else {
    throw new MortgageUsageError(`unknown command 'mortgages ${[verb, arg].filter(Boolean).join(' ')}'`);
  }
}
