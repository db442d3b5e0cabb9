import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sealAnswer, SealedAnswerError, SealedTransient } from '@econfirm/common';
import { invocationProblems, jsonArgumentWith, type DecodedInvocation, type ExpectedCall } from './offline-signing';
import { makeNode } from './openssl-certificates.test-support';
import { answerOf, proposedCall } from './sealed-steps';

const SECRET = Buffer.alloc(32, 7);
const TX = 'ab'.repeat(32);

describe('sealed steps: a confirmation step is proposed as confirmation:Act, its step in the transient map (issue 11, step 5)', () => {
  it('puts the step and its arguments in the transient map and none in the arguments', () => {
    const call = proposedCall('confirmation', 'ClientAuthorize', ['CF-1', '{"feeConsent":true}'], undefined, SECRET);
    expect(call.transaction).to.equal('Act');
    expect(call.arguments).to.deep.equal([]);
    expect(JSON.parse(call.transientData?.[SealedTransient.Command] as string)).to.deep.equal({ transaction: 'ClientAuthorize', args: ['CF-1', '{"feeConsent":true}'] });
    expect(call.transientData?.[SealedTransient.AnswerSecret]).to.equal(SECRET.toString('hex'));
    // The firm's cross-check summary names the request it checked: sealed as well.
    const crossCheck = proposedCall('crosscheck', 'RecordCrossCheck', ['{"confirmationId":"CF-1"}'], undefined, SECRET);
    expect([crossCheck.transaction, crossCheck.arguments]).to.deep.equal(['Act', []]);
    expect(JSON.parse(crossCheck.transientData?.[SealedTransient.Command] as string)).to.deep.equal({ transaction: 'RecordCrossCheck', args: ['{"confirmationId":"CF-1"}'] });
  });

  it('leaves every other call as it is: reads, admin steps, other contracts', () => {
    expect(proposedCall('confirmation', 'GetConfirmation', ['CF-1'], undefined, SECRET)).to.deep.equal({ transaction: 'GetConfirmation', arguments: ['CF-1'] });
    expect(proposedCall('confirmation', 'SetWorkCalendar', ['{}'], undefined, SECRET)).to.deep.equal({ transaction: 'SetWorkCalendar', arguments: ['{}'] });
    expect(proposedCall('crosscheck', 'GetCrossCheck', ['CF-1'], undefined, SECRET)).to.deep.equal({ transaction: 'GetCrossCheck', arguments: ['CF-1'] });
    expect(proposedCall('receivable', 'ConfirmReceivable', ['R-1'], { openings: 'x' }, SECRET)).to.deep.equal({ transaction: 'ConfirmReceivable', arguments: ['R-1'], transientData: { openings: 'x' } });
  });

  it('opens a sealed answer with the secret it was sealed under, and refuses one sealed under another', () => {
    const sealed = new TextEncoder().encode(sealAnswer(SECRET, TX, '{"id":"CF-1"}'));
    expect(Buffer.from(answerOf('confirmation', 'BankAccept', TX, sealed, SECRET)).toString('utf8')).to.equal('{"id":"CF-1"}');
    expect(() => answerOf('confirmation', 'BankAccept', TX, sealed, Buffer.alloc(32, 8))).to.throw(SealedAnswerError);
    expect(() => answerOf('confirmation', 'BankAccept', TX, new TextEncoder().encode('{"id":"CF-1"}'), SECRET)).to.throw(SealedAnswerError);
    const plain = new TextEncoder().encode('{"id":"CF-1"}');
    expect(answerOf('confirmation', 'GetConfirmation', TX, plain, SECRET)).to.equal(plain);
  });

  describe('an offline signer compares the step inside Act with what it asked for', () => {
    const node = makeNode(mkdtempSync(path.join(tmpdir(), 'sealed-steps-')), 'client1');
    const creator = { mspId: 'OperatorMSP', certificatePem: node.certPem };
    const expected: ExpectedCall = { channel: 'econfirm', chaincode: 'econfirm', contract: 'confirmation', transaction: 'ClientAuthorize', args: ['CF-1', jsonArgumentWith({ feeConsent: true })], creator };
    const invocation = (fn: string, args: string[], transient: Record<string, string>): DecodedInvocation => ({
      transactionId: TX, channel: 'econfirm', chaincode: 'econfirm', function: fn, args, transient, creator, digest: new Uint8Array(32),
    });
    const sealedAs = (transaction: string, args: string[], extra: Record<string, string> = {}): DecodedInvocation => {
      const call = proposedCall('confirmation', transaction, args, undefined, SECRET);
      return invocation('confirmation:Act', [], { ...(call.transientData as Record<string, string>), ...extra });
    };

    it('signs the proposal that carries exactly the step asked for', () => {
      expect(invocationProblems(sealedAs('ClientAuthorize', ['CF-1', '{"feeConsent":true,"letterCiphertext":"x"}']), expected)).to.deep.equal([]);
    });

    it('refuses another step, another request, other terms, an extra transient entry, a step by its own name or in the arguments', () => {
      expect(invocationProblems(sealedAs('ClientRefuse', ['CF-1', 'no']), expected)).to.include("function is 'confirmation:ClientRefuse', expected 'confirmation:ClientAuthorize'");
      expect(invocationProblems(sealedAs('ClientAuthorize', ['CF-2', '{"feeConsent":true}']), expected).join('; ')).to.match(/argument 1 is "CF-2"/);
      expect(invocationProblems(sealedAs('ClientAuthorize', ['CF-1', '{"feeConsent":false}']), expected).join('; ')).to.match(/argument 2 has other feeConsent/);
      expect(invocationProblems(sealedAs('ClientAuthorize', ['CF-1', '{"feeConsent":true}'], { smuggled: 'x' }), expected)).to.include("the proposal carries transient data 'smuggled' that was not asked for");
      expect(invocationProblems(invocation('confirmation:ClientAuthorize', ['CF-1', '{"feeConsent":true}'], {}), expected).join('; ')).to.match(/expected the sealed step confirmation:Act/);
      expect(invocationProblems(invocation('confirmation:Act', ['CF-1'], sealedAs('ClientAuthorize', ['CF-1', '{"feeConsent":true}']).transient), expected).join('; ')).to.match(/expected the sealed step/);
      const noSecret = sealedAs('ClientAuthorize', ['CF-1', '{"feeConsent":true}']);
      delete noSecret.transient[SealedTransient.AnswerSecret];
      expect(invocationProblems(noSecret, expected).join('; ')).to.match(/answerSecret' is not a 32-byte secret/);
      expect(invocationProblems(invocation('confirmation:Act', [], { [SealedTransient.Command]: 'nonsense', [SealedTransient.AnswerSecret]: SECRET.toString('hex') }), expected).join('; ')).to.match(/'command' is not a sealed step/);
    });

    it('of the endorsed transaction (no transient map) accepts Act with no argument only', () => {
      expect(invocationProblems(invocation('confirmation:Act', [], {}), expected, { transient: false })).to.deep.equal([]);
      expect(invocationProblems(invocation('confirmation:ClientAuthorize', ['CF-1', '{}'], {}), expected, { transient: false }).join('; ')).to.match(/expected the sealed step/);
    });
  });
});
