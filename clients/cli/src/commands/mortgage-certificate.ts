import { channelMspTrust, evidenceSignerFromNetwork, generateMortgageCertificate, ledgerView, verifyEvidencePdf } from '@econfirm/evidence';
import { findIdentity, InstitutionKeyStore, type LedgerSession, type NetworkDescriptor } from '@econfirm/sdk';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { MortgageUsageError } from './mortgages';
import { printVerdict, summary } from './verify';

export const MORTGAGE_CERTIFICATE_USAGE = `  mortgages certificate <id> [--for <institution>] [--out <file.pdf>]
                               the registration certificate (不动产登记证明) as the registration
                               centre issues it (as its registrar: --as operator/registrar1): read
                               from the ledger, opened with the registry's keys, signed with its
                               evidence certificate, written to <id>-certificate.pdf, then verified
                               online; --for a copy for that institution (the sealed names, numbers
                               and amounts only in a party's copy); exit 0 when it verifies`;

export interface CertificateContext {
  descriptor: NetworkDescriptor;
  networkDir: string;
  orgKey: string;
  identityName: string;
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (!value || value.startsWith('--')) throw new MortgageUsageError(`${name} takes a value`);
  args.splice(at, 2);
  return value;
}

/** `econfirm mortgages certificate …`: returns the exit code (0: written and verified, 1: it does not verify). */
export async function mortgageCertificateCommand(ledger: LedgerSession, argv: readonly string[], context: CertificateContext): Promise<number> {
  const args = [...argv];
  const out = option(args, '--out');
  const issuedTo = option(args, '--for');
  const [id, ...rest] = args;
  if (!id || rest.length > 0) throw new MortgageUsageError('mortgages certificate <id> [--for <institution>] [--out <file.pdf>]');
  const identity = findIdentity(context.descriptor, context.orgKey, context.identityName);
  if (identity.role !== 'registrar' || !identity.institution) {
    throw new MortgageUsageError(`${context.orgKey}/${context.identityName} is no registrar: the registration centre issues the certificate (--as operator/registrar1)`);
  }
  const keys = new InstitutionKeyStore(path.join(context.networkDir, 'institution-keys')).load(identity.institution);
  const signer = evidenceSignerFromNetwork(context.networkDir, context.orgKey, identity.institution);
  const generated = await generateMortgageCertificate({ ledger, mortgageId: id, keys, signer, issuedTo: issuedTo ?? identity.institution });
  const file = out ?? `${id}-certificate.pdf`;
  writeFileSync(file, generated.pdf);
  console.log(`wrote ${file} (${generated.pdf.length} bytes, certificate sha256 ${generated.certificateHash}, for ${issuedTo ?? identity.institution})`);
  // Verified as a stranger to the file would: roots from the channel configuration, the blocks.
  const verdict = await verifyEvidencePdf(generated.pdf, { ...(await channelMspTrust(ledger.network)), ledger: ledgerView(ledger) });
  printVerdict(file, verdict);
  console.log(summary([verdict]));
  return verdict.ok ? 0 : 1;
}
