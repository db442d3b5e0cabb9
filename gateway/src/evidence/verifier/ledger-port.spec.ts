import { expect } from 'chai';
import type { LedgerView } from '@econfirm/evidence';
import { LedgerCallError } from '@econfirm/sdk';
import { MessageChannel } from 'node:worker_threads';
import { remoteLedger, serveLedger } from './ledger-port';

describe('verifier ledger port (reads of a verifier in a worker thread)', function () {
  it('carries values (bigint and Date included) and keeps a LedgerCallError a LedgerCallError, with its code', async function () {
    const view: LedgerView = {
      confirmationEvidence: () => Promise.reject(new LedgerCallError('FORBIDDEN', 'not yours', 'evaluate', 'GetConfirmationEvidence', undefined, true)),
      transaction: (txId) => Promise.resolve({ blockNumber: 12n, validationCode: `VALID:${txId}`, actor: { mspId: 'Firm1MSP', subject: 's', issuer: 'i', certificateSha256: 'ab' }, timestamp: new Date('2026-01-06T03:00:00.123Z') }),
      committedRecord: () => Promise.resolve(undefined),
      committedMortgage: (txId, id) => Promise.resolve({ id, state: 'registered', steps: [{ at: txId }] } as never),
      mortgageEvidence: () => Promise.reject(new LedgerCallError('NOT_FOUND', 'mortgage MTG-1 does not exist', 'evaluate', 'GetMortgageEvidence', undefined, true)),
      committedReceivable: (txId, id) => Promise.resolve({ id, state: 'transferred', holderId: txId } as never),
      receivableEvidence: () => Promise.reject(new LedgerCallError('NOT_FOUND', 'receivable RCV-1 does not exist', 'evaluate', 'GetReceivableEvidence', undefined, true)),
    };
    const channel = new MessageChannel();
    serveLedger(channel.port1, view);
    const remote = remoteLedger(channel.port2);
    try {
      const tx = await remote.transaction('t1');
      expect(tx.blockNumber).to.equal(12n);
      expect(tx.validationCode).to.equal('VALID:t1');
      // The reply transaction's ledger time crosses as a Date (the reply certificate is checked at it).
      expect(tx.timestamp).to.be.instanceOf(Date).and.deep.equal(new Date('2026-01-06T03:00:00.123Z'));
      expect(await remote.committedRecord?.('t1', 'CF-1')).to.equal(undefined);
      // The registration certificate's reads cross too (the verifier's ledger-hashes and ledger-current checks).
      expect(await remote.committedMortgage?.('t2', 'MTG-1')).to.deep.equal({ id: 'MTG-1', state: 'registered', steps: [{ at: 't2' }] });
      expect(await remote.mortgageEvidence?.('MTG-1').then(() => undefined, (err: unknown) => err)).to.be.instanceOf(LedgerCallError).and.include({ code: 'NOT_FOUND' });
      // And the voucher's (ledger-hashes, ledger-current).
      expect(await remote.committedReceivable?.('t3', 'RCV-1')).to.deep.equal({ id: 'RCV-1', state: 'transferred', holderId: 't3' });
      expect(await remote.receivableEvidence?.('RCV-1').then(() => undefined, (err: unknown) => err)).to.be.instanceOf(LedgerCallError).and.include({ code: 'NOT_FOUND' });
      const refused = await remote.confirmationEvidence('CF-1').then(() => undefined, (err: unknown) => err);
      expect(refused).to.be.instanceOf(LedgerCallError);
      expect(refused).to.include({ code: 'FORBIDDEN', message: 'not yours', contractRefusal: true });
      // A read the view does not have is a plain refusal, not a hang.
      const missing = await remote.institution?.('FIRM1').then(() => undefined, (err: unknown) => err);
      expect((missing as Error).message).to.match(/has no institution/);
    } finally {
      channel.port1.close();
      channel.port2.close();
    }
  });
});
