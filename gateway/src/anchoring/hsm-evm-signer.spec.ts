import { expect } from 'chai';
import { getBytes, keccak256, recoverAddress, SigningKey, toBeHex, Wallet } from 'ethers';
import { ecPointOf, ethereumSignature, lowS } from './hsm-evm-signer';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** What CKM_ECDSA returns for a signature: r ‖ s, no recovery id; `high` gives the other, equally valid, s. */
function tokenOutput(r: string, s: string, high: boolean): Uint8Array {
  const sValue = BigInt(s);
  return getBytes(`0x${r.slice(2)}${toBeHex(high ? N - sValue : sValue, 32).slice(2)}`);
}

describe('HSM anchorer signer: from a raw PKCS#11 signature to an Ethereum one', function () {
  const wallet = Wallet.createRandom();
  const key = new SigningKey(wallet.privateKey);

  it('low-s: s above n/2 becomes n − s, others stay', function () {
    expect(lowS(N - 1n)).to.equal(1n);
    expect(lowS(N / 2n)).to.equal(N / 2n);
    expect(lowS(N / 2n + 1n)).to.equal(N / 2n);
  });

  it('finds the recovery id by recovering against the public key, for either parity and either half of s', function () {
    const parities = new Set<number>();
    for (let i = 0; i < 16; i++) {
      const digest = keccak256(Buffer.from(`digest ${i}`));
      const reference = key.sign(digest);
      parities.add(reference.yParity);
      for (const high of [false, true]) {
        const signature = ethereumSignature(digest, tokenOutput(reference.r, reference.s, high), key.publicKey);
        expect(BigInt(signature.s) <= N / 2n, 'low s').to.equal(true);
        expect(signature.serialized).to.equal(reference.serialized);
        expect(recoverAddress(digest, signature)).to.equal(wallet.address);
      }
    }
    expect([...parities].sort(), 'both parities were exercised').to.deep.equal([0, 1]);
  });

  it('refuses a signature by another key and one of the wrong length', function () {
    const digest = keccak256(Buffer.from('x'));
    const other = new SigningKey(Wallet.createRandom().privateKey).sign(digest);
    expect(() => ethereumSignature(digest, tokenOutput(other.r, other.s, false), key.publicKey)).to.throw('does not recover to its own public key');
    expect(() => ethereumSignature(digest, new Uint8Array(72), key.publicKey)).to.throw('not r ‖ s of 64 bytes');
  });

  it('reads CKA_EC_POINT as the DER octet string the spec prescribes, a raw point, or a compressed one', function () {
    const raw = Buffer.from(getBytes(key.publicKey));
    expect(ecPointOf(Buffer.concat([Buffer.from([0x04, 0x41]), raw]))).to.equal(key.publicKey);
    expect(ecPointOf(raw)).to.equal(key.publicKey);
    expect(ecPointOf(Buffer.from(getBytes(SigningKey.computePublicKey(key.publicKey, true))))).to.equal(key.publicKey);
    expect(() => ecPointOf(Buffer.alloc(65, 4))).to.throw();
  });
});
