import { certificateDer, createEvidencePdf, evidenceSigner, verifyEvidencePdf, type EvidenceDocument } from '@econfirm/evidence';
import { newBankSigningKey, sampleEvidence, x5cOf } from '@econfirm/evidence/dist/testing/sample-evidence';
import { createTestOrgPki } from '@econfirm/evidence/dist/testing/test-pki';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { percentile } from './stats';

/**
 * Evidence throughput on this machine, no network involved: signed evidence PDFs rendered per
 * second (a short letter and an 80-row letter), and offline verifications per second (PDF
 * signature, certificate chains, both JWS, salted hashes). Sequential, one core: rendering is
 * CPU-bound. Writes test/bench/results/evidence.json.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

async function timed(count: number, op: (i: number) => Promise<unknown>): Promise<{ operations: number; seconds: number; perSecond: number; p50Ms: number; p99Ms: number }> {
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await op(i);
    samples.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  return { operations: count, seconds: Number(seconds.toFixed(2)), perSecond: Number((count / seconds).toFixed(1)), p50Ms: Number(percentile(samples, 50).toFixed(1)), p99Ms: Number(percentile(samples, 99).toFixed(1)) };
}

async function main(): Promise<void> {
  const firm = createTestOrgPki('firm1');
  const bankPki = createTestOrgPki('bank1');
  const cert = firm.issue('FIRM1-evidence', { evidence: 'FIRM1' });
  const signer = evidenceSigner('FIRM1', cert.keyPem, [cert.certPem, firm.evidenceCaPem]);
  const bank = newBankSigningKey();
  const bankPublic = createPublicKey(createPrivateKey({ key: bank.signingJwk, format: 'jwk' })).export({ type: 'spki', format: 'pem' }).toString();
  bank.x5c = x5cOf(bankPki.issue('BANK1-sig-1', { publicKeyPem: bankPublic }).certPem, bankPki.evidenceCaPem);
  const roots = new Map([
    ['Firm1MSP', [certificateDer(firm.rootPem)]],
    ['Bank1MSP', [certificateDer(bankPki.rootPem)]],
  ]);
  const baseTime = Date.now() + 60_000;
  const docs: EvidenceDocument[] = [];
  for (let i = 0; i < 20; i++) docs.push(await sampleEvidence({ id: `CF-BENCH-${i}`, bank, baseTime }));
  const longDoc = await sampleEvidence({ id: 'CF-BENCH-LONG', bank, baseTime, depositRows: 80 });

  await createEvidencePdf(docs[0] as EvidenceDocument, signer); // warm-up: font parsing, module loading
  const short = await timed(60, (i) => createEvidencePdf(docs[i % docs.length] as EvidenceDocument, signer));
  const long = await timed(10, () => createEvidencePdf(longDoc, signer));
  const pdfs = await Promise.all(docs.map(async (d) => (await createEvidencePdf(d, signer)).pdf));
  const shortSize = pdfs[0]?.length ?? 0;
  const longSize = (await createEvidencePdf(longDoc, signer)).pdf.length;
  const verify = await timed(200, async (i) => {
    const verdict = await verifyEvidencePdf(pdfs[i % pdfs.length] as Buffer, { roots });
    if (!verdict.ok) throw new Error(`benchmark PDF did not verify: ${JSON.stringify(verdict.checks)}`);
  });
  const report = {
    benchmark: 'evidence',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    note: 'sequential on one core; render+sign = pdfkit layout with the subset CJK font, QR, attachments, evidence JWS and PAdES CMS (deterministic ECDSA); verify = offline verifier (no ledger)',
    renderAndSign: { shortLetter: { ...short, pdfBytes: shortSize }, longLetter80Rows: { ...long, pdfBytes: longSize } },
    verifyOffline: verify,
  };
  const dir = path.join(REPO_ROOT, 'test', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'evidence.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
