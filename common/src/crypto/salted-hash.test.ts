import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { isSaltHex, isSha256Hex, newSalt, saltedHash } from './salted-hash';

describe('saltedHash', () => {
  const salt = 'ab'.repeat(32);

  it('hashes the canonical JSON of salt and value', () => {
    const expected = createHash('sha256').update('{"salt":"' + salt + '","value":{"a":1,"b":2}}').digest('hex');
    expect(saltedHash({ b: 2, a: 1 }, salt)).to.equal(expected);
  });

  it('differs with the salt, so guessable values do not leak', () => {
    expect(saltedHash('6222020200001234567', salt)).to.not.equal(saltedHash('6222020200001234567', 'cd'.repeat(32)));
  });

  it('refuses a salt that is not 32 bytes of hex', () => {
    expect(() => saltedHash(1, 'ab')).to.throw('salt');
    expect(() => saltedHash(1, 'AB'.repeat(32))).to.throw('salt');
  });

  it('makes fresh 32-byte salts', () => {
    const a = newSalt();
    expect(isSaltHex(a)).to.equal(true);
    expect(a).to.not.equal(newSalt());
  });

  it('recognises SHA-256 hex', () => {
    expect(isSha256Hex(saltedHash(1, salt))).to.equal(true);
    expect(isSha256Hex('xyz')).to.equal(false);
    expect(isSha256Hex(42)).to.equal(false);
  });
});
