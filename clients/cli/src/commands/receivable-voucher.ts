import { REQUEST_ID } from '@econfirm/common';
import { EvidenceInputError, evidenceSignerFromNetwork, generateReceivableVoucher, readReceivableEvidence, VOUCHER_STATES } from '@econfirm/evidence';
import { findIdentity, InstitutionKeyStore, type LedgerSession } from '@econfirm/sdk';
import * as path from 'node:path';
import { ReceivableUsageError } from './receivables';
import { takeOption, writeAndVerify, type IssuerContext } from './signed-document';

export const RECEIVABLE_VOUCHER_USAGE = `  receivables voucher <id> [--out <file.pdf>]
                               the receivable voucher (电子债权凭证) as the caller's institution issues
                               it (obligor, holder past or present, financing bank, or the regulator;
                               the ledger decides): read from the ledger as the caller, the terms
                               opened with its keys when they are sealed to it, signed with its
                               evidence certificate, written to <id>-voucher.pdf, then verified
                               online; exit 0 when it verifies`;

const usage = (message: string): Error => new ReceivableUsageError(message);

/**
 * `econfirm receivables voucher …`: the voucher as the gateway's GET /v1/receivables/{id}/voucher.pdf
 * issues it, but made here with the caller's own keys and evidence certificate (non-custodial, as
 * `mortgages certificate`). Returns the exit code (0: written and verified, 1: it does not verify).
 */
export async function receivableVoucherCommand(ledger: LedgerSession, argv: readonly string[], context: IssuerContext): Promise<number> {
  const args = [...argv];
  const out = takeOption(args, '--out', usage);
  const [id, ...rest] = args;
  if (!id || rest.length > 0) throw new ReceivableUsageError('receivables voucher <id> [--out <file.pdf>]');
  if (!REQUEST_ID.test(id)) throw new ReceivableUsageError(`id: '${id}' is not valid (${REQUEST_ID.source})`);
  const identity = findIdentity(context.descriptor, context.orgKey, context.identityName);
  if (!identity.institution) throw new ReceivableUsageError(`${context.orgKey}/${context.identityName} acts for no institution: run as a party of the receivable or the regulator (--as operator/sup1)`);
  // The ledger's answer first (NOT_FOUND to a non-party, FORBIDDEN to a role that reads no
  // receivable, then whether the obligor confirmed it), before our keys and certificate are needed.
  const evidence = await readReceivableEvidence(ledger, id);
  const { state } = evidence.receivable;
  if (!VOUCHER_STATES.includes(state)) throw new EvidenceInputError('VOUCHER_NOT_ISSUED', `receivable ${id} is ${state}: the obligor has not confirmed it, no voucher was issued`);
  const store = new InstitutionKeyStore(path.join(context.networkDir, 'institution-keys'));
  // Without the institution's keys the copy prints the terms by their hashes, as the gateway's does.
  const keys = store.has(identity.institution) ? store.load(identity.institution) : undefined;
  const signer = evidenceSignerFromNetwork(context.networkDir, context.orgKey, identity.institution);
  const generated = await generateReceivableVoucher({ ledger, receivableId: id, evidence, signer, ...(keys ? { keys } : {}) });
  return writeAndVerify(ledger, out ?? `${id}-voucher.pdf`, generated.pdf, `voucher sha256 ${generated.voucherHash}, issued by ${identity.institution}`);
}
