import type { AnchorProof, ConfirmationEvidence, CrossCheckReport, Institution, Page } from '@econfirm/common';
import { createEvidenceBundle, type EvidenceBundle } from '../bundle/evidence-bundle';
import { evaluate, openWithKeys, RegistryClient, type InstitutionPrivateKeys, type LedgerSession, type SealedPayload } from '@econfirm/sdk';
import { createEvidencePdf, type EvidencePdf } from '../evidence-pdf';
import { buildEvidenceDocument, EvidenceInputError, type EvidenceDocument } from '../model/evidence-document';
import type { EvidenceSigner } from '../signer';
import type { LedgerView, RegistryEntry, RegistrySnapshot } from '../verify/verify-evidence';
import { readMortgageEvidence } from './mortgage-certificate';
import { committedConfirmation, committedMortgage, transactionFacts, type TransactionFacts } from './transactions';

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

/** Every registry record, as entries for an offline verifier (`econfirm verify --export-roots` writes them to registry.json). */
export async function exportRegistry(ledger: LedgerSession): Promise<RegistryEntry[]> {
  const registry = new RegistryClient(ledger);
  const entries: RegistryEntry[] = [];
  let bookmark = '';
  for (;;) {
    const page = await registry.list('', 100, bookmark);
    entries.push(...page.records.map(registryEntry));
    if (page.records.length === 0 || !page.bookmark || page.bookmark === bookmark) break;
    bookmark = page.bookmark;
  }
  return entries;
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 512;

/** A registry snapshot file (exportRegistry's JSON), validated: it is the offline verifier's trust material, so nothing malformed is half-used. */
export function registryFromJson(json: string): RegistrySnapshot {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new EvidenceInputError('MALFORMED', 'a registry snapshot is a JSON array of institutions');
  const snapshot = new Map<string, RegistryEntry>();
  for (const item of parsed as unknown[]) {
    const e = item as Partial<Record<keyof RegistryEntry, unknown>>;
    const keys = e.signingKeys;
    const validKeys = Array.isArray(keys) && keys.every((k: unknown) => {
      const key = k as { kid?: unknown; jwk?: { kty?: unknown; crv?: unknown; x?: unknown; y?: unknown } };
      return isText(key.kid) && key.jwk?.kty === 'EC' && key.jwk.crv === 'P-256' && isText(key.jwk.x) && isText(key.jwk.y);
    });
    if (!isText(e.id) || !isText(e.kind) || !isText(e.mspId) || !isText(e.nameZh) || !isText(e.nameEn) || !validKeys || snapshot.has(e.id)) {
      throw new EvidenceInputError('MALFORMED', `registry snapshot entry ${snapshot.size + 1} is not a well-formed, unique institution`);
    }
    snapshot.set(e.id, { id: e.id, kind: e.kind, mspId: e.mspId, nameZh: e.nameZh, nameEn: e.nameEn, signingKeys: keys as RegistryEntry['signingKeys'] });
  }
  return snapshot;
}

/** The verifier's view of the ledger through one identity's session. */
export function ledgerView(ledger: LedgerSession): LedgerView {
  return {
    confirmationEvidence: (id) => readConfirmationEvidence(ledger, id),
    transaction: (txId) => transactionFacts(ledger.network, txId),
    committedRecord: (txId, id) => committedConfirmation(ledger.network, txId, id),
    mortgageEvidence: (id) => readMortgageEvidence(ledger, id),
    committedMortgage: (txId, id) => committedMortgage(ledger.network, txId, id),
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
  /** The firm's cross-check of the reply (gateway/src/crosscheck), printed and signed with the evidence. */
  crossCheck?: CrossCheckReport;
  /** The anchor proof to embed (or "pending"), given the record as read; absent: no anchor section. */
  anchor?: (record: { id: string; state: string }) => AnchorProof | undefined;
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
    ...(options.crossCheck ? { crossCheck: options.crossCheck } : {}),
  });
  return { document, ...(await createEvidencePdf(document, options.signer, options.anchor?.({ id: request.id, state: request.state }))) };
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
