import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** network/lib/generate.sh's batch size knob (network/README.md), sourced as up.sh sources it. */
const NETWORK_LIB = path.resolve(__dirname, '../../../network/lib');

function batchMaxMessages(value: string | undefined): { status: number | null; stdout: string; stderr: string } {
  const script = `set -euo pipefail\nsource ${JSON.stringify(path.join(NETWORK_LIB, 'common.sh'))}\nsource ${JSON.stringify(path.join(NETWORK_LIB, 'generate.sh'))}\nbatch_max_messages`;
  const env = { ...process.env };
  delete env.ECONFIRM_BATCH_MAX_MESSAGES;
  if (value !== undefined) env.ECONFIRM_BATCH_MAX_MESSAGES = value;
  const run = spawnSync('bash', ['-c', script], { encoding: 'utf8', env });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}

describe('network knobs: ECONFIRM_BATCH_MAX_MESSAGES (transactions per block)', () => {
  it('defaults to 100 and takes a whole number from 1 to 9999', () => {
    expect(batchMaxMessages(undefined)).to.include({ status: 0, stdout: '100' });
    expect(batchMaxMessages(''), 'set but empty, as unset').to.include({ status: 0, stdout: '100' });
    expect(batchMaxMessages('1')).to.include({ status: 0, stdout: '1' });
    expect(batchMaxMessages('9999')).to.include({ status: 0, stdout: '9999' });
  });

  it('refuses anything else with a clear message, before a configuration is written', () => {
    for (const bad of ['0', '10000', '-5', '1.5', '01', 'ten', ' 7']) {
      const run = batchMaxMessages(bad);
      expect(run.status, `'${bad}'`).to.equal(1);
      expect(run.stdout, `'${bad}'`).to.equal('');
      expect(run.stderr).to.contain(`ECONFIRM_BATCH_MAX_MESSAGES must be a whole number from 1 to 9999, not '${bad}'`);
    }
  });
});
