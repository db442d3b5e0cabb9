import { canonicalJson, sha256Hex } from '@econfirm/common';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { evidenceCertificateProblem, verifyChain } from '../crypto/certificates';
import { decodeCompactJws, signCompactJws, verifyCompactJws, x5cChain } from '../crypto/jws';
import type { EvidenceDocument, PartySummary } from '../model/evidence-document';
import type { EvidenceSigner } from '../signer';
import { chainFailure, rootsFor } from '../verify/checks';
import { parsedRevocations, verifyEvidencePdf, type Check, type Verdict, type VerifyOptions } from '../verify/verify-evidence';

export const BUNDLE_FORMAT = 'econfirm-evidence-bundle/1';
export const MANIFEST_JSON = 'manifest.json';
export const MANIFEST_JWS = 'manifest.jws';

export interface BundleEntry {
  /** File name inside the bundle: <confirmation id>.pdf */
  file: string;
  confirmationId: string;
  kind: string;
  state: string;
  /** sha256 hex of the PDF file. */
  sha256: string;
  /** sha256 hex of the canonical evidence JSON inside it. */
  evidenceHash: string;
}

/** The signed list of an engagement's evidence PDFs: nothing can be added, dropped or swapped. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  channel: string;
  engagementId: string;
  generatedAt: string;
  generatedBy: PartySummary;
  files: BundleEntry[];
}

export interface EvidenceBundle {
  manifest: BundleManifest;
  manifestJson: string;
  manifestJws: string;
  /** file name → PDF bytes */
  files: Map<string, Buffer>;
}

export const BUNDLE_JWS_TYPE = 'econfirm-evidence-bundle+jws';

/** Builds and signs the manifest over already-signed evidence PDFs (one per letter). */
export async function createEvidenceBundle(
  engagementId: string,
  generatedAt: string,
  letters: readonly { document: EvidenceDocument; pdf: Buffer; evidenceHash: string }[],
  signer: EvidenceSigner,
): Promise<EvidenceBundle> {
  const first = letters[0];
  if (!first) throw new Error(`engagement ${engagementId} has no letters to bundle`);
  const entries = [...letters]
    .sort((a, b) => (a.document.record.id < b.document.record.id ? -1 : 1))
    .map((l): BundleEntry => ({ file: `${l.document.record.id}.pdf`, confirmationId: l.document.record.id, kind: l.document.record.kind, state: l.document.record.state, sha256: sha256Hex(l.pdf), evidenceHash: l.evidenceHash }));
  const manifest: BundleManifest = { format: BUNDLE_FORMAT, channel: first.document.channel, engagementId, generatedAt: new Date(generatedAt).toISOString(), generatedBy: first.document.generatedBy, files: entries };
  const manifestJson = canonicalJson(manifest);
  const manifestJws = await signCompactJws(Buffer.from(manifestJson, 'utf8'), { alg: 'ES256', kid: signer.kid, typ: BUNDLE_JWS_TYPE, x5c: signer.chain.map((c) => c.toString('base64')) }, signer.key);
  const files = new Map(letters.map((l) => [`${l.document.record.id}.pdf`, l.pdf]));
  return { manifest, manifestJson, manifestJws, files };
}

export function writeBundleDirectory(bundle: EvidenceBundle, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, MANIFEST_JSON), bundle.manifestJson);
  writeFileSync(path.join(dir, MANIFEST_JWS), bundle.manifestJws);
  for (const [name, bytes] of bundle.files) writeFileSync(path.join(dir, name), bytes);
}

/** A bundle as one JSON document (for HTTP): the manifest JWS (its payload is the manifest) and base64 PDFs. */
export function bundleToJson(bundle: EvidenceBundle): { manifestJws: string; files: Record<string, string> } {
  return { manifestJws: bundle.manifestJws, files: Object.fromEntries([...bundle.files].map(([name, bytes]) => [name, bytes.toString('base64')])) };
}

export interface BundleVerdict {
  ok: boolean;
  manifest: Check;
  files: Record<string, Verdict>;
}

/** Reads a bundle folder (manifest.jws + PDFs) or its JSON form. */
export function readBundle(source: string | { manifestJws: string; files: Record<string, string> }): { manifestJws: string; files: Map<string, Buffer> } {
  if (typeof source !== 'string') {
    return { manifestJws: source.manifestJws, files: new Map(Object.entries(source.files).map(([n, b64]) => [n, Buffer.from(b64, 'base64')])) };
  }
  const jwsFile = path.join(source, MANIFEST_JWS);
  if (!existsSync(jwsFile)) throw new Error(`${source} has no ${MANIFEST_JWS}`);
  const files = new Map(readdirSync(source).filter((f) => f.endsWith('.pdf')).sort().map((f) => [f, readFileSync(path.join(source, f))]));
  return { manifestJws: readFileSync(jwsFile, 'utf8').trim(), files };
}

/**
 * Verifies an engagement bundle: the manifest's JWS and its chain to the generating firm's MSP
 * root, that the folder holds exactly the listed PDFs with the listed hashes, and every PDF in full.
 */
export async function verifyEvidenceBundle(source: string | { manifestJws: string; files: Record<string, string> }, options: VerifyOptions): Promise<BundleVerdict> {
  const result: BundleVerdict = { ok: false, manifest: { id: 'manifest', status: 'fail', code: 'MANIFEST_INVALID', detail: '' }, files: {} };
  let manifest: BundleManifest;
  let files: Map<string, Buffer>;
  try {
    const bundle = readBundle(source);
    files = bundle.files;
    const { header } = decodeCompactJws(bundle.manifestJws);
    const chain = x5cChain(header);
    if (header.typ !== BUNDLE_JWS_TYPE || !chain[0]) throw new Error('the manifest JWS is not an evidence-bundle JWS with x5c');
    const verified = await verifyCompactJws(bundle.manifestJws, { certificate: chain[0] });
    manifest = JSON.parse(verified.toString('utf8')) as BundleManifest;
    if (manifest.format !== BUNDLE_FORMAT || !Array.isArray(manifest.files)) throw new Error(`manifest format is not ${BUNDLE_FORMAT}`);
    // Valid at the verifier's time (its `at`, else now), never the manifest's own generatedAt: a
    // forger back-dates that to use an expired or revoked key. Nor the latest ledger time among the
    // letters: the manifest is signed when the bundle is generated, after every letter's last
    // transaction, and no transaction commits it or its hash, so a ledger time only bounds its
    // signing from below — checked there, a key that expired or was revoked after the last step
    // could still sign a bundle (the reply JWS differs: its hash is committed, so the reply
    // transaction's time bounds its signing from above, verify-evidence.ts replyCommitTime).
    const trust = verifyChain(chain, rootsFor(options.roots, manifest.generatedBy.mspId), options.at ?? new Date(), parsedRevocations(options.revocations));
    if (!trust.ok) {
      result.manifest = { id: 'manifest', status: 'fail', code: chainFailure(trust), detail: `${manifest.generatedBy.mspId}: ${trust.reason}` };
      return result;
    }
    // Chaining to the MSP the manifest names is not enough: any member of that MSP (a client's
    // enrollment, a registry-key certificate) would do, and the manifest names its MSP itself. It
    // is the firm's evidence certificate, as every letter's PDF signature is (verify-evidence.ts
    // firmSigner); that the firm is each letter's firm is checked per entry below.
    const purpose = evidenceCertificateProblem(chain[0], manifest.generatedBy.id);
    if (purpose) {
      result.manifest = { id: 'manifest', status: 'fail', code: 'NOT_EVIDENCE_CERTIFICATE', detail: purpose };
      return result;
    }
    const listed = new Set(manifest.files.map((f) => f.file));
    const problems: string[] = [];
    for (const entry of manifest.files) {
      const bytes = files.get(entry.file);
      if (!bytes) problems.push(`${entry.file} is listed but missing`);
      else if (sha256Hex(bytes) !== entry.sha256) problems.push(`${entry.file} is not the file the manifest lists (sha256 differs)`);
    }
    for (const name of files.keys()) if (!listed.has(name)) problems.push(`${name} is not in the manifest`);
    if (problems.length > 0) {
      result.manifest = { id: 'manifest', status: 'fail', code: 'BUNDLE_MISMATCH', detail: problems.join('; ') };
    } else {
      result.manifest = { id: 'manifest', status: 'pass', code: 'OK', detail: `${manifest.files.length} letters of engagement ${manifest.engagementId}, signed by '${trust.subject}' (${manifest.generatedBy.mspId})` };
    }
  } catch (err) {
    result.manifest = { id: 'manifest', status: 'fail', code: 'MANIFEST_INVALID', detail: (err as Error).message };
    return result;
  }
  for (const entry of manifest.files) {
    const bytes = files.get(entry.file);
    if (!bytes) continue;
    const verdict = await verifyEvidencePdf(bytes, options);
    const mismatch = entryMismatch(manifest, entry, verdict);
    if (mismatch) {
      verdict.checks.push({ id: 'manifest-entry', status: 'fail', code: 'BUNDLE_MISMATCH', detail: mismatch });
      verdict.ok = false;
    }
    result.files[entry.file] = verdict;
  }
  result.ok = result.manifest.status === 'pass' && Object.keys(result.files).length === manifest.files.length && Object.values(result.files).every((v) => v.ok);
  return result;
}

/**
 * Why a verified letter does not belong in this manifest: another evidence than the entry lists, a
 * letter of another firm than the manifest's signer (a manifest is the firm's word that these are
 * its engagement's letters — nobody else's key may vouch for that), or of another engagement.
 */
function entryMismatch(manifest: BundleManifest, entry: BundleEntry, verdict: Verdict): string | undefined {
  if (verdict.evidenceHash !== entry.evidenceHash || verdict.confirmationId !== entry.confirmationId) {
    return `the PDF's evidence (${verdict.confirmationId}, ${verdict.evidenceHash}) is not the manifest's (${entry.confirmationId}, ${entry.evidenceHash})`;
  }
  const signer = `${manifest.generatedBy.id} (${manifest.generatedBy.mspId})`;
  if (verdict.generatedBy !== signer) return `the letter is evidence of ${verdict.generatedBy}, the manifest is signed by ${signer}`;
  if (verdict.engagementId !== manifest.engagementId) return `the letter is of engagement ${verdict.engagementId}, the manifest of ${manifest.engagementId}`;
  return undefined;
}
