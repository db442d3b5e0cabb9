import { expect } from 'chai';
import { createHash, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { encodeDerSignature, MalformedDerSignatureError, parseDerSignature, toLowS } from './ecdsa-low-s';

const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

describe('offline signatures: low-S normalization of DER ECDSA P-256', function () {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  /** OpenSSL (under node:crypto) does not normalize: ask until it hands out a high S (1 in 2 each time). */
  function signatureWith(high: boolean): { message: Buffer; der: Buffer } {
    for (let i = 0; i < 128; i++) {
      const message = randomBytes(32);
      const der = sign('sha256', message, privateKey);
      if (parseDerSignature(der).s > N / 2n === high) return { message, der };
    }
    throw new Error('no signature of the wanted S in 128 tries');
  }

  it('replaces a high S by n − s: r unchanged, still verifies with the same key over the same message', function () {
    const { message, der } = signatureWith(true);
    const low = toLowS(der);
    const before = parseDerSignature(der);
    const after = parseDerSignature(low);
    expect(after.r).to.equal(before.r);
    expect(after.s).to.equal(N - before.s);
    expect(after.s <= N / 2n).to.equal(true);
    expect(verify('sha256', message, publicKey, low)).to.equal(true);
    expect(verify('sha256', randomBytes(32), publicKey, low)).to.equal(false);
  });

  it('leaves a low-S signature byte for byte as it is', function () {
    const { der } = signatureWith(false);
    expect(Buffer.from(toLowS(der)).equals(der)).to.equal(true);
  });

  it('re-encodes minimally: round trips r and s whose top bit needs a leading zero byte', function () {
    const r = (1n << 255n) + 5n;
    const s = 7n;
    expect(parseDerSignature(encodeDerSignature(r, s))).to.deep.equal({ r, s });
  });

  it('refuses what is not strict DER or not in range', function () {
    const { der } = signatureWith(false);
    const cases: Record<string, Buffer> = {
      'trailing byte': Buffer.concat([der, Buffer.from([0])]),
      truncated: der.subarray(0, der.length - 1),
      'not a sequence': Buffer.from([0x31, ...der.subarray(1)]),
      'raw r||s (WebCrypto) instead of DER': randomBytes(64),
      'a zero s': Buffer.from([0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x00]),
      's = n': Buffer.from(encodeDerSignature(5n, N)),
      'a negative r': Buffer.from([0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01]),
      'a non-minimal r': Buffer.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]),
      'a sha256 digest': createHash('sha256').update('x').digest(),
    };
    for (const [what, bytes] of Object.entries(cases)) {
      expect(() => toLowS(bytes), what).to.throw(MalformedDerSignatureError);
    }
  });
});
