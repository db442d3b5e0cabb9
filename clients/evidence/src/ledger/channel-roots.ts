import type { Network } from '@hyperledger/fabric-gateway';
import type { common } from '@hyperledger/fabric-protos';
import { currentChannelConfig, mspConfigsOf } from '@econfirm/sdk';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pemCertificates } from '../crypto/certificates';
import { pemCrls } from '../crypto/crl';
import type { TrustRoots } from '../verify/verify-evidence';

/** Root and intermediate certificates of every application org's MSP, by MSP id. */
export function mspRootsFromConfig(config: common.Config): Map<string, Buffer[]> {
  const roots = new Map<string, Buffer[]>();
  mspConfigsOf(config, 'Application').forEach((fabric, mspId) => {
    const pem = [...fabric.getRootCertsList_asU8(), ...fabric.getIntermediateCertsList_asU8()].map((b) => Buffer.from(b).toString('utf8')).join('\n');
    roots.set(mspId, pemCertificates(pem));
  });
  return roots;
}

/** The CRLs each application org's MSP carries (network/identity.sh revoke pushes them), DER, by MSP id. */
export function mspRevocationsFromConfig(config: common.Config): Map<string, Buffer[]> {
  const revocations = new Map<string, Buffer[]>();
  mspConfigsOf(config, 'Application').forEach((fabric, mspId) => {
    const crls = fabric.getRevocationListList_asU8().flatMap((b) => pemCrls(Buffer.from(b).toString('utf8')));
    if (crls.length > 0) revocations.set(mspId, crls);
  });
  return revocations;
}

export async function channelMspRoots(network: Network): Promise<TrustRoots> {
  return mspRootsFromConfig(await currentChannelConfig(network));
}

/** Roots and CRLs of every MSP from the channel's current configuration: what VerifyOptions takes. */
export async function channelMspTrust(network: Network): Promise<{ roots: TrustRoots; revocations: Map<string, Buffer[]> }> {
  const config = await currentChannelConfig(network);
  return { roots: mspRootsFromConfig(config), revocations: mspRevocationsFromConfig(config) };
}

/** Offline CRLs: `<MSPID>.crl` PEM files beside the roots (written by `econfirm verify --export-roots`). */
export function revocationsFromDirectory(dir: string): Map<string, Buffer[]> {
  const revocations = new Map<string, Buffer[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.crl')).sort()) {
    revocations.set(path.basename(file, '.crl'), pemCrls(readFileSync(path.join(dir, file), 'utf8')));
  }
  return revocations;
}

/**
 * Offline trust anchors: a folder of `<MSPID>.pem` files (each may hold several certificates),
 * e.g. exported once from the channel configuration by `econfirm verify --export-roots`.
 */
export function rootsFromDirectory(dir: string): TrustRoots {
  const roots = new Map<string, Buffer[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pem')).sort()) {
    const certs = pemCertificates(readFileSync(path.join(dir, file), 'utf8'));
    if (certs.length > 0) roots.set(path.basename(file, '.pem'), certs);
  }
  if (roots.size === 0) throw new Error(`no <MSPID>.pem root files in ${dir}`);
  return roots;
}
