import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * A throwaway org PKI for unit tests without a network, made with openssl as the network makes
 * it: an org root like cryptogen's (P-256, self-signed, CA:TRUE, TLS client/server EKU), under it
 * the org's evidence CA (pathlen 0, no EKU — NSS refuses a TLS-only EKU chain for document
 * signing), and leaf certificates that CA issues for a key, optionally for a given public key.
 */
export interface IssuedCertificate {
  keyPem: string;
  certPem: string;
  keyFile: string;
  certFile: string;
}

export interface TestOrgPki {
  dir: string;
  rootPem: string;
  rootFile: string;
  evidenceCaPem: string;
  evidenceCaFile: string;
  /** `evidence`: an evidence certificate of that institution, as network/lib/identity.sh issues it; `notBefore`/`notAfter`: a back-dated one. */
  issue(name: string, options?: { publicKeyPem?: string; days?: number; evidence?: string; notBefore?: Date; notAfter?: Date }): IssuedCertificate;
  /** A CRL signed by the org root that revokes the org's evidence CA (PEM), as an MSP would carry it. */
  revokeEvidenceCa(): string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(file: string, cwd: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], cwd);
}

/** openssl's YYYYMMDDHHMMSSZ. */
const stamp = (d: Date): string => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

let serial = 0;
const nextSerial = () => `0x${Date.now().toString(16)}${(++serial).toString(16).padStart(4, '0')}`;

export function createTestOrgPki(org: string): TestOrgPki {
  const dir = mkdtempSync(path.join(tmpdir(), `econfirm-pki-${org}-`));
  const rootKey = path.join(dir, 'root.key');
  const rootFile = path.join(dir, 'root.pem');
  newKey(rootKey, dir);
  openssl(
    [
      'req', '-x509', '-new', '-key', rootKey, '-days', '3650', '-sha256', '-out', rootFile,
      '-subj', `/C=US/ST=California/L=San Francisco/O=${org}.econfirm.test/CN=ca.${org}.econfirm.test`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign',
      '-addext', 'extendedKeyUsage=clientAuth,serverAuth',
    ],
    dir,
  );
  const caKey = path.join(dir, 'evidence-ca.key');
  const caFile = path.join(dir, 'evidence-ca.pem');
  const caExt = path.join(dir, 'evidence-ca.ext');
  newKey(caKey, dir);
  writeFileSync(caExt, ['basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,digitalSignature,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid:always'].join('\n'));
  const caPub = path.join(dir, 'evidence-ca.pub');
  openssl(['pkey', '-in', caKey, '-pubout', '-out', caPub], dir);
  openssl(['x509', '-new', '-force_pubkey', caPub, '-subj', `/C=CN/O=${org}.econfirm.test/CN=evidence-ca.${org}.econfirm.test`, '-CA', rootFile, '-CAkey', rootKey, '-set_serial', nextSerial(), '-days', '1825', '-sha256', '-extfile', caExt, '-out', caFile], dir);
  const issue: TestOrgPki['issue'] = (name, options = {}) => {
    const key = path.join(dir, `${name}.key`);
    const pub = path.join(dir, `${name}.pub`);
    const cert = path.join(dir, `${name}.pem`);
    const ext = path.join(dir, `${name}.ext`);
    if (options.publicKeyPem) {
      writeFileSync(pub, options.publicKeyPem);
    } else {
      newKey(key, dir);
      openssl(['pkey', '-in', key, '-pubout', '-out', pub], dir);
    }
    const attributes = Buffer.from(JSON.stringify({ attrs: { 'econfirm.institution': options.evidence } })).toString('hex');
    const purpose = options.evidence ? ['extendedKeyUsage=1.3.6.1.5.5.7.3.36,emailProtection', `1.2.3.4.5.6.7.8.1=DER:${attributes}`] : [];
    writeFileSync(ext, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid:always', ...purpose].join('\n'));
    const subj = `/C=CN/O=${org}.econfirm.test/OU=evidence/CN=${name}@${org}.econfirm.test`;
    if (options.notBefore) {
      // openssl 3.0's x509 -new has no -not_before: a back-dated certificate goes through `openssl ca`.
      const db = mkdtempSync(path.join(dir, 'issue-db-'));
      writeFileSync(path.join(db, 'index.txt'), '');
      writeFileSync(path.join(db, 'serial'), `${randomBytes(8).toString('hex')}\n`);
      const config = path.join(db, 'ca.cnf');
      writeFileSync(config, ['[ ca ]', 'default_ca = ev_ca', '[ ev_ca ]', `database = ${db}/index.txt`, `serial = ${db}/serial`, `new_certs_dir = ${db}`, 'default_md = sha256', 'policy = any', 'unique_subject = no', '[ any ]', 'commonName = supplied'].join('\n'));
      openssl(['req', '-new', '-key', key, '-subj', subj, '-out', path.join(db, 'req.csr')], dir);
      const notAfter = options.notAfter ?? new Date(options.notBefore.getTime() + (options.days ?? 825) * 86_400_000);
      openssl(['ca', '-batch', '-notext', '-config', config, '-in', path.join(db, 'req.csr'), '-cert', caFile, '-keyfile', caKey, '-startdate', stamp(options.notBefore), '-enddate', stamp(notAfter), '-extfile', ext, '-preserveDN', '-out', cert], dir);
      return { keyPem: readFileSync(key, 'utf8'), certPem: readFileSync(cert, 'utf8'), keyFile: key, certFile: cert };
    }
    openssl(
      [
        'x509', '-new', '-force_pubkey', pub, '-subj', subj,
        '-CA', caFile, '-CAkey', caKey, '-set_serial', nextSerial(), '-days', String(options.days ?? 825), '-sha256', '-extfile', ext, '-out', cert,
      ],
      dir,
    );
    return { keyPem: options.publicKeyPem ? '' : readFileSync(key, 'utf8'), certPem: readFileSync(cert, 'utf8'), keyFile: key, certFile: cert };
  };
  const revokeEvidenceCa = (): string => {
    const db = path.join(dir, 'ca-db');
    mkdirSync(db, { recursive: true });
    writeFileSync(path.join(db, 'index.txt'), '');
    writeFileSync(path.join(db, 'crlnumber'), '1000\n');
    const config = path.join(db, 'ca.cnf');
    writeFileSync(
      config,
      ['[ ca ]', 'default_ca = org_ca', '[ org_ca ]', `database = ${db}/index.txt`, `crlnumber = ${db}/crlnumber`, `certificate = ${rootFile}`, `private_key = ${rootKey}`, 'default_md = sha256', 'default_crl_days = 30', 'crl_extensions = crl_ext', '[ crl_ext ]', 'authorityKeyIdentifier = keyid:always'].join('\n'),
    );
    openssl(['ca', '-config', config, '-revoke', caFile], dir);
    const crl = path.join(db, 'crl.pem');
    openssl(['ca', '-config', config, '-gencrl', '-out', crl], dir);
    return readFileSync(crl, 'utf8');
  };
  return { dir, rootPem: readFileSync(rootFile, 'utf8'), rootFile, evidenceCaPem: readFileSync(caFile, 'utf8'), evidenceCaFile: caFile, issue, revokeEvidenceCa };
}

/** A throwaway NSS database trusting `anchorsPem` (for pdfsig -nssdir). */
export function createNssDb(anchorsPem: readonly string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-nss-'));
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password'], { stdio: 'ignore' });
  anchorsPem.forEach((pem, i) => {
    const file = path.join(dir, `anchor-${i}.pem`);
    writeFileSync(file, pem);
    execFileSync('certutil', ['-A', '-d', `sql:${dir}`, '-n', `anchor-${i}`, '-t', 'CT,C,C', '-i', file], { stdio: 'ignore' });
  });
  return dir;
}
