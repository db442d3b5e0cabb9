import { expect } from 'chai';
import { ErrorCode } from '@econfirm/common';
import { ConfirmationContract } from './confirmation-contract';
import { FakeLedger } from '../testing/fake-ledger';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { Who } from '../testing/fixtures';
import { PLATFORM_COLLECTION } from '../state/private-ledger';
import { PSEUDONYM_KEY_TRANSIENT, readPseudonymKey } from '../state/pseudonym-key';

const KEY = Buffer.alloc(32, 0x5a);

describe('ConfirmationContract: SetPseudonymKey (the platform key of the pseudonyms, issue 11)', () => {
  let ledger: FakeLedger;
  let contract: ConfirmationContract;
  beforeEach(() => {
    ledger = new FakeLedger();
    contract = new ConfirmationContract();
  });

  it('stores the 32 bytes from the transient map in the platform collection only, answers {} and emits nothing', async () => {
    expect(await readPseudonymKey(ledger.as(Who.admin)), 'none before').to.equal(undefined);
    expect(await contract.SetPseudonymKey(ledger.as(Who.admin, { [PSEUDONYM_KEY_TRANSIENT]: KEY }))).to.equal('{}');
    expect((await readPseudonymKey(ledger.as(Who.admin)))?.equals(KEY)).to.equal(true);
    const view = ledger.nonMemberView();
    expect(view.publicState.size, 'nothing in public state').to.equal(0);
    expect(view.hashes.map((h) => h.collection)).to.deep.equal([PLATFORM_COLLECTION]);
    const stored = [...ledger.privateState(PLATFORM_COLLECTION).values()].map((v) => Buffer.from(v).toString('utf8'));
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include(KEY.toString('base64')).and.include(Who.admin.id);
    expect(ledger.events).to.deep.equal([]);
  });

  it('is refused ALREADY_EXISTS once set, even with the same bytes, and the first key stays', async () => {
    await contract.SetPseudonymKey(ledger.as(Who.admin, { [PSEUDONYM_KEY_TRANSIENT]: KEY }));
    const before = [...ledger.privateState(PLATFORM_COLLECTION).entries()];
    await expectLedgerError(contract.SetPseudonymKey(ledger.as(Who.admin, { [PSEUDONYM_KEY_TRANSIENT]: Buffer.alloc(32, 1) })), ErrorCode.AlreadyExists, 'cannot be replaced');
    await expectLedgerError(contract.SetPseudonymKey(ledger.as(Who.admin, { [PSEUDONYM_KEY_TRANSIENT]: KEY })), ErrorCode.AlreadyExists);
    expect([...ledger.privateState(PLATFORM_COLLECTION).entries()]).to.deep.equal(before);
    expect((await readPseudonymKey(ledger.as(Who.admin)))?.equals(KEY)).to.equal(true);
  });

  it('is the operator admin’s only: a bank admin, a regulator or a party is refused FORBIDDEN and writes nothing', async () => {
    for (const who of [Who.bankAdmin, Who.regulator1, Who.auditor1, Who.client1, Who.officer1]) {
      await expectLedgerError(contract.SetPseudonymKey(ledger.as(who, { [PSEUDONYM_KEY_TRANSIENT]: KEY })), ErrorCode.Forbidden);
    }
    expect(ledger.privateState(PLATFORM_COLLECTION).size).to.equal(0);
  });

  it('refuses a missing or wrong-sized key INVALID_ARGUMENT, naming the transient field', async () => {
    await expectLedgerError(contract.SetPseudonymKey(ledger.as(Who.admin)), ErrorCode.InvalidArgument, `${PSEUDONYM_KEY_TRANSIENT}: is missing`);
    await expectLedgerError(contract.SetPseudonymKey(ledger.as(Who.admin, { [PSEUDONYM_KEY_TRANSIENT]: Buffer.alloc(31, 1) })), ErrorCode.InvalidArgument, 'must be 32 bytes, not 31');
    await expectLedgerError(contract.SetPseudonymKey(ledger.as(Who.admin, { [PSEUDONYM_KEY_TRANSIENT]: Buffer.alloc(64, 1) })), ErrorCode.InvalidArgument, 'not 64');
    expect(ledger.privateState(PLATFORM_COLLECTION).size).to.equal(0);
  });
});
