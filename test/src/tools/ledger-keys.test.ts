import { expect } from 'chai';
import { isConfirmationStateKey } from '../support/ledger-calls';

/** A composite key as the shim's createCompositeKey writes one. */
const key = (type: string, attributes: string[]): string => `\u0000${[type, ...attributes].join('\u0000')}\u0000`;

/** The check integration/need-to-know.test.ts and private-store.test.ts run over every public write. */
describe('isConfirmationStateKey: the confirmation ledger’s composite keys, and nothing else', () => {
  it('knows every kind of key the confirmation store writes, its sealed events and the cross-check summaries', () => {
    for (const k of [key('cf', ['CF-1']), key('cfs', ['CF-1']), key('cfv', ['ab', '00000001']), key('eng', ['FIRM1', 'ENG-1']), key('cf~firm~id', ['FIRM1', 'CF-1']), key('cf~party~state~id', ['BANK1', 'issued', 'CF-1']), key('cftx', ['ab']), key('xcheck', ['CF-1'])]) {
      expect(isConfirmationStateKey(k), JSON.stringify(k)).to.equal(true);
    }
  });

  it('is false for the other ledgers, the markers and simple keys', () => {
    for (const k of [key('inst', ['BANK1']), key('mtg', ['MTG-1']), key('rcv', ['RCV-1']), 'confirmationPrivateStore', 'confirmationStatsIndex', 'cf', `cf\u0000CF-1\u0000`]) {
      expect(isConfirmationStateKey(k), JSON.stringify(k)).to.equal(false);
    }
  });
});
