import { LedgerCallError } from '@econfirm/sdk';
import { CommitError, StatusCode } from '@hyperledger/fabric-gateway';
import { expect } from 'chai';
import { GatewayError } from '../errors/gateway-error';
import { ERROR_CODES, ERROR_TABLE } from '@econfirm/common';
import { mapFabricError } from './fabric-error.mapper';

const refusal = (code: string) => LedgerCallError.fromGateway('Issue', 'endorse', 10, 'failed to endorse', [`chaincode response 500, ${code}: the text`], 'tx1');

describe('Fabric error mapper', function () {
  it('keeps every chaincode refusal code and gives it its HTTP status', function () {
    for (const code of ERROR_CODES) {
      const mapped = mapFabricError(refusal(code));
      expect(mapped.code).to.equal(code);
      expect(mapped.httpStatus).to.equal(ERROR_TABLE[code].status);
      expect(mapped.message).to.equal('the text');
      expect(mapped.details).to.deep.include({ transaction: 'Issue', phase: 'endorse', transactionId: 'tx1' });
    }
    expect(mapFabricError(refusal('NOT_FOUND')).httpStatus).to.equal(404);
    expect(mapFabricError(refusal('INVALID_STATE_TRANSITION')).httpStatus).to.equal(409);
    expect(mapFabricError(refusal('INVALID_ARGUMENT')).httpStatus).to.equal(422);
    // A registry change without the institution's consent (chaincode models/registry-consent.ts).
    expect(mapFabricError(refusal('CONSENT_REQUIRED'))).to.include({ code: 'CONSENT_REQUIRED', httpStatus: 403 });
  });

  it('maps an unreachable network to 503 and a deadline to 504', function () {
    const unavailable = mapFabricError(LedgerCallError.fromGateway('Issue', 'endorse', 14, 'connect failed', []));
    expect([unavailable.code, unavailable.httpStatus]).to.deep.equal(['LEDGER_UNAVAILABLE', 503]);
    const late = mapFabricError(LedgerCallError.fromGateway('Issue', 'submit', 4, 'deadline exceeded', []));
    expect([late.code, late.httpStatus]).to.deep.equal(['LEDGER_TIMEOUT', 504]);
    const unknown = mapFabricError(LedgerCallError.fromGateway('Issue', 'commit-status', 2, 'stream broke', [], 'tx9'));
    expect([unknown.code, unknown.httpStatus]).to.deep.equal(['COMMIT_STATUS_UNKNOWN', 504]);
    expect(unknown.details?.transactionId).to.equal('tx9');
  });

  it('maps commit failures: read conflicts (after the SDK retries) 409, other invalid transactions 502', function () {
    const mvcc = mapFabricError(new CommitError({ code: StatusCode.MVCC_READ_CONFLICT, transactionId: 'tx2' }), 'Issue');
    expect([mvcc.code, mvcc.httpStatus]).to.deep.equal(['MVCC_CONFLICT', 409]);
    expect(mvcc.details).to.deep.include({ validationCode: 'MVCC_READ_CONFLICT', transactionId: 'tx2' });
    const policy = mapFabricError(new CommitError({ code: StatusCode.ENDORSEMENT_POLICY_FAILURE, transactionId: 'tx3' }), 'Issue');
    expect([policy.code, policy.httpStatus]).to.deep.equal(['TRANSACTION_INVALID', 502]);
  });

  it('maps a refused identity to 403 and other endorse/submit/evaluate failures to 502', function () {
    const denied = mapFabricError(LedgerCallError.fromGateway('Issue', 'endorse', 10, 'failed', ['access denied: channel [econfirm] creator org unknown']));
    expect([denied.code, denied.httpStatus]).to.deep.equal(['IDENTITY_REFUSED', 403]);
    expect(mapFabricError(LedgerCallError.fromGateway('Issue', 'endorse', 10, 'no peers', [])).code).to.equal('ENDORSEMENT_FAILED');
    expect(mapFabricError(LedgerCallError.fromGateway('Issue', 'submit', 10, 'orderer said no', [])).code).to.equal('ORDERING_FAILED');
    expect(mapFabricError(LedgerCallError.fromGateway('Get', 'evaluate', 10, 'odd', [])).httpStatus).to.equal(502);
  });

  it('passes GatewayErrors through and turns anything else into 500 INTERNAL', function () {
    const own = new GatewayError('PORTAL_NOT_BUILT', 'teapot');
    expect(mapFabricError(own)).to.equal(own);
    const other = mapFabricError(new TypeError('boom'), 'Issue');
    expect([other.code, other.httpStatus]).to.deep.equal(['INTERNAL', 500]);
  });
});
