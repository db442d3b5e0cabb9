import { canonicalJson, InstitutionKind, sha256Hex, type MortgageRecord } from '@econfirm/common';
import { LedgerCallError } from '@econfirm/sdk';
import { evidenceCertificateProblem } from '../crypto/certificates';
import type { ParsedCrl } from '../crypto/crl';
import { MORTGAGE_CERTIFICATE_JWS_TYPE } from '../mortgage-certificate-pdf';
import {
  certificateContentProblems,
  certificateHash,
  CERTIFIED_STATES,
  MORTGAGE_CERTIFICATE_FORMAT,
  parseMortgageCertificateJson,
  STEP_ACTOR,
  type MortgageCertificateDocument,
} from '../model/mortgage-certificate';
import type { ExtractedAttachment } from '../pdf/attachments';
import { checkDocumentJws, checkPdfSignature, concluded, declaresFormat, partProblems, registeredPartyProblems, registryLookup, stepTransactionProblems, type Checks, type RegistryLookup, type SignerExpectation } from './checks';
import { certificateLeafFacts, runAnchorCheck } from './verify-anchor';
import type { LedgerView, Verdict, VerifyOptions } from './verify-evidence';

/** Does the attached JSON say it is a registration certificate? (Its shape is checked by the verifier.) */
export function isMortgageCertificateJson(bytes: Buffer): boolean {
  return declaresFormat(bytes, MORTGAGE_CERTIFICATE_FORMAT);
}

/** A certificate is signed by the evidence certificate of the record's registry, under the registry's MSP. */
function registrySigner(doc: MortgageCertificateDocument): SignerExpectation {
  return {
    mspId: doc.generatedBy.mspId,
    describe: `evidence certificate of the registration centre ${doc.record.registryId}`,
    problem: (leaf) =>
      doc.generatedBy.id !== doc.record.registryId || doc.parties.registry.id !== doc.record.registryId || doc.parties.registry.mspId !== doc.generatedBy.mspId
        ? `the certificate is issued by ${doc.generatedBy.id}, not by the registry of the record`
        : evidenceCertificateProblem(leaf, doc.record.registryId),
  };
}

/**
 * Verifies a registration certificate PDF (不动产登记证明) the way evidence is verified, trusting
 * nothing it says of itself: the PDF signature and the JWS by the record's registry's evidence
 * certificate (chained to the roots the verifier brought), the disclosed content against the
 * salted hashes and the ledger keys, the parties against the registry, and — online — the record
 * as its last transaction wrote it, each step's block, validity and submitter (a registrar of the
 * registry for the registry's steps, an officer of the mortgagee for the bank's), and whether the
 * registration has moved on since.
 */
export async function verifyMortgageCertificatePdf(
  bytes: Buffer,
  attachments: readonly ExtractedAttachment[],
  json: Buffer,
  options: VerifyOptions,
  checks: Checks,
  verdict: Verdict,
  crls: readonly ParsedCrl[],
): Promise<Verdict> {
  verdict.kind = 'mortgage-certificate';
  let doc: MortgageCertificateDocument | undefined;
  await checks.run('attachments', 'MALFORMED_PDF', () => {
    doc = parseMortgageCertificateJson(json.toString('utf8'));
    verdict.mortgageId = doc.record.id;
    verdict.evidenceHash = sha256Hex(json);
    verdict.generatedBy = `${doc.generatedBy.id} (${doc.generatedBy.mspId})`;
    checks.pass('attachments', `${attachments.map((a) => a.name).join(', ')}; registration certificate of ${doc.record.id} by ${doc.generatedBy.id}`);
  });
  const at = options.at ?? new Date();
  const pdfSigner = checkPdfSignature(checks, bytes, doc ? registrySigner(doc) : undefined, at, options.roots, crls);
  if (!doc) return concluded(checks, verdict);
  const cert = doc;
  await checkDocumentJws(checks, attachments, json, MORTGAGE_CERTIFICATE_JWS_TYPE, cert.generatedBy.mspId, pdfSigner, at, options.roots, crls);

  await checks.run('certificate-content', 'CONTENT_MISMATCH', () => {
    const problems = [...partProblems(cert.application, 'application'), ...partProblems(cert.certificate, 'certificate'), ...certificateContentProblems(cert)];
    if (!CERTIFIED_STATES.includes(cert.record.state) || !cert.record.certificateKey || !cert.record.steps.some((s) => s.action === 'RegisterMortgage')) {
      problems.push(`the record (${cert.record.state}) holds no registration`);
    }
    if (problems.length > 0) checks.fail('certificate-content', 'CONTENT_MISMATCH', problems.join('; '));
    else if (!cert.application.disclosed || !cert.certificate.disclosed) checks.pass('certificate-content', 'a copy for a non-party: the sealed content is given by its ledger hashes only (not disclosed, not checked)');
    else checks.pass('certificate-content', 'the application and certificate reproduce their salted hashes; the certificate and unit numbers are the ones whose ledger keys the record holds');
  });

  const lookup = registryLookup(options);
  if (lookup) await checks.run('registry', 'LEDGER_UNAVAILABLE', () => checkParties(checks, cert, lookup));
  else checks.skip('registry', 'NO_REGISTRY', "offline without a registry snapshot: the parties and the registry's MSP were not checked (they are the document's own)");

  if (!options.ledger) {
    checks.skip('ledger-hashes', 'OFFLINE', 'offline: the record was not compared with the ledger');
    checks.skip('ledger-transactions', 'OFFLINE', 'offline: the transactions were not looked up in committed blocks');
  } else {
    await checkLedger(checks, cert, options.ledger);
  }
  // The public anchor of this version of the registration, against the verifier's EVM node alone.
  await runAnchorCheck(checks, attachments, certificateLeafFacts(cert), options.evm, verdict);
  verdict.evidenceHash = certificateHash(cert);
  return concluded(checks, verdict);
}


/** Registry, mortgagee and mortgagors as the registry holds them; the issuer is a registration centre under the MSP that signed. */
async function checkParties(checks: Checks, doc: MortgageCertificateDocument, lookup: RegistryLookup): Promise<void> {
  const problems: string[] = [];
  const r = doc.record;
  if (doc.parties.mortgagee.id !== r.mortgageeId) problems.push('the mortgagee printed is not the record’s');
  if (canonicalJson(doc.parties.mortgagors.map((m) => m.id)) !== canonicalJson(r.mortgagorIds)) problems.push('the mortgagors printed are not the record’s');
  const entries: [string, MortgageCertificateDocument['parties']['registry']][] = [['registry', doc.parties.registry], ['mortgagee', doc.parties.mortgagee], ...doc.parties.mortgagors.map((m): [string, typeof m] => ['mortgagor', m])];
  problems.push(
    ...(await registeredPartyProblems(entries, lookup, (role, entry) =>
      role === 'registry' && (entry.kind !== InstitutionKind.MortgageRegistry || entry.mspId !== doc.generatedBy.mspId)
        ? `the certificate is signed under ${doc.generatedBy.mspId}; ${entry.id} is not a registration centre registered under it`
        : undefined,
    )),
  );
  if (problems.length > 0) checks.fail('registry', 'REGISTRY_MISMATCH', problems.join('; '));
  else checks.pass('registry', `registry ${r.registryId}, mortgagee ${r.mortgageeId} and mortgagors ${r.mortgagorIds.join(', ') || '—'} as registered`);
}

/** Record fields compared with the ledger; the sealed parts by hash (a field's name is reported, never the ledger's value). */
function recordProblems(doc: MortgageCertificateDocument, onLedger: MortgageRecord): string[] {
  const { application, certificate, ...ledgerFields } = onLedger as MortgageRecord & { priority?: number };
  delete (ledgerFields as { priority?: number }).priority;
  const a = ledgerFields as unknown as Record<string, unknown>;
  const b = doc.record as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const problems: string[] = [];
  const differing = keys.filter((k) => canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null));
  if (differing.length > 0) problems.push(`record fields differ from the ledger: ${differing.join(', ')}`);
  if (application.contentHash !== doc.application.contentHash || sha256Hex(application.ciphertext) !== doc.application.ciphertextSha256) problems.push('the application differs from the ledger');
  if (!certificate || certificate.contentHash !== doc.certificate.contentHash || sha256Hex(certificate.ciphertext) !== doc.certificate.ciphertextSha256) problems.push('the certificate differs from the ledger');
  return problems;
}

async function checkLedger(checks: Checks, doc: MortgageCertificateDocument, ledger: LedgerView): Promise<void> {
  await checks.run('ledger-hashes', 'LEDGER_UNAVAILABLE', async () => {
    const last = doc.timeline[doc.timeline.length - 1];
    if (!last || !ledger.committedMortgage) throw new Error('the certificate lists no transaction to look up');
    const written = await ledger.committedMortgage(last.txId, doc.record.id);
    if (!written) {
      checks.fail('ledger-hashes', 'LEDGER_MISMATCH', `transaction ${last.txId} wrote no record of ${doc.record.id}`);
      return;
    }
    const problems = recordProblems(doc, written);
    // Every step of the record is a step of the timeline, in order, and each wrote the state it claims.
    if (doc.timeline.length !== written.steps.length || doc.timeline.some((s, i) => s.state !== written.steps[i]?.state || s.at !== written.steps[i]?.at || s.action !== written.steps[i]?.action)) {
      problems.push(`the timeline differs from the record's steps (${doc.timeline.length} in the certificate, ${written.steps.length} committed)`);
    }
    for (const step of doc.timeline.slice(0, -1)) {
      if ((await ledger.committedMortgage(step.txId, doc.record.id))?.state !== step.state) problems.push(`transaction ${step.txId} did not write the state the timeline states`);
    }
    if (problems.length > 0) checks.fail('ledger-hashes', 'LEDGER_MISMATCH', problems.join('; '));
    else checks.pass('ledger-hashes', `as committed by ${last.txId} (block ${last.blockNumber}): the same record, steps and sealed-part hashes (read from the blocks)`);
  });
  await checks.run('ledger-transactions', 'LEDGER_UNAVAILABLE', async () => {
    // Who acted, from the submitter's certificate in the block: the registry's steps by a
    // registrar of this registry, the bank's by an officer of the mortgagee.
    const problems = await stepTransactionProblems(ledger, doc.timeline, 'certificate', (step, facts) => {
      const expected = STEP_ACTOR[step.action];
      const institution = expected?.side === 'registry' ? doc.record.registryId : doc.record.mortgageeId;
      const acted = expected && facts.actor.role === expected.role && facts.actor.institution === institution;
      return acted ? undefined : `${step.action} (${step.txId}) was not submitted by a ${expected?.role ?? 'known role'} of ${institution}`;
    });
    if (problems.length > 0) checks.fail('ledger-transactions', 'TRANSACTION_MISMATCH', problems.join('; '));
    else checks.pass('ledger-transactions', `${doc.timeline.length} transactions VALID in committed blocks ${doc.timeline.map((s) => s.blockNumber).join(', ')}, each by the role and institution its step requires`);
  });
  // Has the registration moved on (changed, discharged) since the certificate? Only a reader of the record learns it.
  await checks.run('ledger-current', 'LEDGER_UNAVAILABLE', async () => {
    if (!ledger.mortgageEvidence) {
      checks.skip('ledger-current', 'NOT_A_READER', 'the current state of the registration was not read');
      return;
    }
    let trail: { txId: string; state: string }[];
    try {
      trail = (await ledger.mortgageEvidence(doc.record.id)).trail;
    } catch (err) {
      if (err instanceof LedgerCallError && (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND')) {
        checks.skip('ledger-current', 'NOT_A_READER', 'this identity may not read the registration: whether it changed since the certificate was not checked');
        return;
      }
      throw err;
    }
    const later = trail.length - doc.timeline.length;
    if (later > 0 && trail[doc.timeline.length - 1]?.txId === doc.timeline[doc.timeline.length - 1]?.txId) {
      checks.fail('ledger-current', 'SUPERSEDED', `the registration has ${later} later step(s): it is now ${trail[trail.length - 1]?.state}; ask the registry for a current certificate`);
    } else if (later !== 0 || trail[trail.length - 1]?.txId !== doc.timeline[doc.timeline.length - 1]?.txId) {
      checks.fail('ledger-current', 'LEDGER_MISMATCH', "the ledger's trail of the registration is not the certificate's");
    } else {
      checks.pass('ledger-current', `no later step: the registration is still ${doc.record.state}`);
    }
  });
}
