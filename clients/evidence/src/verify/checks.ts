import { saltedHash, sha256Hex } from '@econfirm/common';
import { verifyChain } from '../crypto/certificates';
import { verifyDetachedCms } from '../crypto/cms';
import { parseCrl, type ParsedCrl } from '../crypto/crl';
import { decodeCompactJws, verifyCompactJws, x5cChain } from '../crypto/jws';
import type { ExtractedAttachment } from '../pdf/attachments';
import { extractSignature } from '../pdf/pades';
import { ATTACHMENT } from '../pdf/render';
import type { SealedPart } from '../model/mortgage-certificate';
import type { LedgerView, RegistryEntry, Verdict, VerifyOptions } from './verify-evidence';

export type CheckStatus = 'pass' | 'fail' | 'skipped';

/** One check of the verdict; `code` is machine-readable and stable, `detail` is for people. */
export interface Check {
  id: string;
  status: CheckStatus;
  code: string;
  detail: string;
}

/** Trust anchors per MSP id: the root (and intermediate) certificates of each org, DER. */
export type TrustRoots = ReadonlyMap<string, readonly Buffer[]>;

export class Checks {
  readonly list: Check[] = [];
  pass(id: string, detail: string): void {
    this.list.push({ id, status: 'pass', code: 'OK', detail });
  }
  fail(id: string, code: string, detail: string): void {
    this.list.push({ id, status: 'fail', code, detail });
  }
  skip(id: string, code: string, detail: string): void {
    this.list.push({ id, status: 'skipped', code, detail });
  }
  /** Runs a check; an exception is that check's failure, never the verifier's crash. */
  async run(id: string, code: string, work: () => Promise<void> | void): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.fail(id, code, failureDetail(err));
    }
  }
  /** Every check passed or was skipped, and the PDF signature is among those that passed. */
  ok(): boolean {
    return this.list.every((c) => c.status !== 'fail') && this.list.some((c) => c.id === 'pdf-signature' && c.status === 'pass');
  }
}

/**
 * What a failed check reports. A check's own refusal says what is wrong; a crash inside a parser on
 * a malformed structure (pdf-lib's "Cannot read properties of undefined…", a Buffer read out of
 * range) says only that the part could not be read — its text describes our code, not the
 * document, and is not given to the caller (issue 17 §4).
 */
export function failureDetail(err: unknown): string {
  if (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) return 'the document is malformed: this part of it could not be read';
  return err instanceof Error ? err.message : String(err);
}

export function rootsFor(roots: TrustRoots, mspId: string): readonly Buffer[] {
  return roots.get(mspId) ?? [];
}

/** Every CRL of every MSP, parsed once per verification (a CRL only counts for the issuer that signed it). */
export function parsedRevocations(revocations: ReadonlyMap<string, readonly Buffer[]> | undefined): ParsedCrl[] {
  const parsed: ParsedCrl[] = [];
  for (const list of revocations?.values() ?? []) {
    for (const der of list) {
      try {
        parsed.push(parseCrl(der));
      } catch {
        // an unreadable CRL revokes nothing; the MSP would have refused it too
      }
    }
  }
  return parsed;
}

export const chainFailure = (chain: { revoked?: boolean }): string => (chain.revoked ? 'CERTIFICATE_REVOKED' : 'CERTIFICATE_UNTRUSTED');

export function single(attachments: readonly ExtractedAttachment[], name: string): Buffer | undefined {
  const found = attachments.filter((a) => a.name === name);
  if (found.length > 1) throw new Error(`attachment ${name} appears ${found.length} times`);
  return found[0]?.bytes;
}

/**
 * Whose signature the document must carry: certificates chaining to `mspId`'s root (the
 * verifier's roots), and a leaf `problem` finds nothing wrong with (the role of the signer:
 * the record's firm's, the record's registry's evidence certificate). Absent when the document
 * could not be read: the signature is checked, its signer cannot be.
 */
export interface SignerExpectation {
  mspId: string;
  problem: (leaf: Buffer) => string | undefined;
  /** For the passing detail: "evidence certificate of FIRM1". */
  describe: string;
}

/** The PDF signature (one, covering the whole file, CMS digest and signature) and its signer; returns the signer's certificate. */
export function checkPdfSignature(checks: Checks, bytes: Buffer, signer: SignerExpectation | undefined, at: Date, roots: TrustRoots, crls: readonly ParsedCrl[]): Buffer | undefined {
  let leaf: Buffer | undefined;
  try {
    const signature = extractSignature(bytes);
    if (signature.count !== 1) throw new Error(`expected one signature, found ${signature.count}`);
    if (!signature.coversWholeFile) throw new Error('the signature does not cover the end of the file (content was appended after signing)');
    const cms = verifyDetachedCms(signature.cms, signature.signedContent);
    if (cms.problems.length > 0 || !cms.signer) {
      checks.fail('pdf-signature', cms.digestMatches ? 'PDF_SIGNATURE_INVALID' : 'PDF_DIGEST_MISMATCH', cms.problems.join('; '));
      return undefined;
    }
    leaf = cms.chain[0];
    checks.pass('pdf-signature', `PAdES (ETSI.CAdES.detached) by ${cms.signer.subject.replace(/\n/g, ', ')}; byte range [${signature.byteRange.join(' ')}] covers the whole file`);
    if (!signer) {
      checks.fail('pdf-certificate', 'UNKNOWN_INSTITUTION', 'no evidence JSON: cannot tell which MSP root applies');
      return leaf;
    }
    const chain = verifyChain(cms.chain, rootsFor(roots, signer.mspId), at, crls);
    if (!chain.ok) {
      checks.fail('pdf-certificate', chainFailure(chain), `${signer.mspId}: ${chain.reason}`);
      return leaf;
    }
    const purpose = signer.problem(cms.chain[0] as Buffer);
    if (purpose) checks.fail('pdf-certificate', 'NOT_EVIDENCE_CERTIFICATE', purpose);
    else checks.pass('pdf-certificate', `${signer.describe}, chains to ${signer.mspId} root '${chain.root}'`);
  } catch (err) {
    checks.fail(checks.list.some((c) => c.id === 'pdf-signature') ? 'pdf-certificate' : 'pdf-signature', 'PDF_SIGNATURE_INVALID', failureDetail(err));
  }
  return leaf;
}

/** The JWS over the attached JSON: ES256 by its x5c leaf, the JSON byte for byte, chained to `mspId`, by the PDF's signer. */
export async function checkDocumentJws(checks: Checks, attachments: readonly ExtractedAttachment[], json: Buffer, typ: string, mspId: string, pdfSigner: Buffer | undefined, at: Date, roots: TrustRoots, crls: readonly ParsedCrl[]): Promise<void> {
  await checks.run('evidence-jws', 'EVIDENCE_JWS_INVALID', async () => {
    const jwsBytes = single(attachments, ATTACHMENT.evidenceJws);
    if (!jwsBytes) throw new Error(`no ${ATTACHMENT.evidenceJws} attached`);
    const jws = jwsBytes.toString('ascii');
    const { header } = decodeCompactJws(jws);
    if (header.alg !== 'ES256' || header.typ !== typ) throw new Error(`unexpected JWS header alg=${String(header.alg)} typ=${String(header.typ)}`);
    const chain = x5cChain(header);
    if (!chain[0]) throw new Error('the evidence JWS carries no x5c certificate');
    const payload = await verifyCompactJws(jws, { certificate: chain[0] });
    if (!payload.equals(json)) {
      checks.fail('evidence-jws', 'ATTACHMENT_MISMATCH', `the JWS signs other content than the attached ${ATTACHMENT.evidenceJson} (payload sha256 ${sha256Hex(payload)}, attachment ${sha256Hex(json)})`);
      return;
    }
    const trust = verifyChain(chain, rootsFor(roots, mspId), at, crls);
    if (!trust.ok) {
      checks.fail('evidence-jws', chainFailure(trust), `x5c of the evidence JWS: ${mspId}: ${trust.reason}`);
      return;
    }
    if (pdfSigner && !pdfSigner.equals(chain[0])) {
      checks.fail('evidence-jws', 'SIGNER_MISMATCH', 'the evidence JWS and the PDF signature are by different certificates');
      return;
    }
    checks.pass('evidence-jws', `ES256 by '${trust.subject}', chains to ${mspId}; signs the attached JSON (sha256 ${sha256Hex(json)})`);
  });
}

/** A committed step a document states: its transaction, block and submitter. */
export interface StatedStep {
  txId: string;
  blockNumber: string;
  actor: { mspId: string; certificateSha256: string };
}

type TransactionFacts = Awaited<ReturnType<LedgerView['transaction']>>;

/**
 * Each stated step looked up in the committed blocks (qscc): in the block stated, VALID, submitted
 * by the certificate stated; `more` adds what the document's kind asks of a step's submitter.
 */
export async function stepTransactionProblems<S extends StatedStep>(ledger: LedgerView, steps: readonly S[], what: string, more?: (step: S, facts: TransactionFacts) => string | undefined): Promise<string[]> {
  const problems: string[] = [];
  for (const step of steps) {
    let facts: TransactionFacts;
    try {
      facts = await ledger.transaction(step.txId);
    } catch (err) {
      problems.push(`${step.txId}: ${(err as Error).message}`);
      continue;
    }
    if (facts.blockNumber.toString() !== step.blockNumber) problems.push(`${step.txId} is in block ${facts.blockNumber}, not ${step.blockNumber}`);
    if (facts.validationCode !== 'VALID') problems.push(`${step.txId} was committed ${facts.validationCode}`);
    if (facts.actor.certificateSha256 !== step.actor.certificateSha256 || facts.actor.mspId !== step.actor.mspId) problems.push(`${step.txId} was submitted by another identity than the ${what} states`);
    const extra = more?.(step, facts);
    if (extra) problems.push(extra);
  }
  return problems;
}

/** Does the attached JSON say it is of `format`? (Its shape is the verifier's to check.) */
export function declaresFormat(bytes: Buffer, format: string): boolean {
  try {
    return (JSON.parse(bytes.toString('utf8')) as { format?: unknown } | null)?.format === format;
  } catch {
    return false;
  }
}

/** The verdict is ok when every check that ran passed. */
export function concluded(checks: Checks, verdict: Verdict): Verdict {
  verdict.ok = checks.ok();
  return verdict;
}

export type RegistryLookup = (id: string) => Promise<RegistryEntry | undefined>;

/** Where a verifier looks institutions up: the ledger's registry online, else the snapshot it brought, else nowhere. */
export function registryLookup(options: Pick<VerifyOptions, 'ledger' | 'registry'>): RegistryLookup | undefined {
  return options.ledger?.institution?.bind(options.ledger) ?? (options.registry ? (id: string) => Promise.resolve(options.registry?.get(id)) : undefined);
}

type PrintedParty = Pick<RegistryEntry, 'id' | 'kind' | 'mspId' | 'nameZh' | 'nameEn'>;

/**
 * Each printed party against the registry entry of `id` (by default the id it prints): registered,
 * with the same id, kind, MSP and names; `more` adds what a role must also be (the signer's MSP,
 * the responder's key).
 */
export async function registeredPartyProblems(
  parties: readonly (readonly [role: string, party: PrintedParty, id?: string])[],
  lookup: RegistryLookup,
  more?: (role: string, entry: RegistryEntry) => string | undefined,
): Promise<string[]> {
  const problems: string[] = [];
  for (const [role, party, id = party.id] of parties) {
    const entry = await lookup(id);
    if (!entry) {
      problems.push(`${role} ${id} is not in the registry`);
      continue;
    }
    const differing = (['id', 'kind', 'mspId', 'nameZh', 'nameEn'] as const).filter((f) => party[f] !== entry[f]);
    if (differing.length > 0) problems.push(`${role} ${id}: ${differing.join(', ')} differ from the registry`);
    const extra = more?.(role, entry);
    if (extra) problems.push(extra);
  }
  return problems;
}

/** A disclosed part must reproduce its salted hash; an undisclosed one carries nothing. */
export function partProblems(part: SealedPart, what: string): string[] {
  if (!part.disclosed) return part.content === undefined && part.salt === undefined ? [] : [`the ${what} is marked undisclosed but carries content`];
  if (typeof part.salt !== 'string') return [`the disclosed ${what} has no salt`];
  const hash = saltedHash(part.content, part.salt);
  return hash === part.contentHash ? [] : [`the ${what} content hashes to ${hash}, the certificate states ${part.contentHash}`];
}
