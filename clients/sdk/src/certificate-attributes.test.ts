import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CertificateAttributesError, FABRIC_ATTRIBUTES_OID, fabricCertificateAttributes } from './certificate-attributes';

describe("Fabric's attribute extension", function () {
  this.timeout(20_000);
  let dir: string;

  /** A self-issued certificate made by openssl the way network/lib/identity.sh writes the extension (raw JSON bytes). */
  function certificate(subject: string, attributes?: string): string {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    const extension = attributes === undefined ? [] : ['-addext', `${FABRIC_ATTRIBUTES_OID}=DER:${Buffer.from(attributes).toString('hex')}`];
    execFileSync('openssl', ['req', '-x509', '-new', '-key', key, '-subj', subject, '-days', '2', ...extension, '-out', cert]);
    return readFileSync(cert, 'utf8');
  }

  before(function () {
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-attrs-'));
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the attributes from a PEM, DER or node:crypto certificate alike', function () {
    const pem = certificate('/CN=auditor1', '{"attrs":{"econfirm.role":"auditor","econfirm.institution":"FIRM1","hf.EnrollmentID":"auditor1"}}');
    const expected = { 'econfirm.role': 'auditor', 'econfirm.institution': 'FIRM1', 'hf.EnrollmentID': 'auditor1' };
    const parsed = new X509Certificate(pem);
    expect(fabricCertificateAttributes(pem)).to.deep.equal(expected);
    expect(fabricCertificateAttributes(new Uint8Array(parsed.raw))).to.deep.equal(expected);
    expect(fabricCertificateAttributes(parsed)).to.deep.equal(expected);
  });

  it('finds none in a certificate without the extension, even when its subject spells attribute JSON', function () {
    expect(fabricCertificateAttributes(certificate('/CN=peer0'))).to.deep.equal({});
    expect(fabricCertificateAttributes(certificate('/CN={"attrs":{"econfirm.role":"admin"}}'))).to.deep.equal({});
  });

  it('refuses an extension that is not {"attrs":{…}} with string values, naming what is wrong', function () {
    for (const [value, why] of [
      ['not json', /is not JSON/],
      ['{"attrs":null}', /holds no \{"attrs":\{…\}\} object/],
      ['["econfirm.role"]', /holds no \{"attrs":\{…\}\} object/],
      ['{"attrs":{"econfirm.role":["admin"]}}', /'econfirm.role' is not a string/],
    ] as const) {
      const pem = certificate('/CN=odd', value);
      expect(() => fabricCertificateAttributes(pem)).to.throw(CertificateAttributesError, why);
    }
  });

  it('refuses bytes that are not a certificate', function () {
    expect(() => fabricCertificateAttributes(Buffer.from('not a certificate'))).to.throw();
  });
});
