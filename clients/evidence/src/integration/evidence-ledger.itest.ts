import type { ConfirmationView, Institution, InstitutionProfile, IssueInput, LetterContent, TransactionName } from '@econfirm/common';
import {
  defaultDescriptorPath,
  InstitutionKeyStore,
  LedgerCallError,
  loadNetworkDescriptor,
  newInstitutionKeys,
  addRecipients,
  open,
  openLedger,
  pemChainToX5c,
  publicJwk,
  recipientOf,
  registrationInput,
  RegistryClient,
  seal,
  sealReply,
  signingPublicKeyPem,
  signReply,
  submitAndWait,
  type InstitutionPrivateKeys,
  type LedgerSession,
} from '@econfirm/sdk';
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createEvidencePdf } from '../evidence-pdf';
import { toPem } from '../crypto/certificates';
import { readBundle, verifyEvidenceBundle, writeBundleDirectory } from '../bundle/evidence-bundle';
import { channelMspRoots } from '../ledger/channel-roots';
import { bundleReads, generateEngagementBundle, generateEvidence, ledgerView } from '../ledger/ledger-evidence';
import { evidenceSignerFromFiles, evidenceSignerFromNetwork, type EvidenceSigner } from '../signer';
import { createNssDb } from '../testing/test-pki';
import { sampleLetter, sampleReply } from '../testing/sample-evidence';
import { verifyEvidencePdf, type TrustRoots, type Verdict } from '../verify/verify-evidence';

/**
 * On the real network: evidence generated from the ledger by the firm, signed with its
 * evidence certificate, verified online (ledger hashes, committed VALID transactions, MSP roots from
 * the channel configuration), by pdfsig and by the CLI; a PDF for a reply the ledger does not hold
 * is refused online; a receivable confirmation and an engagement bundle too.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const networkDir = () => path.dirname(defaultDescriptorPath(REPO_ROOT));
type Who = [orgKey: string, identityName: string];

function session(who: Who): LedgerSession {
  const descriptor = loadNetworkDescriptor(defaultDescriptorPath(REPO_ROOT));
  const org = descriptor.orgs.find((o) => o.key === who[0]);
  const gatewayOrgKey = org && org.peers.length === 0 ? 'operator' : undefined;
  return openLedger({ descriptor, orgKey: who[0], identityName: who[1], ...(gatewayOrgKey ? { gatewayOrgKey } : {}) });
}

async function as<T>(who: Who, work: (ledger: LedgerSession) => Promise<T>): Promise<T> {
  const ledger = session(who);
  try {
    return await work(ledger);
  } finally {
    ledger.close();
  }
}

async function submit(who: Who, tx: TransactionName<'confirmation'>, ...args: string[]): Promise<ConfirmationView> {
  return as(who, async (ledger) => JSON.parse(Buffer.from((await submitAndWait(ledger.contract('confirmation'), tx, { arguments: args })).result).toString('utf8')) as ConfirmationView);
}

function networkScript(...args: string[]): string {
  return execFileSync(path.join(REPO_ROOT, 'network', 'identity.sh'), args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const DEMO: Record<string, InstitutionProfile> = {
  FIRM1: { id: 'FIRM1', kind: 'audit-firm', mspId: 'Firm1MSP', nameZh: '信达会计师事务所', nameEn: 'Xinda Certified Public Accountants', registrationId: '31000001' },
  BANK1: { id: 'BANK1', kind: 'bank', mspId: 'Bank1MSP', nameZh: '第一商业银行', nameEn: 'First Commercial Bank', registrationId: 'B0001H111000001' },
  REGULATOR: { id: 'REGULATOR', kind: 'regulator', mspId: 'RegulatorMSP', nameZh: '财政部会计监督检查局', nameEn: 'Accounting Supervision Bureau', registrationId: '11100000000013127A' },
};

/** A demo institution registered with keys we hold (rotating to fresh keys if another tool holds them). */
async function heldDemo(admin: LedgerSession, id: string, store: InstitutionKeyStore): Promise<{ record: Institution; keys: InstitutionPrivateKeys }> {
  const registry = new RegistryClient(admin);
  let record: Institution;
  try {
    record = await registry.get(id);
  } catch (err) {
    if (!(err instanceof LedgerCallError && err.code === 'NOT_FOUND')) throw err;
    const keys = store.loadOrCreate(id);
    return { record: (await registry.register(registrationInput(DEMO[id] as InstitutionProfile, keys))).institution, keys };
  }
  if (store.has(id)) {
    const keys = store.load(id);
    if (keys.encryption.kid === record.encryptionKey.kid && keys.signing.kid === record.signingKey.kid) return { record, keys };
  }
  const keys = newInstitutionKeys(id, Date.now());
  const rotation = { encryptionKey: { kid: keys.encryption.kid, jwk: publicJwk(keys.encryption.jwk) }, signingKey: { kid: keys.signing.kid, jwk: publicJwk(keys.signing.jwk) } };
  // We lost the registry's keys: the recovery path (a regulator approves exactly this rotation, chaincode ApproveKeyRecovery).
  if (id !== 'REGULATOR') await heldDemo(admin, 'REGULATOR', store);
  await as(['regulator', 'regulator1'], (ledger) => new RegistryClient(ledger).approveKeyRecovery(id, rotation));
  const outcome = await submitAndWait(admin.contract('registry'), 'RotateInstitutionKeys', { arguments: [id, JSON.stringify(rotation), ''] });
  store.save(keys);
  return { record: JSON.parse(Buffer.from(outcome.result).toString('utf8')) as Institution, keys };
}

function pdfsig(file: string, nssDir: string): string {
  const run = spawnSync('pdfsig', ['-nssdir', nssDir, file], { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`;
}

function cli(...args: string[]): { status: number; output: string } {
  const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients', 'cli', 'dist', 'main.js'), ...args], { encoding: 'utf8', env: process.env });
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

function failed(verdict: Verdict): string[] {
  return verdict.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}:${c.code}`);
}

describe('evidence on the real network (issue 5)', function () {
  this.timeout(240_000);
  const tag = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`.toUpperCase();
  const engagementId = `ENG-EV-${tag}`;
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-evidence-it-'));
  let firm: { record: Institution; keys: InstitutionPrivateKeys };
  let bank: { record: Institution; keys: InstitutionPrivateKeys };
  let client: Institution;
  let clientKeys: InstitutionPrivateKeys;
  let enterprise: { record: Institution; keys: InstitutionPrivateKeys };
  let clientSigner: Who;
  let enterpriseSigner: Who;
  let signer: EvidenceSigner;
  let roots: TrustRoots;
  let bankLetterId = '';
  let receivableId = '';
  let pdf: Buffer;

  before(async () => {
    const store = new InstitutionKeyStore(path.join(networkDir(), 'institution-keys'));
    const fresh = await as(['operator', 'admin'], async (admin) => {
      const f = await heldDemo(admin, 'FIRM1', store);
      const b = await heldDemo(admin, 'BANK1', store);
      const registry = new RegistryClient(admin);
      const cKeys = newInstitutionKeys(`CL-EV-${tag}`);
      const c = (await registry.register(registrationInput({ id: `CL-EV-${tag}`, kind: 'client', mspId: 'OperatorMSP', nameZh: '证据测试客户有限公司', nameEn: `Evidence Test Client ${tag}`, registrationId: `91C${tag}`.slice(0, 18) }, cKeys))).institution;
      const entKeys = newInstitutionKeys(`ENT-EV-${tag}`);
      const e = (await registry.register(registrationInput({ id: `ENT-EV-${tag}`, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: '证据测试贸易有限公司', nameEn: `Evidence Test Customer ${tag}`, registrationId: `91E${tag}`.slice(0, 18) }, entKeys))).institution;
      return { f, b, c, cKeys, e: { record: e, keys: entKeys } };
    });
    firm = fresh.f;
    bank = fresh.b;
    client = fresh.c;
    clientKeys = fresh.cKeys;
    enterprise = fresh.e;
    // The bank's registry signing key certified by its org CA (what `demo seed` does), so its reply JWS chains to Bank1MSP.
    if (!bank.keys.signing.x5c?.length) {
      const pub = path.join(work, 'bank-signing.pub.pem');
      writeFileSync(pub, signingPublicKeyPem(bank.keys));
      bank.keys.signing.x5c = pemChainToX5c(networkScript('certify', 'bank1', bank.keys.signing.kid, pub));
      store.save(bank.keys);
    }
    networkScript('evidence', 'firm1', 'FIRM1');
    signer = evidenceSignerFromNetwork(networkDir(), 'firm1', 'FIRM1');
    const cs = `evcs-${tag.toLowerCase()}`;
    const es = `eves-${tag.toLowerCase()}`;
    networkScript('issue', 'operator', cs, 'client-signer', client.id);
    networkScript('issue', 'operator', es, 'client-signer', enterprise.record.id);
    clientSigner = ['operator', cs];
    enterpriseSigner = ['operator', es];
    roots = await as(['firm1', 'auditor1'], (ledger) => channelMspRoots(ledger.network));
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  async function issue(id: string, kind: IssueInput['kind'], addressee: Institution, content: unknown): Promise<void> {
    const input: IssueInput = {
      id, kind, formId: kind === 'receivable' ? 'balance-confirmation-2020' : 'bank-letter-2020',
      engagement: { id: engagementId, clientId: client.id, periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' },
      addresseeId: addressee.id, feePayer: 'client',
      letter: await seal(content, [recipientOf(firm.record), recipientOf(client)]),
    };
    await submit(['firm1', 'auditor1'], 'Issue', JSON.stringify(input));
    // Sealed when the right arises: the client's software adds the responder as it authorizes.
    const letterCiphertext = await addRecipients(input.letter.ciphertext, clientKeys, [recipientOf(addressee)]);
    await submit(clientSigner, 'ClientAuthorize', id, JSON.stringify({ feeConsent: true, letterCiphertext }));
  }

  it('reads the MSP roots of every org from the channel configuration', () => {
    for (const msp of ['Firm1MSP', 'Bank1MSP', 'OperatorMSP']) expect(roots.get(msp)?.length, msp).to.be.greaterThan(0);
  });

  it('generates a signed evidence PDF for a replied bank letter that verifies online', async () => {
    bankLetterId = `CF-EV-${tag}-1`;
    await issue(bankLetterId, 'bank-form-1', bank.record, sampleLetter(4));
    await submit(['bank1', 'officer1'], 'BankAccept', bankLetterId);
    const reply = await sealReply(bankLetterId, 'disagrees', sampleReply(false), [recipientOf(firm.record), recipientOf(bank.record)], bank.keys.signing);
    const { jws: _jws, ...input } = reply;
    void _jws;
    await submit(['bank1', 'officer1'], 'PrepareReply', bankLetterId, JSON.stringify(input));
    await submit(['bank1', 'reviewer1'], 'ApproveReply', bankLetterId);
    const generated = await as(['firm1', 'auditor1'], (ledger) => generateEvidence({ ledger, confirmationId: bankLetterId, keys: firm.keys, signer }));
    pdf = generated.pdf;
    expect(generated.document.timeline.map((s) => s.state)).to.deep.equal(['issued', 'authorized', 'accepted', 'reply-prepared', 'replied']);
    expect(generated.document.timeline.map((s) => s.actor.role)).to.deep.equal(['auditor', 'client-signer', 'bank-officer', 'bank-officer', 'bank-reviewer']);
    expect(generated.document.timeline.every((s) => s.validationCode === 'VALID')).to.equal(true);
    const verdict = await as(['firm1', 'auditor1'], (ledger) => verifyEvidencePdf(pdf, { roots, ledger: ledgerView(ledger) }));
    expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(true);
    expect(verdict.mode).to.equal('online');
    expect(verdict.checks.filter((c) => c.status !== 'pass')).to.deep.equal([]);
    expect(verdict.checks.find((c) => c.id === 'reply-jws')?.detail).to.match(/chains to Bank1MSP/);
  });

  it('verifies online for a channel member who is not the firm (the regulator): hashes read from the committed block', async () => {
    const verdict = await as(['regulator', 'regulator1'], (ledger) => verifyEvidencePdf(pdf, { roots, ledger: ledgerView(ledger) }));
    expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(true);
    expect(verdict.checks.find((c) => c.id === 'ledger-hashes')?.detail).to.match(/read from the block/);
  });

  it("is valid and trusted for pdfsig with the firm's evidence CA (issued by the Firm1MSP root) in the NSS db", () => {
    const file = path.join(work, 'bank-letter.pdf');
    writeFileSync(file, pdf);
    const caPem = readFileSync(path.join(networkDir(), 'ca', 'firm1', 'evidence-ca', 'cert.pem'), 'utf8');
    const output = pdfsig(file, createNssDb([caPem]));
    expect(output).to.match(/Signature Validation: Signature is Valid\./);
    expect(output).to.match(/Certificate Validation: Certificate is Trusted\./);
  });

  it('is trusted by pdfsig with the Firm1MSP root from the channel configuration as the only NSS anchor (issue 10 §1: "Certificate issuer is unknown" on c1dd8e8)', () => {
    const file = path.join(work, 'bank-letter-root.pdf');
    writeFileSync(file, pdf);
    const firmRoots = roots.get('Firm1MSP') ?? [];
    expect(firmRoots).to.have.length.greaterThan(0);
    const output = pdfsig(file, createNssDb(firmRoots.map((der) => toPem(der))));
    expect(output).to.match(/Signature Validation: Signature is Valid\./);
    expect(output, output).to.match(/Certificate Validation: Certificate is Trusted\./);
  });

  it('econfirm verify: exit 0 online and offline (saying the ledger was not checked), 1 for a flipped byte', () => {
    const file = path.join(work, 'cli.pdf');
    writeFileSync(file, pdf);
    const online = cli('verify', file, '--as', 'firm1/auditor1');
    expect(online.status, online.output).to.equal(0);
    expect(online.output).to.match(/VERDICT: VALID/).and.not.match(/offline/);
    const rootsDir = path.join(work, 'roots');
    expect(cli('verify', '--export-roots', rootsDir, '--as', 'firm1/auditor1').status).to.equal(0);
    const offline = cli('verify', file, '--offline', '--roots', rootsDir);
    expect(offline.status, offline.output).to.equal(0);
    expect(offline.output).to.match(/VERDICT: VALID \(offline: the ledger was NOT checked\)/);
    // The registry snapshot exported beside the roots: parties and the bank's key checked offline
    // against it (issue 10 §1; on c1dd8e8 neither the export nor the check existed).
    expect(offline.output).to.match(/PASS\s+registry/);
    const edited = JSON.parse(readFileSync(path.join(rootsDir, 'registry.json'), 'utf8')) as { id: string; nameEn: string }[];
    const bankEntry = edited.find((e) => e.id === 'BANK1');
    if (bankEntry) bankEntry.nameEn = 'Renamed Bank';
    const otherRegistry = path.join(work, 'roots-renamed');
    cpSync(rootsDir, otherRegistry, { recursive: true });
    writeFileSync(path.join(otherRegistry, 'registry.json'), JSON.stringify(edited));
    const renamed = cli('verify', file, '--offline', '--roots', otherRegistry, '--json');
    expect(renamed.status, renamed.output).to.equal(1);
    expect(failed(JSON.parse(renamed.output) as Verdict)).to.include('registry:REGISTRY_MISMATCH');
    rmSync(path.join(otherRegistry, 'registry.json'));
    const noRegistry = cli('verify', file, '--offline', '--roots', otherRegistry);
    expect(noRegistry.status, noRegistry.output).to.equal(0);
    expect(noRegistry.output).to.match(/SKIP\s+registry\s+NO_REGISTRY/);
    const flipped = Buffer.from(pdf);
    flipped[flipped.length - 3000] = (flipped[flipped.length - 3000] as number) ^ 0x20;
    writeFileSync(file, flipped);
    const broken = cli('verify', file, '--offline', '--roots', rootsDir, '--json');
    expect(broken.status, broken.output).to.equal(1);
    expect((JSON.parse(broken.output) as Verdict).ok).to.equal(false);
  });

  it('refuses online a PDF for a reply the ledger does not hold (consistent, signed, but not on the ledger)', async () => {
    const genuine = await as(['firm1', 'auditor1'], (ledger) => generateEvidence({ ledger, confirmationId: bankLetterId, keys: firm.keys, signer }));
    const forged = JSON.parse(JSON.stringify(genuine.document)) as typeof genuine.document;
    const content = sampleReply(true);
    const other = await sealReply(bankLetterId, 'agrees', content, [recipientOf(firm.record)], bank.keys.signing);
    const { salt } = await open(other, firm.keys.encryption.kid, firm.keys.encryption.jwk);
    const reply = forged.reply as NonNullable<typeof forged.reply>;
    forged.reply = { ...reply, content, conclusion: 'agrees', contentHash: other.contentHash, signature: other.jws, signatureHash: other.signatureHash, salt };
    const forgedPdf = (await createEvidencePdf(forged, signer)).pdf;
    const offline = await verifyEvidencePdf(forgedPdf, { roots });
    expect(failed(offline)).to.deep.equal([]);
    const online = await as(['firm1', 'auditor1'], (ledger) => verifyEvidencePdf(forgedPdf, { roots, ledger: ledgerView(ledger) }));
    expect(online.ok).to.equal(false);
    expect(failed(online)).to.deep.equal(['ledger-hashes:LEDGER_MISMATCH']);
    const byRegulator = await as(['regulator', 'regulator1'], (ledger) => verifyEvidencePdf(forgedPdf, { roots, ledger: ledgerView(ledger) }));
    expect(failed(byRegulator)).to.deep.equal(['ledger-hashes:LEDGER_MISMATCH']);
  });

  it("refuses a reply JWS whose certificate was issued outside the bank's MSP (by Firm1MSP's CA), with the real channel roots", async () => {
    const genuine = await as(['firm1', 'auditor1'], (ledger) => generateEvidence({ ledger, confirmationId: bankLetterId, keys: firm.keys, signer }));
    const pub = path.join(work, 'bank-signing-elsewhere.pub.pem');
    writeFileSync(pub, signingPublicKeyPem(bank.keys));
    const foreignChain = pemChainToX5c(networkScript('certify', 'firm1', `${bank.keys.signing.kid}-foreign`, pub));
    const reply = genuine.document.reply as NonNullable<typeof genuine.document.reply>;
    const { jws, signatureHash } = await signReply({ confirmationId: bankLetterId, conclusion: reply.conclusion, contentHash: reply.contentHash }, { ...bank.keys.signing, x5c: foreignChain });
    const forged = { ...genuine.document, reply: { ...reply, signature: jws, signatureHash } };
    const verdict = await verifyEvidencePdf((await createEvidencePdf(forged, signer)).pdf, { roots });
    const check = verdict.checks.find((c) => c.id === 'reply-jws');
    expect(check, JSON.stringify(verdict.checks, null, 1)).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    expect(check?.detail).to.match(/Bank1MSP/);
  });

  it('generates and verifies evidence for a receivable confirmation answered by the customer', async () => {
    receivableId = `CF-EV-${tag}-2`;
    const letter: LetterContent = {
      formId: 'balance-confirmation-2020',
      header: { letterNo: `AR-${tag}`, counterparty: enterprise.record.nameZh, auditFirm: firm.record.nameZh, asOfDate: '2025-12-31', replyContact: '021-5555 0101', clientSealRef: '财务专用章', handler: '王审计', date: '2026-01-05' },
      sections: { balances: { status: 'rows', rows: [{ documentRef: 'INV-2025-1201', date: '2025-12-01', currency: 'CNY', amount: '356000.00', description: '货款 goods' }] }, otherItems: { status: 'none' } },
    };
    await issue(receivableId, 'receivable', enterprise.record, letter);
    await submit(enterpriseSigner, 'BankAccept', receivableId);
    const replyContent = { formId: 'balance-confirmation-2020', conclusion: 'agrees', differences: [], sections: {}, handler: '陈会计', reviewer: '—', date: '2026-01-07' };
    const reply = await sealReply(receivableId, 'agrees', replyContent, [recipientOf(firm.record), recipientOf(enterprise.record)], enterprise.keys.signing);
    const { jws: _jws, ...input } = reply;
    void _jws;
    await submit(enterpriseSigner, 'PrepareReply', receivableId, JSON.stringify(input));
    const generated = await as(['firm1', 'auditor1'], (ledger) => generateEvidence({ ledger, confirmationId: receivableId, keys: firm.keys, signer }));
    const verdict = await as(['firm1', 'auditor1'], (ledger) => verifyEvidencePdf(generated.pdf, { roots, ledger: ledgerView(ledger) }));
    expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(true);
    expect(verdict.checks.find((c) => c.id === 'reply-jws')?.detail).to.match(/no x5c/);
  });

  it("a revoked evidence certificate: identity.sh revoke-cert publishes the evidence CA's CRL in Firm1MSP; its PDFs fail online, the firm's other certificate still verifies, and the channel keeps working", async () => {
    const label = `FIRM1-REV-${tag}`;
    const dir = networkScript('evidence', 'firm1', 'FIRM1', label).trim();
    const retiring = evidenceSignerFromFiles('FIRM1', path.join(dir, 'key.pem'), [path.join(dir, 'chain.pem')]);
    const generated = await as(['firm1', 'auditor1'], (ledger) => generateEvidence({ ledger, confirmationId: bankLetterId, keys: firm.keys, signer: retiring }));
    const file = path.join(work, 'signed-by-retiring.pdf');
    writeFileSync(file, generated.pdf);
    const before = cli('verify', file, '--as', 'firm1/auditor1');
    expect(before.status, before.output).to.equal(0);

    const serial = networkScript('revoke-cert', 'firm1', path.join(dir, 'chain.pem')).trim();
    expect(serial).to.match(/^[0-9A-F]+$/);
    const after = cli('verify', file, '--as', 'firm1/auditor1', '--json');
    expect(after.status, after.output).to.equal(1);
    const verdict = JSON.parse(after.output.slice(after.output.indexOf('{'))) as Verdict;
    expect(failed(verdict)).to.include('pdf-certificate:CERTIFICATE_REVOKED');
    // The firm's regular evidence certificate is untouched by that CRL.
    const regular = path.join(work, 'signed-by-regular.pdf');
    writeFileSync(regular, pdf);
    const still = cli('verify', regular, '--as', 'firm1/auditor1');
    expect(still.status, still.output).to.equal(0);
    // Under the new Firm1MSP definition Fabric still accepts the firm's identities: the proposal
    // reaches the chaincode (NOT_FOUND for an unknown id) instead of being refused by the peers.
    const view = await submit(['firm1', 'auditor1'], 'Recall', `${bankLetterId}-absent`, 'probe').catch((err: unknown) => err);
    expect(view).to.be.instanceOf(LedgerCallError);
    expect((view as LedgerCallError).code).to.equal('NOT_FOUND');
  });

  it('bundles the engagement (one PDF per letter + signed manifest); the verifier checks the bundle and refuses a missing letter', async () => {
    const bundle = await as(['firm1', 'auditor1'], (ledger) => generateEngagementBundle({ ledger, engagementId, keys: firm.keys, signer }));
    expect([...bundle.files.keys()].sort()).to.deep.equal([`${bankLetterId}.pdf`, `${receivableId}.pdf`].sort());
    const dir = path.join(work, 'bundle');
    writeBundleDirectory(bundle, dir);
    const verdict = await as(['firm1', 'auditor1'], (ledger) => verifyEvidenceBundle(dir, { roots, ledger: ledgerView(ledger) }));
    expect(verdict.ok, JSON.stringify(verdict.manifest)).to.equal(true);
    const viaCli = cli('verify', dir, '--as', 'firm1/auditor1');
    expect(viaCli.status, viaCli.output).to.equal(0);
    rmSync(path.join(dir, `${receivableId}.pdf`));
    const missing = await verifyEvidenceBundle(dir, { roots });
    expect(missing.ok).to.equal(false);
    expect(missing.manifest.code).to.equal('BUNDLE_MISMATCH');
    expect(readBundle(dir).files.size).to.equal(1);
  });

  it('bundles the same bytes a few letters at a time, and rendered in worker threads, as one at a time in this thread; reads each registry record once; reports its progress', async () => {
    const generatedAt = new Date().toISOString();
    const progress: { done: number; total: number }[] = [];
    const [one, several, threaded] = await as(['firm1', 'auditor1'], async (ledger) => [
      await generateEngagementBundle({ ledger, engagementId, keys: firm.keys, signer, generatedAt, concurrency: 1, renderThreads: 0 }),
      await generateEngagementBundle({ ledger, engagementId, keys: firm.keys, signer, generatedAt, concurrency: 4, renderThreads: 0, onProgress: (p) => progress.push(p) }),
      await generateEngagementBundle({ ledger, engagementId, keys: firm.keys, signer, generatedAt, renderThreads: 2 }),
    ] as const);
    for (const other of [several, threaded]) {
      expect(other.manifestJws).to.equal(one.manifestJws);
      expect([...other.files.keys()]).to.deep.equal([...one.files.keys()]);
      for (const [name, pdf] of one.files) expect(other.files.get(name)?.equals(pdf), name).to.equal(true);
    }
    expect(progress).to.deep.equal([0, 1, 2].map((done) => ({ done, total: 2 })));
    // One bundle's shared reads: the registry record the two letters share is read once.
    await as(['firm1', 'auditor1'], async (ledger) => {
      const reads = bundleReads(ledger);
      const [a, b] = await Promise.all([reads.institution('FIRM1'), reads.institution('FIRM1')]);
      expect(a).to.equal(b);
    });
  });

  it('econfirm evidence bundle writes the bundle with a progress bar, and econfirm verify accepts it', () => {
    const dir = path.join(work, 'bundle-cli');
    const made = cli('evidence', 'bundle', engagementId, dir, '--as', 'firm1/auditor1');
    expect(made.status, made.output).to.equal(0);
    expect(made.output).to.include('[########################] 2/2 letters');
    expect(made.output).to.match(/2 evidence PDFs of engagement .* and manifest\.jws in /);
    const checked = cli('verify', dir, '--as', 'firm1/auditor1');
    expect(checked.status, checked.output).to.equal(0);
    const usage = cli('evidence', 'bundle', engagementId, '--as', 'firm1/auditor1');
    expect(usage.status).to.equal(2);
  });

  it("econfirm verify takes the bundle as the portal saves it (one JSON file), refuses a changed one and says what a JSON file that is no bundle lacks", () => {
    const dir = path.join(work, 'bundle-cli');
    const bundle = readBundle(dir);
    const asJson = { manifestJws: bundle.manifestJws, files: Object.fromEntries([...bundle.files].map(([name, bytes]) => [name, bytes.toString('base64')])) };
    const file = path.join(work, 'portal-bundle.json');
    writeFileSync(file, JSON.stringify(asJson));
    const ok = cli('verify', file, '--as', 'firm1/auditor1');
    expect(ok.status, ok.output).to.equal(0);
    expect(ok.output).to.match(/manifest PASS OK: 2 letters of engagement/);
    const [first] = Object.keys(asJson.files);
    writeFileSync(file, JSON.stringify({ ...asJson, files: { ...asJson.files, [first as string]: Buffer.from('%PDF-1.7 not the one').toString('base64') } }));
    const changed = cli('verify', file, '--as', 'firm1/auditor1');
    expect(changed.status, changed.output).to.equal(1);
    expect(changed.output).to.match(/manifest FAIL BUNDLE_MISMATCH/);
    writeFileSync(file, JSON.stringify({ verdict: 'trust me' }));
    const notBundle = cli('verify', file, '--as', 'firm1/auditor1');
    expect(notBundle.status, notBundle.output).to.equal(1);
    expect(notBundle.output).to.match(/is not an evidence bundle/);
  });
});
