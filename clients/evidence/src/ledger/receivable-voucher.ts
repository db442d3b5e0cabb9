import { InstitutionKind, type AnchorProof, type Institution, type ReceivableEvidence } from '@econfirm/common';
import { evaluate, openWithKeys, RegistryClient, type InstitutionPrivateKeys, type LedgerSession } from '@econfirm/sdk';
import { EvidenceInputError } from '../model/evidence-document';
import { buildReceivableVoucher, voucherBankId, voucherParties, voucherTermsRecipients, type ReceivableVoucherDocument } from '../model/receivable-voucher';
import { createReceivableVoucherPdf, type ReceivableVoucherPdf } from '../receivable-voucher-pdf';
import type { EvidenceSigner } from '../signer';
import { transactionFacts, type TransactionFacts } from './transactions';

/** GetReceivableEvidence: the record, its committed versions and its ancestors by split (the parties and the regulator). */
export async function readReceivableEvidence(ledger: LedgerSession, id: string): Promise<ReceivableEvidence> {
  const bytes = await evaluate(ledger.contract('receivable'), 'GetReceivableEvidence', [id]);
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as ReceivableEvidence;
}

export interface GenerateVoucherOptions {
  /** A session of the issuing institution (a party of the receivable, or the regulator): the ledger decides what it may read. */
  ledger: LedgerSession;
  receivableId: string;
  /** The issuer's evidence signer; its institution is the voucher's issuer. */
  signer: EvidenceSigner;
  /** The issuer's private keys: when the terms are sealed to it, they open them and the copy discloses them. */
  keys?: InstitutionPrivateKeys;
  generatedAt?: string;
  /** GetReceivableEvidence as `ledger` already answered it (the gateway reads it first to answer VOUCHER_NOT_ISSUED): not asked again. */
  evidence?: ReceivableEvidence;
  /** The anchor proof to embed for this version of the receivable (or "pending"); absent: no anchor section. */
  anchor?: (version: { id: string; state: string; txId: string }) => AnchorProof | undefined;
}

/** Does the terms' sealing include this institution (obligor, original creditor, holder, bank)? */
export function voucherDiscloses(evidence: ReceivableEvidence, institutionId: string): boolean {
  return voucherTermsRecipients(evidence.receivable).includes(institutionId);
}

/**
 * The voucher as one institution that may read the receivable issues it: read from the ledger as
 * that institution (GetReceivableEvidence refuses anyone else), the terms opened with its key
 * when they are sealed to it (their hashes checked on the way), every transaction of the chain
 * looked up in its block, rendered and signed with its evidence certificate.
 */
export async function generateReceivableVoucher(options: GenerateVoucherOptions): Promise<{ document: ReceivableVoucherDocument } & ReceivableVoucherPdf> {
  const { ledger, receivableId, signer } = options;
  const evidence = options.evidence ?? (await readReceivableEvidence(ledger, receivableId));
  const record = evidence.receivable;
  const registry = new RegistryClient(ledger);
  const bankId = voucherBankId(record);
  const ids = [...new Set([record.obligorId, record.originalCreditorId, ...record.holders, ...(bankId ? [bankId] : []), signer.institutionId])];
  const institutions = new Map<string, Institution>();
  for (const id of ids) institutions.set(id, await registry.get(id));
  const party = (id: string) => institutions.get(id) as Institution;
  const issuer = party(signer.institutionId);
  if (!voucherParties(record).includes(issuer.id) && issuer.kind !== InstitutionKind.Regulator) {
    throw new EvidenceInputError('FORBIDDEN', `${issuer.id} is no party of receivable ${receivableId} and no regulator: it cannot issue its voucher`);
  }
  let opened: { content: unknown; salt: string } | undefined;
  if (options.keys && voucherDiscloses(evidence, issuer.id)) {
    if (options.keys.institutionId !== issuer.id) throw new EvidenceInputError('FORBIDDEN', `the keys of ${options.keys.institutionId} do not open ${issuer.id}'s copy`);
    const payload = await openWithKeys<unknown>(record.terms, options.keys);
    opened = { content: payload.content, salt: payload.salt };
  }
  const transactions: Record<string, TransactionFacts> = {};
  for (const step of [...evidence.ancestors.flatMap((a) => a.trail), ...evidence.trail]) transactions[step.txId] ??= await transactionFacts(ledger.network, step.txId);
  const document = buildReceivableVoucher({
    channel: ledger.network.getName(),
    generatedAt: options.generatedAt ?? new Date().toISOString(),
    generatedBy: issuer,
    parties: { obligor: party(record.obligorId), originalCreditor: party(record.originalCreditorId), holders: record.holders.map(party), ...(bankId ? { bank: party(bankId) } : {}) },
    ledger: evidence,
    ...(opened ? { opened } : {}),
    transactions,
  });
  const last = evidence.trail[evidence.trail.length - 1];
  const anchor = last ? options.anchor?.({ id: record.id, state: record.state, txId: last.txId }) : undefined;
  return { document, ...(await createReceivableVoucherPdf(document, signer, anchor)) };
}
