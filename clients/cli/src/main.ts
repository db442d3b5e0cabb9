#!/usr/bin/env node
import { INSTITUTION_KINDS, type InstitutionKind } from '@econfirm/common';
import { EvidenceInputError } from '@econfirm/evidence';
import {
  CrossCheckNotReadyError,
  InstitutionKeyStore,
  LedgerCallError,
  RegistryClient,
  DEMO_INSTITUTIONS,
  defaultDescriptorPath,
  loadNetworkDescriptor,
  openLedger,
  seedDemoInstitutions,
  comparePeers,
  verifyBlockFiles,
  verifyChain,
  type ChainReport,
  type TrustAnchor,
  type LedgerSession,
} from '@econfirm/sdk';
import * as path from 'node:path';
import { CONTENT_USAGE, contentCommand, ContentUsageError } from './commands/content';
import { demoSigningKeyCertifier, ensureDemoEvidenceIdentities } from './commands/demo-certify';
import { CROSS_CHECK_USAGE, crossCheckCommand, CrossCheckUsageError } from './commands/cross-check';
import { EVIDENCE_BUNDLE_USAGE, evidenceBundleCommand, EvidenceBundleUsageError } from './commands/evidence-bundle';
import { MORTGAGE_CERTIFICATE_USAGE, mortgageCertificateCommand } from './commands/mortgage-certificate';
import { MortgageUsageError, MORTGAGES_USAGE, mortgagesCommand } from './commands/mortgages';
import { RECEIVABLE_VOUCHER_USAGE, receivableVoucherCommand } from './commands/receivable-voucher';
import { ReceivableUsageError, RECEIVABLES_USAGE, receivablesCommand } from './commands/receivables';
import { isOfflineSignInvocation, offlineSignCommand } from './commands/offline-sign';
import { isPaymentBatchesInvocation, PAYMENT_BATCHES_USAGE, paymentBatchesCommand, PaymentBatchUsageError } from './commands/payment-batches';
import { isVerifyInvocation, verifyCommand } from './commands/verify';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

const USAGE = `usage: econfirm [--as <org>/<identity>] <command>

commands:
  demo seed                    register the demo institutions (idempotent; as operator/admin)
  institutions list [kind]     list registry records (kinds: ${INSTITUTION_KINDS.join(', ')})
  institutions show <id>       one registry record
${MORTGAGES_USAGE}
${MORTGAGE_CERTIFICATE_USAGE}
${RECEIVABLES_USAGE}
${RECEIVABLE_VOUCHER_USAGE}
${CONTENT_USAGE}
${CROSS_CHECK_USAGE}
${EVIDENCE_BUNDLE_USAGE}
${PAYMENT_BATCHES_USAGE}
  verify <file.pdf|bundle>     check an evidence PDF or bundle (econfirm verify --help)
  offline sign <answer.json>   check and sign what a gateway asks an offline identity to sign
                               (econfirm offline sign --help; no ledger connection)
  ledger verify [from] [to] [--anchor <block>:<hash>]
                               check the chain: hashes recomputed, links, every orderer signature,
                               each VALID transaction's creator and endorsement signatures and id,
                               the peer's current block hash; --anchor pins a block you trust
                               (genesis, or a report's checkpoint) (exit 0 when it holds, 1 when not)
  ledger compare [org...]      every peer's height and its header at the height all hold: the same
                               chain on every peer (exit 0), or which differ (1); default all orgs' peers
  ledger verify --block-files <dir|file> [--anchor <block>:<hash>]
                               the same on a copy of a peer's block files (ledgersData/chains/chains/
                               <channel>/): no network, no identity; pin the genesis hash

options:
  --as <org>/<identity>        identity from the network descriptor (default operator/admin)
environment:
  ECONFIRM_NETWORK_DIR         where network.json is (default <repo>/.network)`;

interface Invocation {
  orgKey: string;
  identityName: string;
  words: string[];
}

function parseArgs(argv: string[]): Invocation {
  const words: string[] = [];
  let as = 'operator/admin';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--as') {
      as = argv[++i] ?? '';
    } else if (argv[i] === '-h' || argv[i] === '--help') {
      throw new UsageError('');
    } else {
      words.push(argv[i] as string);
    }
  }
  const [orgKey, identityName] = as.split('/');
  if (!orgKey || !identityName) {
    throw new UsageError(`--as takes <org>/<identity>, got '${as}'`);
  }
  return { orgKey, identityName, words };
}

class UsageError extends Error {}

function print(value: unknown): void {
  console.log(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
}

async function run(ledger: LedgerSession, invocation: Invocation, networkDir: string): Promise<void> {
  const { words } = invocation;
  const [group, verb, arg] = words;
  const registry = new RegistryClient(ledger);
  if (group === 'demo' && verb === 'seed') {
    const descriptor = loadNetworkDescriptor(path.join(networkDir, 'network.json'));
    const certify = demoSigningKeyCertifier(descriptor, REPO_ROOT, networkDir);
    const result = await seedDemoInstitutions(ledger, new InstitutionKeyStore(path.join(networkDir, 'institution-keys')), certify);
    const evidence = ensureDemoEvidenceIdentities(descriptor, REPO_ROOT, networkDir, DEMO_INSTITUTIONS);
    console.log(`registered: ${result.registered.join(', ') || 'none'}; already there: ${result.existing.join(', ') || 'none'}; signing keys certified: ${result.certified.join(', ') || 'none'}; evidence certificates: ${evidence.join(', ')}`);
  } else if (group === 'institutions' && verb === 'list') {
    if (arg !== undefined && !(INSTITUTION_KINDS as readonly string[]).includes(arg)) {
      throw new UsageError(`unknown kind '${arg}'`);
    }
    const page = await registry.list((arg ?? '') as InstitutionKind | '');
    for (const i of page.records) {
      console.log(`${i.id.padEnd(14)} ${i.kind.padEnd(18)} ${i.mspId.padEnd(14)} ${i.status.padEnd(9)} ${i.nameZh} / ${i.nameEn}`);
    }
  } else if (group === 'institutions' && verb === 'show' && arg) {
    print(await registry.get(arg));
  } else if (group === 'mortgages') {
    try {
      if (verb === 'certificate') {
        const descriptor = loadNetworkDescriptor(path.join(networkDir, 'network.json'));
        process.exitCode = await mortgageCertificateCommand(ledger, words.slice(2), { descriptor, networkDir, orgKey: invocation.orgKey, identityName: invocation.identityName });
        return;
      }
      const descriptor = loadNetworkDescriptor(path.join(networkDir, 'network.json'));
      const role = descriptor.orgs.find((o) => o.key === invocation.orgKey)?.identities.find((i) => i.name === invocation.identityName)?.role;
      await mortgagesCommand(ledger, words.slice(1), print, role);
    } catch (err) {
      if (err instanceof MortgageUsageError) throw new UsageError(err.message);
      throw err;
    }
  } else if (group === 'content') {
    try {
      await contentCommand(ledger, words.slice(1), (text) => console.log(text));
    } catch (err) {
      if (err instanceof ContentUsageError) throw new UsageError(err.message);
      throw err;
    }
  } else if (group === 'cross-check') {
    try {
      const descriptor = loadNetworkDescriptor(path.join(networkDir, 'network.json'));
      process.exitCode = await crossCheckCommand(ledger, words.slice(1), { descriptor, networkDir, orgKey: invocation.orgKey, identityName: invocation.identityName });
    } catch (err) {
      if (err instanceof CrossCheckUsageError) throw new UsageError(err.message);
      throw err;
    }
  } else if (group === 'evidence' && verb === 'bundle') {
    try {
      const descriptor = loadNetworkDescriptor(path.join(networkDir, 'network.json'));
      console.log(await evidenceBundleCommand(ledger, words.slice(2), { descriptor, networkDir, orgKey: invocation.orgKey, identityName: invocation.identityName }));
    } catch (err) {
      if (err instanceof EvidenceBundleUsageError) throw new UsageError(err.message);
      throw err;
    }
  } else if (group === 'receivables') {
    try {
      if (verb === 'voucher') {
        const descriptor = loadNetworkDescriptor(path.join(networkDir, 'network.json'));
        process.exitCode = await receivableVoucherCommand(ledger, words.slice(2), { descriptor, networkDir, orgKey: invocation.orgKey, identityName: invocation.identityName });
        return;
      }
      await receivablesCommand(ledger, verb, arg, print);
    } catch (err) {
      if (err instanceof ReceivableUsageError) throw new UsageError(err.message);
      throw err;
    }
  } else if (group === 'ledger' && verb === 'verify') {
    const rest = words.slice(2);
    const at = rest.indexOf('--anchor');
    const anchor = at >= 0 ? trustAnchor(rest[at + 1]) : undefined;
    const [fromWord, toWord] = at >= 0 ? [...rest.slice(0, at), ...rest.slice(at + 2)] : rest;
    process.exitCode = (await verifyLedger(ledger, fromWord, toWord, anchor)) ? 0 : 1;
  } else {
    throw new UsageError(words.length ? `unknown command '${words.join(' ')}'` : '');
  }
}

const blockNumber = (word: string | undefined, what: string): bigint | undefined => {
  if (word === undefined) return undefined;
  if (!/^\d{1,19}$/.test(word)) throw new UsageError(`${what} must be a block number, got '${word}'`);
  return BigInt(word);
};

/** `ledger compare [<org>...]`: every peer of those orgs (default: every org that runs peers), as the caller reads it. */
async function compareLedgerPeers(currentIdentity: { orgKey: string; identityName: string }, orgKeys: string[]): Promise<boolean> {
  const descriptor = loadNetworkDescriptor(defaultDescriptorPath(REPO_ROOT));
  const orgs = orgKeys.length > 0 ? orgKeys : descriptor.orgs.filter((o) => o.peers.length > 0).map((o) => o.key);
  const sessions: Array<{ name: string; session: LedgerSession }> = [];
  try {
    for (const key of orgs) {
      const org = descriptor.orgs.find((o) => o.key === key);
      if (!org) throw new UsageError(`no org '${key}' in the network descriptor`);
      org.peers.forEach((_peer, peerIndex) => sessions.push({ name: `${key}/peer${peerIndex}`, session: openLedger({ descriptor, orgKey: currentIdentity.orgKey, identityName: currentIdentity.identityName, gatewayOrgKey: key, peerIndex }) }));
    }
    const agreement = await comparePeers(sessions.map(({ name, session }) => ({ name, network: session.network })));
    print(agreement);
    return agreement.agree;
  } finally {
    for (const { session } of sessions) session.close();
  }
}

/** `--anchor <block>:<header hash hex>`: a block the regulator trusts out of band (the genesis block's hash, or an earlier report's checkpoint). */
function trustAnchor(word: string | undefined): TrustAnchor {
  const match = /^(\d{1,19}):([0-9a-f]{64})$/.exec(word ?? '');
  if (!match) throw new UsageError(`--anchor takes <block>:<64 hex digits of its header hash>, got '${word ?? ''}'`);
  return { block: BigInt(match[1] as string), headerHash: Buffer.from(match[2] as string, 'hex') };
}

/** The whole range, page after page; prints each page's report; true when every page holds, the anchor (if any) matched and the last is anchored. */
async function verifyLedger(ledger: LedgerSession, fromWord: string | undefined, toWord: string | undefined, anchor?: TrustAnchor): Promise<boolean> {
  const to = blockNumber(toWord, 'to');
  let from = blockNumber(fromWord, 'from');
  let holds = true;
  for (;;) {
    let report;
    try {
      // The anchor pins the first page; each next page is pinned by the checkpoint of the page before.
      report = await verifyChain(ledger.network, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(anchor ? { anchor } : {}) });
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
    print(report);
    holds &&= report.breaks.length === 0 && report.trustAnchor?.matched !== false;
    if (!report.nextFromBlock) return holds && (to !== undefined || report.anchoredToPeerHeight);
    from = BigInt(report.nextFromBlock);
    if (anchor) anchor = { block: BigInt(report.checkpoint.block), headerHash: Buffer.from(report.checkpoint.headerHash, 'hex') };
  }
}

/** `ledger verify --block-files <dir|file> [--anchor b:h]`: the same audit on a copy of a peer's block files, no network, no identity. */
function verifyCopiedBlockFiles(args: string[]): number {
  const option = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const source = option('--block-files');
  if (!source || source.startsWith('--')) throw new UsageError('--block-files takes a folder of blockfile_NNNNNN (or one file)');
  const anchorWord = option('--anchor');
  let report: ChainReport;
  try {
    report = verifyBlockFiles(source, anchorWord !== undefined || args.includes('--anchor') ? { anchor: trustAnchor(anchorWord) } : {});
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
  print(report);
  return report.breaks.length === 0 && report.trustAnchor?.matched !== false ? 0 : 1;
}

async function main(): Promise<number> {
  if (isVerifyInvocation(process.argv.slice(2))) return verifyCommand(process.argv.slice(2), REPO_ROOT);
  if (isOfflineSignInvocation(process.argv.slice(2))) return offlineSignCommand(process.argv.slice(2), REPO_ROOT);
  if (isPaymentBatchesInvocation(process.argv.slice(2))) {
    try {
      return await paymentBatchesCommand(process.argv.slice(3), (text) => console.log(text));
    } catch (err) {
      if (err instanceof PaymentBatchUsageError) {
        console.error(`econfirm: ${err.message}\nusage:\n${PAYMENT_BATCHES_USAGE}`);
        return 2;
      }
      throw err;
    }
  }
  let invocation: Invocation;
  try {
    invocation = parseArgs(process.argv.slice(2));
    if (invocation.words.length === 0) throw new UsageError('');
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message ? `econfirm: ${err.message}\n${USAGE}` : USAGE);
      return 2;
    }
    throw err;
  }
  const [group, verb] = invocation.words;
  if (group === 'ledger' && verb === 'verify' && invocation.words.includes('--block-files')) {
    try {
      return verifyCopiedBlockFiles(invocation.words.slice(2));
    } catch (err) {
      if (err instanceof UsageError) {
        console.error(`econfirm: ${err.message}\n${USAGE}`);
        return 2;
      }
      throw err;
    }
  }
  if (group === 'ledger' && verb === 'compare') {
    try {
      return (await compareLedgerPeers(invocation, invocation.words.slice(2))) ? 0 : 1;
    } catch (err) {
      if (err instanceof UsageError) {
        console.error(`econfirm: ${err.message}\n${USAGE}`);
        return 2;
      }
      throw err;
    }
  }
  const descriptorFile = defaultDescriptorPath(REPO_ROOT);
  const ledger = openLedger({ descriptor: loadNetworkDescriptor(descriptorFile), orgKey: invocation.orgKey, identityName: invocation.identityName });
  try {
    await run(ledger, invocation, path.dirname(descriptorFile));
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`econfirm: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof LedgerCallError) {
      console.error(`econfirm: ${err.code}: ${err.message}`);
      return 1;
    }
    if (err instanceof CrossCheckNotReadyError) {
      console.error(`econfirm: CROSS_CHECK_NOT_READY: ${err.message}`);
      return 1;
    }
    // A document the ledger's record does not allow (VOUCHER_NOT_ISSUED, CERTIFICATE_NOT_ISSUED, FORBIDDEN): its code, as a refusal.
    if (err instanceof EvidenceInputError) {
      console.error(`econfirm: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    ledger.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`econfirm: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
