import { certificateDer, createEvidenceBundle, createEvidencePdf, EvidenceRenderPool, evidenceSigner, verifyEvidencePdf, type EvidenceDocument } from '@econfirm/evidence';
import { newBankSigningKey, sampleEvidence, x5cOf } from '@econfirm/evidence/dist/testing/sample-evidence';
import { createTestOrgPki } from '@econfirm/evidence/dist/testing/test-pki';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { percentile } from './stats';

/**
 * Evidence throughput on this machine, no network involved: signed evidence PDFs rendered per
 * second (a short letter and an 80-row letter), and offline verifications per second (PDF
 * signature, certificate chains, both JWS, salted hashes). Sequential, one core: rendering is
 * CPU-bound. Writes test/bench/results/evidence.json. With EVIDENCE_BENCH_BASELINE (the dist folder
 * of another build of @econfirm/evidence) both builds are measured in the same run.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

interface Timing {
  operations: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of this process per operation: what the work costs, whatever else the shared machine runs. */
  cpuMsPerOp: number;
  /** Operations per CPU second of this process (one core's throughput when it is not shared). */
  perCpuSecond: number;
}

async function timed(count: number, op: (i: number) => Promise<unknown>): Promise<Timing> {
  const samples: number[] = [];
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await op(i);
    samples.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    operations: count,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Number((count / seconds).toFixed(1)),
    p50Ms: Number(percentile(samples, 50).toFixed(1)),
    p99Ms: Number(percentile(samples, 99).toFixed(1)),
    cpuMsPerOp: Number((cpuMs / count).toFixed(2)),
    perCpuSecond: Number(((count * 1000) / cpuMs).toFixed(1)),
  };
}

/** Issue 18's targets; `met` compares the wall-clock rate the run measured. */
const TARGETS = { shortLetterPerSecond: 50, longLetterPerSecond: 20, verifyOfflinePerSecond: 500, bundleOf300Seconds: 10 } as const;

type EvidenceModule = typeof import('@econfirm/evidence');
type SampleModule = typeof import('@econfirm/evidence/dist/testing/sample-evidence');
type PkiModule = typeof import('@econfirm/evidence/dist/testing/test-pki');
interface EvidenceBuild {
  label: string;
  evidence: EvidenceModule;
  sample: SampleModule;
  pki: PkiModule;
}

/**
 * The evidence code under test, or another build of it (EVIDENCE_BENCH_BASELINE = the dist folder
 * of @econfirm/evidence built from another commit, e.g. a worktree of main): both are measured in
 * the same run, round by round, so a shared machine's load weighs on both alike.
 */
function loadBuild(dir?: string): EvidenceBuild {
  if (!dir) return { label: 'current', evidence: { certificateDer, createEvidencePdf, evidenceSigner, verifyEvidencePdf } as EvidenceModule, sample: { newBankSigningKey, sampleEvidence, x5cOf } as SampleModule, pki: { createTestOrgPki } as PkiModule };
  const load = createRequire(__filename);
  return {
    label: `baseline ${dir}`,
    evidence: load(path.join(dir, 'index.js')) as EvidenceModule,
    sample: load(path.join(dir, 'testing', 'sample-evidence.js')) as SampleModule,
    pki: load(path.join(dir, 'testing', 'test-pki.js')) as PkiModule,
  };
}

interface Workload {
  docs: EvidenceDocument[];
  longDoc: EvidenceDocument;
  signer: ReturnType<EvidenceModule['evidenceSigner']>;
  roots: Map<string, Buffer[]>;
  pdfs: Buffer[];
}

async function workload(build: EvidenceBuild): Promise<Workload> {
  const { evidence, sample, pki } = build;
  const firm = pki.createTestOrgPki('firm1');
  const bankPki = pki.createTestOrgPki('bank1');
  const cert = firm.issue('FIRM1-evidence', { evidence: 'FIRM1' });
  const signer = evidence.evidenceSigner('FIRM1', cert.keyPem, [cert.certPem, firm.evidenceCaPem]);
  const bank = sample.newBankSigningKey();
  const bankPublic = createPublicKey(createPrivateKey({ key: bank.signingJwk, format: 'jwk' })).export({ type: 'spki', format: 'pem' }).toString();
  bank.x5c = sample.x5cOf(bankPki.issue('BANK1-sig-1', { publicKeyPem: bankPublic }).certPem, bankPki.evidenceCaPem);
  const roots = new Map([
    ['Firm1MSP', [evidence.certificateDer(firm.rootPem)]],
    ['Bank1MSP', [evidence.certificateDer(bankPki.rootPem)]],
  ]);
  const baseTime = Date.now() + 60_000;
  const docs: EvidenceDocument[] = [];
  for (let i = 0; i < 20; i++) docs.push(await sample.sampleEvidence({ id: `CF-BENCH-${i}`, bank, baseTime }));
  const longDoc = await sample.sampleEvidence({ id: 'CF-BENCH-LONG', bank, baseTime, depositRows: 80 });
  const pdfs = await Promise.all(docs.map(async (d) => (await evidence.createEvidencePdf(d, signer)).pdf)); // also the warm-up: font, module loading
  return { docs, longDoc, signer, roots, pdfs };
}

interface Round {
  shortLetter: Timing;
  longLetter80Rows: Timing;
  verifyOffline: Timing;
}

async function round(build: EvidenceBuild, w: Workload, counts: { short: number; long: number; verify: number }): Promise<Round> {
  const { evidence } = build;
  return {
    shortLetter: await timed(counts.short, (i) => evidence.createEvidencePdf(w.docs[i % w.docs.length] as EvidenceDocument, w.signer)),
    longLetter80Rows: await timed(counts.long, () => evidence.createEvidencePdf(w.longDoc, w.signer)),
    verifyOffline: await timed(counts.verify, async (i) => {
      const verdict = await evidence.verifyEvidencePdf(w.pdfs[i % w.pdfs.length] as Buffer, { roots: w.roots });
      if (!verdict.ok) throw new Error(`benchmark PDF did not verify: ${JSON.stringify(verdict.checks)}`);
    }),
  };
}

/** The round with the median CPU cost per operation, for each measure. */
function medianRound(rounds: readonly Round[]): Round {
  const pick = (key: keyof Round): Timing => {
    const sorted = rounds.map((r) => r[key]).sort((a, b) => a.cpuMsPerOp - b.cpuMsPerOp);
    return sorted[Math.floor((sorted.length - 1) / 2)] as Timing;
  };
  return { shortLetter: pick('shortLetter'), longLetter80Rows: pick('longLetter80Rows'), verifyOffline: pick('verifyOffline') };
}

/**
 * The rendering side of an engagement bundle of `count` short letters as generateEngagementBundle
 * does it (EvidenceRenderPool worker threads, then the signed manifest), without the ledger reads
 * (which need a network: evidence-ledger.itest.ts covers the whole path).
 */
async function bundleRendering(w: Workload, build: EvidenceBuild, count: number, threads: number): Promise<{ letters: number; renderThreads: number; seconds: number; lettersPerSecond: number; cpuMsPerLetter: number }> {
  const bank = build.sample.newBankSigningKey();
  const docs: EvidenceDocument[] = [];
  for (let i = 0; i < count; i++) docs.push(await build.sample.sampleEvidence({ id: `CF-BUNDLE-${String(i).padStart(4, '0')}`, bank, baseTime: Date.now() + 60_000 }));
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const pool = new EvidenceRenderPool(threads);
  let next = 0;
  const letters: { document: EvidenceDocument; pdf: Buffer; evidenceHash: string }[] = [];
  try {
    await Promise.all(
      Array.from({ length: 2 * threads }, async () => {
        while (next < docs.length) {
          const document = docs[next++] as EvidenceDocument;
          letters.push({ document, ...(await pool.render(document, w.signer)) });
        }
      }),
    );
  } finally {
    await pool.close();
  }
  await createEvidenceBundle('ENG-BENCH', new Date().toISOString(), letters, w.signer);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { letters: count, renderThreads: threads, seconds: Number(seconds.toFixed(2)), lettersPerSecond: Number((count / seconds).toFixed(1)), cpuMsPerLetter: Number(((cpu.user + cpu.system) / 1000 / count).toFixed(1)) };
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(2)));
  const baselineDir = process.env.EVIDENCE_BENCH_BASELINE;
  const builds = [loadBuild(), ...(baselineDir ? [loadBuild(path.resolve(baselineDir))] : [])];
  const rounds = Number(process.env.EVIDENCE_BENCH_ROUNDS ?? 3);
  const counts = { short: 40, long: 10, verify: 200 };
  const loads = await Promise.all(builds.map((b) => workload(b)));
  const results = builds.map(() => [] as Round[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, build] of builds.entries()) (results[i] as Round[]).push(await round(build, loads[i] as Workload, counts));
  }
  const current = medianRound(results[0] as Round[]);
  const w = loads[0] as Workload;
  const shortSize = w.pdfs[0]?.length ?? 0;
  const longSize = (await createEvidencePdf(w.longDoc, w.signer)).pdf.length;
  const baseline = results[1] ? medianRound(results[1]) : undefined;
  const bundle = await bundleRendering(w, builds[0] as EvidenceBuild, Number(process.env.EVIDENCE_BENCH_BUNDLE_LETTERS ?? 300), Math.min(os.availableParallelism(), 2));
  const speedup = (key: keyof Round): number | undefined => (baseline ? Number((baseline[key].cpuMsPerOp / current[key].cpuMsPerOp).toFixed(2)) : undefined);
  const report = {
    benchmark: 'evidence',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
    note: `sequential on one core, ${rounds} rounds (the median round by CPU cost is reported); render+sign = pdfkit layout with the subset CJK font, QR, attachments, evidence JWS and PAdES CMS (deterministic ECDSA); verify = offline verifier (no ledger). perSecond is wall clock (inflated when the machine is shared: see loadAverage), perCpuSecond is per CPU second of this process`,
    renderAndSign: { shortLetter: { ...current.shortLetter, pdfBytes: shortSize }, longLetter80Rows: { ...current.longLetter80Rows, pdfBytes: longSize } },
    verifyOffline: current.verifyOffline,
    bundleRendering: bundle,
    ...(baseline
      ? {
          baseline: { build: builds[1]?.label, renderAndSign: { shortLetter: baseline.shortLetter, longLetter80Rows: baseline.longLetter80Rows }, verifyOffline: baseline.verifyOffline },
          speedupByCpuCost: { shortLetter: speedup('shortLetter'), longLetter80Rows: speedup('longLetter80Rows'), verifyOffline: speedup('verifyOffline') },
        }
      : {}),
    targets: TARGETS,
    met: {
      shortLetter: current.shortLetter.perSecond >= TARGETS.shortLetterPerSecond,
      longLetter80Rows: current.longLetter80Rows.perSecond >= TARGETS.longLetterPerSecond,
      verifyOffline: current.verifyOffline.perSecond >= TARGETS.verifyOfflinePerSecond,
      bundleOf300Rendering: bundle.letters >= 300 && bundle.seconds < TARGETS.bundleOf300Seconds,
    },
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
