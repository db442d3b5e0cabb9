import type { PublicJwk } from '@econfirm/common';
import { hasHighS } from '@econfirm/gateway';
import { findOrg, publicJwk } from '@econfirm/sdk';
import { signers } from '@hyperledger/fabric-gateway';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type request from 'supertest';
import type { Caller, TestGateway } from './gateway';
import { descriptor } from './network';

/** An identity whose private key exists only in this process: the caller's own key. */
export interface OfflineIdentity {
  name: string;
  certificatePem: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
}

const ATTR_OID = '1.2.3.4.5.6.7.8.1';

/**
 * What an org's CA does for a member who keeps its key: certifies a public key it was handed,
 * with the econfirm role attributes (as network/lib/identity.sh does, but from the public key
 * only — `openssl x509 -new -force_pubkey`). The private key never touches disk.
 */
export function enrollOfflineIdentity(orgKey: string, name: string, role: string, institution: string): OfflineIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const org = findOrg(descriptor(), orgKey);
  const caDir = path.dirname(org.caCertPath);
  const domain = `${orgKey}.econfirm.net`;
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-offline-'));
  try {
    writeFileSync(path.join(work, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const attrs = Buffer.from(JSON.stringify({ attrs: { 'econfirm.role': role, 'econfirm.institution': institution } })).toString('hex');
    writeFileSync(
      path.join(work, 'ext.cnf'),
      ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid', `${ATTR_OID}=DER:${attrs}`].join('\n'),
    );
    execFileSync('openssl', [
      'x509', '-new', '-force_pubkey', path.join(work, 'pub.pem'), '-subj', `/C=CN/O=${domain}/OU=client/CN=${name}@${domain}`,
      '-CA', org.caCertPath, '-CAkey', path.join(caDir, 'priv_sk'), '-set_serial', `0x${randomBytes(15).toString('hex')}`,
      '-days', '30', '-sha256', '-extfile', path.join(work, 'ext.cnf'), '-out', path.join(work, 'cert.pem'),
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const certificatePem = readFileSync(path.join(work, 'cert.pem'), 'utf8');
    return { name, certificatePem, privateKey, publicJwk: publicJwk(privateKey.export({ format: 'jwk' })) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Registers the identity with the gateway as an offline credential: the certificate and a public key only. */
export function offlineCaller(gw: TestGateway, tenantId: string, identity: OfflineIdentity): Caller {
  const { credential } = gw.credentials.issue({ tenantId, identityName: identity.name, certificatePem: identity.certificatePem, publicJwk: identity.publicJwk });
  // The same key signs API tokens and Fabric digests; the gateway holds its public half only.
  return { credentialId: credential.id, privateJwk: identity.privateKey.export({ format: 'jwk' }) };
}

/**
 * Completes a 202 offline answer the way a caller's own software does: signs the proposal
 * digest (endorsement), then the transaction and commit-status digests (submission) — or, for a
 * read, the proposal digest (evaluation). Returns the final HTTP answer. Without the commit-status
 * signature the gateway reads the commit status as a custodial identity of the tenant.
 */
export async function completeOffline(
  gw: TestGateway,
  caller: Caller,
  identity: OfflineIdentity,
  pending: request.Response,
  options: { signCommitStatus?: boolean } = {},
): Promise<request.Response> {
  expect(pending.status, JSON.stringify(pending.body)).to.equal(202);
  const sign = signers.newPrivateKeySigner(identity.privateKey);
  const b64 = async (digest: string): Promise<string> => Buffer.from(await sign(Buffer.from(digest, 'base64'))).toString('base64');
  const { transactionId, proposalDigest, mode } = pending.body as { transactionId: string; proposalDigest: string; mode: string };
  if (mode === 'evaluate') {
    return gw.post(caller, `/v1/transactions/${transactionId}/evaluation`, { signature: await b64(proposalDigest) });
  }
  const endorsed = await gw.post(caller, `/v1/transactions/${transactionId}/endorsement`, { signature: await b64(proposalDigest) });
  expect(endorsed.status, JSON.stringify(endorsed.body)).to.equal(200);
  return gw.post(caller, `/v1/transactions/${transactionId}/submission`, {
    signature: await b64(endorsed.body.transactionDigest as string),
    ...(options.signCommitStatus === false ? {} : { commitSignature: await b64(endorsed.body.commitDigest as string) }),
  });
}

/**
 * A caller whose signing tool does not normalize S, as `openssl pkeyutl` (and most HSMs) do not:
 * signs a base64 digest as-is and, when asked, retries until the signature has a high S (half of
 * them do) — the form Fabric's peers refuse unless the gateway normalizes it.
 */
export function opensslDigestSigner(identity: OfflineIdentity): { sign(digest: string, highS: boolean): Promise<string>; close(): void } {
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-openssl-'));
  const keyFile = path.join(work, 'key.pem');
  writeFileSync(keyFile, identity.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return {
    async sign(digest: string, highS: boolean): Promise<string> {
      const digestFile = path.join(work, 'digest.bin');
      writeFileSync(digestFile, Buffer.from(digest, 'base64'));
      for (let i = 0; i < 64; i++) {
        const der = execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', keyFile, '-in', digestFile]);
        if ((await hasHighS(der)) === highS) return der.toString('base64');
      }
      throw new Error(`openssl gave no ${highS ? 'high' : 'low'}-S signature in 64 tries`);
    },
    close: () => rmSync(work, { recursive: true, force: true }),
  };
}

