import { spawnSync } from 'node:child_process';
import { defaultDescriptorPath } from '@econfirm/sdk';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './network';

/** The evidence CA of an org of the network (`network/identity.sh evidence` issues under it), PEM. */
export function evidenceCaPem(orgKey: string): string {
  return readFileSync(path.join(path.dirname(defaultDescriptorPath(REPO_ROOT)), 'ca', orgKey, 'evidence-ca', 'cert.pem'), 'utf8');
}

/**
 * poppler's `pdfsig` on a file, as a stranger to our code checks a signed PDF: with `trustPem`
 * (an evidence CA) trusted in a fresh NSS database, so that it can say "Certificate is Trusted";
 * without, the signature alone. Its report (stdout and stderr).
 */
export function pdfsig(file: string, trustPem?: string): string {
  const nss = trustPem ? mkdtempSync(path.join(tmpdir(), 'econfirm-nss-')) : undefined;
  try {
    if (nss) {
      spawnSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
      writeFileSync(path.join(nss, 'ca.pem'), trustPem as string);
      spawnSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'evidence-ca', '-t', 'CT,C,C', '-i', path.join(nss, 'ca.pem')]);
    }
    const out = spawnSync('pdfsig', [...(nss ? ['-nssdir', `sql:${nss}`] : []), file], { encoding: 'utf8' });
    return `${out.stdout}${out.stderr}`;
  } finally {
    if (nss) rmSync(nss, { recursive: true, force: true });
  }
}
