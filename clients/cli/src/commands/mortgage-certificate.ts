import { evidenceSignerFromNetwork, generateMortgageCertificate } from '@econfirm/evidence';
import { findIdentity, InstitutionKeyStore, type LedgerSession } from '@econfirm/sdk';
import * as path from 'node:path';
import { MortgageUsageError } from './mortgages';
import { takeOption, writeAndVerify, type IssuerContext } from './signed-document';

export const MORTGAGE_CERTIFICATE_USAGE = `  mortgages certificate <id> [--for <institution>] [--out <file.pdf>]
                               the registration certificate (不动产登记证明) as the registration
                               centre issues it (as its registrar: --as operator/registrar1): read
                               from the ledger, opened with the registry's keys, signed with its
                               evidence certificate, written to <id>-certificate.pdf, then verified
                               online; --for a copy for that institution (the sealed names, numbers
                               and amounts only in a party's copy); exit 0 when it verifies`;

const usage = (message: string): Error => new MortgageUsageError(message);

/** `econfirm mortgages certificate …`: returns the exit code (0: written and verified, 1: it does not verify). */
export async function mortgageCertificateCommand(ledger: LedgerSession, argv: readonly string[], context: IssuerContext): Promise<number> {
  const args = [...argv];
  const out = takeOption(args, '--out', usage);
  const issuedTo = takeOption(args, '--for', usage);
  const [id, ...rest] = args;
  if (!id || rest.length > 0) throw new MortgageUsageError('mortgages certificate <id> [--for <institution>] [--out <file.pdf>]');
  const identity = findIdentity(context.descriptor, context.orgKey, context.identityName);
  if (identity.role !== 'registrar' || !identity.institution) {
    throw new MortgageUsageError(`${context.orgKey}/${context.identityName} is no registrar: the registration centre issues the certificate (--as operator/registrar1)`);
  }
  const keys = new InstitutionKeyStore(path.join(context.networkDir, 'institution-keys')).load(identity.institution);
  const signer = evidenceSignerFromNetwork(context.networkDir, context.orgKey, identity.institution);
  const generated = await generateMortgageCertificate({ ledger, mortgageId: id, keys, signer, issuedTo: issuedTo ?? identity.institution });
  return writeAndVerify(ledger, out ?? `${id}-certificate.pdf`, generated.pdf, `certificate sha256 ${generated.certificateHash}, for ${issuedTo ?? identity.institution}`);
}
