import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { failureDetail, verifyEvidencePdf } from './verify-evidence';

describe('verifier failure details', function () {
  it("a parser's crash is reported as a malformed part, a check's own refusal as it is", function () {
    expect(failureDetail(new TypeError("Cannot read properties of undefined (reading 'lookupMaybe')"))).to.equal('the document is malformed: this part of it could not be read');
    expect(failureDetail(new RangeError('offset out of range'))).to.match(/malformed/);
    expect(failureDetail(new Error('no evidence.json attached'))).to.equal('no evidence.json attached');
  });

  it('garbage behind a PDF header: every check fails, none names our code', async function () {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(16 * 1024), Buffer.from('\n%%EOF\n')]);
    const verdict = await verifyEvidencePdf(pdf, { roots: new Map() });
    expect(verdict.ok).to.equal(false);
    expect(verdict.checks.length).to.be.greaterThan(0);
    for (const check of verdict.checks) {
      expect(check.status, check.id).to.equal('fail');
      expect(check.detail, check.id).not.to.match(/Cannot read|undefined|lookupMaybe/);
    }
  });
});
