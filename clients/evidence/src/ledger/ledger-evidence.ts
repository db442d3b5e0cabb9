import { availableParallelism } from 'node:os';
import type { AnchorProof, ConfirmationEvidence, ConfirmationRequest, CrossCheckReport, HistoryEntry, Institution, Page } from '@econfirm/common';
import { createEvidenceBundle, type EvidenceBundle } from '../bundle/evidence-bundle';
import { evaluate, openWithKeys, RegistryClient, type InstitutionPrivateKeys, type LedgerSession, type SealedPayload } from '@econfirm/sdk';
import { createEvidencePdf, type EvidencePdf } from '../evidence-pdf';
import { buildEvidenceDocument, EvidenceInputError, type EvidenceDocument } from '../model/evidence-document';
import { EvidenceRenderPool } from '../pdf/render-pool';
import type { EvidenceSigner } from '../signer';
import type { LedgerView, RegistryEntry, RegistrySnapshot } from '../verify/verify-evidence';
import { readMortgageEvidence } from './mortgage-certificate';
import { readReceivableEvidence } from './receivable-voucher';
import { committedConfirmation, committedMortgage, committedReceivable, transactionFacts, type TransactionFacts } from './transactions';

/** GetConfirmationEvidence (auditor of the firm): the request, its committed trail, the responder's key. */
export async function readConfirmationEvidence(ledger: LedgerSession, id: string): Promise<ConfirmationEvidence> {
  const bytes = await evaluate(ledger.contract('confirmation'), 'GetConfirmationEvidence', [id]);
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as ConfirmationEvidence;
}

/** The request's versions, newest first (GetConfirmationHistory: a party, as it may see them, or the regulator). */
export async function readConfirmationHistory(ledger: LedgerSession, id: string): Promise<HistoryEntry<ConfirmationRequest>[]> {
  const bytes = await evaluate(ledger.contract('confirmation'), 'GetConfirmationHistory', [id]);
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as HistoryEntry<ConfirmationRequest>[];
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
  // One history read per request for all of its steps (committedConfirmation of a private record).
  const histories = new Map<string, Promise<readonly HistoryEntry<ConfirmationRequest>[]>>();
  const versions = (id: string): Promise<readonly HistoryEntry<ConfirmationRequest>[]> => {
    let history = histories.get(id);
    if (!history) {
      history = readConfirmationHistory(ledger, id);
      histories.set(id, history);
    }
    return history;
  };
  return {
    confirmationEvidence: (id) => readConfirmationEvidence(ledger, id),
    transaction: (txId) => transactionFacts(ledger.network, txId),
    committedRecord: (txId, id) => committedConfirmation(ledger.network, txId, id, versions),
    mortgageEvidence: (id) => readMortgageEvidence(ledger, id),
    committedMortgage: (txId, id) => committedMortgage(ledger.network, txId, id),
    receivableEvidence: (id) => readReceivableEvidence(ledger, id),
    committedReceivable: (txId, id) => committedReceivable(ledger.network, txId, id),
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
  /** Registry records and committed-transaction facts shared by the letters of one bundle (bundleReads). */
  reads?: LedgerReads;
  /** Render and sign in these worker threads instead of the caller's (the same bytes). */
  renderPool?: EvidenceRenderPool;
}

/**
 * The ledger reads evidence generation repeats across the letters of an engagement: the same firm,
 * client and bank registry records, and the same transactions (IssueBatch issues an engagement's
 * letters in one transaction). One instance lives for one bundle, so every read is of the ledger
 * as it is while the bundle is made, never of an earlier request's.
 */
export interface LedgerReads {
  institution(id: string): Promise<Institution>;
  transaction(txId: string): Promise<TransactionFacts>;
}

function directReads(ledger: LedgerSession): LedgerReads {
  const registry = new RegistryClient(ledger);
  return { institution: (id) => registry.get(id), transaction: (txId) => transactionFacts(ledger.network, txId) };
}

/** Each registry record and transaction read at most once (concurrent callers share the one read; a failed read is not kept). */
export function bundleReads(ledger: LedgerSession): LedgerReads {
  const direct = directReads(ledger);
  const once = <T>(read: (key: string) => Promise<T>): ((key: string) => Promise<T>) => {
    const pending = new Map<string, Promise<T>>();
    return (key) => {
      let result = pending.get(key);
      if (!result) {
        result = read(key);
        pending.set(key, result);
        result.catch(() => pending.delete(key));
      }
      return result;
    };
  };
  return { institution: once(direct.institution), transaction: once(direct.transaction) };
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
  const reads = options.reads ?? directReads(ledger);
  const ids = [...new Set([request.firmId, request.clientId, request.addresseeId, request.responderId])];
  const records = await Promise.all(ids.map((id) => reads.institution(id)));
  const institutions = new Map<string, Institution>(ids.map((id, i) => [id, records[i] as Institution]));
  const party = (id: string) => institutions.get(id) as Institution;
  const letter = await openWithKeys<unknown>(request.letter, keys);
  let reply: (SealedPayload<unknown> & { signature: string }) | undefined;
  if (request.reply) {
    const opened = await openWithKeys<unknown>(request.reply, keys);
    if (!opened.signature) throw new EvidenceInputError('MISSING_SIGNATURE', `the sealed reply of ${confirmationId} carries no responder JWS`);
    reply = { content: opened.content, salt: opened.salt, signature: opened.signature };
  }
  const transactions: Record<string, TransactionFacts> = {};
  const facts = await Promise.all(evidence.trail.map((step) => reads.transaction(step.txId)));
  for (const [i, step] of evidence.trail.entries()) transactions[step.txId] = facts[i] as TransactionFacts;
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
  const anchor = options.anchor?.({ id: request.id, state: request.state });
  const signed = options.renderPool ? await options.renderPool.render(document, options.signer, anchor) : await createEvidencePdf(document, options.signer, anchor);
  return { document, ...signed };
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

export interface BundleOptions extends Omit<GenerateOptions, 'confirmationId' | 'reads' | 'renderPool'> {
  engagementId: string;
  /**
   * Worker threads that render and sign, for this bundle only (default: one per core, at most 4,
   * for 8 letters or more; 0 renders in the caller's thread).
   */
  renderThreads?: number;
  /** Letters in flight at once (default 4, or twice the render threads): their ledger reads overlap; each PDF is the one generated alone. */
  concurrency?: number;
  /** Called once with done 0 when the letters are known, then after each letter's PDF is signed. */
  onProgress?: (progress: { done: number; total: number }) => void;
  /**
   * Abandons the bundle (e.g. its caller hung up): no letter is started after it fires, the ones in
   * flight finish, and the promise rejects with the signal's reason instead of signing a manifest.
   */
  signal?: AbortSignal;
}

/**
 * One signed evidence PDF per letter of the engagement, and the signed manifest over them. The
 * letters are generated a few at a time, sharing one bundleReads (each registry record and
 * transaction read once for the bundle); the bundle does not depend on the order they finish in.
 */
export async function generateEngagementBundle(options: BundleOptions): Promise<EvidenceBundle> {
  const { engagementId, onProgress, signal, renderThreads: threads, concurrency: inFlight, ...generate } = options;
  const generatedAt = generate.generatedAt ?? new Date().toISOString();
  const ids = await engagementConfirmationIds(generate.ledger, engagementId);
  if (ids.length === 0) throw new EvidenceInputError('NOT_FOUND', `engagement ${engagementId} has no requests of ${generate.keys.institutionId}`);
  const reads = bundleReads(generate.ledger);
  const renderThreads = threads ?? (ids.length >= 8 ? Math.min(availableParallelism(), 4) : 0);
  const concurrency = inFlight ?? Math.max(4, 2 * renderThreads);
  const renderPool = renderThreads > 0 ? new EvidenceRenderPool(renderThreads) : undefined;
  const letters: Awaited<ReturnType<typeof generateEvidence>>[] = [];
  let next = 0;
  let done = 0;
  onProgress?.({ done, total: ids.length });
  const worker = async (): Promise<void> => {
    while (next < ids.length && !signal?.aborted) {
      const index = next++;
      try {
        letters[index] = await generateEvidence({ ...generate, confirmationId: ids[index] as string, generatedAt, reads, ...(renderPool ? { renderPool } : {}) });
      } catch (err) {
        next = ids.length; // the bundle has failed: the other workers take no further letter
        throw err;
      }
      onProgress?.({ done: ++done, total: ids.length });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, ids.length)) }, worker));
  } finally {
    await renderPool?.close();
  }
  signal?.throwIfAborted();
  return createEvidenceBundle(engagementId, generatedAt, letters, generate.signer);
}
