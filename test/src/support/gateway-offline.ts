import type { PublicJwk } from '@econfirm/common';
import { hasHighS } from '@econfirm/gateway';
import { findOrg, privateKeyDigestSigner, publicJwk, signOfflineProposal, signOfflineTransaction, type DigestSigner, type ExpectedArgument, type ExpectedCall } from '@econfirm/sdk';
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type request from 'supertest';
import type { Caller, TestGateway } from './gateway';
import { descriptor, REPO_ROOT } from './network';

/** An identity whose private key exists only in this process: the caller's own key. */
export interface OfflineIdentity {
  name: string;
  mspId: string;
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
    return { name, mspId: org.mspId, certificatePem, privateKey, publicJwk: publicJwk(privateKey.export({ format: 'jwk' })) };
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

/** What the caller asked for: a confirmation-contract transaction and its arguments (the channel and chaincode are the network's). */
export interface AskedCall {
  transaction: string;
  args: readonly ExpectedArgument[];
  contract?: string;
  /** The transient map the proposal must carry (none when absent). */
  transient?: ExpectedCall['transient'];
}

/** The ledger call an offline identity expects to sign, in the SDK's terms. */
export function expectedCall(identity: OfflineIdentity, asked: AskedCall): ExpectedCall {
  const network = descriptor();
  return {
    channel: network.channel,
    chaincode: network.chaincode.name,
    contract: asked.contract ?? 'confirmation',
    transaction: asked.transaction,
    args: asked.args,
    ...(asked.transient ? { transient: asked.transient } : {}),
    creator: { mspId: identity.mspId, certificatePem: identity.certificatePem },
  };
}

/** The identity's key as the SDK signs digests (DER, low S). */
export function digestSigner(identity: OfflineIdentity): DigestSigner {
  return privateKeyDigestSigner(identity.privateKey);
}

/**
 * Completes a 202 offline answer the way a caller's own software does, with the SDK: decodes
 * the proposal, checks it is `asked`, signs it (endorsement), then checks and signs the endorsed
 * transaction and the commit-status request (submission) — or, for a read, the proposal
 * (evaluation). Returns the final HTTP answer. Without the commit-status signature the gateway
 * reads the commit status as a custodial identity of the tenant.
 */
export async function completeOffline(
  gw: TestGateway,
  caller: Caller,
  identity: OfflineIdentity,
  pending: request.Response,
  asked: AskedCall,
  options: { signCommitStatus?: boolean } = {},
): Promise<request.Response> {
  expect(pending.status, JSON.stringify(pending.body)).to.equal(202);
  const expected = expectedCall(identity, asked);
  const sign = digestSigner(identity);
  const answer = pending.body as { transactionId: string; proposal: string; mode: 'submit' | 'evaluate' };
  const proposalSignature = await signOfflineProposal(answer, expected, sign);
  if (answer.mode === 'evaluate') {
    return gw.post(caller, `/v1/transactions/${answer.transactionId}/evaluation`, proposalSignature);
  }
  const endorsed = await gw.post(caller, `/v1/transactions/${answer.transactionId}/endorsement`, proposalSignature);
  expect(endorsed.status, JSON.stringify(endorsed.body)).to.equal(200);
  const signed = await signOfflineTransaction(endorsed.body as { transactionId: string; transaction: string; commitStatusRequest: string }, expected, answer.transactionId, sign);
  return gw.post(caller, `/v1/transactions/${answer.transactionId}/submission`, {
    signature: signed.signature,
    ...(options.signCommitStatus === false ? {} : { commitSignature: signed.commitSignature }),
  });
}

/**
 * A caller whose signing tool does not normalize S, as `openssl pkeyutl` (and most HSMs) do not:
 * signs a base64 digest as-is and, when asked, retries until the signature has a high S (half of
 * them do) — the form Fabric's peers refuse unless the gateway normalizes it.
 */
export function opensslDigestSigner(identity: OfflineIdentity): { sign(digest: Uint8Array, highS: boolean): Promise<Uint8Array>; close(): void } {
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-openssl-'));
  const keyFile = path.join(work, 'key.pem');
  writeFileSync(keyFile, identity.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return {
    async sign(digest: Uint8Array, highS: boolean): Promise<Uint8Array> {
      const digestFile = path.join(work, 'digest.bin');
      writeFileSync(digestFile, digest);
      for (let i = 0; i < 64; i++) {
        const der = execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', keyFile, '-in', digestFile]);
        if ((await hasHighS(der)) === highS) return new Uint8Array(der);
      }
      throw new Error(`openssl gave no ${highS ? 'high' : 'low'}-S signature in 64 tries`);
    },
    close: () => rmSync(work, { recursive: true, force: true }),
  };
}

/** `econfirm offline sign` on a gateway answer, as an operator with the key in a file would run it. */
export function cliSign(answer: unknown, identity: OfflineIdentity, call: string, args: string[], extra: string[] = []): { status: number | null; body: Record<string, string>; stderr: string } {
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-cli-offline-'));
  try {
    writeFileSync(path.join(work, 'answer.json'), JSON.stringify(answer));
    writeFileSync(path.join(work, 'cert.pem'), identity.certificatePem);
    writeFileSync(path.join(work, 'key.pem'), identity.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const run = spawnSync(process.execPath, [
      path.join(REPO_ROOT, 'clients/cli/dist/main.js'), 'offline', 'sign', path.join(work, 'answer.json'),
      '--cert', path.join(work, 'cert.pem'), '--key', path.join(work, 'key.pem'), '--msp', identity.mspId, '--call', call,
      ...args.flatMap((a) => ['--arg', a]), ...extra,
    ], { encoding: 'utf8' });
    return { status: run.status, body: run.status === 0 ? (JSON.parse(run.stdout) as Record<string, string>) : {}, stderr: run.stderr };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
