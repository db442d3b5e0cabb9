import { expect } from 'chai';
import { createHash, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { hasHighS, MalformedDerSignatureError, toLowS } from './ecdsa-low-s';

const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** r and s of a short-form DER signature, read here independently of the code under test. */
function rs(der: Uint8Array): { r: bigint; s: bigint } {
  const rLength = der[3] as number;
  const r = BigInt(`0x${Buffer.from(der.subarray(4, 4 + rLength)).toString('hex')}`);
  const s = BigInt(`0x${Buffer.from(der.subarray(6 + rLength)).toString('hex')}`);
  return { r, s };
}

/** A DER SEQUENCE of two INTEGERs given as their content bytes (for malformed cases). */
function der(r: number[], s: number[]): Buffer {
  const body = [0x02, r.length, ...r, 0x02, s.length, ...s];
  return Buffer.from([0x30, body.length, ...body]);
}

async function refused(bytes: Uint8Array): Promise<unknown> {
  try {
    await toLowS(bytes);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('offline signatures: low-S normalization of DER ECDSA P-256', function () {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  /** OpenSSL (under node:crypto) does not normalize: ask until it hands out a high S (1 in 2 each time). */
  function signatureWith(high: boolean): { message: Buffer; der: Buffer } {
    for (let i = 0; i < 128; i++) {
      const message = randomBytes(32);
      const signature = sign('sha256', message, privateKey);
      if (rs(signature).s > N / 2n === high) return { message, der: signature };
    }
    throw new Error('no signature of the wanted S in 128 tries');
  }

  it('replaces a high S by n − s: r unchanged, still verifies with the same key over the same message', async function () {
    const { message, der: high } = signatureWith(true);
    expect(await hasHighS(high)).to.equal(true);
    const low = await toLowS(high);
    expect(await hasHighS(low)).to.equal(false);
    expect(rs(low).r).to.equal(rs(high).r);
    expect(rs(low).s).to.equal(N - rs(high).s);
    expect(verify('sha256', message, publicKey, low)).to.equal(true);
    expect(verify('sha256', randomBytes(32), publicKey, low)).to.equal(false);
  });

  it('leaves a low-S signature byte for byte as it is', async function () {
    const { der: low } = signatureWith(false);
    expect(Buffer.from(await toLowS(low)).equals(low)).to.equal(true);
  });

  it('refuses what is not strict DER or not in range', async function () {
    const { der: good } = signatureWith(false);
    const nBytes = [...Buffer.from(N.toString(16), 'hex')];
    const cases: Record<string, Buffer> = {
      'trailing byte': Buffer.concat([good, Buffer.from([0])]),
      truncated: good.subarray(0, good.length - 1),
      'not a sequence': Buffer.from([0x31, ...good.subarray(1)]),
      'raw r||s (WebCrypto) instead of DER': randomBytes(64),
      'a zero s': der([5], [0]),
      's = n': der([5], [0, ...nBytes]),
      'a negative r': der([0x80], [1]),
      'a non-minimal r': der([0, 1], [1]),
      'a sha256 digest': createHash('sha256').update('x').digest(),
      empty: Buffer.alloc(0),
    };
    for (const [what, bytes] of Object.entries(cases)) {
      expect(await refused(bytes), what).to.be.instanceOf(MalformedDerSignatureError);
    }
  });
});
