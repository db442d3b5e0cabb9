import { channelMspTrust, exportRegistry, ledgerView, registryFromJson, revocationsFromDirectory, rootsFromDirectory, toPem, verifyEvidenceBundle, verifyEvidencePdf, type TrustRoots, type Verdict } from '@econfirm/evidence';
import { defaultDescriptorPath, loadNetworkDescriptor, openLedger, type LedgerSession, type NetworkDescriptor } from '@econfirm/sdk';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const VERIFY_USAGE = `usage: econfirm verify <file.pdf | bundle-dir | bundle.json> [--offline --roots <dir>] [--evm-rpc <url> --evm-contract <address> [--evm-chain-id <id>]] [--as <org>/<identity>] [--json]
       econfirm verify --export-roots <dir> [--as <org>/<identity>]

  Checks an evidence PDF (or an engagement bundle: a folder with its manifest.jws, or the portal's
  bundle .json file) without trusting
  whoever made it: PDF signature, each JWS and its certificate chain to the institution's root in
  the channel's MSP configuration, embedded content against the salted hashes, and — online — the
  hashes and transactions against the ledger. Exit code 0 only when every check passes.
  --offline         check everything but the ledger (needs --roots)
  --roots <dir>     trust anchors: <MSPID>.pem files and <MSPID>.crl revocation lists, and registry.json
                    (the registry snapshot the offline check takes parties and the responder's keys
                    from; without it that check is SKIPPED) — --export-roots writes all three
  --evm-rpc <url>   check the evidence's public anchor against this EVM JSON-RPC node (any node of
                    the chain; no Fabric access needed) and report the block time
  --evm-contract    the EvidenceAnchor address you trust (never the one the document names)
  --evm-chain-id    refuse a node on another chain
  --as              ledger identity (default: the generating firm's first auditor in network.json)
  --json            the verdict as JSON`;

/** The registry snapshot beside the roots: the offline verifier's own copy, never the document's parties. */
const REGISTRY_FILE = 'registry.json';

interface VerifyArgs {
  target?: string;
  offline: boolean;
  roots?: string;
  as?: string;
  json: boolean;
  exportRoots?: string;
  evmRpc?: string;
  evmContract?: string;
  evmChainId?: string;
}

class VerifyUsageError extends Error {}

/** The first word that is not an option (or --as's value) is the command. */
function commandIndex(argv: readonly string[]): number {
  return argv.findIndex((w, i) => !w.startsWith('-') && argv[i - 1] !== '--as');
}

export function isVerifyInvocation(argv: readonly string[]): boolean {
  return argv[commandIndex(argv)] === 'verify';
}

function parse(argv: readonly string[]): VerifyArgs {
  const args: VerifyArgs = { offline: false, json: false };
  const at = commandIndex(argv);
  const rest = [...argv.slice(0, at), ...argv.slice(at + 1)];
  if (rest.includes('--help') || rest.includes('-h')) throw new VerifyUsageError('');
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] as string;
    const value = () => {
      const next = rest[++i];
      if (next === undefined) throw new VerifyUsageError(`${word} needs a value`);
      return next;
    };
    if (word === '--offline') args.offline = true;
    else if (word === '--json') args.json = true;
    else if (word === '--roots') args.roots = value();
    else if (word === '--as') args.as = value();
    else if (word === '--export-roots') args.exportRoots = value();
    else if (word === '--evm-rpc') args.evmRpc = value();
    else if (word === '--evm-contract') args.evmContract = value();
    else if (word === '--evm-chain-id') args.evmChainId = value();
    else if (word.startsWith('--')) throw new VerifyUsageError(`unknown option ${word}`);
    else if (args.target === undefined) args.target = word;
    else throw new VerifyUsageError(`one file at a time (got '${args.target}' and '${word}')`);
  }
  if (!args.exportRoots && !args.target) throw new VerifyUsageError('which file?');
  if (args.offline && !args.roots) throw new VerifyUsageError('--offline needs --roots <dir> (trust anchors per MSP)');
  if (Boolean(args.evmRpc) !== Boolean(args.evmContract)) throw new VerifyUsageError('--evm-rpc and --evm-contract go together (the node to ask and the contract you trust)');
  if (args.evmRpc && !/^https?:\/\//.test(args.evmRpc)) throw new VerifyUsageError('--evm-rpc: an http(s) URL');
  if (args.evmContract && !/^0x[0-9a-fA-F]{40}$/.test(args.evmContract)) throw new VerifyUsageError('--evm-contract: a 20-byte hex address');
  if (args.evmChainId && !/^[1-9]\d*$/.test(args.evmChainId)) throw new VerifyUsageError('--evm-chain-id: a decimal chain id');
  return args;
}

function descriptorAndDir(repoRoot: string): { descriptor: NetworkDescriptor; networkDir: string } {
  const file = defaultDescriptorPath(repoRoot);
  return { descriptor: loadNetworkDescriptor(file), networkDir: path.dirname(file) };
}

/** --as, or the generating firm's first auditor (demo convenience: the firm reads its own evidence). */
function sessionFor(descriptor: NetworkDescriptor, as: string | undefined, generatorMsp: string | undefined): LedgerSession {
  let orgKey: string | undefined;
  let identityName: string | undefined;
  if (as) {
    [orgKey, identityName] = as.split('/');
  } else {
    const org = descriptor.orgs.find((o) => o.mspId === generatorMsp) ?? descriptor.orgs.find((o) => o.kind === 'firm');
    orgKey = org?.key;
    identityName = org?.identities.find((i) => i.role === 'auditor' && !(i as { revoked?: boolean }).revoked)?.name;
  }
  if (!orgKey || !identityName) throw new VerifyUsageError('no ledger identity: pass --as <org>/<identity>');
  const org = descriptor.orgs.find((o) => o.key === orgKey);
  const gatewayOrgKey = org && org.peers.length === 0 ? descriptor.orgs.find((o) => o.peers.length > 0)?.key : undefined;
  return openLedger({ descriptor, orgKey, identityName, ...(gatewayOrgKey ? { gatewayOrgKey } : {}) });
}

const MARK: Record<string, string> = { pass: 'PASS', fail: 'FAIL', skipped: 'SKIP' };

export function printVerdict(file: string, verdict: Verdict): void {
  console.log(`${file}`);
  if (verdict.kind === 'mortgage-certificate') console.log(`  registration certificate of mortgage ${verdict.mortgageId ?? '?'} · issued by ${verdict.generatedBy ?? '?'} · mode ${verdict.mode}`);
  else if (verdict.kind === 'receivable-voucher') console.log(`  receivable voucher of ${verdict.receivableId ?? '?'} · issued by ${verdict.generatedBy ?? '?'} · mode ${verdict.mode}`);
  else console.log(`  confirmation ${verdict.confirmationId ?? '?'} · evidence by ${verdict.generatedBy ?? '?'} · mode ${verdict.mode}`);
  if (verdict.anchor) console.log(`  anchored no later than ${verdict.anchor.anchoredAt} on EVM chain ${verdict.anchor.chainId} (root ${verdict.anchor.root})`);
  for (const check of verdict.checks) {
    const code = check.status === 'fail' || check.status === 'skipped' ? `${check.code}: ` : '';
    console.log(`  ${MARK[check.status] ?? check.status}  ${check.id.padEnd(20)} ${code}${check.detail}`);
  }
}

export function summary(verdicts: readonly Verdict[]): string {
  const ok = verdicts.every((v) => v.ok);
  const offline = verdicts.some((v) => v.mode === 'offline');
  return `VERDICT: ${ok ? 'VALID' : 'INVALID'}${offline ? ' (offline: the ledger was NOT checked)' : ''}`;
}

/** Generator MSP of a PDF, read cheaply before choosing the ledger identity. */
async function generatorMspOf(file: string): Promise<string | undefined> {
  const { extractAttachments } = await import('@econfirm/evidence');
  try {
    const attachments = await extractAttachments(readFileSync(file));
    const json = attachments.find((a) => a.name === 'evidence.json');
    return json ? ((JSON.parse(json.bytes.toString('utf8')) as { generatedBy?: { mspId?: string } }).generatedBy?.mspId) : undefined;
  } catch {
    return undefined;
  }
}

/** `econfirm verify …`: returns the process exit code (0 valid, 1 invalid, 2 usage). */
export async function verifyCommand(argv: readonly string[], repoRoot: string): Promise<number> {
  let args: VerifyArgs;
  try {
    args = parse(argv);
  } catch (err) {
    const message = (err as Error).message;
    console.error(message ? `econfirm: ${message}\n${VERIFY_USAGE}` : VERIFY_USAGE);
    return message ? 2 : 0;
  }
  if (args.exportRoots) {
    const { descriptor } = descriptorAndDir(repoRoot);
    const ledger = sessionFor(descriptor, args.as ?? 'operator/admin', undefined);
    try {
      const { roots, revocations } = await channelMspTrust(ledger.network);
      mkdirSync(args.exportRoots, { recursive: true });
      for (const [mspId, certs] of roots) writeFileSync(path.join(args.exportRoots, `${mspId}.pem`), certs.map((c) => toPem(c)).join(''));
      for (const [mspId, crls] of revocations) {
        const pem = crls.map((c) => `-----BEGIN X509 CRL-----\n${c.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END X509 CRL-----\n`).join('');
        writeFileSync(path.join(args.exportRoots, `${mspId}.crl`), pem);
      }
      const registry = await exportRegistry(ledger);
      writeFileSync(path.join(args.exportRoots, REGISTRY_FILE), `${JSON.stringify(registry, null, 1)}\n`);
      console.log(`wrote ${roots.size} MSP root files and ${revocations.size} CRL files from the channel configuration, and ${registry.length} registry entries (${REGISTRY_FILE}), to ${args.exportRoots}`);
      return 0;
    } finally {
      ledger.close();
    }
  }
  const target = args.target as string;
  // A bundle is a folder (econfirm evidence bundle) or the one JSON file the portal saves ({manifestJws, files}).
  const bundle = statSync(target).isDirectory() ? target : target.endsWith('.json') ? bundleJsonFile(target) : undefined;
  const isBundle = bundle !== undefined;
  let ledger: LedgerSession | undefined;
  let roots: TrustRoots;
  let revocations: Map<string, Buffer[]>;
  try {
    if (args.offline) {
      roots = rootsFromDirectory(args.roots as string);
      revocations = revocationsFromDirectory(args.roots as string);
    } else {
      const { descriptor } = descriptorAndDir(repoRoot);
      ledger = sessionFor(descriptor, args.as, isBundle ? undefined : await generatorMspOf(target));
      ({ roots, revocations } = args.roots ? { roots: rootsFromDirectory(args.roots), revocations: revocationsFromDirectory(args.roots) } : await channelMspTrust(ledger.network));
    }
    const registryFile = args.offline ? path.join(args.roots as string, REGISTRY_FILE) : undefined;
    const registry = registryFile && existsSync(registryFile) ? registryFromJson(readFileSync(registryFile, 'utf8')) : undefined;
    const evm = args.evmRpc && args.evmContract ? { evm: { rpcUrl: args.evmRpc, contract: args.evmContract, ...(args.evmChainId ? { chainId: args.evmChainId } : {}) } } : {};
    const options = { roots, revocations, ...evm, ...(ledger ? { ledger: ledgerView(ledger) } : {}), ...(registry ? { registry } : {}) };
    if (isBundle) {
      const result = await verifyEvidenceBundle(bundle, options);
      if (args.json) console.log(JSON.stringify(result, null, 2));
      else {
        console.log(`${target}: manifest ${result.manifest.status === 'pass' ? 'PASS' : 'FAIL'} ${result.manifest.code}: ${result.manifest.detail}`);
        for (const [file, verdict] of Object.entries(result.files)) printVerdict(path.join(target, file), verdict);
        console.log(summary(Object.values(result.files)).replace('VALID', result.ok ? 'VALID' : 'INVALID').replace(/^VERDICT: \w+/, `VERDICT: ${result.ok ? 'VALID' : 'INVALID'}`));
      }
      return result.ok ? 0 : 1;
    }
    const verdict = await verifyEvidencePdf(readFileSync(target), options);
    if (args.json) console.log(JSON.stringify(verdict, null, 2));
    else {
      printVerdict(target, verdict);
      console.log(summary([verdict]));
    }
    return verdict.ok ? 0 : 1;
  } finally {
    ledger?.close();
  }
}

/** The bundle JSON the portal saves (the gateway's bundle answer: manifestJws and base64 files), refused clearly when it is not one. */
function bundleJsonFile(file: string): { manifestJws: string; files: Record<string, string> } {
  let value: { manifestJws?: unknown; files?: unknown };
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as typeof value;
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`);
  }
  const files = value.files;
  if (typeof value.manifestJws !== 'string' || typeof files !== 'object' || files === null || Object.values(files).some((v) => typeof v !== 'string')) {
    throw new Error(`${file} is not an evidence bundle ({"manifestJws": "…", "files": {"<id>.pdf": "<base64>"}})`);
  }
  return { manifestJws: value.manifestJws, files: files as Record<string, string> };
}
