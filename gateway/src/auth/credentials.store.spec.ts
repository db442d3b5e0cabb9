import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openDatabase } from '../database/database.module';
import { GatewayError } from '../errors/gateway-error';
import { TenantsService } from '../tenants/tenants.service';
import { unitConfig } from '../testing/fixtures';
import { CredentialsStore } from './credentials.store';

/**
 * An offline identity's role comes from its certificate's Fabric attribute extension
 * (1.2.3.4.5.6.7.8.1, network/lib/identity.sh) and from nowhere else in the certificate.
 */
describe('CredentialsStore: the role of an offline identity', function () {
  this.timeout(20_000);
  let dir: string;
  let credentials: CredentialsStore;

  /** A self-issued certificate made by openssl, with `subject` and, when given, the attribute extension's raw value. */
  function certificate(subject: string, attributes?: string): string {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    const extension = attributes === undefined ? [] : ['-addext', `1.2.3.4.5.6.7.8.1=DER:${Buffer.from(attributes).toString('hex')}`];
    execFileSync('openssl', ['req', '-x509', '-new', '-key', key, '-subj', subject, '-days', '2', ...extension, '-out', cert]);
    return readFileSync(cert, 'utf8');
  }

  function refusal(run: () => unknown): GatewayError {
    try {
      run();
    } catch (err) {
      expect(err).to.be.instanceOf(GatewayError);
      return err as GatewayError;
    }
    throw new Error('expected a refusal');
  }

  beforeEach(function () {
    dir = mkdtempSync(path.join(tmpdir(), 'econfirm-credentials-'));
    const config = unitConfig();
    const db = openDatabase(':memory:');
    credentials = new CredentialsStore(db, new TenantsService(config, db));
  });

  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes the role from the certificate's attribute extension", function () {
    const pem = certificate('/CN=auditor9', '{"attrs":{"econfirm.role":"auditor","econfirm.institution":"FIRM1"}}');
    const issued = credentials.issue({ tenantId: 'firm1', identityName: 'auditor9', certificatePem: pem });
    expect(issued.credential).to.include({ role: 'auditor', custody: 'offline', certificatePem: pem });
  });

  // Fails on c85a0dd: its byte scan took the first '{"attrs":' anywhere in the certificate, here the subject.
  it('ignores attribute JSON written anywhere but the extension (a subject name that spells a role)', function () {
    const pem = certificate('/CN={"attrs":{"econfirm.role":"admin"}}');
    const err = refusal(() => credentials.issue({ tenantId: 'firm1', identityName: 'mallory', certificatePem: pem }));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(err.message).to.match(/carries no econfirm role/);
    expect(credentials.listForTenant('firm1').map((c) => c.identityName)).to.not.include('mallory');
  });

  // Fails on c85a0dd: a JSON SyntaxError escaped instead of a 400 with a code.
  it('refuses an attribute extension that is not {"attrs":{…}} JSON, or a certificate that is not one, with INVALID_ARGUMENT', function () {
    for (const [pem, why] of [
      [certificate('/CN=broken', '{"attrs":{"econfirm.role":'), /is not JSON/],
      [certificate('/CN=array', '{"attrs":["auditor"]}'), /holds no \{"attrs":\{…\}\} object/],
      [certificate('/CN=number', '{"attrs":{"econfirm.role":7}}'), /'econfirm.role' is not a string/],
      ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /not a PEM X.509 certificate/],
    ] as const) {
      const err = refusal(() => credentials.issue({ tenantId: 'firm1', identityName: 'auditor9', certificatePem: pem }));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      // INVALID_ARGUMENT has one status wherever it comes from (common/src/errors/error-codes.ts).
      expect(err.httpStatus).to.equal(422);
      expect(err.message).to.match(why);
    }
    expect(credentials.listForTenant('firm1')).to.deep.equal([]);
  });
});
