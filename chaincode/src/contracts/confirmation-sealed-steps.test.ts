import { expect } from 'chai';
import type { SinonStub } from 'sinon';
import { Context } from 'fabric-contract-api';
import { ErrorCode, openAnswer, SealedAnswerError, SealedTransient, type ConfirmationView, type SealedCommand } from '@econfirm/common';
import { ConfirmationWorld, issueInput } from '../testing/confirmation-world';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { TestIdentity } from '../testing/fake-ledger';
import { Who } from '../testing/fixtures';

const SECRET = Buffer.alloc(32, 0x11);
const SECRET_HEX = SECRET.toString('hex');

/** confirmation:Act as a client would send it: the step in the transient map, the answer opened with its secret. */
async function act(world: ConfirmationWorld, who: TestIdentity, command: SealedCommand, secret: Uint8Array = SECRET): Promise<{ answer: string; txId: string; sealed: string }> {
  const ctx = world.ledger.as(who, { [SealedTransient.Command]: JSON.stringify(command), [SealedTransient.AnswerSecret]: Buffer.from(secret).toString('hex') });
  const sealed = await world.contract.Act(ctx);
  const txId = ctx.stub.getTxID();
  return { answer: openAnswer(secret, txId, sealed), txId, sealed };
}

function called(ctx: Context, fcn: string): Context {
  (ctx.stub.getFunctionAndParameters as SinonStub).returns({ fcn, params: [] });
  return ctx;
}

async function changedBy(world: ConfirmationWorld, who: TestIdentity, txId: string): Promise<{ name: string; payload: Record<string, unknown> }> {
  return JSON.parse(await world.contract.ListConfirmationsChangedBy(world.ledger.as(who), txId)) as { name: string; payload: Record<string, unknown> };
}

describe('ConfirmationContract sealed steps (Act)', () => {
  it('runs a step as calling it by name does: the same answer, sealed to the caller, and the same record', async () => {
    const named = await (await new ConfirmationWorld().setUp()).privateStore(false);
    const sealed = await (await new ConfirmationWorld().setUp()).privateStore();
    const direct = await named.issue('CF-1');
    const { answer, sealed: wire } = await act(sealed, Who.auditor1, { transaction: 'Issue', args: [JSON.stringify(issueInput('CF-1'))] });
    expect(JSON.parse(answer)).to.deep.equal(direct);
    expect(wire).not.to.include('CF-1');
    expect(await sealed.get('CF-1')).to.deep.equal(await named.get('CF-1'));
  });

  it('answers nothing readable without the secret', async () => {
    const world = await (await new ConfirmationWorld().setUp()).privateStore();
    const { txId, sealed } = await act(world, Who.auditor1, { transaction: 'Issue', args: [JSON.stringify(issueInput('CF-1'))] });
    expect(() => openAnswer(Buffer.alloc(32, 0x22), txId, sealed)).to.throw(SealedAnswerError);
    expect(() => openAnswer(SECRET, 'f'.repeat(64), sealed)).to.throw(SealedAnswerError);
  });

  it('on a private ledger the block event says only ConfirmationChanged {}; each party reads what it may of it', async () => {
    const world = await (await new ConfirmationWorld().setUp()).privateStore();
    const issued = await act(world, Who.auditor1, { transaction: 'Issue', args: [JSON.stringify(issueInput('CF-1'))] });
    expect(world.ledger.events.at(-1)).to.deep.equal({ name: 'ConfirmationChanged', payload: {} });
    expect(await changedBy(world, Who.auditor1, issued.txId)).to.deep.equal({ txId: issued.txId, name: 'ConfirmationChanged', payload: { id: 'CF-1', state: 'issued', action: 'Issue' } });
    expect((await changedBy(world, Who.client1, issued.txId)).payload).to.include({ id: 'CF-1' });
    expect((await changedBy(world, Who.regulator1, issued.txId)).payload).to.include({ id: 'CF-1' });
    // The bank is no party before the client's authorization; another firm never is.
    await expectLedgerError(world.contract.ListConfirmationsChangedBy(world.ledger.as(Who.officer1), issued.txId), ErrorCode.NotFound);
    await expectLedgerError(world.contract.ListConfirmationsChangedBy(world.ledger.as(Who.firm2auditor), issued.txId), ErrorCode.NotFound);
    await expectLedgerError(world.contract.ListConfirmationsChangedBy(world.ledger.as(Who.auditor1), 'a'.repeat(64)), ErrorCode.NotFound);
    await expectLedgerError(world.contract.ListConfirmationsChangedBy(world.ledger.as(Who.auditor1), 'tx1'), ErrorCode.InvalidArgument, 'txId');
    await expectLedgerError(world.contract.ListConfirmationsChangedBy(world.ledger.as(Who.admin), issued.txId), ErrorCode.Forbidden);

    const batch = await act(world, Who.auditor1, {
      transaction: 'IssueBatch',
      args: [JSON.stringify({ engagement: issueInput('x').engagement, requests: ['CF-2', 'CF-3'].map((id) => { const { engagement: _e, ...letter } = issueInput(id); return letter; }) })],
    });
    expect(JSON.parse(batch.answer)).to.deep.equal({ ids: ['CF-2', 'CF-3'] });
    expect(world.ledger.events.at(-1)).to.deep.equal({ name: 'ConfirmationChanged', payload: {} });
    expect(await changedBy(world, Who.auditor1, batch.txId)).to.deep.include({ name: 'ConfirmationsIssued', payload: { ids: ['CF-2', 'CF-3'], state: 'issued', engagementId: 'ENG-2025-CLIENT1' } });

    const authorized = await act(world, Who.client1, { transaction: 'ClientAuthorize', args: ['CF-1', JSON.stringify({ feeConsent: true, letterCiphertext: await world.widenedLetter('CF-1') })] });
    expect((JSON.parse(authorized.answer) as ConfirmationView).state).to.equal('authorized');
    expect((await changedBy(world, Who.officer1, authorized.txId)).payload).to.deep.equal({ id: 'CF-1', state: 'authorized', action: 'ClientAuthorize' });
    // A batch is narrowed to what the caller may read: the bank now sees CF-1's issue, not CF-2's or CF-3's.
    expect((await changedBy(world, Who.officer1, issued.txId)).payload).to.include({ id: 'CF-1' });
    await expectLedgerError(world.contract.ListConfirmationsChangedBy(world.ledger.as(Who.officer1), batch.txId), ErrorCode.NotFound);
  });

  it('on a ledger whose records are public the event stays as the step emitted it', async () => {
    const world = await new ConfirmationWorld().setUp();
    const { txId } = await act(world, Who.auditor1, { transaction: 'Issue', args: [JSON.stringify(issueInput('CF-1'))] });
    expect(world.ledger.events.at(-1)).to.deep.equal({ name: 'ConfirmationChanged', payload: { id: 'CF-1', state: 'issued', action: 'Issue' } });
    await expectLedgerError(world.contract.ListConfirmationsChangedBy(world.ledger.as(Who.auditor1), txId), ErrorCode.NotFound);
  });

  it('refuses a step called by its own name once the ledger is private, before it runs; not before', async () => {
    const world = await (await new ConfirmationWorld().setUp()).privateStore();
    await expectLedgerError(world.contract.beforeTransaction(called(world.ledger.as(Who.auditor1), 'confirmation:Issue')), ErrorCode.Forbidden, 'confirmation:Act');
    await expectLedgerError(world.contract.beforeTransaction(called(world.ledger.as(Who.client1), 'confirmation:ClientAuthorize')), ErrorCode.Forbidden, 'sealed step');
    for (const fcn of ['confirmation:Act', 'confirmation:GetConfirmation', 'confirmation:SetWorkCalendar', 'confirmation:StartPrivateStore']) {
      await world.contract.beforeTransaction(called(world.ledger.as(Who.auditor1), fcn));
    }
    const open = await new ConfirmationWorld().setUp();
    await open.contract.beforeTransaction(called(open.ledger.as(Who.auditor1), 'confirmation:Issue'));
  });

  it('refuses a malformed command with INVALID_ARGUMENT naming it, writing nothing', async () => {
    const world = await (await new ConfirmationWorld().setUp()).privateStore();
    const before = world.ledger.snapshot();
    const issue = JSON.stringify(issueInput('CF-1'));
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ [SealedTransient.AnswerSecret]: SECRET_HEX }, 'command: is missing'],
      [{ [SealedTransient.Command]: 'not json', [SealedTransient.AnswerSecret]: SECRET_HEX }, 'command: is not valid JSON'],
      [{ [SealedTransient.Command]: { transaction: 'SetWorkCalendar', args: ['{}'] }, [SealedTransient.AnswerSecret]: SECRET_HEX }, 'transaction: must be one of'],
      [{ [SealedTransient.Command]: { transaction: 'Act', args: [] }, [SealedTransient.AnswerSecret]: SECRET_HEX }, 'transaction: must be one of'],
      [{ [SealedTransient.Command]: { transaction: 'Issue', args: [issue, 'extra'] }, [SealedTransient.AnswerSecret]: SECRET_HEX }, 'Issue takes 1 string argument'],
      [{ [SealedTransient.Command]: { transaction: 'Recall', args: ['CF-1', 7] }, [SealedTransient.AnswerSecret]: SECRET_HEX }, 'Recall takes 2 string arguments'],
      [{ [SealedTransient.Command]: { transaction: 'Issue', args: [issue], extra: 1 }, [SealedTransient.AnswerSecret]: SECRET_HEX }, 'extra: is not a known field'],
      [{ [SealedTransient.Command]: { transaction: 'Issue', args: [issue] } }, 'answerSecret: must be 32 bytes'],
      [{ [SealedTransient.Command]: { transaction: 'Issue', args: [issue] }, [SealedTransient.AnswerSecret]: SECRET_HEX.slice(32) }, 'answerSecret: must be 32 bytes'],
      [{ [SealedTransient.Command]: { transaction: 'Issue', args: [issue] }, [SealedTransient.AnswerSecret]: SECRET }, 'answerSecret: must be 32 bytes'],
    ];
    for (const [transient, fragment] of cases) {
      await expectLedgerError(world.contract.Act(world.ledger.as(Who.auditor1, transient)), ErrorCode.InvalidArgument, fragment);
    }
    expect(world.ledger.snapshot()).to.equal(before);
  });

  it('checks the caller inside the step as when called by name: a client cannot issue', async () => {
    const world = await (await new ConfirmationWorld().setUp()).privateStore();
    const before = world.ledger.snapshot();
    const ctx = world.ledger.as(Who.client1, { [SealedTransient.Command]: { transaction: 'Issue', args: [JSON.stringify(issueInput('CF-1'))] }, [SealedTransient.AnswerSecret]: SECRET_HEX });
    await expectLedgerError(world.contract.Act(ctx), ErrorCode.Forbidden);
    expect(world.ledger.snapshot()).to.equal(before);
  });
});
