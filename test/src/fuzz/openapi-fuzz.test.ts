import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { E2E_TENANTS, TestGateway } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { networkScript, REPO_ROOT } from '../support/network';

/**
 * The gateway fuzzed from its own OpenAPI document by schemathesis (issue 17 §3): every operation,
 * valid and invalid data (`--mode all`), every check (`--checks all`: no 5xx, status codes, content
 * types, response schemas and headers as documented, valid data accepted and invalid data refused,
 * auth enforced, undocumented methods 405), as three roles of three institutions, each request
 * with a fresh API token (test/fuzz/econfirm_hooks.py). Bounded: ECONFIRM_FUZZ_EXAMPLES cases per
 * operation and phase, a fixed ECONFIRM_FUZZ_SEED (the same cases every run: a failure can be
 * replayed), test/fuzz/schemathesis.toml for what each check accepts.
 */
const EXAMPLES = Number(process.env.ECONFIRM_FUZZ_EXAMPLES ?? 10);
const SEED = Number(process.env.ECONFIRM_FUZZ_SEED ?? 17017);
const ST = path.join(REPO_ROOT, '.tools', 'fuzz', 'bin', 'st');
const FUZZ_DIR = path.join(REPO_ROOT, 'test', 'fuzz');

/** Fewer test cases than this in a role's report means schemathesis ran (almost) nothing: a failure, not a pass. */
const MIN_TEST_CASES = 60;

const ROLES = [
  { tenant: 'firm1', identity: 'auditor1' },
  { tenant: 'bank1', identity: 'officer1' },
  { tenant: 'regulator', identity: 'regulator1' },
] as const;

interface JunitCounts {
  testCases: number;
  failures: number;
  errors: number;
  skipped: number;
}

/** Counts of a schemathesis JUnit report (one <testcase> per operation). */
function junitCounts(file: string): JunitCounts {
  const xml = readFileSync(file, 'utf8');
  const count = (re: RegExp): number => (xml.match(re) ?? []).length;
  return { testCases: count(/<testcase\b/g), failures: count(/<failure\b/g), errors: count(/<error\b/g), skipped: count(/<skipped\b/g) };
}

/**
 * What a failed run printed about its failures and errors, each line cut short (a runtime error's
 * traceback can quote whole source files) and at most 400 lines: enough to read and to replay.
 */
function failureReport(output: string): string {
  const lines = output.split('\n').map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line));
  const start = lines.findIndex((line) => /^=+ (FAILURES|ERRORS) =+$/.test(line));
  const shown = lines.slice(start < 0 ? 0 : start);
  return shown.length > 400 ? [...shown.slice(0, 300), `… ${shown.length - 400} lines left out …`, ...shown.slice(-100)].join('\n') : shown.join('\n');
}

/** Runs `st` to its end; resolves with its exit code and everything it printed. */
function runSchemathesis(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ST, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('gateway fuzz: schemathesis from /openapi.json as a firm, a bank and the regulator', function () {
  // Each role is bounded by the example count; the whole suite takes minutes (README, Tests).
  this.timeout(15 * 60_000);
  let gw: TestGateway;
  let url: string;
  let work: string;

  before(async function () {
    // The venv is the test command's (scripts/test.sh); installed here too so the suite runs alone.
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'lib', 'fuzz-tools.sh')], { stdio: 'inherit' });
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR', 'MREG1');
    // Every institution the fuzzed roles sign documents as holds its evidence certificate, whichever
    // suites ran before: without BANK1's, a bank's GET …/voucher.pdf of a receivable another suite
    // left answers the documented 503 EVIDENCE_NOT_CONFIGURED, which schemathesis counts as a failure.
    for (const [org, institution] of [['firm1', 'FIRM1'], ['bank1', 'BANK1'], ['operator', 'MREG1']] as const) networkScript('identity.sh', 'evidence', org, institution);
    // The rate limits would turn most of the run into 429s (accepted, but then nothing is tested).
    // The registration centre is hosted too, as in the demo: a bank's GET …/certificate.pdf of a
    // registration the e2e suites made is signed by it (without it: 503 EVIDENCE_NOT_CONFIGURED).
    gw = await TestGateway.start({ tenants: [...E2E_TENANTS, { id: 'mreg1', institutionId: 'MREG1', orgKey: 'operator' }] }, { limits: { rate: { credentialPerMinute: 10_000_000, tenantPerMinute: 10_000_000 } } });
    await gw.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(gw.app.getHttpServer().address() as AddressInfo).port}`;
    work = mkdtempSync(path.join(tmpdir(), 'econfirm-fuzz-'));
  });

  after(async function () {
    await gw?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const { tenant, identity } of ROLES) {
    it(`finds no failure as ${tenant}/${identity}`, async function () {
      const caller = gw.custodial(tenant, identity);
      const credential = path.join(work, `${tenant}.credential.json`);
      writeFileSync(credential, JSON.stringify(caller), { mode: 0o600 });
      const junit = path.join(work, `${tenant}.junit.xml`);
      const started = Date.now();
      const { code, output } = await runSchemathesis(
        [
          '--config-file', path.join(FUZZ_DIR, 'schemathesis.toml'),
          'run', `${url}/openapi.json`,
          '--checks', 'all',
          '--mode', 'all',
          '--max-examples', String(EXAMPLES),
          '--seed', String(SEED),
          // One worker: with two threads, hypothesis' source introspection now and then hits CPython
          // 3.11's "AST constructor recursion depth mismatch" (a runtime error of the tool, not a finding).
          '--workers', '1',
          '--request-timeout', '60',
          // No example database: the seed alone decides the cases (and nothing is left in the tree).
          '--generation-database', 'none',
          '--no-color',
          '--report', 'junit',
          '--report-junit-path', junit,
          // The one operation left out: the SSE stream never ends (heartbeat comments keep it
          // open, so no read timeout fires) and would hold a worker to the end of the run. It is
          // tested over raw HTTP by e2e/events-delivery.test.ts. POST …/keys/rotation stays in:
          // only the operator's admin may rotate, and none of these roles is.
          '--exclude-path', '/v1/events/stream',
        ],
        {
          ...process.env,
          PYTHONPATH: FUZZ_DIR,
          SCHEMATHESIS_HOOKS: 'econfirm_hooks',
          ECONFIRM_FUZZ_CREDENTIAL: credential,
          // Tokens are bound to the gateway's publicUrl + path (htu), whatever address it listens on.
          ECONFIRM_FUZZ_PUBLIC_URL: gw.config.publicUrl,
          ECONFIRM_FUZZ_AUDIENCE: gw.config.audience,
        },
      );
      const seconds = Math.round((Date.now() - started) / 1000);
      const counts = junitCounts(junit);
      const generated = /(\d+) generated/.exec(output)?.[1] ?? '?';
      console.log(`      fuzz ${tenant}/${identity}: seed ${SEED}, ${EXAMPLES} examples, ${counts.testCases} operations, ${generated} cases generated, ${counts.failures} failed, ${counts.errors} errors, ${counts.skipped} skipped, ${seconds} s`);
      if (code !== 0) console.log(failureReport(output));
      expect(code, `schemathesis exited ${code} (its output is above)`).to.equal(0);
      expect(counts.failures + counts.errors, 'failures in the JUnit report').to.equal(0);
      expect(counts.testCases, 'operations tested').to.be.at.least(MIN_TEST_CASES);
    });
  }
});
