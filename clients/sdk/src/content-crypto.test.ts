import { saltedHash, sha256Hex } from '@econfirm/common';
import { expect } from 'chai';
import { newInstitutionKeys, publicJwk } from './institution-keys';
import { addRecipients, encryptFor, open, recipientKids, seal, sealReply, signReply, verifyReplySignature, type Recipient } from './content-crypto';

const firm = newInstitutionKeys('FIRM1');
const bank = newInstitutionKeys('BANK1');
const stranger = newInstitutionKeys('BANK9');
const recipient = (k: typeof firm): Recipient => ({ kid: k.encryption.kid, jwk: publicJwk(k.encryption.jwk) });

/** Test keys only (generated for this fixture, used nowhere else). */
const AES_KW_FALSE_POSITIVE = {
  bank: {
    kid: 'FIXTURE-BANK-enc-1',
    jwk: {
      kty: 'EC',
      x: 'yQkSOcrAo1MaqiviLcVP2pBjlM4skXOLFzv0-TYBE0c',
      y: 'lsd1V9gYQp3T4AUFGmSLDxlod_k4_REwS0ZIDKOaHbY',
      crv: 'P-256',
      d: 'A3sJ4RFXmgpmhntQZnIHJpLx_5OK9fd5LBC2JIW5NeI',
    },
  },
  firmPublic: {
    kid: 'FIXTURE-FIRM-enc-1',
    jwk: {
      kty: 'EC',
      crv: 'P-256',
      x: 'NTIFoiWgWKZ1UjVeIGmM8ZO7C63lyQOqUTj41SZ0qw0',
      y: 'ODfrKmjmev6Q_gWMLYKqaanmg_hMxky2dwdkNPSSzkg',
    },
  },
  sealed: {
    ciphertext: '{"recipients":[{"encrypted_key":"rvl4VvuMXWF6NM0sfL2MS2PicQoZ427cDUGYVCvo2bfyjT9He9PBKA","header":{"alg":"ECDH-ES+A256KW","kid":"FIXTURE-FIRM-enc-1","epk":{"kty":"EC","crv":"P-256","x":"ub3mbLhggXejGaIZR2g6KYPWUe41qTDd9fk2ELAOFdY","y":"aA7o9SZ0I3YDf8ZHhhKnWMKT4OyZX7CLimye54tzt_o"}}},{"encrypted_key":"xZ7sOvmvckR2dNupjcF1jC_Tqwa-7HYpt-ozugsLcREC0OSPdOrScQ","header":{"alg":"ECDH-ES+A256KW","kid":"FIXTURE-BANK-enc-1","epk":{"kty":"EC","crv":"P-256","x":"0tooIJoSjnFJ1OmBAcLJCIIEMVO818eo3fr0XrG2jJE","y":"ojglJekLqSu8eHokydkm9ukedH8GaA829Sdp9w8CSb0"}}}],"protected":"eyJlbmMiOiJBMjU2R0NNIn0","iv":"1YN40bwKf9lI_Axp","ciphertext":"8bWRFDure5pT7Swj-U0Zlo4HgOTI0i8iw1D79plc2bs1ZGMPDDppPVou2o87YLkNPgn1yR04WFH0hK5Tnj2Ug-cz8XCVyWw5wzHnMikN3nRpyNTauDa8V7sfLXHiTOXwh-XEekbAkFQPhF5ONe8rs8LR5oVjaiDKwjN6MOX4wUPYI8mOy8MUQXQ","tag":"jCxc-CxJDAc8GTAT1UPFCw"}',
    contentHash: '24012fcf12804a19b0728226ea081ba9a6d77955ffb31af3ae41b43335acd4d0',
  },
} as const;

async function rejects(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('content crypto', function () {
  it('seals for several recipients; each opens it, a stranger cannot, and the hash is the salted hash', async function () {
    const content = { formId: 'bank-letter-2020', balance: '1.00' };
    const sealed = await seal(content, [recipient(firm), recipient(bank)]);
    expect(recipientKids(sealed.ciphertext)).to.deep.equal([firm.encryption.kid, bank.encryption.kid]);
    expect(sealed.ciphertext).not.to.contain('bank-letter-2020');
    for (const holder of [firm, bank]) {
      const opened = await open<typeof content>(sealed, holder.encryption.kid, holder.encryption.jwk);
      expect(opened.content).to.deep.equal(content);
      expect(saltedHash(content, opened.salt)).to.equal(sealed.contentHash);
    }
    await rejects(open(sealed, stranger.encryption.kid, stranger.encryption.jwk));
  });

  it('opens only the recipient entry of its own kid: a JWE on which node-jose alone would unwrap the firm\'s entry to garbage', async function () {
    // Found by sealing for two recipients until node-jose, given the bank's bare key, took the
    // firm's entry (first) for its own: its AES-KW check compares the IV as UTF-8 strings.
    const opened = await open<{ note: string }>(AES_KW_FALSE_POSITIVE.sealed, AES_KW_FALSE_POSITIVE.bank.kid, AES_KW_FALSE_POSITIVE.bank.jwk);
    expect(opened.content.note).to.equal('node-jose AES-KW false positive');
    expect(recipientKids(AES_KW_FALSE_POSITIVE.sealed.ciphertext)).to.deep.equal([AES_KW_FALSE_POSITIVE.firmPublic.kid, AES_KW_FALSE_POSITIVE.bank.kid]);
  });

  it('adds a recipient to existing content: the new one opens it, nothing else of the JWE changes, and a key not addressed cannot add', async function () {
    const content = { formId: 'bank-letter-2020', balance: '1.00' };
    const client = newInstitutionKeys('CLIENT1');
    const sealed = await seal(content, [recipient(firm), recipient(client)]);
    await rejects(open(sealed, bank.encryption.kid, bank.encryption.jwk));
    const widened = await addRecipients(sealed.ciphertext, client, [recipient(bank), recipient(firm)]);
    const before = JSON.parse(sealed.ciphertext) as { recipients: unknown[] } & Record<string, unknown>;
    const after = JSON.parse(widened) as { recipients: unknown[] } & Record<string, unknown>;
    // The firm is already addressed: only the bank is appended.
    expect(recipientKids(widened)).to.deep.equal([firm.encryption.kid, client.encryption.kid, bank.encryption.kid]);
    expect(after.recipients.slice(0, 2)).to.deep.equal(before.recipients);
    for (const member of ['protected', 'iv', 'ciphertext', 'tag']) expect(after[member]).to.equal(before[member]);
    for (const holder of [firm, client, bank]) {
      expect((await open<typeof content>({ ...sealed, ciphertext: widened }, holder.encryption.kid, holder.encryption.jwk)).content).to.deep.equal(content);
    }
    expect(await addRecipients(widened, firm, [recipient(bank)])).to.equal(widened);
    expect((await rejects(addRecipients(sealed.ciphertext, stranger, [recipient(stranger)]))).message).to.match(/not addressed/);
    const tampered = JSON.stringify({ ...before, tag: Buffer.alloc(16).toString('base64url') });
    await rejects(addRecipients(tampered, client, [recipient(bank)]));
  });

  it('refuses content whose salted hash does not match the ledger', async function () {
    const sealed = await seal({ a: 1 }, [recipient(firm)]);
    const err = await rejects(open({ ...sealed, contentHash: sha256Hex('other') }, firm.encryption.kid, firm.encryption.jwk));
    expect(err.message).to.match(/does not match/);
  });

  it('refuses to encrypt for nobody', async function () {
    expect((await rejects(encryptFor([], {}))).message).to.match(/at least one recipient/);
  });

  it('signs a reply over { confirmationId, conclusion, contentHash } and verifies it with the public key', async function () {
    const claims = { confirmationId: 'CF-1', conclusion: 'agrees' as const, contentHash: sha256Hex('x') };
    const { jws, signatureHash } = await signReply(claims, { kid: bank.signing.kid, jwk: bank.signing.jwk, x5c: ['AAAA'] });
    expect(signatureHash).to.equal(sha256Hex(jws));
    const header = JSON.parse(Buffer.from(jws.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).to.deep.equal({ alg: 'ES256', kid: bank.signing.kid, x5c: ['AAAA'] });
    const verified = await verifyReplySignature(jws, publicJwk(bank.signing.jwk), claims);
    expect(verified.claims).to.deep.equal(claims);
    expect(verified.x5c).to.deep.equal(['AAAA']);
    // Another key, or other claims, do not verify.
    await rejects(verifyReplySignature(jws, publicJwk(stranger.signing.jwk)));
    expect((await rejects(verifyReplySignature(jws, publicJwk(bank.signing.jwk), { confirmationId: 'CF-2' }))).message).to.match(/confirmationId/);
  });

  it('seals a signed reply: the JWS travels inside the JWE and signs the ledger hash', async function () {
    const content = { formId: 'bank-letter-2020', conclusion: 'agrees' };
    const sealed = await sealReply('CF-7', 'agrees', content, [recipient(firm), recipient(bank)], { kid: bank.signing.kid, jwk: bank.signing.jwk });
    expect(sealed.signingKid).to.equal(bank.signing.kid);
    expect(sealed.signatureHash).to.equal(sha256Hex(sealed.jws));
    const opened = await open<typeof content>(sealed, firm.encryption.kid, firm.encryption.jwk);
    expect(opened.signature).to.equal(sealed.jws);
    const verified = await verifyReplySignature(opened.signature ?? '', publicJwk(bank.signing.jwk), { confirmationId: 'CF-7', contentHash: sealed.contentHash });
    expect(verified.claims.conclusion).to.equal('agrees');
  });
});

