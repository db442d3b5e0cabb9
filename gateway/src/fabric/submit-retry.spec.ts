import { LedgerCallError, submitAndWait } from '@econfirm/sdk';
import type { ServiceError } from '@grpc/grpc-js';
import { EndorseError, GatewayError, StatusCode, type Contract, type ProposalOptions } from '@hyperledger/fabric-gateway';
import { sealAnswer, SealedTransient } from '@econfirm/common';
import { expect } from 'chai';
import { mapFabricError } from './fabric-error.mapper';

type Outcome = 'mvcc' | 'ok' | 'refused' | 'policy' | 'alreadyProcessed';

/**
 * A contract whose submits play a script: what the gateway's LedgerService sees from Fabric. Its
 * submitAsync is newProposal → endorse → submit, as fabric-gateway's is, so a test holds whichever
 * of the two the SDK calls.
 */
function scripted(outcomes: Outcome[]): { contract: Contract; calls: () => number } {
  let calls = 0;
  // A confirmation step is sent sealed (clients/sdk sealed-steps.ts): its answer comes back sealed under the caller's secret.
  const newProposal = (_name?: string, options?: ProposalOptions): unknown => ({
    endorse: (): Promise<unknown> => {
      const outcome = outcomes[calls++] ?? 'ok';
      const transactionId = `tx${calls}`;
      if (outcome === 'refused') {
        return Promise.reject(new EndorseError({
          code: 10,
          details: [{ address: 'peer0', mspId: 'Firm1MSP', message: 'chaincode response 500, INVALID_STATE_TRANSITION: cannot BankAccept confirmation CF-1: it is issued' }],
          cause: new Error('aborted') as ServiceError,
          transactionId,
        }));
      }
      const code = outcome === 'mvcc' ? StatusCode.MVCC_READ_CONFLICT : outcome === 'policy' ? StatusCode.ENDORSEMENT_POLICY_FAILURE : StatusCode.VALID;
      const submitted = {
        getTransactionId: () => transactionId,
        getResult: () => answered(options, transactionId, '{"ok":true}'),
        getStatus: () => Promise.resolve({ successful: code === StatusCode.VALID, code, transactionId, blockNumber: 7n }),
      };
      return Promise.resolve({
        getTransactionId: () => transactionId,
        getResult: submitted.getResult,
        submit: (): Promise<unknown> => (outcome === 'alreadyProcessed' ? Promise.reject(alreadyProcessed(transactionId)) : Promise.resolve(submitted)),
      });
    },
  });
  const contract = {
    getContractName: () => 'confirmation',
    newProposal,
    submitAsync: async (): Promise<unknown> => {
      const endorsed = (await (newProposal() as { endorse: () => Promise<{ submit: () => Promise<unknown> }> }).endorse());
      return endorsed.submit();
    },
  } as unknown as Contract;
  return { contract, calls: () => calls };
}

/** The chaincode's answer as a sealed step gives it: sealed under the secret the proposal's transient map carries. */
function answered(options: ProposalOptions | undefined, transactionId: string, answer: string): Uint8Array {
  const secret = options?.transientData?.[SealedTransient.AnswerSecret];
  if (typeof secret !== 'string') return new TextEncoder().encode(answer);
  return new TextEncoder().encode(sealAnswer(Buffer.from(secret, 'hex'), transactionId, answer));
}

/** What the peer gateway answers when BFT orderers already hold the transaction (hyperledger/fabric#4415). */
function alreadyProcessed(transactionId: string): GatewayError {
  // fabric-gateway does not export SubmitError; it is a GatewayError named so, with the id.
  const err = new GatewayError({
    code: 14,
    details: [],
    cause: new Error('insufficient number of orderers could successfully process transaction to satisfy quorum requirement (info=failed to submit request: request already processed)') as ServiceError,
  });
  return Object.assign(err, { name: 'SubmitError', transactionId });
}

describe('submit retries as the gateway uses them (SDK submitAndWait + mapper)', function () {
  it('retries an MVCC read conflict with a fresh transaction and succeeds', async function () {
    const { contract, calls } = scripted(['mvcc', 'mvcc', 'ok']);
    const outcome = await submitAndWait(contract, 'Issue', { maxAttempts: 3 });
    expect(calls()).to.equal(3);
    expect(outcome.transactionId).to.equal('tx3');
    expect(Buffer.from(outcome.result).toString('utf8')).to.equal('{"ok":true}');
  });

  it('gives up after maxAttempts conflicts: 409 MVCC_CONFLICT', async function () {
    const { contract, calls } = scripted(['mvcc', 'mvcc', 'mvcc', 'ok']);
    const err = await submitAndWait(contract, 'Issue', { maxAttempts: 3 }).catch((e: unknown) => mapFabricError(e, 'Issue'));
    expect(calls()).to.equal(3);
    expect(err).to.include({ code: 'MVCC_CONFLICT', httpStatus: 409 });
  });

  it('never retries a contract refusal or another invalid commit', async function () {
    const refused = scripted(['refused', 'ok']);
    const err = await submitAndWait(refused.contract, 'BankAccept').catch((e: unknown) => mapFabricError(e, 'BankAccept'));
    expect(refused.calls()).to.equal(1);
    expect(err).to.include({ code: 'INVALID_STATE_TRANSITION', httpStatus: 409 });
    const policy = scripted(['policy', 'ok']);
    const invalid = await submitAndWait(policy.contract, 'Issue').catch((e: unknown) => mapFabricError(e, 'Issue'));
    expect(policy.calls()).to.equal(1);
    expect(invalid).to.include({ code: 'TRANSACTION_INVALID', httpStatus: 502 });
  });

  it('gives the transaction id to onSubmitted before ordering, so a submit refused as "already processed" (fabric#4415) can still be found: 503 LEDGER_UNAVAILABLE naming it', async function () {
    const { contract } = scripted(['alreadyProcessed']);
    const seen: string[] = [];
    const err = await submitAndWait(contract, 'Issue', { onSubmitted: (id) => seen.push(id) }).catch((e: unknown) => e);
    expect(seen).to.deep.equal(['tx1']);
    expect(err).to.be.instanceOf(LedgerCallError);
    expect(err).to.include({ phase: 'submit', transactionId: 'tx1', code: 'UNAVAILABLE' });
    expect(mapFabricError(err, 'Issue')).to.include({ code: 'LEDGER_UNAVAILABLE', httpStatus: 503 });
  });
});
