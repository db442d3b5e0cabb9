import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GATEWAY_NODE_FLAGS } from './node-flags';

/** Each launcher of the gateway passes the flags node-flags.ts lists (V8 takes them only at start). */
describe('the gateway is launched with its Node flags', () => {
  const root = path.join(__dirname, '..', '..');
  const flags = GATEWAY_NODE_FLAGS.join(' ');

  it('scripts/gateway.sh', () => {
    expect(readFileSync(path.join(root, 'scripts', 'gateway.sh'), 'utf8')).to.contain(`node ${flags} gateway/dist/main.js`);
  });

  it('npm start', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'gateway', 'package.json'), 'utf8')) as { scripts: { start: string } };
    expect(pkg.scripts.start).to.equal(`node ${flags} dist/main.js`);
  });
});
