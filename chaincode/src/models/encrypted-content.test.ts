import { expect } from 'chai';
import { ErrorCode, Institution, parseLedgerError } from '@econfirm/common';
import { FieldReader } from '../validation/field-reader';
import { readEncryptedContent } from './encrypted-content';

const party = (id: string) => ({ id, encryptionKey: { kid: `${id}-enc-1` } }) as Institution;
const HASH = 'f'.repeat(64);

function read(jwe: unknown, recipients = [party('FIRM1'), party('BANK1')]): string {
  try {
    readEncryptedContent(FieldReader.of({ ciphertext: typeof jwe === 'string' ? jwe : JSON.stringify(jwe), contentHash: HASH }, 'letter'), recipients);
    return 'ok';
  } catch (error) {
    const parsed = parseLedgerError((error as Error).message);
    expect(parsed?.code).to.equal(ErrorCode.InvalidArgument);
    return parsed?.text ?? '';
  }
}

describe('readEncryptedContent', () => {
  const body = { iv: 'aXY', ciphertext: 'Y3Q', tag: 'dGFn' };
  const recipient = (kid: string) => ({ header: { alg: 'ECDH-ES+A256KW', kid }, encrypted_key: 'ZWs' });

  it('accepts a general JWE addressed to every named party, with or without a protected header', () => {
    expect(read({ ...body, recipients: [recipient('FIRM1-enc-1'), recipient('BANK1-enc-1'), recipient('CLIENT1-enc-1')] })).to.equal('ok');
    expect(read({ ...body, protected: 'eyJlbmMiOiJBMjU2R0NNIn0', recipients: [recipient('FIRM1-enc-1'), recipient('BANK1-enc-1')] })).to.equal('ok');
  });

  it('reads a lone recipient kid merged into the protected header', () => {
    const protectedHeader = Buffer.from(JSON.stringify({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: 'FIRM1-enc-1' })).toString('base64url');
    expect(read({ ...body, protected: protectedHeader, recipients: [{ encrypted_key: 'ZWs' }] }, [party('FIRM1')])).to.equal('ok');
  });

  it('refuses compact JWEs, plaintext, missing parts and missing recipients', () => {
    expect(read('eyJ.a.b.c.d')).to.contain('General JSON');
    expect(read({ account: '6222020200001234567' })).to.contain('letter.ciphertext.iv');
    expect(read({ ...body, iv: 'not base64url!', recipients: [recipient('FIRM1-enc-1')] })).to.contain('letter.ciphertext.iv');
    expect(read({ ...body, recipients: [] })).to.contain('letter.ciphertext.recipients');
    expect(read({ ...body, recipients: [recipient('FIRM1-enc-1'), recipient('BANK1-enc-0')] })).to.contain('not encrypted for BANK1');
  });

  it('refuses a hash that is not lowercase SHA-256 hex', () => {
    expect(() => readEncryptedContent(FieldReader.of({ ciphertext: '{}', contentHash: HASH.toUpperCase() }, 'reply'), [])).to.throw('reply.contentHash');
  });
});
