import { canonicalJson, ConfirmationState, saltedHash, sha256Hex, type ConfirmationEvidence, type ConfirmationRequest, type MortgageEvidence, type MortgageRecord, type PublicJwk, type ReceivableEvidence, type ReceivableRecord } from '@econfirm/common';
import { LedgerCallError, verifyReplySignature } from '@econfirm/sdk';
import { certificatePublicJwk, evidenceCertificateProblem, verifyChain } from '../crypto/certificates';
import { decodeCompactJws, x5cChain } from '../crypto/jws';
import { EVIDENCE_JWS_TYPE } from '../evidence-pdf';
import { crossCheckProblems, evidenceHash, parseEvidenceJson, type ActorFacts, type EvidenceDocument } from '../model/evidence-document';
import { extractAttachments, type ExtractedAttachment } from '../pdf/attachments';
import { ATTACHMENT } from '../pdf/render';
import { chainFailure, checkDocumentJws, failureDetail, checkPdfSignature, Checks, parsedRevocations, registeredPartyProblems, registryLookup, rootsFor, single, stepTransactionProblems, type Check, type RegistryLookup, type SignerExpectation, type TrustRoots } from './checks';
import { evidenceLeafFacts, runAnchorCheck, type AnchorFacts, type EvmTrust } from './verify-anchor';
import { isMortgageCertificateJson, verifyMortgageCertificatePdf } from './verify-certificate';
import { isReceivableVoucherJson, verifyReceivableVoucherPdf } from './verify-voucher';

export { failureDetail, parsedRevocations, type Check, type CheckStatus, type TrustRoots } from './checks';

export interface Verdict {
  ok: boolean;
  mode: 'online' | 'offline';
  /** What the document is: confirmation evidence, a mortgage registration certificate, or a receivable voucher. */
  kind?: 'confirmation' | 'mortgage-certificate' | 'receivable-voucher';
  confirmationId?: string;
  /** The engagement a confirmation is of (what a bundle manifest is compared with). */
  engagementId?: string;
  /** The registration a certificate is of. */
  mortgageId?: string;
  /** The receivable a voucher is of. */
  receivableId?: string;
  evidenceHash?: string;
  generatedBy?: string;
  /** What the EVM chain says about the evidence's anchor, when the `evm-anchor` check passed. */
  anchor?: AnchorFacts;
  checks: Check[];
}

/** What an online verification reads from the ledger (implemented over the SDK in ledger/). */
export interface LedgerView {
  /** The firm's own read (GetConfirmationEvidence); other callers are refused by the chaincode. */
  confirmationEvidence(id: string): Promise<ConfirmationEvidence>;
  /** `timestamp`: the transaction's channel-header time as the block holds it (ledger/transactions.ts); without it, no time is ledger-proven. */
  transaction(txId: string): Promise<{ blockNumber: bigint; validationCode: string; actor: ActorFacts; timestamp?: Date }>;
  /**
   * For anyone else on the channel: the record as transaction `txId` wrote it (from the block's
   * read-write set) and the registry's signing key of that kid, so a regulator or a court's expert
   * holding a channel identity verifies online too.
   */
  committedRecord?(txId: string, id: string): Promise<ConfirmationRequest | undefined>;
  /** The registration as this identity may read it now (GetMortgageEvidence); a non-reader is refused. */
  mortgageEvidence?(id: string): Promise<MortgageEvidence>;
  /** The registration as transaction `txId` wrote it, from the committed block (any channel member). */
  committedMortgage?(txId: string, id: string): Promise<MortgageRecord | undefined>;
  /** The receivable as this identity may read it now (GetReceivableEvidence); a non-reader is refused. */
  receivableEvidence?(id: string): Promise<ReceivableEvidence>;
  /** The receivable as transaction `txId` wrote it, from the committed block (any channel member). */
  committedReceivable?(txId: string, id: string): Promise<ReceivableRecord | undefined>;
  /** The registry's entry of an institution (parties, the firm's MSP, the responder's keys). */
  institution?(institutionId: string): Promise<RegistryEntry | undefined>;
}

/** What the verifier needs of a registry record: the party facts printed in the evidence and its signing keys. */
export interface RegistryEntry {
  id: string;
  kind: string;
  mspId: string;
  nameZh: string;
  nameEn: string;
  /** Current and retired signing keys: an old reply stays verifiable after a rotation. */
  signingKeys: readonly { kid: string; jwk: PublicJwk }[];
}

/** A registry snapshot the verifier brings along for offline verification (never taken from the document). */
export type RegistrySnapshot = ReadonlyMap<string, RegistryEntry>;

export interface VerifyOptions {
  roots: TrustRoots;
  /** CRLs (DER) per MSP id, as the channel configuration carries them; a revoked certificate fails its chain. */
  revocations?: ReadonlyMap<string, readonly Buffer[]>;
  /** Absent: offline mode — everything but the ledger is checked, and the verdict says so. */
  ledger?: LedgerView;
  /**
   * Check certificate validity at this time (default: now). Never a time the document states (/M,
   * generatedAt, preparedAt): a forger back-dates those to use an expired or revoked certificate.
   * Online, the reply certificate is checked at the reply transaction's time on the ledger instead.
   * The verifier's own choice: the gateway never sets it, and its HTTP API takes no `at` from a caller.
   */
  at?: Date;
  /** Offline: the registry as the verifier exported it; without it the parties and the responder's key are reported unchecked. */
  registry?: RegistrySnapshot;
  /** The EVM node and contract to check the evidence's anchor against (no Fabric access needed); absent: the anchor is reported unchecked. */
  evm?: EvmTrust;
}

/** Confirmation evidence is signed by the evidence certificate of the record's firm, under the firm's MSP. */
function firmSigner(doc: EvidenceDocument): SignerExpectation {
  return {
    mspId: doc.generatedBy.mspId,
    describe: `evidence certificate of ${doc.record.firmId}`,
    problem: (leaf) =>
      doc.generatedBy.id !== doc.record.firmId || doc.parties.firm.mspId !== doc.generatedBy.mspId
        ? `the evidence is generated by ${doc.generatedBy.id}, not by the firm of the record`
        : evidenceCertificateProblem(leaf, doc.record.firmId),
  };
}

/**
 * Verifies an evidence PDF without trusting whoever made it: the PDF signature (byte range, digest,
 * CMS signature, chain to the generating institution's MSP root), the evidence JWS and the
 * responder's reply JWS with their chains, the embedded content against the salted hashes, and —
 * online — the hashes and transactions against the ledger. Every check is reported.
 */
export async function verifyEvidencePdf(pdf: Uint8Array, options: VerifyOptions): Promise<Verdict> {
  const bytes = Buffer.from(pdf);
  const checks = new Checks();
  const verdict: Verdict = { ok: false, mode: options.ledger ? 'online' : 'offline', checks: checks.list };
  const crls = parsedRevocations(options.revocations);

  // 1. Attachments and the evidence JSON (needed to know whose roots apply).
  let attachments: ExtractedAttachment[] = [];
  let doc: EvidenceDocument | undefined;
  let evidenceBytes: Buffer | undefined;
  await checks.run('attachments', 'MALFORMED_PDF', async () => {
    attachments = await extractAttachments(bytes);
    evidenceBytes = single(attachments, ATTACHMENT.evidenceJson);
    if (!evidenceBytes) throw new Error(`no ${ATTACHMENT.evidenceJson} attached`);
    if (isMortgageCertificateJson(evidenceBytes) || isReceivableVoucherJson(evidenceBytes)) return;
    doc = parseEvidenceJson(evidenceBytes.toString('utf8'));
    verdict.kind = 'confirmation';
    verdict.confirmationId = doc.record.id;
    verdict.engagementId = doc.record.engagementId;
    verdict.evidenceHash = sha256Hex(evidenceBytes);
    verdict.generatedBy = `${doc.generatedBy.id} (${doc.generatedBy.mspId})`;
    checks.pass('attachments', `${attachments.map((a) => a.name).join(', ')}; evidence of ${doc.record.id} by ${doc.generatedBy.id}`);
  });

  // A registration certificate (不动产登记证明) is the same kind of signed document with other checks.
  if (!doc && evidenceBytes && isMortgageCertificateJson(evidenceBytes)) return verifyMortgageCertificatePdf(bytes, attachments, evidenceBytes, options, checks, verdict, crls);
  // So is a receivable voucher (电子债权凭证).
  if (!doc && evidenceBytes && isReceivableVoucherJson(evidenceBytes)) return verifyReceivableVoucherPdf(bytes, attachments, evidenceBytes, options, checks, verdict, crls);

  // 2. The PDF signature, by the evidence certificate of the firm the record names (the record is
  // compared with the ledger below, the firm's MSP with the registry): not any member of some MSP.
  const at = options.at ?? new Date();
  const pdfSigner = checkPdfSignature(checks, bytes, doc ? firmSigner(doc) : undefined, at, options.roots, crls);

  if (!doc || !evidenceBytes) {
    verdict.ok = false;
    return verdict;
  }
  const evidence = doc;
  const evidenceText = evidenceBytes;

  // 3. The evidence JWS: signed by the same institution (same certificate as the PDF signature).
  await checkDocumentJws(checks, attachments, evidenceText, EVIDENCE_JWS_TYPE, evidence.generatedBy.mspId, pdfSigner, at, options.roots, crls);

  // 4. Content against the salted hashes.
  await checks.run('letter-hash', 'CONTENT_MISMATCH', () => {
    const hash = saltedHash(evidence.letter.content, evidence.letter.salt);
    if (hash !== evidence.letter.contentHash) checks.fail('letter-hash', 'CONTENT_MISMATCH', `letter content hashes to ${hash}, evidence states ${evidence.letter.contentHash}`);
    else checks.pass('letter-hash', `salted SHA-256 of the letter = ${hash}`);
  });
  const reply = evidence.reply;
  if (reply) {
    await checks.run('reply-hash', 'CONTENT_MISMATCH', () => {
      const hash = saltedHash(reply.content, reply.salt);
      if (hash !== reply.contentHash) checks.fail('reply-hash', 'CONTENT_MISMATCH', `reply content hashes to ${hash}, evidence states ${reply.contentHash}`);
      else checks.pass('reply-hash', `salted SHA-256 of the reply = ${hash}`);
    });
    // 5. The responder's own JWS: by its registered key, over this reply, chained to its MSP when it has a certificate.
    await checks.run('reply-jws', 'REPLY_JWS_INVALID', async () => {
      const attached = single(attachments, ATTACHMENT.replyJws);
      if (!attached) throw new Error(`no ${ATTACHMENT.replyJws} attached`);
      const jws = attached.toString('ascii');
      if (jws !== reply.signature) {
        checks.fail('reply-jws', 'ATTACHMENT_MISMATCH', `the attached ${ATTACHMENT.replyJws} is not the reply signature in the evidence JSON`);
        return;
      }
      if (sha256Hex(jws) !== reply.signatureHash) {
        checks.fail('reply-jws', 'SIGNATURE_HASH_MISMATCH', `sha256 of the reply JWS is ${sha256Hex(jws)}, the ledger's signatureHash is ${reply.signatureHash}`);
        return;
      }
      const { header } = decodeCompactJws(jws);
      if (header.alg !== 'ES256' || header.kid !== reply.signingKid) throw new Error(`reply JWS header alg=${String(header.alg)} kid=${String(header.kid)}; the ledger names ${reply.signingKid}`);
      // The SDK's one implementation (shared with the gateway): signature by the registry key, and
      // exactly this confirmation, conclusion and content hash signed.
      try {
        await verifyReplySignature(jws, reply.signingKey.jwk, { confirmationId: evidence.record.id, conclusion: reply.conclusion, contentHash: reply.contentHash });
      } catch (err) {
        const message = (err as Error).message;
        checks.fail('reply-jws', /differs|payload/.test(message) ? 'REPLY_PAYLOAD_MISMATCH' : 'REPLY_JWS_INVALID', `reply JWS by ${reply.signingKid}: ${message}`);
        return;
      }
      const chain = x5cChain(header);
      const responderMsp = evidence.parties.responder.mspId;
      if (!chain[0]) {
        checks.pass('reply-jws', `ES256 by the key ${reply.signingKid} the evidence names; no x5c (the key is bound to ${evidence.parties.responder.id} by the registry: see the registry check)`);
        return;
      }
      const leafKey = certificatePublicJwk(chain[0]);
      if (leafKey.x !== reply.signingKey.jwk.x || leafKey.y !== reply.signingKey.jwk.y) {
        checks.fail('reply-jws', 'CERTIFICATE_KEY_MISMATCH', "the x5c certificate is for another key than the responder's registry signing key");
        return;
      }
      // Valid when the reply was committed, as the ledger times it; never preparedAt or a step's
      // `at` (the document's own words), and only without a ledger time the verifier's clock.
      let when: Awaited<ReturnType<typeof replyCommitTime>>;
      try {
        when = await replyCommitTime(evidence, options);
      } catch (err) {
        checks.fail('reply-jws', 'LEDGER_UNAVAILABLE', `the reply transaction's time could not be read from the ledger: ${failureDetail(err)}`);
        return;
      }
      const trust = verifyChain(chain, rootsFor(options.roots, responderMsp), when.at, crls);
      if (!trust.ok) {
        checks.fail('reply-jws', chainFailure(trust), `reply JWS certificate outside ${responderMsp}: ${trust.reason}${when.txId ? ` (the time of the reply transaction ${when.txId} on the ledger)` : ''}`);
        return;
      }
      checks.pass('reply-jws', `ES256 by ${evidence.parties.responder.id} key ${reply.signingKid}, certificate '${trust.subject}' chains to ${responderMsp}, valid at ${when.at.toISOString()}${when.txId ? ` (the reply transaction ${when.txId} as the ledger times it)` : ''}; sha256 = ledger signatureHash`);
      if (!when.txId) checks.skip('reply-certificate-time', 'TIME_NOT_LEDGER_PROVEN', `the reply certificate was checked valid at the verifier's time ${when.at.toISOString()}, not at the reply transaction's time on the ledger: ${when.why}`);
    });
  }

  // The firm's cross-check, when the evidence carries one (issue 14).
  const crossCheck = evidence.crossCheck;
  if (crossCheck) {
    await checks.run('cross-check', 'CROSS_CHECK_MISMATCH', async () => {
      const problems = crossCheckProblems(evidence);
      if (crossCheck.recorded && options.ledger) {
        try {
          const facts = await options.ledger.transaction(crossCheck.recorded.txId);
          if (facts.validationCode !== 'VALID') problems.push(`the summary transaction was committed ${facts.validationCode}`);
          if (facts.actor.mspId !== evidence.parties.firm.mspId) problems.push('the summary transaction was not submitted by the firm');
        } catch (err) {
          problems.push(`the summary transaction ${crossCheck.recorded.txId}: ${(err as Error).message}`);
        }
      }
      if (problems.length > 0) checks.fail('cross-check', 'CROSS_CHECK_MISMATCH', problems.join('; '));
      else {
        const recorded = crossCheck.recorded ? (options.ledger ? `; summary transaction ${crossCheck.recorded.txId} VALID, by the firm` : '; summary transaction not looked up (offline)') : '';
        checks.pass('cross-check', `${crossCheck.exceptions.length} exception(s) against the ledger at height ${crossCheck.basis.ledgerHeight}, of this reply and its transactions in the timeline${recorded}`);
      }
    });
  }

  // 6. The registry: parties, the firm's MSP and the responder's key, from the ledger or the verifier's snapshot.
  const lookup = registryLookup(options);
  if (lookup) await checks.run('registry', 'LEDGER_UNAVAILABLE', () => checkRegistry(checks, evidence, lookup));
  else {
    checks.skip('registry', 'NO_REGISTRY', "offline without a registry snapshot: the parties, the firm's MSP and the responder's signing key were not checked (they are the document's own)");
  }

  // 7. The ledger.
  if (!options.ledger) {
    checks.skip('ledger-hashes', 'OFFLINE', 'offline: the record and hashes were not compared with the ledger');
    checks.skip('ledger-transactions', 'OFFLINE', 'offline: the transactions were not looked up in committed blocks');
  } else {
    await checkLedger(checks, evidence, options.ledger);
  }

  // 8. The public anchor, against the verifier's EVM node alone (nothing to report when neither the
  // document claims an anchor nor the verifier asked for one).
  await runAnchorCheck(checks, attachments, evidenceLeafFacts(evidence), options.evm, verdict);

  verdict.evidenceHash = evidenceHash(evidence);
  verdict.ok = checks.ok();
  return verdict;
}

/**
 * The step of the transaction that committed the reply (PrepareReply, which writes its JWS hash): the
 * last `reply-prepared` step up to the first `replied` one (a bank's reviewer approves with a later
 * transaction; a send-back and a new preparation write another reply), or, for a responder without
 * maker-checker, the `replied` step itself. The timeline is the document's, but online the ledger
 * checks hold it to the ledger's trail (the firm) or to what each step wrote (anyone else).
 */
function replyStep(doc: EvidenceDocument): EvidenceDocument['timeline'][number] | undefined {
  const final = doc.timeline.findIndex((s) => s.state === ConfirmationState.Replied);
  const upTo = final < 0 ? doc.timeline : doc.timeline.slice(0, final + 1);
  return upTo.filter((s) => s.state === ConfirmationState.ReplyPrepared).pop() ?? (final < 0 ? undefined : upTo[final]);
}

/**
 * When to check the reply certificate's validity: online, the reply transaction's channel-header
 * timestamp read from its committed block (a certificate that expired after the reply was
 * committed still signed it in time; one not yet or no longer valid then did not); otherwise the
 * verifier's `at` or now, with the reason no ledger time was used (reported, never silent).
 */
async function replyCommitTime(doc: EvidenceDocument, options: VerifyOptions): Promise<{ at: Date; txId?: string; why?: string }> {
  const fallback = options.at ?? new Date();
  if (!options.ledger) return { at: fallback, why: 'offline' };
  const step = replyStep(doc);
  if (!step) return { at: fallback, why: 'the timeline names no reply transaction' };
  // A failed read fails the check (LEDGER_UNAVAILABLE): online, the ledger's time is not optional.
  const facts = await options.ledger.transaction(step.txId);
  if (!facts.timestamp) return { at: fallback, why: `the ledger view gave no timestamp for ${step.txId}` };
  return { at: facts.timestamp, txId: step.txId };
}

/** Record fields that the ledger derives at read time rather than stores. */
const DERIVED_FIELDS = new Set(['overdue', 'letter', 'reply']);

/**
 * Differences between the evidence and a ledger record of the same request: every field of the
 * record both ways, and the hashes. Details name the field, never the ledger's value: a caller who
 * may not read the record must not learn it from a hand-made document (issue 10 §2).
 */
function recordProblems(doc: EvidenceDocument, c: ConfirmationRequest): string[] {
  const problems: string[] = [];
  const ledgerFields = c as unknown as Record<string, unknown>;
  const docFields = doc.record as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ledgerFields), ...Object.keys(docFields)])].filter((k) => !DERIVED_FIELDS.has(k)).sort();
  const differing = keys.filter((k) => canonicalJson(ledgerFields[k] ?? null) !== canonicalJson(docFields[k] ?? null));
  if (differing.length > 0) problems.push(`record fields differ from the ledger: ${differing.join(', ')}`);
  const auth = doc.authorization;
  const recordAuth = doc.record.authorization as unknown as Record<string, unknown> | undefined;
  if (Boolean(auth) !== Boolean(recordAuth) || (auth && Object.entries(auth).some(([k, v]) => canonicalJson(recordAuth?.[k] ?? null) !== canonicalJson(v ?? null)))) {
    problems.push('the authorization differs from the record');
  }
  if (c.letter.contentHash !== doc.letter.contentHash) problems.push('letter hash differs from the ledger');
  if (sha256Hex(c.letter.ciphertext) !== doc.letter.ciphertextSha256) problems.push('letter ciphertext differs from the ledger');
  if (Boolean(doc.reply) !== Boolean(c.reply)) problems.push(doc.reply ? 'the ledger holds no reply' : 'the evidence omits the reply the ledger holds');
  if (doc.reply && c.reply) {
    if (c.reply.contentHash !== doc.reply.contentHash) problems.push('reply hash differs from the ledger');
    if (sha256Hex(c.reply.ciphertext) !== doc.reply.ciphertextSha256) problems.push('reply ciphertext differs from the ledger');
    if (c.reply.signatureHash !== doc.reply.signatureHash) problems.push('reply signatureHash differs from the ledger');
    if (c.reply.signingKid !== doc.reply.signingKid) problems.push('reply signing kid differs from the ledger');
    if (c.reply.conclusion !== doc.reply.conclusion) problems.push('reply conclusion differs from the ledger');
  }
  return problems;
}

/** The committed steps up to the evidence's last one, in order, against the evidence's timeline: a dropped or an added step fails. */
function timelineProblems(doc: EvidenceDocument, trail: readonly { txId: string; state: string }[]): string[] {
  const last = doc.timeline[doc.timeline.length - 1];
  const end = last ? trail.findIndex((s) => s.txId === last.txId) : -1;
  if (end < 0) return ["the evidence's last transaction is not in the ledger's trail"];
  const committed = trail.slice(0, end + 1);
  if (committed.length !== doc.timeline.length || committed.some((s, i) => s.txId !== doc.timeline[i]?.txId || s.state !== doc.timeline[i]?.state)) {
    return [`the timeline differs from the ledger's trail (${doc.timeline.length} steps in the evidence, ${committed.length} committed up to its last)`];
  }
  return [];
}

/** Parties, the firm's MSP and the responder's key as the registry holds them. */
async function checkRegistry(checks: Checks, doc: EvidenceDocument, lookup: RegistryLookup): Promise<void> {
  const roles = { firm: doc.record.firmId, client: doc.record.clientId, addressee: doc.record.addresseeId, responder: doc.record.responderId } as const;
  // Looked up by the record's ids; what the document prints beside them must be the registry's.
  const printed = (Object.entries(roles) as [keyof typeof roles, string][]).map(([role, id]) => [role, doc.parties[role], id] as const);
  const problems = await registeredPartyProblems(printed, lookup, (role, entry) => {
    if (role === 'firm' && entry.mspId !== doc.generatedBy.mspId) return `the evidence is signed under ${doc.generatedBy.mspId}, the firm ${entry.id} is registered under another MSP`;
    if (role === 'responder' && doc.reply) {
      const key = entry.signingKeys.find((k) => k.kid === doc.reply?.signingKid)?.jwk;
      if (!sameKey(key, doc.reply.signingKey.jwk)) return `the registry holds another key (or none) under ${doc.reply.signingKid} for ${entry.id}`;
    }
    return undefined;
  });
  if (problems.length > 0) checks.fail('registry', 'REGISTRY_MISMATCH', problems.join('; '));
  else checks.pass('registry', `parties ${Object.values(roles).join(', ')}, the firm's MSP${doc.reply ? " and the responder's key" : ''} as registered`);
}

function sameKey(a: PublicJwk | undefined, b: PublicJwk): boolean {
  return a !== undefined && a.x === b.x && a.y === b.y;
}

async function checkLedger(checks: Checks, doc: EvidenceDocument, ledger: LedgerView): Promise<void> {
  await checks.run('ledger-hashes', 'LEDGER_UNAVAILABLE', async () => {
    let onLedger: ConfirmationEvidence;
    try {
      onLedger = await ledger.confirmationEvidence(doc.record.id);
    } catch (err) {
      // Not the firm: the chaincode answers FORBIDDEN or, to a stranger, NOT_FOUND. Read the blocks instead.
      if (err instanceof LedgerCallError && (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND') && ledger.committedRecord) {
        await checkCommittedRecord(checks, doc, ledger);
        return;
      }
      throw err;
    }
    const last = doc.timeline[doc.timeline.length - 1];
    // The record as the evidence's last step committed it (later steps may have changed it since).
    const c = (last && ledger.committedRecord ? await ledger.committedRecord(last.txId, doc.record.id) : undefined) ?? onLedger.confirmation;
    const problems = [...recordProblems(doc, c), ...timelineProblems(doc, onLedger.trail)];
    if (doc.reply && !sameKey(onLedger.responderSigningKey?.jwk, doc.reply.signingKey.jwk)) problems.push("the responder's registry key differs from the evidence's");
    if (problems.length > 0) checks.fail('ledger-hashes', 'LEDGER_MISMATCH', problems.join('; '));
    else checks.pass('ledger-hashes', `the ledger holds the same record, steps and letter${doc.reply ? ', reply and reply-signature' : ''} hashes for ${doc.record.id}`);
  });
  await checks.run('ledger-transactions', 'LEDGER_UNAVAILABLE', async () => {
    const problems = await stepTransactionProblems(ledger, doc.timeline, 'evidence');
    if (problems.length > 0) checks.fail('ledger-transactions', 'TRANSACTION_MISMATCH', problems.join('; '));
    else checks.pass('ledger-transactions', `${doc.timeline.length} transactions found VALID in committed blocks ${doc.timeline.map((s) => s.blockNumber).join(', ')}, submitted by the identities stated`);
  });
}

/** The ledger check for a verifier who is not the firm: the record as the evidence's last transaction committed it. */
async function checkCommittedRecord(checks: Checks, doc: EvidenceDocument, ledger: LedgerView): Promise<void> {
  const last = doc.timeline[doc.timeline.length - 1];
  if (!last || !ledger.committedRecord) throw new Error('the evidence lists no transaction to look up');
  const record = await ledger.committedRecord(last.txId, doc.record.id);
  if (!record) {
    checks.fail('ledger-hashes', 'LEDGER_MISMATCH', `transaction ${last.txId} wrote no record of ${doc.record.id}`);
    return;
  }
  const problems = recordProblems(doc, record);
  // No trail for a non-firm reader: every step must have written this record in its state, and
  // every act the committed record holds must be a step of the timeline (a dropped step fails).
  for (const step of doc.timeline) {
    const written = step === last ? record : await ledger.committedRecord(step.txId, doc.record.id);
    if (written?.state !== step.state) problems.push(`transaction ${step.txId} did not write the state the timeline states`);
  }
  const steps = new Set(doc.timeline.map((s) => s.at));
  const acts = { issued: record.issued, authorization: record.authorization, refusal: record.refusal, acceptance: record.acceptance, return: record.return, auditorAcceptance: record.auditorAcceptance, recall: record.recall };
  const dropped = Object.entries(acts).filter(([, act]) => act && !steps.has(act.at)).map(([name]) => name);
  if (dropped.length > 0) problems.push(`committed steps missing from the timeline: ${dropped.join(', ')}`);
  if (problems.length > 0) checks.fail('ledger-hashes', 'LEDGER_MISMATCH', problems.join('; '));
  else checks.pass('ledger-hashes', `as committed by ${last.txId} (block ${last.blockNumber}): the same letter${doc.reply ? ', reply and reply-signature' : ''} hashes (read from the block: this identity is not the firm)`);
}
