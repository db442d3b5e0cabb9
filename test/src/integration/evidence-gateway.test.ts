import { ConfirmationState } from '@econfirm/common';
import { pemChainToX5c, signingPublicKeyPem } from '@econfirm/sdk';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { agreeingReply, bankLetter, TestGateway, type Caller } from '../support/gateway';
import { demoKeyStore, ensureDemoInstitutions } from '../support/institutions';
import { networkScript, uniqueName } from '../support/network';

/**
 * Through the gateway: the firm downloads the signed evidence PDF of a replied letter and
 * the engagement bundle, anyone verifies them at POST /v1/evidence/verify (online and offline),
 * a flipped byte is refused, and poppler's pdfsig reads the signature.
 */
describe('evidence endpoints of the gateway on the real network (issue 5)', function () {
  this.timeout(180_000);
  const run = uniqueName('ev').replace(/[^A-Za-z0-9-]/g, '');
  const id = `CF-${run}`;
  const engagementId = `ENG-${run}`;
  const work = mkdtempSync(path.join(tmpdir(), 'econfirm-evidence-gw-'));
  let gw: TestGateway;
  let auditor: Caller, clientSigner: Caller, officer: Caller, reviewer: Caller, regulator: Caller;
  let pdf: Buffer;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    // The bank's signing key certified under Bank1MSP (what `demo seed` does), so its reply JWS carries x5c.
    const store = demoKeyStore();
    const bank = store.load('BANK1');
    if (!bank.signing.x5c?.length) {
      const pub = path.join(work, 'bank.pub.pem');
      writeFileSync(pub, signingPublicKeyPem(bank));
      bank.signing.x5c = pemChainToX5c(networkScript('identity.sh', 'certify', 'bank1', bank.signing.kid, pub));
      store.save(bank);
    }
    networkScript('identity.sh', 'evidence', 'firm1', 'FIRM1');
    gw = await TestGateway.start();
    ({ auditor, clientSigner, officer, reviewer, regulator } = gw.demoCallers());
    const issued = await gw.post(auditor, '/v1/confirmations', {
      id, kind: 'bank-form-1', addresseeId: 'BANK1', feePayer: 'client', letter: bankLetter('6222000011112222'),
      engagement: { id: engagementId, clientId: 'CLIENT1', periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' },
    });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    expect((await gw.post(clientSigner, `/v1/confirmations/${id}/authorization`, { feeConsent: true })).status).to.equal(200);
    expect((await gw.post(officer, `/v1/confirmations/${id}/acceptance`)).status).to.equal(200);
    expect((await gw.post(officer, `/v1/confirmations/${id}/reply`, { content: agreeingReply() })).status).to.equal(200);
    const approved = await gw.post(reviewer, `/v1/confirmations/${id}/reply/approval`);
    expect(approved.body.state).to.equal(ConfirmationState.Replied);
  });

  after(async () => {
    await gw?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('GET /v1/confirmations/{id}/evidence.pdf: the firm gets a signed PDF; the bank is refused', async () => {
    const res = await gw.getBytes(auditor, `/v1/confirmations/${id}/evidence.pdf`);
    expect(res.status, String(res.body)).to.equal(200);
    expect(res.headers['content-type']).to.match(/application\/pdf/);
    pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    const refused = await gw.get(officer, `/v1/confirmations/${id}/evidence.pdf`);
    expect(refused.status).to.equal(403);
  });

  it('pdfsig reads a valid ETSI.CAdES.detached signature by the firm', () => {
    const file = path.join(work, 'evidence.pdf');
    writeFileSync(file, pdf);
    const out = spawnSync('pdfsig', [file], { encoding: 'utf8' });
    expect(out.stdout).to.match(/Signature Validation: Signature is Valid\./);
    expect(out.stdout).to.match(/FIRM1-evidence@firm1/);
  });

  it('POST /v1/evidence/verify: valid online for the firm and the regulator, offline saying so, refused after a flipped byte', async () => {
    const online = await gw.http().post('/v1/evidence/verify').set('Authorization', await gw.bearer(auditor, 'POST', '/v1/evidence/verify')).set('Content-Type', 'application/pdf').send(pdf);
    expect(online.status, JSON.stringify(online.body)).to.equal(200);
    expect(online.body.ok, JSON.stringify(online.body.checks, null, 1)).to.equal(true);
    expect(online.body.mode).to.equal('online');
    const byRegulator = await gw.post(regulator, '/v1/evidence/verify', { pdf: pdf.toString('base64') });
    expect(byRegulator.body.ok, JSON.stringify(byRegulator.body.checks, null, 1)).to.equal(true);
    expect(byRegulator.body.mode).to.equal('online');
    const offline = await gw.post(regulator, '/v1/evidence/verify?offline=true', { pdf: pdf.toString('base64') });
    expect(offline.body.ok, JSON.stringify(offline.body.checks, null, 1)).to.equal(true);
    expect(offline.body.mode).to.equal('offline');
    expect(offline.body.checks.filter((c: { status: string }) => c.status === 'skipped').map((c: { code: string }) => c.code)).to.deep.equal(['TIME_NOT_LEDGER_PROVEN', 'NO_REGISTRY', 'OFFLINE', 'OFFLINE']);
    const flipped = Buffer.from(pdf);
    flipped[flipped.length - 5000] = (flipped[flipped.length - 5000] as number) ^ 0x04;
    const broken = await gw.post(regulator, '/v1/evidence/verify?offline=true', { pdf: flipped.toString('base64') });
    expect(broken.status).to.equal(200);
    expect(broken.body.ok).to.equal(false);
  });

  it('POST /v1/evidence/verify: refused to the client and the bank (issue 10 §2; answered 200 with ledger values on c1dd8e8)', async () => {
    for (const caller of [clientSigner, officer, reviewer]) {
      const refused = await gw.post(caller, '/v1/evidence/verify', { pdf: pdf.toString('base64') });
      expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
      expect(refused.body.error.code).to.equal('FORBIDDEN');
    }
  });

  it('GET /v1/engagements/{id}/evidence-bundle: one PDF per letter and a signed manifest, verified at /v1/evidence/verify', async () => {
    const res = await gw.get(auditor, `/v1/engagements/${engagementId}/evidence-bundle`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(Object.keys(res.body.files)).to.deep.equal([`${id}.pdf`]);
    expect(res.body.manifest.files[0].confirmationId).to.equal(id);
    const bundle = { manifestJws: res.body.manifestJws, files: res.body.files };
    const verdict = await gw.post(auditor, '/v1/evidence/verify', { bundle });
    expect(verdict.body.ok, JSON.stringify(verdict.body)).to.equal(true);
    const emptied = await gw.post(auditor, '/v1/evidence/verify', { bundle: { ...bundle, files: {} } });
    expect(emptied.body.ok).to.equal(false);
    expect(emptied.body.manifest.code).to.equal('BUNDLE_MISMATCH');
  });

  it('the bundle with Accept: application/x-ndjson streams its progress, then the same bundle; a refusal is still an HTTP status', async () => {
    const url = `/v1/engagements/${engagementId}/evidence-bundle`;
    const arrivals: number[] = [];
    const res = await gw.http().get(url).set('Authorization', await gw.bearer(auditor, 'GET', url)).set('Accept', 'application/x-ndjson').buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        arrivals.push(Date.now());
      });
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(res.status, String(res.body)).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/x-ndjson/);
    const lines = (res.body as Buffer).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { progress?: unknown; bundle?: { manifest: { files: { confirmationId: string }[] }; manifestJws: string; files: Record<string, string> } });
    expect(lines.slice(0, -1)).to.deep.equal([{ progress: { done: 0, total: 1 } }, { progress: { done: 1, total: 1 } }]);
    expect(arrivals.length, 'the progress arrives as it is made, not in one buffered answer').to.be.greaterThan(1);
    const bundle = lines[lines.length - 1]?.bundle;
    expect(Object.keys(bundle?.files ?? {})).to.deep.equal([`${id}.pdf`]);
    expect(bundle?.manifest.files[0]?.confirmationId).to.equal(id);
    const verdict = await gw.post(auditor, '/v1/evidence/verify', { bundle: { manifestJws: bundle?.manifestJws, files: bundle?.files } });
    expect(verdict.body.ok, JSON.stringify(verdict.body)).to.equal(true);
    // An engagement with no letters of this firm, and a bank officer: answered as without NDJSON.
    const none = `/v1/engagements/ENG-${run}-NONE/evidence-bundle`;
    const unknown = await gw.http().get(none).set('Authorization', await gw.bearer(auditor, 'GET', none)).set('Accept', 'application/x-ndjson');
    expect(unknown.status, JSON.stringify(unknown.body)).to.equal(404);
    expect(unknown.body.error.code).to.equal('NOT_FOUND');
    const bank = await gw.http().get(url).set('Authorization', await gw.bearer(officer, 'GET', url)).set('Accept', 'application/x-ndjson');
    expect(bank.status, JSON.stringify(bank.body)).to.equal(403);
  });

  it('a caller that hangs up on the NDJSON bundle abandons it: no further letter is rendered and signed, no manifest', async function () {
    this.timeout(240_000);
    const big = `ENG-${run}-BIG`;
    const letters = 12;
    const issue = (n: number) => gw.post(auditor, '/v1/confirmations', {
      id: `CF-${run}-B${n}`, kind: 'bank-form-1', addresseeId: 'BANK1', feePayer: 'client', letter: bankLetter('6222000011113333'),
      engagement: { id: big, clientId: 'CLIENT1', periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' },
    });
    expect((await issue(0)).status).to.equal(201);
    for (const res of await Promise.all(Array.from({ length: letters - 1 }, (_, i) => issue(i + 1)))) expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const counters = async () => {
      const text = (await gw.http().get('/metrics')).text;
      const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
      return { letters: value(/^econfirm_gateway_evidence_bundle_letters_total (\d+)$/m), abandoned: value(/^econfirm_gateway_evidence_bundles_total\{outcome="abandoned"\} (\d+)$/m) };
    };
    const before = await counters();
    const url = `/v1/engagements/${big}/evidence-bundle`;
    const firstLine = await new Promise<string>((resolve, reject) => {
      void gw.bearer(auditor, 'GET', url).then((authorization) => {
        gw.http().get(url).set('Authorization', authorization).set('Accept', 'application/x-ndjson').buffer(true).parse((r, done) => {
          r.once('data', (chunk: Buffer) => {
            resolve(chunk.toString('utf8').split('\n')[0] as string);
            (r as unknown as IncomingMessage).destroy(); // the caller hangs up after the first progress line
            done(null, chunk);
          });
        }).then(() => undefined, () => undefined);
      }, reject);
    });
    expect(JSON.parse(firstLine)).to.deep.equal({ progress: { done: 0, total: letters } });
    let after = await counters();
    for (const deadline = Date.now() + 60_000; after.abandoned === before.abandoned && Date.now() < deadline; after = await counters()) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(after.abandoned - before.abandoned, 'the bundle was abandoned').to.equal(1);
    // The letters already in flight (a few at a time) finish; the rest of the engagement is never made.
    expect(after.letters - before.letters).to.be.lessThan(letters);
  });
});
