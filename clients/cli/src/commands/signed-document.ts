import { channelMspTrust, ledgerView, verifyEvidencePdf } from '@econfirm/evidence';
import type { LedgerSession, NetworkDescriptor } from '@econfirm/sdk';
import { writeFileSync } from 'node:fs';
import { printVerdict, summary } from './verify';

/**
 * What the commands that issue a signed document locally share (`mortgages certificate`,
 * `receivables voucher`): their `--name value` options, and writing the PDF then verifying it.
 */

/** The identity the command runs as (`--as`) and where the network keeps its keys and evidence certificates. */
export interface IssuerContext {
  descriptor: NetworkDescriptor;
  networkDir: string;
  orgKey: string;
  identityName: string;
}

/** Takes `name value` out of `args`; a name without a value is the caller's usage error. */
export function takeOption(args: string[], name: string, usage: (message: string) => Error): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (!value || value.startsWith('--')) throw usage(`${name} takes a value`);
  args.splice(at, 2);
  return value;
}

/** Writes the PDF, then verifies it online; returns the exit code (0: it verifies, 1: it does not). */
export async function writeAndVerify(ledger: LedgerSession, file: string, pdf: Buffer, about: string): Promise<number> {
  writeFileSync(file, pdf);
  console.log(`wrote ${file} (${pdf.length} bytes, ${about})`);
  // Verified as a stranger to the file would: roots from the channel configuration, the blocks.
  const verdict = await verifyEvidencePdf(pdf, { ...(await channelMspTrust(ledger.network)), ledger: ledgerView(ledger) });
  printVerdict(file, verdict);
  console.log(summary([verdict]));
  return verdict.ok ? 0 : 1;
}
