import type { AnchorProof, Institution, MortgageEvidence } from '@econfirm/common';
import { evaluate, openWithKeys, RegistryClient, type InstitutionPrivateKeys, type LedgerSession } from '@econfirm/sdk';
import { buildMortgageCertificate, type MortgageCertificateDocument } from '../model/mortgage-certificate';
import { EvidenceInputError } from '../model/evidence-document';
import { createMortgageCertificatePdf, type MortgageCertificatePdf } from '../mortgage-certificate-pdf';
import type { EvidenceSigner } from '../signer';
import { transactionFacts, type TransactionFacts } from './transactions';

/** GetMortgageEvidence: the record and the transaction of each committed version (parties, regulator, a granted auditor). */
export async function readMortgageEvidence(ledger: LedgerSession, id: string): Promise<MortgageEvidence> {
  const bytes = await evaluate(ledger.contract('mortgage'), 'GetMortgageEvidence', [id]);
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as MortgageEvidence;
}

export interface GenerateCertificateOptions {
  /** A session of the registry's registrar: the certificate is the registration centre's. */
  ledger: LedgerSession;
  mortgageId: string;
  /** The registry's private keys: its encryption key opens the sealed application and certificate. */
  keys: InstitutionPrivateKeys;
  signer: EvidenceSigner;
  /** Who the copy is for; the sealed content is printed only when it is a party it is sealed to. */
  issuedTo: string;
  generatedAt?: string;
  /** The anchor proof to embed for this version of the registration (or "pending"); absent: no anchor section. */
  anchor?: (version: { id: string; state: string; txId: string }) => AnchorProof | undefined;
}

/**
 * The registration certificate as the registration centre issues it: read from the ledger as the
 * registry, the sealed parts opened with the registry's key (their salted hashes checked on the
 * way) for a party's copy, every transaction looked up in its block, rendered and signed with the
 * registry's evidence certificate.
 */
export async function generateMortgageCertificate(options: GenerateCertificateOptions): Promise<{ document: MortgageCertificateDocument } & MortgageCertificatePdf> {
  const { ledger, mortgageId, keys } = options;
  const evidence = await readMortgageEvidence(ledger, mortgageId);
  const record = evidence.mortgage;
  if (record.registryId !== keys.institutionId || options.signer.institutionId !== record.registryId) {
    throw new EvidenceInputError('FORBIDDEN', `the certificate of ${mortgageId} is issued by ${record.registryId}, not ${keys.institutionId}`);
  }
  const registry = new RegistryClient(ledger);
  const ids = [...new Set([record.registryId, record.mortgageeId, ...record.mortgagorIds, options.issuedTo])];
  const institutions = new Map<string, Institution>();
  for (const id of ids) institutions.set(id, await registry.get(id));
  const party = (id: string) => institutions.get(id) as Institution;
  // Sealed to bank, registry and mortgagor institutions (the chaincode checks the recipients): only their copies disclose it.
  const disclose = [record.registryId, record.mortgageeId, ...record.mortgagorIds].includes(options.issuedTo);
  let opened: { application: { content: unknown; salt: string }; certificate: { content: unknown; salt: string } } | undefined;
  if (disclose && record.certificate) {
    const application = await openWithKeys<unknown>(record.application, keys);
    const certificate = await openWithKeys<unknown>(record.certificate, keys);
    opened = { application: { content: application.content, salt: application.salt }, certificate: { content: certificate.content, salt: certificate.salt } };
  }
  const transactions: Record<string, TransactionFacts> = {};
  for (const step of evidence.trail) transactions[step.txId] = await transactionFacts(ledger.network, step.txId);
  const document = buildMortgageCertificate({
    channel: ledger.network.getName(),
    generatedAt: options.generatedAt ?? new Date().toISOString(),
    generatedBy: party(record.registryId),
    issuedTo: party(options.issuedTo),
    parties: { registry: party(record.registryId), mortgagee: party(record.mortgageeId), mortgagors: record.mortgagorIds.map(party) },
    ledger: evidence,
    ...(opened ? { opened } : {}),
    transactions,
  });
  const last = evidence.trail[evidence.trail.length - 1];
  const anchor = last ? options.anchor?.({ id: record.id, state: record.state, txId: last.txId }) : undefined;
  return { document, ...(await createMortgageCertificatePdf(document, options.signer, anchor)) };
}
