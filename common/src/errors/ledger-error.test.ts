import { expect } from 'chai';
import { ErrorCode, LedgerError, parseLedgerError } from './ledger-error';

describe('LedgerError', () => {
  it('formats the wire message as "CODE: text"', () => {
    const error = new LedgerError(ErrorCode.Forbidden, 'caller is not an admin');
    expect(error.message).to.equal('FORBIDDEN: caller is not an admin');
    expect(error.code).to.equal('FORBIDDEN');
    expect(error).to.be.instanceOf(Error);
  });
});

describe('parseLedgerError', () => {
  it('reads a bare chaincode message', () => {
    expect(parseLedgerError('NOT_FOUND: institution BANK9 does not exist')).to.deep.equal({
      code: 'NOT_FOUND',
      text: 'institution BANK9 does not exist',
      message: 'NOT_FOUND: institution BANK9 does not exist',
    });
  });

  it('reads a Fabric gateway endorsement detail', () => {
    const detail = 'chaincode response 500, INVALID_STATE_TRANSITION: cannot approve a reply in state issued';
    expect(parseLedgerError(detail)).to.deep.equal({
      code: 'INVALID_STATE_TRANSITION',
      text: 'cannot approve a reply in state issued',
      message: 'INVALID_STATE_TRANSITION: cannot approve a reply in state issued',
    });
  });

  it('ignores the gRPC status prefix even when it shares a name with a code', () => {
    expect(parseLedgerError('5 NOT_FOUND: no such channel')).to.equal(undefined);
    expect(parseLedgerError('10 ABORTED: failed to endorse transaction, chaincode response 500, CONFLICT: duplicate id x')).to.deep.equal({
      code: 'CONFLICT',
      text: 'duplicate id x',
      message: 'CONFLICT: duplicate id x',
    });
  });

  it('returns undefined for messages without a known code', () => {
    expect(parseLedgerError('something broke')).to.equal(undefined);
    expect(parseLedgerError('NOT_A_CODE: x')).to.equal(undefined);
  });

  it('keeps multi-line text', () => {
    expect(parseLedgerError('INVALID_ARGUMENT: field a\nfield b')?.text).to.equal('field a\nfield b');
  });
});
