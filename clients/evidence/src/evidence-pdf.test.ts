import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { certificateDer } from './crypto/certificates';
import { pemCrls } from './crypto/crl';
import { createEvidencePdf, signEvidenceJson } from './evidence-pdf';
import { buildEvidenceDocument, EvidenceInputError, evidenceJson, type EvidenceDocument } from './model/evidence-document';
import { signPdf } from './pdf/pades';
import { ATTACHMENT, renderEvidencePdf } from './pdf/render';
import { evidenceSigner, type EvidenceSigner } from './signer';
import { createNssDb, createTestOrgPki, type TestOrgPki } from './testing/test-pki';
import { BANK, BRANCH, CLIENT, FIRM, newBankSigningKey, sampleEvidence, x5cOf, type SampleBank } from './testing/sample-evidence';
import { verifyEvidencePdf, type Check, type LedgerView, type RegistryEntry, type RegistrySnapshot, type TrustRoots, type Verdict } from './verify/verify-evidence';
import { LedgerCallError } from '@econfirm/sdk';

function check(verdict: Verdict, id: string): Check {
  const found = verdict.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${JSON.stringify(verdict.checks)}`);
  return found;
}

function pdfsig(file: string, nssDir: string): { valid: boolean; trusted: boolean; output: string } {
  const run = spawnSync('pdfsig', ['-nssdir', nssDir, file], { encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  return { valid: /Signature Validation: Signature is Valid\./.test(output), trusted: /Certificate Validation: Certificate is Trusted\./.test(output), output };
}

function writeTemp(name: string, bytes: Buffer): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'econfirm-evidence-')), name);
  writeFileSync(file, bytes);
  return file;
}

/** Pages rendered to greyscale PGM by pdftoppm, with the share of dark pixels on each. */
function renderedPages(file: string): { count: number; inkShare: number[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-pages-'));
  execFileSync('pdftoppm', ['-gray', '-r', '40', file, path.join(dir, 'page')]);
  const pages = readdirSync(dir).filter((f) => f.endsWith('.pgm')).sort();
  const inkShare = pages.map((page) => {
    const data = readFileSync(path.join(dir, page));
    // P5 header: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
    const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 40).toString('latin1'));
    if (!header) throw new Error(`${page} is not a binary PGM`);
    const pixels = data.subarray(header[0].length);
    let dark = 0;
    for (const value of pixels) if (value < 128) dark++;
    return dark / pixels.length;
  });
  return { count: pages.length, inkShare };
}

describe('evidence PDF: render, sign, verify offline', function () {
  this.timeout(120_000);
  let firm: TestOrgPki;
  let bankPki: TestOrgPki;
  let rogue: TestOrgPki;
  let signer: EvidenceSigner;
  let bank: SampleBank;
  let roots: TrustRoots;
  let doc: EvidenceDocument;
  let pdf: Buffer;
  let nss: string;
  let signerPem: { key: string; chain: string[] };

  before(async () => {
    firm = createTestOrgPki('firm1');
    bankPki = createTestOrgPki('bank1');
    rogue = createTestOrgPki('rogue');
    const evidence = firm.issue('FIRM1-evidence', { evidence: 'FIRM1' });
    signer = evidenceSigner('FIRM1', evidence.keyPem, [evidence.certPem, firm.evidenceCaPem]);
    signerPem = { key: evidence.keyPem, chain: [evidence.certPem, firm.evidenceCaPem] };
    bank = newBankSigningKey();
    const bankPublic = createPublicKey(createPrivateKey({ key: bank.signingJwk, format: 'jwk' })).export({ type: 'spki', format: 'pem' }).toString();
    bank.x5c = x5cOf(bankPki.issue('BANK1-sig-1', { publicKeyPem: bankPublic }).certPem, bankPki.evidenceCaPem);
    roots = new Map([
      ['Firm1MSP', [certificateDer(firm.rootPem)]],
      ['Bank1MSP', [certificateDer(bankPki.rootPem)]],
    ]);
    doc = await sampleEvidence({ bank, baseTime: Date.now() + 60_000, agrees: false });
    pdf = (await createEvidencePdf(doc, signer)).pdf;
    nss = createNssDb([firm.evidenceCaPem]);
  });

  it('is valid for the verifier offline, which says the ledger was not checked', async () => {
    const verdict = await verifyEvidencePdf(pdf, { roots });
    expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(true);
    expect(verdict.mode).to.equal('offline');
    expect(verdict.confirmationId).to.equal('CF-2026-000001');
    for (const id of ['attachments', 'pdf-signature', 'pdf-certificate', 'evidence-jws', 'letter-hash', 'reply-hash', 'reply-jws']) {
      expect(check(verdict, id).status, id).to.equal('pass');
    }
    expect(check(verdict, 'registry')).to.include({ status: 'skipped', code: 'NO_REGISTRY' });
    expect(check(verdict, 'ledger-hashes')).to.include({ status: 'skipped', code: 'OFFLINE' });
    expect(check(verdict, 'ledger-transactions')).to.include({ status: 'skipped', code: 'OFFLINE' });
  });

  it("is reported valid and trusted by poppler's pdfsig (NSS db holding the firm's evidence CA)", () => {
    const result = pdfsig(writeTemp('evidence.pdf', pdf), nss);
    expect(result.valid, result.output).to.equal(true);
    expect(result.trusted, result.output).to.equal(true);
    expect(result.output).to.match(/Signature Type: ETSI\.CAdES\.detached/);
    expect(result.output).to.match(/Total document signed/);
  });

  it('is not trusted by pdfsig when the NSS db holds another org', () => {
    const result = pdfsig(writeTemp('evidence.pdf', pdf), createNssDb([rogue.evidenceCaPem]));
    expect(result.valid, result.output).to.equal(true);
    expect(result.trusted, result.output).to.equal(false);
  });

  it('verifies with standard tools only (scripts/verify-by-hand.sh: openssl, pdfdetach, python3, jq) and fails there too on a flipped byte', () => {
    const script = path.resolve(__dirname, '..', 'scripts', 'verify-by-hand.sh');
    const good = spawnSync('bash', [script, writeTemp('evidence.pdf', pdf), firm.rootFile, bankPki.rootFile], { encoding: 'utf8' });
    expect(good.status, `${good.stdout}${good.stderr}`).to.equal(0);
    expect(good.stdout).to.match(/pdf-signature +OK/).and.match(/evidence-jws +OK/).and.match(/letter-hash +OK/).and.match(/reply-jws +OK/);
    const flipped = Buffer.from(pdf);
    flipped[Math.floor(flipped.length * 0.8)] ^= 0x01;
    const bad = spawnSync('bash', [script, writeTemp('flipped.pdf', flipped), firm.rootFile], { encoding: 'utf8' });
    expect(bad.status).to.not.equal(0);
  });

  it('renders the same bytes again for the same input (signature included: RFC 6979)', async () => {
    const again = (await createEvidencePdf(JSON.parse(JSON.stringify(doc)) as EvidenceDocument, signer)).pdf;
    expect(again.equals(pdf)).to.equal(true);
  });

  it('renders the same bytes in a fresh process as after other letters: the per-process font and layout caches carry nothing of one document into the next', async () => {
    // Other letters first, with glyphs and words this one does not use, so a leak from the shared
    // font (a glyph in this subset, a width, a ToUnicode entry) or from a cached layout would show.
    const other = JSON.parse(JSON.stringify(await sampleEvidence({ id: 'CF-2026-000999', bank, baseTime: Date.now() + 60_000, depositRows: 12 }))) as EvidenceDocument;
    other.parties.client.nameZh = '龘靐齉爨鬱 测试单位';
    await createEvidencePdf(other, signer);
    const warm = (await createEvidencePdf(doc, signer)).pdf;
    const dir = mkdtempSync(path.join(tmpdir(), 'econfirm-fresh-'));
    writeFileSync(path.join(dir, 'input.json'), JSON.stringify({ doc, signer: signerPem }));
    const script = `
      const { readFileSync, writeFileSync } = require('node:fs');
      const { createEvidencePdf } = require(${JSON.stringify(path.join(__dirname, 'evidence-pdf'))});
      const { evidenceSigner } = require(${JSON.stringify(path.join(__dirname, 'signer'))});
      const input = JSON.parse(readFileSync(process.argv[1], 'utf8'));
      createEvidencePdf(input.doc, evidenceSigner('FIRM1', input.signer.key, input.signer.chain)).then((r) => writeFileSync(process.argv[2], r.pdf));`;
    const run = spawnSync(process.execPath, ['-e', script, path.join(dir, 'input.json'), path.join(dir, 'fresh.pdf')], { encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    const fresh = readFileSync(path.join(dir, 'fresh.pdf'));
    expect(fresh.equals(warm), 'a letter rendered after others differs from the same letter rendered first').to.equal(true);
    expect(fresh.equals(pdf)).to.equal(true);
  });

  it('breaks when one byte changes: pdfsig and the verifier both refuse it', async () => {
    const flipped = Buffer.from(pdf);
    const at = Math.floor(flipped.length * 0.8); // well inside the signed range after /Contents
    flipped[at] = (flipped[at] as number) ^ 0x01;
    const result = pdfsig(writeTemp('flipped.pdf', flipped), nss);
    expect(result.valid, result.output).to.equal(false);
    const verdict = await verifyEvidencePdf(flipped, { roots });
    expect(verdict.ok).to.equal(false);
    const signature = verdict.checks.find((c) => c.id === 'pdf-signature' && c.status === 'fail') ?? verdict.checks.find((c) => c.status === 'fail');
    expect(signature?.code).to.be.oneOf(['PDF_DIGEST_MISMATCH', 'MALFORMED_PDF']);
  });

  it('renders pages that exist and are not blank (pdftoppm), and paginates a long letter', async () => {
    const short = renderedPages(writeTemp('short.pdf', pdf));
    expect(short.count).to.be.greaterThan(1);
    for (const share of short.inkShare) expect(share).to.be.within(0.001, 0.5);
    const longDoc = await sampleEvidence({ bank, baseTime: Date.now() + 60_000, depositRows: 80 });
    const long = renderedPages(writeTemp('long.pdf', (await createEvidencePdf(longDoc, signer)).pdf));
    expect(long.count).to.be.greaterThan(short.count + 3);
    for (const share of long.inkShare) expect(share).to.be.within(0.001, 0.5);
  });

  it('refuses a swapped attachment even under a valid PDF signature', async () => {
    // An insider re-renders with another confirmation's evidence JSON but keeps the JWS.
    const other = await sampleEvidence({ id: 'CF-2026-000999', bank, baseTime: Date.now() + 60_000 });
    const jws = await signEvidenceJson(doc, signer);
    const unsigned = await renderEvidencePdf(
      other,
      [
        { name: ATTACHMENT.evidenceJson, mimeType: 'application/json', description: 'swapped', bytes: Buffer.from(evidenceJson(other)) },
        { name: ATTACHMENT.evidenceJws, mimeType: 'application/jose', description: 'original', bytes: Buffer.from(jws) },
        { name: ATTACHMENT.replyJws, mimeType: 'application/jose', description: 'reply', bytes: Buffer.from(other.reply?.signature ?? '') },
      ],
      { name: 'FIRM1', reason: 'swap', location: 'econfirm', contactInfo: 'Firm1MSP', signingTime: new Date(other.generatedAt) },
    );
    const swapped = await signPdf(unsigned, { key: signer.key, chain: signer.chain });
    const verdict = await verifyEvidencePdf(swapped, { roots });
    expect(check(verdict, 'pdf-signature').status).to.equal('pass');
    expect(check(verdict, 'evidence-jws')).to.include({ status: 'fail', code: 'ATTACHMENT_MISMATCH' });
    expect(verdict.ok).to.equal(false);
  });

  it("refuses a reply JWS whose certificate is outside the bank's MSP", async () => {
    const impostor: SampleBank = { ...bank };
    const bankPublic = createPublicKey(createPrivateKey({ key: bank.signingJwk, format: 'jwk' })).export({ type: 'spki', format: 'pem' }).toString();
    impostor.x5c = x5cOf(rogue.issue('BANK1-sig-1', { publicKeyPem: bankPublic }).certPem, rogue.evidenceCaPem);
    const forged = await sampleEvidence({ bank: impostor, baseTime: Date.now() + 60_000 });
    const verdict = await verifyEvidencePdf((await createEvidencePdf(forged, signer)).pdf, { roots });
    expect(check(verdict, 'reply-jws')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    expect(check(verdict, 'reply-jws').detail).to.match(/Bank1MSP/);
    expect(verdict.ok).to.equal(false);
  });

  it('refuses a reply JWS by a key other than the registry key the ledger names', async () => {
    const stranger = newBankSigningKey('BANK1-sig-1');
    const forged = await sampleEvidence({ bank: bank, baseTime: Date.now() + 60_000 });
    // Same evidence, but the registry key printed is the stranger's: the bank's JWS no longer verifies.
    const { d: _d, ...pub } = stranger.signingJwk;
    void _d;
    forged.reply = { ...(forged.reply as NonNullable<EvidenceDocument['reply']>), signingKey: { kid: 'BANK1-sig-1', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: pub.x as string, y: pub.y as string } } };
    const verdict = await verifyEvidencePdf((await createEvidencePdf(forged, signer)).pdf, { roots });
    expect(check(verdict, 'reply-jws').status).to.equal('fail');
    expect(verdict.ok).to.equal(false);
  });

  it("refuses a PDF signed by another org's certificate", async () => {
    const rogueCert = rogue.issue('FIRM1-evidence', { evidence: 'FIRM1' });
    const rogueSigner = evidenceSigner('FIRM1', rogueCert.keyPem, [rogueCert.certPem, rogue.evidenceCaPem]);
    const verdict = await verifyEvidencePdf((await createEvidencePdf(doc, rogueSigner)).pdf, { roots });
    expect(check(verdict, 'pdf-signature').status).to.equal('pass');
    expect(check(verdict, 'pdf-certificate')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    expect(check(verdict, 'evidence-jws')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
  });

  it('decides trust on every call, whatever it verified before: the same PDF passes, then fails against a root of the same name and another key, at a time past its certificates, under a CRL, and passes again', async () => {
    expect((await verifyEvidencePdf(pdf, { roots })).ok).to.equal(true);
    // Another PKI for the same org name: same subject and issuer names, other keys. Parsed
    // certificates and checked signatures are kept per process by the certificates' bytes, never
    // by their names, so the genuine chain does not chain to the twin root.
    const twin = createTestOrgPki('firm1');
    expect(new X509Certificate(twin.rootPem).subject).to.equal(new X509Certificate(firm.rootPem).subject);
    const twinRoots: TrustRoots = new Map([...roots, ['Firm1MSP', [certificateDer(twin.rootPem)]]]);
    const twinVerdict = await verifyEvidencePdf(pdf, { roots: twinRoots });
    expect(check(twinVerdict, 'pdf-certificate')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    expect(check(twinVerdict, 'evidence-jws')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    const later = await verifyEvidencePdf(pdf, { roots, at: new Date(Date.now() + 50 * 365 * 86_400_000) });
    expect(check(later, 'pdf-certificate')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    expect(check(later, 'pdf-certificate').detail).to.match(/not valid at/);
    const revoked = await verifyEvidencePdf(pdf, { roots, revocations: new Map([['Firm1MSP', pemCrls(firm.revokeEvidenceCa())]]) });
    expect(check(revoked, 'pdf-certificate')).to.include({ status: 'fail', code: 'CERTIFICATE_REVOKED' });
    expect((await verifyEvidencePdf(pdf, { roots })).ok).to.equal(true);
  });

  it("refuses a certificate chain revoked by a CRL in the MSP configuration (the org root revokes the firm's evidence CA)", async () => {
    const crl = pemCrls(firm.revokeEvidenceCa());
    const verdict = await verifyEvidencePdf(pdf, { roots, revocations: new Map([['Firm1MSP', crl]]) });
    expect(check(verdict, 'pdf-certificate')).to.include({ status: 'fail', code: 'CERTIFICATE_REVOKED' });
    expect(check(verdict, 'evidence-jws')).to.include({ status: 'fail', code: 'CERTIFICATE_REVOKED' });
    // The bank's chain is untouched by the firm root's CRL.
    expect(check(verdict, 'reply-jws').status).to.equal('pass');
    expect(verdict.ok).to.equal(false);
  });

  it('refuses content that does not reproduce its salted hash', async () => {
    const tampered: EvidenceDocument = JSON.parse(JSON.stringify(doc)) as EvidenceDocument;
    (tampered.letter.content as { header: Record<string, string> }).header.letterNo = 'FORGED';
    const verdict = await verifyEvidencePdf((await createEvidencePdf(tampered, signer)).pdf, { roots });
    expect(check(verdict, 'letter-hash')).to.include({ status: 'fail', code: 'CONTENT_MISMATCH' });
  });

  it('online: passes against a ledger holding the same facts, fails for a reply the ledger does not hold', async () => {
    const facts = (txId: string) => {
      const step = doc.timeline.find((s) => s.txId === txId);
      if (!step) throw new Error(`transaction ${txId} not found`);
      return { blockNumber: BigInt(step.blockNumber), validationCode: 'VALID', actor: step.actor };
    };
    const ledgerRecord = {
      confirmation: {
        ...doc.record,
        letter: { ciphertext: `{"jwe":"letter ${doc.record.id}"}`, contentHash: doc.letter.contentHash },
        reply: { ...(doc.reply as NonNullable<EvidenceDocument['reply']>), ciphertext: `{"jwe":"reply ${doc.record.id}"}` },
      },
      trail: doc.timeline.map((s) => ({ txId: s.txId, timestamp: s.at, state: s.state })),
      responderSigningKey: doc.reply?.signingKey,
    };
    const honest: LedgerView = { confirmationEvidence: () => Promise.resolve(JSON.parse(JSON.stringify(ledgerRecord))), transaction: (tx) => Promise.resolve(facts(tx)) };
    const good = await verifyEvidencePdf(pdf, { roots, ledger: honest });
    expect(good.ok, JSON.stringify(good.checks, null, 1)).to.equal(true);
    expect(good.mode).to.equal('online');
    const otherReply = JSON.parse(JSON.stringify(ledgerRecord)) as typeof ledgerRecord;
    otherReply.confirmation.reply.signatureHash = 'f'.repeat(64);
    const rejected = await verifyEvidencePdf(pdf, { roots, ledger: { ...honest, confirmationEvidence: () => Promise.resolve(otherReply as never) } });
    expect(check(rejected, 'ledger-hashes')).to.include({ status: 'fail', code: 'LEDGER_MISMATCH' });
    const invalidTx: LedgerView = { ...honest, transaction: (tx) => Promise.resolve({ ...facts(tx), validationCode: 'MVCC_READ_CONFLICT' }) };
    expect(check(await verifyEvidencePdf(pdf, { roots, ledger: invalidTx }), 'ledger-transactions')).to.include({ status: 'fail', code: 'TRANSACTION_MISMATCH' });
  });

  it("refuses to build evidence for content or a signature the ledger's hashes do not match", async () => {
    const sample = await sampleEvidence({ bank, baseTime: Date.now() + 60_000 });
    const ledger = {
      confirmation: { ...sample.record, letter: { ciphertext: 'x', contentHash: sample.letter.contentHash }, reply: { ...(sample.reply as NonNullable<EvidenceDocument['reply']>), ciphertext: 'y' } },
      trail: sample.timeline.map((s) => ({ txId: s.txId, timestamp: s.at, state: s.state })),
      responderSigningKey: sample.reply?.signingKey,
    };
    const transactions = Object.fromEntries(sample.timeline.map((s) => [s.txId, { blockNumber: s.blockNumber, validationCode: s.validationCode, actor: s.actor }]));
    const input = {
      channel: 'econfirm', generatedAt: sample.generatedAt, generatedBy: sample.generatedBy, parties: sample.parties, ledger: ledger as never, transactions,
      letter: { content: sample.letter.content, salt: sample.letter.salt },
      reply: { content: sample.reply?.content, salt: sample.reply?.salt as string, signature: sample.reply?.signature as string },
    };
    expect(() => buildEvidenceDocument(input)).not.to.throw();
    expect(() => buildEvidenceDocument({ ...input, letter: { ...input.letter, salt: '0'.repeat(64) } })).to.throw(EvidenceInputError, /letter content/);
    expect(() => buildEvidenceDocument({ ...input, reply: { ...input.reply, signature: `${input.reply.signature}x` } })).to.throw(EvidenceInputError, /reply JWS/);
  });
  describe('forgeries (issue 10 §1, §2): each of these verified on c1dd8e8', () => {
    const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
    /** The registry as the verifier exported it (never the document's parties). */
    const registry = (): RegistrySnapshot => {
      const entry = (p: typeof FIRM, keys: RegistryEntry['signingKeys'] = []): [string, RegistryEntry] => [p.id, { ...p, signingKeys: keys }];
      return new Map([entry(FIRM), entry(CLIENT), entry(BRANCH), entry(BANK, [{ kid: bank.kid, jwk: (doc.reply as NonNullable<EvidenceDocument['reply']>).signingKey.jwk }])]);
    };
    /** A ledger holding the genuine facts of `doc`, read as the firm. */
    const honestLedger = (): LedgerView => {
      const confirmation = {
        ...clone(doc.record),
        letter: { ciphertext: `{"jwe":"letter ${doc.record.id}"}`, contentHash: doc.letter.contentHash },
        reply: { ...clone(doc.reply as NonNullable<EvidenceDocument['reply']>), ciphertext: `{"jwe":"reply ${doc.record.id}"}` },
      };
      const snapshot = registry();
      return {
        confirmationEvidence: () => Promise.resolve(clone({ confirmation, trail: doc.timeline.map((s) => ({ txId: s.txId, timestamp: s.at, state: s.state })), responderSigningKey: doc.reply?.signingKey }) as never),
        committedRecord: (txId) => {
          const step = doc.timeline.find((s) => s.txId === txId);
          return Promise.resolve(step ? ({ ...clone(confirmation), state: step.state } as never) : undefined);
        },
        transaction: (txId) => {
          const step = doc.timeline.find((s) => s.txId === txId);
          if (!step) return Promise.reject(new Error(`transaction ${txId} not found`));
          return Promise.resolve({ blockNumber: BigInt(step.blockNumber), validationCode: 'VALID', actor: step.actor });
        },
        institution: (id) => Promise.resolve(snapshot.get(id)),
      };
    };
    /** The same ledger read by the regulator: GetConfirmationEvidence refuses, the blocks are read instead. */
    const regulatorLedger = (): LedgerView => ({ ...honestLedger(), confirmationEvidence: () => Promise.reject(new LedgerCallError('FORBIDDEN', 'not the firm', 'evaluate', 'GetConfirmationEvidence')) });
    /** The genuine evidence edited: the client's authorization step dropped, the as-of date and the responder's name changed. */
    const edited = (): EvidenceDocument => {
      const forged = clone(doc);
      forged.timeline = forged.timeline.filter((s) => s.state !== 'authorized');
      forged.record.asOfDate = '2025-06-30';
      forged.parties.responder.nameEn = 'Another Bank';
      return forged;
    };

    it("refuses the edited evidence re-signed with the client's own Fabric key, online (firm, regulator) and offline", async () => {
      const operator = createTestOrgPki('operator');
      const client = operator.issue('client1'); // an enrollment certificate of the client's org: no OU=evidence, no documentSigning
      const forged = edited();
      forged.generatedBy = { ...forged.generatedBy, mspId: 'OperatorMSP' };
      forged.parties.firm.mspId = 'OperatorMSP';
      const forgedPdf = (await createEvidencePdf(forged, evidenceSigner('FIRM1', client.keyPem, [client.certPem, operator.evidenceCaPem]))).pdf;
      const withClientRoots = new Map([...roots, ['OperatorMSP', [certificateDer(operator.rootPem)]]]);
      for (const options of [{}, { registry: registry() }, { ledger: honestLedger() }, { ledger: regulatorLedger() }]) {
        const verdict = await verifyEvidencePdf(forgedPdf, { roots: withClientRoots, ...options });
        expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(false);
        expect(check(verdict, 'pdf-certificate')).to.include({ status: 'fail', code: 'NOT_EVIDENCE_CERTIFICATE' });
      }
    });

    it("refuses the edited evidence even under the firm's genuine evidence key: online as firm and regulator, offline with the verifier's registry", async () => {
      const forgedPdf = (await createEvidencePdf(edited(), signer)).pdf;
      for (const ledger of [honestLedger(), regulatorLedger()]) {
        const verdict = await verifyEvidencePdf(forgedPdf, { roots, ledger });
        expect(verdict.ok).to.equal(false);
        expect(check(verdict, 'ledger-hashes')).to.include({ status: 'fail', code: 'LEDGER_MISMATCH' });
        expect(check(verdict, 'ledger-hashes').detail).to.match(/asOfDate/).and.match(/timeline|steps/);
        expect(check(verdict, 'registry')).to.include({ status: 'fail', code: 'REGISTRY_MISMATCH' });
      }
      const offline = await verifyEvidencePdf(forgedPdf, { roots, registry: registry() });
      expect(check(offline, 'registry')).to.include({ status: 'fail', code: 'REGISTRY_MISMATCH' });
      expect(offline.ok).to.equal(false);
    });

    it('refuses an evidence certificate of another firm, and a firm certificate of an MSP the firm is not registered under', async () => {
      const firm2 = createTestOrgPki('firm2');
      const rootsWithFirm2 = new Map([...roots, ['Firm2MSP', [certificateDer(firm2.rootPem)]]]);
      const other = firm2.issue('FIRM2-evidence', { evidence: 'FIRM2' });
      const byOther = clone(doc);
      byOther.generatedBy = { ...FIRM, id: 'FIRM2', mspId: 'Firm2MSP' };
      const verdict = await verifyEvidencePdf((await createEvidencePdf(byOther, evidenceSigner('FIRM2', other.keyPem, [other.certPem, firm2.evidenceCaPem]))).pdf, { roots: rootsWithFirm2 });
      expect(check(verdict, 'pdf-certificate')).to.include({ status: 'fail', code: 'NOT_EVIDENCE_CERTIFICATE' });
      // firm2's CA issues an evidence certificate naming FIRM1: the certificate passes, the registry (FIRM1 is in Firm1MSP) does not.
      const posing = firm2.issue('FIRM1-evidence', { evidence: 'FIRM1' });
      const underFirm2 = clone(doc);
      underFirm2.generatedBy = { ...FIRM, mspId: 'Firm2MSP' };
      underFirm2.parties.firm.mspId = 'Firm2MSP';
      const posed = (await createEvidencePdf(underFirm2, evidenceSigner('FIRM1', posing.keyPem, [posing.certPem, firm2.evidenceCaPem]))).pdf;
      for (const options of [{ registry: registry() }, { ledger: honestLedger() }]) {
        const refused = await verifyEvidencePdf(posed, { roots: rootsWithFirm2, ...options });
        expect(check(refused, 'registry')).to.include({ status: 'fail', code: 'REGISTRY_MISMATCH' });
        expect(refused.ok).to.equal(false);
      }
    });

    it('refuses an expired evidence certificate under back-dated evidence (validity at the verifier\'s time, not /M or generatedAt)', async () => {
      // Valid for 4 s from the evidence CA's own start (so the whole chain was valid at the claimed time), expired since.
      const notBefore = new Date(new X509Certificate(firm.evidenceCaPem).validFrom);
      const old = firm.issue('FIRM1-evidence', { evidence: 'FIRM1', notBefore, notAfter: new Date(notBefore.getTime() + 4000) });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, notBefore.getTime() + 6000 - Date.now())));
      // generatedAt (and so /M) 2 s into that window; sampleEvidence generates 2880 minutes after its base time.
      const backDated = await sampleEvidence({ bank, baseTime: notBefore.getTime() + 2000 - 2880 * 60_000, agrees: false });
      const verdict = await verifyEvidencePdf((await createEvidencePdf(backDated, evidenceSigner('FIRM1', old.keyPem, [old.certPem, firm.evidenceCaPem]))).pdf, { roots });
      expect(check(verdict, 'pdf-certificate')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
      expect(check(verdict, 'pdf-certificate').detail).to.match(/not valid at/);
      expect(verdict.ok).to.equal(false);
    });

    it("names the mismatching field, never the ledger's value", async () => {
      const ledger = honestLedger();
      const read = await ledger.confirmationEvidence(doc.record.id);
      const reply = read.confirmation.reply as NonNullable<typeof read.confirmation.reply>;
      reply.conclusion = 'agrees';
      reply.contentHash = 'e'.repeat(64);
      reply.signingKid = 'LEDGER-ONLY-KID';
      const leaking: LedgerView = { ...ledger, confirmationEvidence: () => Promise.resolve(read), committedRecord: () => Promise.resolve({ ...read.confirmation, state: 'replied' } as never) };
      for (const view of [leaking, { ...leaking, confirmationEvidence: regulatorLedger().confirmationEvidence }]) {
        const detail = check(await verifyEvidencePdf(pdf, { roots, ledger: view }), 'ledger-hashes').detail;
        expect(detail).to.match(/conclusion/);
        expect(detail).not.to.match(/\bagrees\b|eeeeeeee|LEDGER-ONLY-KID/);
      }
    });
  });

  describe("the reply certificate at the reply transaction's time on the ledger (issue 10), not the verifier's", () => {
    const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
    /** A ledger holding the facts of `d`, read as the firm, timing each transaction by `time` (what the block's channel header says). */
    const ledgerOf = (d: EvidenceDocument, time: (step: EvidenceDocument['timeline'][number]) => Date): LedgerView => {
      const confirmation = {
        ...clone(d.record),
        letter: { ciphertext: `{"jwe":"letter ${d.record.id}"}`, contentHash: d.letter.contentHash },
        reply: { ...clone(d.reply as NonNullable<EvidenceDocument['reply']>), ciphertext: `{"jwe":"reply ${d.record.id}"}` },
      };
      return {
        confirmationEvidence: () => Promise.resolve(clone({ confirmation, trail: d.timeline.map((s) => ({ txId: s.txId, timestamp: s.at, state: s.state })), responderSigningKey: d.reply?.signingKey }) as never),
        transaction: (txId) => {
          const step = d.timeline.find((s) => s.txId === txId);
          if (!step) return Promise.reject(new Error(`transaction ${txId} not found`));
          return Promise.resolve({ blockNumber: BigInt(step.blockNumber), validationCode: 'VALID', actor: step.actor, timestamp: time(step) });
        },
      };
    };
    /** The bank's reply key, certified under Bank1MSP for [notBefore, notAfter]. */
    const certifiedBank = (notBefore: Date, notAfter: Date): SampleBank => {
      const issued = bankPki.issue('BANK1-sig-1', { notBefore, notAfter });
      return { signingJwk: createPrivateKey(issued.keyPem).export({ format: 'jwk' }), kid: 'BANK1-sig-1', x5c: x5cOf(issued.certPem, bankPki.evidenceCaPem) };
    };
    const REPLY_MINUTES = 1500; // sampleEvidence's reply-prepared step (PrepareReply), minutes after its base time
    let caStart: number;
    let expired: SampleBank;
    before(async () => {
      caStart = new Date(new X509Certificate(bankPki.evidenceCaPem).validFrom).getTime();
      // Valid for 4 s from the bank's CA's own start (the whole chain valid then), expired since.
      expired = certifiedBank(new Date(caStart), new Date(caStart + 4000));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, caStart + 6000 - Date.now())));
    });
    const replyAt = async (bankKey: SampleBank, at: number) => {
      const d = await sampleEvidence({ bank: bankKey, baseTime: at - REPLY_MINUTES * 60_000, agrees: false });
      return { d, pdf: (await createEvidencePdf(d, signer)).pdf };
    };

    it('verifies online a reply whose certificate expired after the reply was committed (refused on e4aad4b: checked at the verifier\'s time)', async () => {
      const { d, pdf: replied } = await replyAt(expired, caStart + 2000);
      const verdict = await verifyEvidencePdf(replied, { roots, ledger: ledgerOf(d, (s) => new Date(s.at)) });
      expect(verdict.ok, JSON.stringify(verdict.checks, null, 1)).to.equal(true);
      const reply = check(verdict, 'reply-jws');
      expect(reply.status).to.equal('pass');
      expect(reply.detail).to.include(new Date(caStart + 2000).toISOString()).and.include(d.timeline.find((s) => s.state === 'reply-prepared')?.txId);
      expect(verdict.checks.map((c) => c.id)).not.to.include('reply-certificate-time');
      // Offline the same PDF is checked at the verifier's time, and refused (the certificate has expired).
      const offline = await verifyEvidencePdf(replied, { roots });
      expect(check(offline, 'reply-jws')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
    });

    it("refuses a reply whose certificate had expired, or was not yet valid, at the reply transaction's time on the ledger, whatever the document's times say", async () => {
      // The document's steps (and preparedAt) fall inside the certificate's 4 s; the ledger times the reply 8 s in, after it expired.
      const late = await replyAt(expired, caStart + 2000);
      const lateVerdict = await verifyEvidencePdf(late.pdf, { roots, ledger: ledgerOf(late.d, (s) => (s.state === 'reply-prepared' ? new Date(caStart + 8000) : new Date(s.at))) });
      expect(check(lateVerdict, 'reply-jws')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
      expect(check(lateVerdict, 'reply-jws').detail).to.match(/not valid at/).and.include(new Date(caStart + 8000).toISOString());
      expect(lateVerdict.ok).to.equal(false);
      // Valid from an hour after the CA's start (and now): the reply was committed 2 s after the CA's start.
      const early = await replyAt(certifiedBank(new Date(caStart + 3_600_000), new Date(Date.now() + 86_400_000)), caStart + 2000);
      const earlyVerdict = await verifyEvidencePdf(early.pdf, { roots, ledger: ledgerOf(early.d, (s) => new Date(s.at)) });
      expect(check(earlyVerdict, 'reply-jws')).to.include({ status: 'fail', code: 'CERTIFICATE_UNTRUSTED' });
      expect(check(earlyVerdict, 'reply-jws').detail).to.match(/not valid at/);
      expect(earlyVerdict.ok).to.equal(false);
    });

    it("offline, or without a ledger time, says the reply certificate was checked at the verifier's time (TIME_NOT_LEDGER_PROVEN), and a failed read of that time refuses", async () => {
      const offline = await verifyEvidencePdf(pdf, { roots });
      expect(offline.ok, JSON.stringify(offline.checks, null, 1)).to.equal(true);
      expect(check(offline, 'reply-certificate-time')).to.include({ status: 'skipped', code: 'TIME_NOT_LEDGER_PROVEN' });
      expect(check(offline, 'reply-certificate-time').detail).to.match(/verifier's time/).and.match(/offline/);
      const untimed = ledgerOf(doc, (s) => new Date(s.at));
      const noTime: LedgerView = { ...untimed, transaction: async (tx) => ({ ...(await untimed.transaction(tx)), timestamp: undefined }) };
      const online = await verifyEvidencePdf(pdf, { roots, ledger: noTime });
      expect(online.ok, JSON.stringify(online.checks, null, 1)).to.equal(true);
      expect(check(online, 'reply-certificate-time')).to.include({ status: 'skipped', code: 'TIME_NOT_LEDGER_PROVEN' });
      const timed = await verifyEvidencePdf(pdf, { roots, ledger: untimed });
      expect(timed.ok, JSON.stringify(timed.checks, null, 1)).to.equal(true);
      expect(timed.checks.map((c) => c.id)).not.to.include('reply-certificate-time');
      const unreadable: LedgerView = { ...untimed, transaction: () => Promise.reject(new Error('peer unreachable')) };
      expect(check(await verifyEvidencePdf(pdf, { roots, ledger: unreadable }), 'reply-jws')).to.include({ status: 'fail', code: 'LEDGER_UNAVAILABLE' });
    });
  });
});
