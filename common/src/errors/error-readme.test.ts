import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { API_ERROR_CODES, ERROR_TABLE, errorCodesText, errorTableMarkdown, httpStatusOf, isApiErrorCode } from './error-codes';
import { ERROR_TABLE_READMES, withErrorTable } from './error-readme';
import { ERROR_CODES } from './ledger-error';

const ROOT = path.resolve(__dirname, '../../..');

describe('the one table of error codes', function () {
  it('gives every chaincode code a status, and INVALID_ARGUMENT one status (422) wherever it comes from', function () {
    for (const code of ERROR_CODES) expect(isApiErrorCode(code), code).to.equal(true);
    expect(httpStatusOf('INVALID_ARGUMENT')).to.equal(422);
    expect(httpStatusOf('VALIDATION_FAILED')).to.equal(400);
    expect(isApiErrorCode('NO_INSTITUTION_KEY')).to.equal(false);
    expect(isApiErrorCode('NO_INSTITUTION_KEYS')).to.equal(true);
    for (const code of API_ERROR_CODES) expect(ERROR_TABLE[code].status, code).to.be.within(400, 599);
  });

  it('OpenAPI text names codes only under their own status', function () {
    expect(errorCodesText(409, ['CONFLICT', 'MVCC_CONFLICT'])).to.match(/^CONFLICT: .*; MVCC_CONFLICT: /);
    expect(() => errorCodesText(400, ['INVALID_ARGUMENT'])).to.throw(/answered 422, not 400/);
  });

  for (const readme of ERROR_TABLE_READMES) {
    it(`${readme.file}'s error table is generated from it (npm run errors:readme rewrites it)`, function () {
      const text = readFileSync(path.join(ROOT, readme.file), 'utf8');
      expect(withErrorTable(text, readme.marker, readme.table()), `${readme.file} is out of date: run npm run errors:readme`).to.equal(text);
    });
  }

  it('renders one row per code, ordered by status', function () {
    const table = errorTableMarkdown(['INVALID_ARGUMENT', 'FORBIDDEN']).split('\n');
    expect(table.slice(2)).to.deep.equal([`| 403 | \`FORBIDDEN\` | ${ERROR_TABLE.FORBIDDEN.when} |`, `| 422 | \`INVALID_ARGUMENT\` | ${ERROR_TABLE.INVALID_ARGUMENT.when} |`]);
  });
});
