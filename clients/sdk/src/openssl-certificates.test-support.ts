import { execFileSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** A key and certificate made by openssl, for the sdk's tests of the ledger audit. */
export interface Node {
  key: KeyObject;
  certPem: string;
}

/**
 * A P-256 key and certificate in `dir`: issued by `ca` (a node made here before, by name), or a
 * self-issued CA when `ca` is absent; `ou` sets the subject's OU, as Fabric's NodeOUs read a role.
 */
export function makeNode(dir: string, name: string, ca?: { name: string }, ou?: string): Node {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  const subject = `${ou ? `/OU=${ou}` : ''}/CN=${name}`;
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
  if (ca) {
    execFileSync('openssl', ['req', '-new', '-key', key, '-subj', subject, '-out', path.join(dir, `${name}.csr`)]);
    execFileSync('openssl', ['x509', '-req', '-in', path.join(dir, `${name}.csr`), '-CA', path.join(dir, `${ca.name}.pem`), '-CAkey', path.join(dir, `${ca.name}.key`), '-set_serial', '7', '-days', '2', '-out', cert], { stdio: 'ignore' });
  } else {
    execFileSync('openssl', ['req', '-x509', '-new', '-key', key, '-subj', subject, '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', cert]);
  }
  return { key: createPrivateKey(readFileSync(key)), certPem: readFileSync(cert, 'utf8') };
}
