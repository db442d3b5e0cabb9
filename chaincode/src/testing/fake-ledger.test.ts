import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { privateRange } from '../state/private-ledger';
import { FakeLedger } from './fake-ledger';
import { Who } from './fixtures';

/** The fake must read like a peer's simulation, or unit tests pass code a real peer would break. */
describe('FakeLedger: reads as a peer does', () => {
  const bytes = (text: string) => Buffer.from(text);
  const text = (value: Uint8Array) => Buffer.from(value).toString();
  const refusal = (call: Promise<unknown>): Promise<string> => call.then(() => 'allowed', (err: Error) => err.message);

  it('a transaction reads the committed value, not its own write; the next transaction reads the write', async () => {
    const ledger = new FakeLedger();
    await ledger.as(Who.admin).stub.putState('k', bytes('v1'));
    const tx = ledger.as(Who.admin);
    expect(text(await tx.stub.getState('k'))).to.equal('v1');
    await tx.stub.putState('k', bytes('v2'));
    expect(text(await tx.stub.getState('k')), 'own write not visible').to.equal('v1');
    await tx.stub.deleteState('k');
    expect(text(await tx.stub.getState('k')), 'own delete not visible').to.equal('v1');
    await tx.stub.putState('new', bytes('n'));
    expect((await tx.stub.getState('new')).length, 'a key first written in this transaction reads empty').to.equal(0);
    expect(text(await ledger.as(Who.admin).stub.getState('new'))).to.equal('n');
    expect(ledger.state.has('k'), 'the last write of the key (a delete) won').to.equal(false);
  });

  it("range queries see committed keys only, and history gets one entry per transaction", async () => {
    const ledger = new FakeLedger();
    const tx = ledger.as(Who.admin);
    const key = tx.stub.createCompositeKey('t', ['a']);
    await tx.stub.putState(key, bytes('1'));
    await tx.stub.putState(key, bytes('2'));
    const iterator = await tx.stub.getStateByPartialCompositeKey('t', []);
    expect((await iterator.next()).done, 'the write is not in the range yet').to.equal(true);
    ledger.commit();
    expect(ledger.history.get(key)?.map((w) => text(w.value ?? new Uint8Array()))).to.deep.equal(['2']);
  });

  it('keeps the last event of a transaction, as Fabric does', () => {
    const ledger = new FakeLedger();
    const tx = ledger.as(Who.admin);
    tx.stub.setEvent('First', bytes('{"n":1}'));
    tx.stub.setEvent('Second', bytes('{"n":2}'));
    expect(ledger.events).to.deep.equal([{ name: 'Second', payload: { n: 2 } }]);
  });

  it('private data reads like a member peer: committed values only; getPrivateDataHash is SHA-256 of the value', async () => {
    const ledger = new FakeLedger();
    const tx = ledger.as(Who.admin);
    await tx.stub.putPrivateData('c', 'k', bytes('v1'));
    expect((await tx.stub.getPrivateData('c', 'k')).length, 'own private write not visible').to.equal(0);
    const next = ledger.as(Who.admin);
    expect(text(await next.stub.getPrivateData('c', 'k'))).to.equal('v1');
    expect(Buffer.from(await next.stub.getPrivateDataHash('c', 'k')).toString('hex')).to.equal(createHash('sha256').update('v1').digest('hex'));
    expect((await next.stub.getPrivateData('other', 'k')).length, 'collections are apart').to.equal(0);
    await next.stub.deletePrivateData('c', 'k');
    expect(ledger.privateState('c').has('k')).to.equal(false);
    expect(ledger.state.size, 'nothing in public state').to.equal(0);
  });

  it('like the peer, a transaction that writes cannot range over private data, nor write after such a range; the range comes as fabric-shim 2.5 gives it', async () => {
    const ledger = new FakeLedger();
    const seed = ledger.as(Who.admin);
    await seed.stub.putPrivateData('c', 'k', bytes('v1'));
    const wrote = ledger.as(Who.admin);
    await wrote.stub.putState('p', bytes('x'));
    expect(await refusal(wrote.stub.getPrivateDataByRange('c', '', ''))).to.match(/supported only in a read-only transaction/);
    const privateWrote = ledger.as(Who.admin);
    await privateWrote.stub.putPrivateData('c', 'k2', bytes('v2'));
    expect(await refusal(privateWrote.stub.getPrivateDataByPartialCompositeKey('c', 'x', []))).to.match(/supported only in a read-only transaction/);
    const queried = ledger.as(Who.admin);
    const result = (await queried.stub.getPrivateDataByRange('c', '', '\u{10FFFF}')) as unknown as { iterator: { next(): Promise<{ value: { key: string } }> } };
    expect((await result.iterator.next()).value.key, 'resolves to { iterator }').to.equal('k');
    expect((await (await privateRange(queried, '', '\u{10FFFF}', 'c')).next()).value.key, 'privateRange unwraps it').to.equal('k');
    expect(await refusal(queried.stub.putState('p', bytes('y')))).to.match(/Writes are not allowed/);
  });

  it('a Context is one transaction: writing through it after it committed is an error', async () => {
    const ledger = new FakeLedger();
    const tx = ledger.as(Who.admin);
    ledger.as(Who.admin);
    let error: unknown;
    await Promise.resolve(tx.stub.putState('k', bytes('late'))).catch((err: unknown) => (error = err));
    expect(String(error)).to.match(/has committed/);
  });
});
