import { saltedHash, sha256Hex } from '@econfirm/common';
import { expect } from 'chai';
import { newInstitutionKeys, publicJwk } from './institution-keys';
import { encryptFor, open, recipientKids, seal, sealReply, signReply, verifyReplySignature, type Recipient } from './content-crypto';

const firm = newInstitutionKeys('FIRM1');
const bank = newInstitutionKeys('BANK1');
const stranger = newInstitutionKeys('BANK9');
const recipient = (k: typeof firm): Recipient => ({ kid: k.encryption.kid, jwk: publicJwk(k.encryption.jwk) });

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
