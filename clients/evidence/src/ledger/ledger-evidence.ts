import type { ConfirmationEvidence, Institution, Page } from '@econfirm/common';
import { createEvidenceBundle, type EvidenceBundle } from '../bundle/evidence-bundle';
import { evaluate, openWithKeys, RegistryClient, type InstitutionPrivateKeys, type LedgerSession, type SealedPayload } from '@econfirm/sdk';
import { createEvidencePdf, type EvidencePdf } from '../evidence-pdf';
import { buildEvidenceDocument, EvidenceInputError, type EvidenceDocument } from '../model/evidence-document';
import type { EvidenceSigner } from '../signer';
import type { LedgerView, RegistryEntry } from '../verify/verify-evidence';
import { committedConfirmation, transactionFacts, type TransactionFacts } from './transactions';

/** GetConfirmationEvidence (auditor of the firm): the request, its committed trail, the responder's key. */
export async function readConfirmationEvidence(ledger: LedgerSession, id: string): Promise<ConfirmationEvidence> {
  const bytes = await evaluate(ledger.contract('confirmation'), 'GetConfirmationEvidence', [id]);
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as ConfirmationEvidence;
}

/** What the verifier compares of a registry record (also what `--export-registry` writes for offline use). */
export function registryEntry(institution: Institution): RegistryEntry {
  const { id, kind, mspId, nameZh, nameEn } = institution;
  return { id, kind, mspId, nameZh, nameEn, signingKeys: [institution.signingKey, ...institution.retiredKeys].map((k) => ({ kid: k.kid, jwk: k.jwk })) };
}

/** The verifier's view of the ledger through one identity's session. */
export function ledgerView(ledger: LedgerSession): LedgerView {
  return {
    confirmationEvidence: (id) => readConfirmationEvidence(ledger, id),
    transaction: (txId) => transactionFacts(ledger.network, txId),
    committedRecord: (txId, id) => committedConfirmation(ledger.network, txId, id),
    institution: async (institutionId) => registryEntry(await new RegistryClient(ledger).get(institutionId)),
  };
}

export interface GenerateOptions {
  /** A session of the generating firm's auditor (GetConfirmationEvidence is the firm's). */
  ledger: LedgerSession;
  confirmationId: string;
  /** The firm's private keys: its encryption key opens letter and reply. */
  keys: InstitutionPrivateKeys;
  signer: EvidenceSigner;
  /** Defaults to now; pass it to reproduce a PDF byte for byte. */
  generatedAt?: string;
}

/**
 * Evidence from the ledger, as the firm generates it: reads the ledger's evidence, opens the
 * sealed letter and reply with the firm's key (their salted hashes checked on the way), looks up
 * every transaction's block, and renders and signs the PDF.
 */
export async function generateEvidence(options: GenerateOptions): Promise<{ document: EvidenceDocument } & EvidencePdf> {
  const { ledger, confirmationId, keys } = options;
  const evidence = await readConfirmationEvidence(ledger, confirmationId);
  const request = evidence.confirmation;
  if (request.firmId !== keys.institutionId) {
    throw new EvidenceInputError('FORBIDDEN', `${keys.institutionId} cannot generate evidence for ${request.firmId}'s request`);
  }
  const registry = new RegistryClient(ledger);
  const ids = [...new Set([request.firmId, request.clientId, request.addresseeId, request.responderId])];
  const institutions = new Map<string, Institution>();
  for (const id of ids) institutions.set(id, await registry.get(id));
  const party = (id: string) => institutions.get(id) as Institution;
  const letter = await openWithKeys<unknown>(request.letter, keys);
  let reply: (SealedPayload<unknown> & { signature: string }) | undefined;
  if (request.reply) {
    const opened = await openWithKeys<unknown>(request.reply, keys);
    if (!opened.signature) throw new EvidenceInputError('MISSING_SIGNATURE', `the sealed reply of ${confirmationId} carries no responder JWS`);
    reply = { content: opened.content, salt: opened.salt, signature: opened.signature };
  }
  const transactions: Record<string, TransactionFacts> = {};
  for (const step of evidence.trail) transactions[step.txId] = await transactionFacts(ledger.network, step.txId);
  const document = buildEvidenceDocument({
    channel: ledger.network.getName(),
    generatedAt: options.generatedAt ?? new Date().toISOString(),
    generatedBy: party(request.firmId),
    parties: { firm: party(request.firmId), client: party(request.clientId), addressee: party(request.addresseeId), responder: party(request.responderId) },
    ledger: evidence,
    letter: { content: letter.content, salt: letter.salt },
    ...(reply ? { reply } : {}),
    transactions,
  });
  return { document, ...(await createEvidencePdf(document, options.signer)) };
}

/** Every request of one of the firm's engagements (ListConfirmationsByEngagement, all pages). */
export async function engagementConfirmationIds(ledger: LedgerSession, engagementId: string): Promise<string[]> {
  const ids: string[] = [];
  let bookmark = '';
  for (let page = 0; page < 1000; page++) {
    const bytes = await evaluate(ledger.contract('confirmation'), 'ListConfirmationsByEngagement', [engagementId, '100', bookmark]);
    const result = JSON.parse(Buffer.from(bytes).toString('utf8')) as Page<{ id: string }>;
    ids.push(...result.records.map((r) => r.id));
    if (!result.bookmark || result.records.length === 0) break;
    bookmark = result.bookmark;
  }
  return ids;
}

/** One signed evidence PDF per letter of the engagement, and the signed manifest over them. */
export async function generateEngagementBundle(options: Omit<GenerateOptions, 'confirmationId'> & { engagementId: string }): Promise<EvidenceBundle> {
  const generatedAt = options.generatedAt ?? new Date().toISOString();
  const ids = await engagementConfirmationIds(options.ledger, options.engagementId);
  if (ids.length === 0) throw new EvidenceInputError('NOT_FOUND', `engagement ${options.engagementId} has no requests of ${options.keys.institutionId}`);
  const letters = [];
  for (const confirmationId of ids) letters.push(await generateEvidence({ ...options, confirmationId, generatedAt }));
  return createEvidenceBundle(options.engagementId, generatedAt, letters, options.signer);
}
