import { canonicalJson, InstitutionKind, ReceivableAction, sha256Hex, type ReceivableRecord } from '@econfirm/common';
import { LedgerCallError } from '@econfirm/sdk';
import { evidenceCertificateProblem } from '../crypto/certificates';
import type { ParsedCrl } from '../crypto/crl';
import {
  parseReceivableVoucherJson,
  RECEIVABLE_VOUCHER_FORMAT,
  voucherBankId,
  voucherContentProblems,
  voucherHash,
  voucherParties,
  VOUCHER_STATES,
  VOUCHER_STEP_ACTOR,
  type ReceivableVoucherDocument,
  type VoucherStep,
} from '../model/receivable-voucher';
import type { ExtractedAttachment } from '../pdf/attachments';
import { RECEIVABLE_VOUCHER_JWS_TYPE } from '../receivable-voucher-pdf';
import { runAnchorCheck, voucherLeafFacts } from './verify-anchor';
import { checkDocumentJws, checkPdfSignature, concluded, declaresFormat, partProblems, registeredPartyProblems, registryLookup, stepTransactionProblems, type Checks, type RegistryLookup, type SignerExpectation } from './checks';
import type { LedgerView, Verdict, VerifyOptions } from './verify-evidence';

/** Does the attached JSON say it is a receivable voucher? (Its shape is checked by the verifier.) */
export function isReceivableVoucherJson(bytes: Buffer): boolean {
  return declaresFormat(bytes, RECEIVABLE_VOUCHER_FORMAT);
}

/**
 * A voucher is signed by the evidence certificate of the institution that issued it, under its
 * MSP; that institution must be one the record names (obligor, a holder, the bank) or a regulator
 * (its kind and MSP are the registry check's).
 */
function issuerSigner(doc: ReceivableVoucherDocument): SignerExpectation {
  const issuer = doc.generatedBy;
  return {
    mspId: issuer.mspId,
    describe: `evidence certificate of ${issuer.id}, ${voucherParties(doc.record).includes(issuer.id) ? 'a party of the receivable' : 'the regulator'}`,
    problem: (leaf) =>
      !voucherParties(doc.record).includes(issuer.id) && issuer.kind !== InstitutionKind.Regulator
        ? `the voucher is issued by ${issuer.id}, which is no party of the receivable and no regulator`
        : evidenceCertificateProblem(leaf, issuer.id),
  };
}

/**
 * Verifies a receivable voucher PDF (电子债权凭证) the way evidence is verified, trusting nothing
 * it says of itself: the PDF signature and the JWS by the issuer's evidence certificate (chained
 * to the roots the verifier brought), the disclosed terms against the record's hashes and lien
 * keys, the lineage and chain of holders against the steps, the parties against the registry,
 * and — online — the record and every ancestor as their transactions wrote them, each step's
 * block, validity and submitter, and whether the receivable has moved on since.
 */
export async function verifyReceivableVoucherPdf(
  bytes: Buffer,
  attachments: readonly ExtractedAttachment[],
  json: Buffer,
  options: VerifyOptions,
  checks: Checks,
  verdict: Verdict,
  crls: readonly ParsedCrl[],
): Promise<Verdict> {
  verdict.kind = 'receivable-voucher';
  let doc: ReceivableVoucherDocument | undefined;
  await checks.run('attachments', 'MALFORMED_PDF', () => {
    doc = parseReceivableVoucherJson(json.toString('utf8'));
    verdict.receivableId = doc.record.id;
    verdict.evidenceHash = sha256Hex(json);
    verdict.generatedBy = `${doc.generatedBy.id} (${doc.generatedBy.mspId})`;
    checks.pass('attachments', `${attachments.map((a) => a.name).join(', ')}; voucher of ${doc.record.id} by ${doc.generatedBy.id}`);
  });
  const at = options.at ?? new Date();
  const pdfSigner = checkPdfSignature(checks, bytes, doc ? issuerSigner(doc) : undefined, at, options.roots, crls);
  if (!doc) return concluded(checks, verdict);
  const voucher = doc;
  await checkDocumentJws(checks, attachments, json, RECEIVABLE_VOUCHER_JWS_TYPE, voucher.generatedBy.mspId, pdfSigner, at, options.roots, crls);

  await checks.run('voucher-content', 'CONTENT_MISMATCH', () => {
    const problems = [...partProblems(voucher.terms, 'terms'), ...voucherContentProblems(voucher)];
    if (!VOUCHER_STATES.includes(voucher.record.state) || !voucher.timeline.some((s) => s.action === ReceivableAction.Confirm)) problems.push(`the record (${voucher.record.state}) was never confirmed by the obligor`);
    if (problems.length > 0) checks.fail('voucher-content', 'CONTENT_MISMATCH', problems.join('; '));
    else if (!voucher.terms.disclosed) checks.pass('voucher-content', 'a copy for an institution the terms are not sealed to: the amount and references are given by their ledger hashes only (not disclosed, not checked); the lineage and the chain of holders agree with the steps');
    else checks.pass('voucher-content', 'the terms reproduce their salted hash and open the amount hash; the invoice numbers are the lien keys the record holds; the lineage and the chain of holders agree with the steps');
  });

  const lookup = registryLookup(options);
  if (lookup) await checks.run('registry', 'LEDGER_UNAVAILABLE', () => checkParties(checks, voucher, lookup));
  else checks.skip('registry', 'NO_REGISTRY', "offline without a registry snapshot: the parties and the issuer's MSP were not checked (they are the document's own)");

  if (!options.ledger) {
    checks.skip('ledger-hashes', 'OFFLINE', 'offline: the record, its ancestors and the chain of holders were not compared with the ledger');
    checks.skip('ledger-transactions', 'OFFLINE', 'offline: the transactions were not looked up in committed blocks');
  } else {
    await checkLedger(checks, voucher, options.ledger);
  }
  // The public anchor of this version of the receivable, against the verifier's EVM node alone.
  await runAnchorCheck(checks, attachments, voucherLeafFacts(voucher), options.evm, verdict);
  verdict.evidenceHash = voucherHash(voucher);
  return concluded(checks, verdict);
}

/** Obligor, original creditor, holders, bank and issuer as the registry holds them; the issuer under the MSP that signed. */
async function checkParties(checks: Checks, doc: ReceivableVoucherDocument, lookup: RegistryLookup): Promise<void> {
  const p = doc.parties;
  const entries: [string, ReceivableVoucherDocument['generatedBy']][] = [
    ['issuer', doc.generatedBy],
    ['obligor', p.obligor],
    ['original creditor', p.originalCreditor],
    ...p.holders.map((h): [string, typeof h] => ['holder', h]),
    ...(p.bank ? [['bank', p.bank] as [string, typeof p.bank]] : []),
  ];
  const problems = await registeredPartyProblems(entries, lookup);
  if (problems.length > 0) checks.fail('registry', 'REGISTRY_MISMATCH', problems.join('; '));
  else checks.pass('registry', `issuer ${doc.generatedBy.id} (${doc.generatedBy.kind}, ${doc.generatedBy.mspId}), obligor, original creditor, ${p.holders.length} holder(s)${p.bank ? ' and the bank' : ''} as registered`);
}

/** Record fields compared with the ledger both ways, the terms by hash (a field's name is reported, never the ledger's value). */
function recordProblems(doc: ReceivableVoucherDocument, onLedger: ReceivableRecord): string[] {
  const { terms, ...ledgerFields } = onLedger;
  const a = ledgerFields as unknown as Record<string, unknown>;
  const b = doc.record as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const problems: string[] = [];
  const differing = keys.filter((k) => canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null));
  if (differing.length > 0) problems.push(`record fields differ from the ledger: ${differing.join(', ')}`);
  if (terms.contentHash !== doc.terms.contentHash || sha256Hex(terms.ciphertext) !== doc.terms.ciphertextSha256) problems.push('the terms differ from the ledger');
  return problems;
}

/** Each step's transaction wrote its record in the state and with the holder the step states. */
async function stepWriteProblems(ledger: LedgerView, steps: readonly VoucherStep[]): Promise<string[]> {
  const problems: string[] = [];
  for (const step of steps) {
    const written = await ledger.committedReceivable?.(step.txId, step.receivableId);
    if (written?.state !== step.state || written.holderId !== step.holderId) problems.push(`transaction ${step.txId} did not write the state and holder the timeline states for ${step.receivableId}`);
  }
  return problems;
}

function sameSteps(steps: readonly VoucherStep[], recorded: readonly { action: string; state: string; at: string }[]): boolean {
  return steps.length === recorded.length && steps.every((s, i) => s.action === recorded[i]?.action && s.state === recorded[i]?.state && s.at === recorded[i]?.at);
}

async function checkLedger(checks: Checks, doc: ReceivableVoucherDocument, ledger: LedgerView): Promise<void> {
  const r = doc.record;
  await checks.run('ledger-hashes', 'LEDGER_UNAVAILABLE', async () => {
    const own = doc.timeline.filter((s) => s.receivableId === r.id);
    const last = own[own.length - 1];
    if (!last || !ledger.committedReceivable) throw new Error('the voucher lists no transaction to look up');
    const written = await ledger.committedReceivable(last.txId, r.id);
    if (!written) {
      checks.fail('ledger-hashes', 'LEDGER_MISMATCH', `transaction ${last.txId} wrote no record of ${r.id}`);
      return;
    }
    const problems = recordProblems(doc, written);
    // Both ways: every committed step of the record is a step of the timeline, in order, and each wrote what it claims.
    if (!sameSteps(own, written.steps)) problems.push(`the timeline differs from the record's steps (${own.length} in the voucher, ${written.steps.length} committed)`);
    problems.push(...(await stepWriteProblems(ledger, own.slice(0, -1))));
    // The ancestors as their splits wrote them: holders, children and steps; the part born in its parent's split transaction.
    for (const [i, ancestor] of doc.lineage.ancestors.entries()) {
      const steps = doc.timeline.filter((s) => s.receivableId === ancestor.id);
      const split = steps[steps.length - 1];
      const ancestorRecord = split ? await ledger.committedReceivable(split.txId, ancestor.id) : undefined;
      if (!split || !ancestorRecord) {
        problems.push(`no committed split of ancestor ${ancestor.id}`);
        continue;
      }
      if (canonicalJson(ancestorRecord.holders) !== canonicalJson(ancestor.holders) || canonicalJson(ancestorRecord.childIds ?? []) !== canonicalJson(ancestor.childIds)) problems.push(`ancestor ${ancestor.id}: holders or children differ from the ledger`);
      if (!sameSteps(steps, ancestorRecord.steps)) problems.push(`ancestor ${ancestor.id}: the timeline differs from its committed steps`);
      const child = i === 0 ? r.id : doc.lineage.ancestors[i - 1]?.id;
      const born = doc.timeline.find((s) => s.receivableId === child);
      if (born?.txId !== split.txId) problems.push(`${child ?? '—'} was not made by the split of ${ancestor.id}`);
      problems.push(...(await stepWriteProblems(ledger, steps.slice(0, -1))));
    }
    if (problems.length > 0) checks.fail('ledger-hashes', 'LEDGER_MISMATCH', problems.join('; '));
    else checks.pass('ledger-hashes', `as committed by ${last.txId} (block ${last.blockNumber}): the same record, terms hashes and chain of holders${doc.lineage.ancestors.length ? `, and ${doc.lineage.ancestors.length} ancestor(s) as their splits wrote them` : ''} (read from the blocks)`);
  });
  await checks.run('ledger-transactions', 'LEDGER_UNAVAILABLE', async () => {
    // Who acted, from the submitter's certificate in the block: the role each step needs, and the
    // party — the creditor registers, the obligor confirms and pays, the holder before the step
    // moves it, the bank finances.
    const problems = await stepTransactionProblems(ledger, doc.timeline, 'voucher', (step, facts) => {
      const expected = VOUCHER_STEP_ACTOR[step.action];
      if (!expected) return `${step.action} (${step.txId}) is no step of a receivable`;
      const before = doc.timeline[doc.timeline.indexOf(step) - 1];
      const institution =
        expected.side === 'creditor' ? r.originalCreditorId : expected.side === 'obligor' ? r.obligorId : expected.side === 'holder' ? (step.action === ReceivableAction.SplitFrom ? step.holderId : before?.holderId) : expected.side === 'bank' ? (step.action === ReceivableAction.Finance ? r.lien?.bankId : undefined) : undefined;
      const roleOk = facts.actor.role !== undefined && expected.roles.includes(facts.actor.role as never);
      const partyOk = institution !== undefined ? facts.actor.institution === institution : expected.side === 'party' ? voucherParties(r).includes(facts.actor.institution ?? '') : facts.actor.institution !== undefined;
      return roleOk && partyOk ? undefined : `${step.action} (${step.txId}) was not submitted by a ${expected.roles.join(' or ')} of ${institution ?? `the ${expected.side}`}`;
    });
    if (problems.length > 0) checks.fail('ledger-transactions', 'TRANSACTION_MISMATCH', problems.join('; '));
    else checks.pass('ledger-transactions', `${doc.timeline.length} transactions VALID in committed blocks ${[...new Set(doc.timeline.map((s) => s.blockNumber))].join(', ')}, each by the role and party its step requires`);
  });
  // Has the receivable moved on (transferred, financed, paid) since the voucher? Only a reader of it learns it.
  await checks.run('ledger-current', 'LEDGER_UNAVAILABLE', async () => {
    if (!ledger.receivableEvidence) {
      checks.skip('ledger-current', 'NOT_A_READER', 'the current state of the receivable was not read');
      return;
    }
    let trail: { txId: string; state: string }[];
    try {
      trail = (await ledger.receivableEvidence(r.id)).trail;
    } catch (err) {
      if (err instanceof LedgerCallError && (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND')) {
        checks.skip('ledger-current', 'NOT_A_READER', 'this identity may not read the receivable: whether it moved since the voucher was not checked');
        return;
      }
      throw err;
    }
    const own = doc.timeline.filter((s) => s.receivableId === r.id);
    const later = trail.length - own.length;
    if (later > 0 && trail[own.length - 1]?.txId === own[own.length - 1]?.txId) {
      checks.fail('ledger-current', 'SUPERSEDED', `the receivable has ${later} later step(s): it is now ${trail[trail.length - 1]?.state}; ask for a current voucher`);
    } else if (later !== 0 || trail[trail.length - 1]?.txId !== own[own.length - 1]?.txId) {
      checks.fail('ledger-current', 'LEDGER_MISMATCH', "the ledger's trail of the receivable is not the voucher's");
    } else {
      checks.pass('ledger-current', `no later step: the receivable is still ${r.state}, held by ${r.holderId}${voucherBankId(r) ? `, bank ${voucherBankId(r) as string}` : ''}`);
    }
  });
}
