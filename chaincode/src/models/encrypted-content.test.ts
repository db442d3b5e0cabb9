import { expect } from 'chai';
import { ErrorCode, Institution, parseLedgerError } from '@econfirm/common';
import { FieldReader } from '../validation/field-reader';
import { readSealed } from './sealing';

const party = (id: string) => ({ id, encryptionKey: { kid: `${id}-enc-1` } }) as Institution;
const HASH = 'f'.repeat(64);

/** 'ok', or the refusal as `CODE: text`. */
function read(jwe: unknown, recipients = [party('FIRM1'), party('BANK1')]): string {
  try {
    readSealed(FieldReader.of({ ciphertext: typeof jwe === 'string' ? jwe : JSON.stringify(jwe), contentHash: HASH }, 'letter'), recipients);
    return 'ok';
  } catch (error) {
    const parsed = parseLedgerError((error as Error).message);
    return `${parsed?.code ?? '?'}: ${parsed?.text ?? (error as Error).message}`;
  }
}

describe('sealed content of a record (readSealed: the JWE parsed, its recipients exactly the parties)', () => {
  const body = { iv: 'aXY', ciphertext: 'Y3Q', tag: 'dGFn' };
  const recipient = (kid: string) => ({ header: { alg: 'ECDH-ES+A256KW', kid }, encrypted_key: 'ZWs' });

  it('accepts a general JWE addressed to exactly the parties, with or without a protected header', () => {
    expect(read({ ...body, recipients: [recipient('FIRM1-enc-1'), recipient('BANK1-enc-1')] })).to.equal('ok');
    expect(read({ ...body, protected: 'eyJlbmMiOiJBMjU2R0NNIn0', recipients: [recipient('BANK1-enc-1'), recipient('FIRM1-enc-1')] })).to.equal('ok');
  });

  it('refuses a key of anyone else beside the parties: that member could read it from the block (RECIPIENTS_REFUSED)', () => {
    expect(read({ ...body, recipients: [recipient('FIRM1-enc-1'), recipient('BANK1-enc-1'), recipient('CLIENT1-enc-1')] })).to.equal(
      `${ErrorCode.RecipientsRefused}: letter.ciphertext: is sealed to key CLIENT1-enc-1, which is none of FIRM1 (FIRM1-enc-1), BANK1 (BANK1-enc-1): that party may not read it now`,
    );
  });

  it("refuses content a party could not read, a retired key, a key twice, and a kid in the protected header (RECIPIENTS_REFUSED)", () => {
    expect(read({ ...body, recipients: [recipient('FIRM1-enc-1')] })).to.match(/^RECIPIENTS_REFUSED: .*no key of BANK1/);
    expect(read({ ...body, recipients: [recipient('FIRM1-enc-1'), recipient('BANK1-enc-0')] })).to.match(/^RECIPIENTS_REFUSED: .*BANK1-enc-0, which is none/);
    expect(read({ ...body, recipients: [recipient('FIRM1-enc-1'), recipient('FIRM1-enc-1'), recipient('BANK1-enc-1')] })).to.match(/^RECIPIENTS_REFUSED: .*FIRM1-enc-1 twice/);
    const protectedHeader = Buffer.from(JSON.stringify({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: 'FIRM1-enc-1' })).toString('base64url');
    expect(read({ ...body, protected: protectedHeader, recipients: [{ encrypted_key: 'ZWs' }] }, [party('FIRM1')])).to.match(/^RECIPIENTS_REFUSED: .*protected header/);
  });

  it('refuses compact JWEs, plaintext, missing parts and missing recipients (INVALID_ARGUMENT)', () => {
    expect(read('eyJ.a.b.c.d')).to.match(/^INVALID_ARGUMENT: .*General JSON/);
    expect(read({ account: '6222020200001234567' })).to.match(/^INVALID_ARGUMENT: .*letter\.ciphertext\.iv/);
    expect(read({ ...body, iv: 'not base64url!', recipients: [recipient('FIRM1-enc-1')] })).to.match(/^INVALID_ARGUMENT: .*letter\.ciphertext\.iv/);
    expect(read({ ...body, recipients: [] })).to.match(/^INVALID_ARGUMENT: .*letter\.ciphertext\.recipients/);
  });

  it('refuses a hash that is not lowercase SHA-256 hex, and members beside ciphertext and contentHash', () => {
    expect(() => readSealed(FieldReader.of({ ciphertext: '{}', contentHash: HASH.toUpperCase() }, 'reply'), [])).to.throw('reply.contentHash');
    expect(() => readSealed(FieldReader.of({ ciphertext: '{}', contentHash: HASH, recipients: ['X'] }, 'reply'), [])).to.throw('recipients');
  });
});
