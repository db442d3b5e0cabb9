import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** scripts/lib/suites.sh, the totals of ./scripts/test.sh: a green line must mean tests ran and passed. */
const SUITES_SH = path.resolve(__dirname, '../../../scripts/lib/suites.sh');

/** Sources suites.sh, runs `steps` (bash lines using run_suite/run_check), and returns the summary. */
function summarize(steps: string): { lastLine: string; report: string[]; status: number | null; stdout: string } {
  const script = `set -euo pipefail\nsource ${JSON.stringify(SUITES_SH)}\n${steps}\nsuites_summary`;
  const run = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  const lines = run.stdout.trimEnd().split('\n');
  const summaryAt = lines.indexOf('━━ summary ━━');
  return { lastLine: lines[lines.length - 1] ?? '', report: lines.slice(summaryAt + 1, -1).map((l) => l.trim()), status: run.status, stdout: run.stdout };
}

/** A fake mocha run printing its closing lines and exiting with `rc`. */
const mocha = (lines: string[], rc = 0): string => `bash -c ${JSON.stringify(`printf '%s\\n' ${lines.map((l) => JSON.stringify(l)).join(' ')}; exit ${rc}`)}`;

describe('suite totals (scripts/lib/suites.sh)', () => {
  it('adds passing, failing and pending lines of every suite; the closing line is "N passed, N failed, N skipped"', () => {
    const result = summarize([
      `run_suite a ${mocha(['  12 passing (3s)', '  2 pending'])}`,
      `run_suite b ${mocha(['  5 passing (40ms)', '  1 failing'], 1)}`,
    ].join('\n'));
    expect(result.lastLine).to.equal('17 passed, 1 failed, 2 skipped');
    expect(result.status).to.equal(1);
    expect(result.report[0]).to.match(/^a\s+12 passed\s+0 failed\s+2 skipped \(exit 0\)$/);
  });

  it('a suite that exits 0 having run no test is a failure, not a pass', () => {
    const result = summarize(`run_suite empty ${mocha(['', '  0 passing (1ms)'])}\nrun_suite silent true`);
    expect(result.lastLine).to.equal('0 passed, 2 failed, 0 skipped');
    expect(result.report[0]).to.match(/ran no test$/);
    expect(result.status).to.equal(1);
  });

  it('a suite that exits non-zero without a failing line (a crash) is one failure', () => {
    const result = summarize(`run_suite crash ${mocha(['  3 passing (1s)'], 2)}`);
    expect(result.lastLine).to.equal('3 passed, 1 failed, 0 skipped');
    expect(result.report[0]).to.match(/exited non-zero without a failing test$/);
  });

  it('a check (build, lint) counts as one pass or one failure by its exit status', () => {
    expect(summarize('run_check build true\nrun_check lint true').lastLine).to.equal('2 passed, 0 failed, 0 skipped');
    const failed = summarize('run_check build false');
    expect(failed.lastLine).to.equal('0 passed, 1 failed, 0 skipped');
    expect(failed.status).to.equal(1);
  });

  it("repeats each failing suite's failure report, cut short, just above the summary (CI shows a run's end)", () => {
    const failures = ['  1 failing', '', '  1) a suite', '       a test:', '     AssertionError: expected 1 to equal 2', ...Array.from({ length: 60 }, (_, i) => `      at line ${i}`)];
    const result = summarize(`run_suite ok ${mocha(['  4 passing (1s)'])}\nrun_suite broken ${mocha(['  9 passing (2s)', ...failures], 1)}`);
    const tail = result.stdout.slice(result.stdout.indexOf('━━ failures'));
    expect(tail.indexOf('━━ summary ━━')).to.be.greaterThan(0);
    const section = tail.slice(0, tail.indexOf('━━ summary ━━'));
    expect(section).to.contain('── broken ──').and.contain('AssertionError: expected 1 to equal 2').and.not.contain('── ok ──');
    expect(section).to.contain('at line 34').and.not.contain('at line 35');
    expect(result.lastLine).to.equal('13 passed, 1 failed, 0 skipped');
  });

  it('prints no failure section when every suite passed', () => {
    expect(summarize(`run_suite ok ${mocha(['  4 passing (1s)'])}`).stdout).not.to.contain('━━ failures');
  });

  it("reads mocha's coloured totals and failure report (terminal colour codes stripped)", () => {
    const coloured = String.raw`printf '\033[32m  3 passing\033[0m\033[90m (1s)\033[0m\n\033[31m  1 failing\033[0m\n\n  1) a red test\n'; exit 1`;
    const result = summarize(`run_suite colour bash -c ${JSON.stringify(coloured)}`);
    expect(result.lastLine).to.equal('3 passed, 1 failed, 0 skipped');
    expect(result.stdout.slice(result.stdout.indexOf('━━ failures'))).to.contain('── colour ──').and.contain('1) a red test');
  });

  it("counts hardhat's repeated totals once", () => {
    const result = summarize(`run_suite contracts ${mocha(['  31 passing (2s)', '', '31 passing (31 mocha)'])}`);
    expect(result.lastLine).to.equal('31 passed, 0 failed, 0 skipped');
  });
});
