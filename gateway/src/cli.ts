#!/usr/bin/env node
import type { Institution, PublicJwk } from '@econfirm/common';
import { createApiToken, KeyStoreMismatchError, openLedger, readApiCredentialFile, RegistryClient, rotationInput, submitAndWait, tokenUrl, type ApiCredentialFile, type TokenTarget } from '@econfirm/sdk';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EvmAnchorClient } from './anchoring/evm-anchor.client';
import { CredentialsStore } from './auth/credentials.store';
import { ConfigError, loadGatewayConfig } from './config/gateway-config';
import { backupDatabase, BackupRefusedError, restoreDatabase } from './database/backup';
import { openDatabase } from './database/database.module';
import { hsmKeyIdentifier } from './fabric/hsm-custody';
import { TenantsService } from './tenants/tenants.service';

const USAGE = `usage: econfirm-gateway-admin <command>   (config from ECONFIRM_GATEWAY_CONFIG)

commands:
  credentials issue --tenant <id> --identity <name> [--id <credentialId>] [--out <dir>]
      a credential for a custodial identity of the tenant's org (its key file is in the network
      descriptor); writes <out>/<credentialId>.json = { credentialId, audience, url, role, privateJwk }
      (0600; url = the gateway's publicUrl) and prints the id. With --id, an existing credential whose
      file exists for this gateway (same audience and url) is kept (idempotent).
  credentials offline --tenant <id> --name <label> --cert <cert.pem> --jwk <public-jwk.json> [--id <credentialId>]
      a credential whose Fabric key never reaches the gateway: only the certificate is stored; API
      tokens are verified with the given public JWK.
  credentials list --tenant <id>
  credentials revoke --id <credentialId>
  token --credential <file.json> --method <GET|POST|…> --url <URL or /path> [--lifetime <seconds>]
      prints a fresh API token (ES256 JWT) signed with the credential file's key, good for that one
      request only: htm = the method, htu = the URL without its query (a /path is taken relative to
      the file's url, the gateway's publicUrl), aud = the file's audience.
  keys rotate --tenant <id> [--as <orgKey>/<identity>] [--stage-only true]
      rotates the tenant institution's keys: new key pairs are staged in keysDir, RotateInstitutionKeys
      is submitted as --as (default operator/admin: the registry accepts it only from the operator's
      admin), then the new keys become current and the old private keys stay (retired) so content
      sealed to them remains readable. The institution's current signing key signs its consent.
      --stage-only true: only stage, print the RotateInstitutionKeys arguments (public keys and
      the consent) for the operator to submit; run again (without it) to finish.
      An interrupted rotation is finished by running the command again.
  db backup --out <file>
      an online backup of the gateway's database (dbPath) while it runs: VACUUM INTO, one consistent
      snapshot, owner-only, checked, never over an existing file. Sealed answers stay sealed; the
      at-rest key (<keysDir>/gateway-at-rest.key) is not in it: keep it apart. Prints a JSON summary.
  db restore --from <file>
      the gateway stopped (scripts/gateway.sh restore checks): checks the backup (a SQLite file,
      integrity_check, an econfirm gateway schema no newer than this build, sealed under this
      gateway's at-rest key), moves the current database aside (<dbPath>.before-restore-<time>) and
      puts the backup in its place. A refused backup changes nothing (exit 1, BACKUP_REFUSED).
  hsm key-id --cert <cert.pem>
      prints (hex) the CKA_ID under which config \`hsm\` looks for the identity's private key in the
      token: the certificate's SKI. Import the key with it, e.g.
      softhsm2-util --import key.pem --token <label> --label <name> --id <hex> --pin <pin>.
  anchoring address
      prints the EVM address of the anchorer key configured in \`anchoring\` (its file, environment
      variable or PKCS#11 token, opened and checked as at start-up): the account the contract's
      admin grants ANCHORER_ROLE to.`;

class UsageError extends Error {}

function options(argv: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!name?.startsWith('--') || value === undefined) throw new UsageError(`expected --option value pairs, got '${argv.slice(i).join(' ')}'`);
    found.set(name.slice(2), value);
  }
  return found;
}

function required(opts: Map<string, string>, name: string): string {
  const value = opts.get(name);
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

function stores(): { credentials: CredentialsStore; audience: string; url: string; keysDir: string } {
  const config = loadGatewayConfig();
  const db = openDatabase(config.dbPath);
  const tenants = new TenantsService(config, db);
  return { credentials: new CredentialsStore(db, tenants), audience: config.audience, url: config.publicUrl, keysDir: config.keysDir };
}

/** The token's target: `--url` absolute, or a path on the gateway the file names. */
function tokenTarget(file: ApiCredentialFile, opts: Map<string, string>): TokenTarget {
  const method = required(opts, 'method').toUpperCase();
  if (!/^[A-Z]{3,7}$/.test(method)) throw new UsageError(`--method must be an HTTP method, got '${method}'`);
  const given = required(opts, 'url');
  let url: string;
  if (given.startsWith('/')) {
    if (!file.url) throw new UsageError('this credential file names no gateway url: give --url as an absolute URL (or issue the file again)');
    url = `${file.url}${given}`;
  } else {
    url = given;
  }
  try {
    return { audience: file.audience, method, url: tokenUrl(url) };
  } catch {
    throw new UsageError(`--url must be an absolute URL or a path starting with /, got '${given}'`);
  }
}

async function run(argv: string[]): Promise<void> {
  const [group, verb, ...rest] = argv;
  if (group === 'token') {
    const opts = options([verb ?? '', ...rest].filter((w) => w !== ''));
    const file = readApiCredentialFile(required(opts, 'credential'));
    process.stdout.write(`${await createApiToken(file.credentialId, file.privateJwk, tokenTarget(file, opts), Number(opts.get('lifetime') ?? 120))}\n`);
    return;
  }
  if (group === 'hsm') {
    if (verb !== 'key-id') throw new UsageError(`unknown hsm command '${verb ?? ''}'`);
    process.stdout.write(`${hsmKeyIdentifier(readFileSync(required(options(rest), 'cert'))).toString('hex')}\n`);
    return;
  }
  if (group === 'anchoring') {
    if (verb !== 'address') throw new UsageError(`unknown anchoring command '${verb ?? ''}'`);
    const settings = loadGatewayConfig().anchoring;
    if (!settings) throw new Error('the gateway configuration has no anchoring section');
    // The client the anchoring service opens: no JSON-RPC call is made to learn the address.
    const client = await EvmAnchorClient.open(settings);
    try {
      process.stdout.write(`${client.address}\n`);
    } finally {
      client.close();
    }
    return;
  }
  if (group === 'db') {
    const opts = options(rest);
    const config = loadGatewayConfig();
    if (verb === 'backup') process.stdout.write(`${JSON.stringify(backupDatabase(config.dbPath, path.resolve(required(opts, 'out'))))}\n`);
    else if (verb === 'restore') process.stdout.write(`${JSON.stringify(restoreDatabase(config.dbPath, path.resolve(required(opts, 'from')), config.keysDir))}\n`);
    else throw new UsageError(`unknown db command '${verb ?? ''}'`);
    return;
  }
  if (group === 'keys') {
    if (verb !== 'rotate') throw new UsageError(`unknown keys command '${verb ?? ''}'`);
    await rotateKeys(options(rest));
    return;
  }
  if (group !== 'credentials') throw new UsageError(group ? `unknown command '${group}'` : '');
  const opts = options(rest);
  const { credentials, audience, url } = stores();
  if (verb === 'issue') {
    const out = path.resolve(opts.get('out') ?? '.');
    const id = opts.get('id');
    const file = id ? path.join(out, `${id}.json`) : undefined;
    // A file for another audience or URL (e.g. written before tokens were bound to this gateway's URL) is replaced.
    const current = file && existsSync(file) ? readApiCredentialFile(file) : undefined;
    if (id && credentials.find(id) && current?.audience === audience && current.url === url) {
      process.stdout.write(`${id}\n`);
      return;
    }
    if (id && credentials.find(id)) credentials.forget(id);
    const issued = credentials.issue({ tenantId: required(opts, 'tenant'), identityName: required(opts, 'identity'), ...(id ? { id } : {}) });
    mkdirSync(out, { recursive: true, mode: 0o700 });
    const target = path.join(out, `${issued.credential.id}.json`);
    writeFileSync(target, `${JSON.stringify({ credentialId: issued.credential.id, audience, url, role: issued.credential.role, privateJwk: issued.privateJwk }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(target, 0o600);
    process.stdout.write(`${issued.credential.id}\n`);
  } else if (verb === 'offline') {
    const jwk = JSON.parse(readFileSync(required(opts, 'jwk'), 'utf8')) as PublicJwk;
    const id = opts.get('id');
    const issued = credentials.issue({
      tenantId: required(opts, 'tenant'),
      identityName: required(opts, 'name'),
      certificatePem: readFileSync(required(opts, 'cert'), 'utf8'),
      publicJwk: jwk,
      ...(id ? { id } : {}),
    });
    process.stdout.write(`${issued.credential.id}\n`);
  } else if (verb === 'list') {
    for (const c of credentials.listForTenant(required(opts, 'tenant'))) {
      process.stdout.write(`${c.id.padEnd(40)} ${c.identityName.padEnd(16)} ${c.role.padEnd(14)} ${c.custody.padEnd(10)} ${c.revokedAt ? `revoked ${c.revokedAt}` : 'active'}\n`);
    }
  } else if (verb === 'revoke') {
    credentials.revoke(required(opts, 'id'));
  } else {
    throw new UsageError(`unknown credentials command '${verb ?? ''}'`);
  }
}

/** keys rotate: as the operator's admin by default (registry writes need OperatorMSP admin). */
async function rotateKeys(opts: Map<string, string>): Promise<void> {
  const config = loadGatewayConfig();
  const tenants = new TenantsService(config, openDatabase(config.dbPath));
  const tenant = tenants.get(required(opts, 'tenant'));
  const [orgKey, identityName] = (opts.get('as') ?? 'operator/admin').split('/');
  if (!orgKey || !identityName) throw new UsageError('--as must be <orgKey>/<identity>');
  const stageOnly = opts.get('stage-only') === 'true';
  const org = tenants.descriptor.orgs.find((o) => o.key === orgKey);
  const ledger = openLedger({ descriptor: tenants.descriptor, orgKey, identityName, ...(org && org.peers.length === 0 ? { gatewayOrgKey: 'operator' } : {}), deadlines: config.deadlines });
  try {
    const registry = new RegistryClient(ledger);
    const outcome = await tenants.rotateInstitutionKeys(
      tenant.id,
      {
        read: (id) => registry.get(id),
        rotate: async (id, input, consent) => {
          const result = await submitAndWait(ledger.contract('registry'), 'RotateInstitutionKeys', { arguments: [id, JSON.stringify(input), consent] });
          return JSON.parse(Buffer.from(result.result).toString('utf8')) as Institution;
        },
      },
      { submit: !stageOnly },
    );
    if (stageOnly && outcome.keys.pending) {
      process.stdout.write(`${JSON.stringify({ transaction: 'RotateInstitutionKeys', args: [tenant.institutionId, rotationInput(outcome.keys), outcome.consent ?? ''] }, null, 2)}\n`);
      return;
    }
    const i = outcome.institution;
    process.stdout.write(`${i.id}: encryption ${i.encryptionKey.kid}, signing ${i.signingKey.kid}; retired ${i.retiredKeys.map((k) => k.kid).join(', ') || 'none'}${outcome.resumed ? ' (finished a staged rotation the registry already had)' : ''}\n`);
  } catch (err) {
    if (err instanceof KeyStoreMismatchError) throw new Error(`${err.code}: ${err.message}`);
    throw err;
  } finally {
    ledger.close();
  }
}

run(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message ? `${err.message}\n\n` : ''}${USAGE}\n`);
    process.exit(2);
  }
  if (err instanceof BackupRefusedError) {
    process.stderr.write(`${err.code} (${err.reason}): ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
