import type { InstitutionProfile } from '@econfirm/common';
import { pemChainToX5c, type NetworkDescriptor, type SigningKeyCertifier } from '@econfirm/sdk';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Demo custody: the operator's scripts hold every org CA, so `demo seed` has each institution's
 * signing key certified by its org (network/identity.sh certify). In production each org's CA
 * administrator does this for its own members from their public key alone.
 */
export function demoSigningKeyCertifier(descriptor: NetworkDescriptor, repoRoot: string, networkDir: string): SigningKeyCertifier {
  return (profile: InstitutionProfile, kid: string, publicKeyPem: string) => {
    const org = descriptor.orgs.find((o) => o.mspId === profile.mspId);
    if (!org) throw new Error(`no org with MSP ${profile.mspId} in the network descriptor`);
    const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-certify-'));
    try {
      const file = path.join(dir, 'signing.pub.pem');
      writeFileSync(file, publicKeyPem);
      const chain = execFileSync(path.join(repoRoot, 'network', 'identity.sh'), ['certify', org.key, kid, file], {
        encoding: 'utf8',
        env: { ...process.env, ECONFIRM_NETWORK_DIR: networkDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return pemChainToX5c(chain);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const EVIDENCE_ISSUER_KINDS: readonly string[] = ['audit-firm', 'mortgage-registry', 'enterprise', 'bank'];

/**
 * Demo custody of evidence keys: every demo audit firm, registration centre, enterprise and bank
 * gets its evidence certificate (network/identity.sh evidence <org> <institution>, idempotent), so
 * the gateway and the library can sign evidence PDFs, registration certificates and receivable
 * vouchers (issued by the receivable's own parties) right after start-up. Returns the institutions
 * that have one.
 */
export function ensureDemoEvidenceIdentities(descriptor: NetworkDescriptor, repoRoot: string, networkDir: string, institutions: readonly InstitutionProfile[]): string[] {
  const issuers = institutions.filter((i) => EVIDENCE_ISSUER_KINDS.includes(i.kind));
  for (const issuer of issuers) {
    const org = descriptor.orgs.find((o) => o.mspId === issuer.mspId);
    if (!org) continue;
    execFileSync(path.join(repoRoot, 'network', 'identity.sh'), ['evidence', org.key, issuer.id], {
      env: { ...process.env, ECONFIRM_NETWORK_DIR: networkDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  return issuers.map((f) => f.id);
}
