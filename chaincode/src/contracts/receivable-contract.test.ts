import { expect } from 'chai';
import { ErrorCode, ReceivableEvidence, receivableInvoiceKey, ReceivableRecord, ReceivableStats } from '@econfirm/common';
import { fakeJwe, HASH_A } from '../testing/confirmation-world';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { TestIdentity } from '../testing/fake-ledger';
import { Who } from '../testing/fixtures';
import { held, opening, Rcv, ReceivableWorld } from '../testing/receivable-world';

const SHARED_INVOICE = receivableInvoiceKey('3100261130 00012345');

describe('ReceivableContract', () => {
  let world: ReceivableWorld;
  const contract = () => world.contract;
  const ledger = () => world.ledger;

  beforeEach(async () => {
    world = await new ReceivableWorld().setUp();
  });

  /** Runs `call` and proves it was refused with `code` and wrote nothing. */
  async function refusedUnchanged(call: () => Promise<unknown>, code: ErrorCode, fragment?: string): Promise<void> {
    const before = ledger().snapshot();
    await expectLedgerError(call(), code, fragment);
    expect(ledger().snapshot()).to.equal(before);
  }

  describe('the path from registration to payment', () => {
    it('registers, confirms, splits into three, transfers a part, finances it and pays every holder; events carry no amounts', async () => {
      const registered = await world.register('R-1', '1000000');
      expect(registered).to.include({ id: 'R-1', rootId: 'R-1', state: 'registered', obligorId: 'ENT1', originalCreditorId: 'SUP1', holderId: 'SUP1' });
      const confirmed = await world.confirm('R-1');
      expect(confirmed).to.include({ state: 'confirmed', confirmedBy: Rcv.obligor.id });

      const parent = await world.split('R-1', [['R-1a', '500000'], ['R-1b', '300000'], ['R-1c', '200000']]);
      expect(parent).to.include({ state: 'split' });
      expect(parent.childIds).to.deep.equal(['R-1a', 'R-1b', 'R-1c']);
      expect(ledger().lastEvent()).to.deep.equal({ name: 'ReceivableChanged', payload: { id: 'R-1', state: 'split', action: 'SplitReceivable', parts: ['R-1a', 'R-1b', 'R-1c'] } });
      const part = await world.get('R-1b');
      expect(part).to.include({ rootId: 'R-1', parentId: 'R-1', state: 'confirmed', holderId: 'SUP1', obligorId: 'ENT1', maturityDate: '2026-09-01', currency: 'CNY' });
      expect(part.amountHash).to.equal(world.amounts.get('R-1b')?.hash);

      const transferred = await world.transfer('R-1b', 'SUP2');
      expect(transferred).to.include({ state: 'transferred', holderId: 'SUP2' });
      expect(transferred.holders).to.deep.equal(['SUP1', 'SUP2']);

      expect(await world.requestFinancing('R-1b', 'BANK2', Rcv.supplier2)).to.include({ state: 'financing-requested', bankId: 'BANK2' });
      const financed = await world.finance('R-1b', Rcv.bank2);
      expect(financed).to.include({ state: 'financed' });
      expect(financed.lien).to.include({ bankId: 'BANK2', financingId: 'FIN-R-1b' });

      ledger().setNow('2026-09-01T09:00:00Z');
      for (const id of ['R-1a', 'R-1b', 'R-1c']) await world.mature(id);
      const toBank = await world.pay('R-1b');
      expect(toBank).to.include({ state: 'paid' });
      expect(toBank.payment?.payeeId).to.equal('BANK2');
      expect(toBank.lien?.releasedAt).to.equal('2026-09-01T09:00:00.000Z');
      expect((await world.pay('R-1a')).payment?.payeeId).to.equal('SUP1');
      expect(toBank.steps.map((s) => s.action)).to.deep.equal(['SplitFrom', 'TransferReceivable', 'RequestReceivableFinancing', 'FinanceReceivable', 'MatureReceivable', 'RecordReceivablePayment']);
      const amounts = ['1000000', '500000', '300000', '200000'];
      for (const event of ledger().events) {
        for (const amount of amounts) expect(JSON.stringify(event.payload)).not.to.contain(amount);
      }
    });

    it('keeps amounts off the ledger: no opening reaches the world state, only hashes', async () => {
      await world.confirmed('R-1', '7654321');
      await world.split('R-1', [['R-1a', '7000000'], ['R-1b', '654321']]);
      const state = [...ledger().state.values()].map((v) => Buffer.from(v).toString('utf8')).join('\n');
      for (const secret of ['7654321', '654321', world.amounts.get('R-1')?.salt ?? '-']) expect(state).not.to.contain(secret);
    });

    it('the creditor cancels before confirmation, not after; a cancelled or rejected receivable never moves again', async () => {
      await world.register('R-C');
      expect(await world.call<ReceivableRecord>(Rcv.supplier1, (ctx) => contract().CancelReceivable(ctx, 'R-C'))).to.include({ state: 'cancelled' });
      await refusedUnchanged(() => world.confirm('R-C'), ErrorCode.InvalidStateTransition, 'it is cancelled');
      await world.confirmed('R-K');
      await refusedUnchanged(() => contract().CancelReceivable(ledger().as(Rcv.supplier1), 'R-K'), ErrorCode.InvalidStateTransition, 'it is confirmed');
      await world.register('R-J');
      const rejected = await world.call<ReceivableRecord>(Rcv.obligor, (ctx) => contract().RejectReceivable(ctx, 'R-J', JSON.stringify({ reason: 'NO_SUCH_DELIVERY' })));
      expect(rejected).to.include({ state: 'rejected', reason: 'NO_SUCH_DELIVERY' });
      await refusedUnchanged(() => world.confirm('R-J'), ErrorCode.InvalidStateTransition, 'it is rejected');
      await refusedUnchanged(() => contract().RejectReceivable(ledger().as(Rcv.obligor), 'R-J', JSON.stringify({ reason: 'free text, 张三' })), ErrorCode.InvalidStateTransition);
    });

    it('nothing moves before the obligor confirms', async () => {
      await world.register('R-1');
      await refusedUnchanged(() => world.split('R-1', [['R-1a', '500000'], ['R-1b', '500000']]), ErrorCode.InvalidStateTransition, 'it is registered');
      await refusedUnchanged(() => world.transfer('R-1', 'SUP2'), ErrorCode.InvalidStateTransition, 'it is registered');
      await refusedUnchanged(() => world.requestFinancing('R-1'), ErrorCode.InvalidStateTransition, 'it is registered');
      ledger().setNow('2026-09-02T09:00:00Z');
      await refusedUnchanged(() => world.mature('R-1'), ErrorCode.InvalidStateTransition, 'it is registered');
    });

    it('obligor, maturity, currency and root stay as registered through split, transfer, financing and payment', async () => {
      await world.confirmed('R-1', '900');
      await world.split('R-1', [['R-1a', '600'], ['R-1b', '300']]);
      await world.split('R-1a', [['R-1a1', '599'], ['R-1a2', '1']]);
      await world.transfer('R-1a2', 'SUP2');
      await world.requestFinancing('R-1a2', 'BANK1', Rcv.supplier2);
      await world.finance('R-1a2');
      ledger().setNow('2026-09-01T09:00:00Z');
      await world.mature('R-1a2');
      await world.pay('R-1a2');
      for (const id of ['R-1', 'R-1a', 'R-1b', 'R-1a1', 'R-1a2']) {
        const record = await world.get(id, Who.regulator1);
        expect(record, id).to.include({ obligorId: 'ENT1', maturityDate: '2026-09-01', currency: 'CNY', rootId: 'R-1', originalCreditorId: 'SUP1', issueDate: '2026-03-01' });
        expect(record.invoiceKeys).to.deep.equal([receivableInvoiceKey('3100261130 R-1')]);
      }
      expect((await world.get('R-1a2', Who.regulator1)).parentId).to.equal('R-1a');
    });
  });

  describe('GetReceivableEvidence (the voucher)', () => {
    it('the record, the transaction of each committed version oldest first, and the ancestors by split up to the root', async () => {
      await world.confirmed('V-1', '1000000');
      await world.split('V-1', [['V-1a', '600000'], ['V-1b', '400000']]);
      await world.split('V-1b', [['V-1b1', '100000'], ['V-1b2', '300000']]);
      await world.transfer('V-1b2', 'SUP2');
      const evidence = await world.call<ReceivableEvidence>(Rcv.supplier2, (ctx) => contract().GetReceivableEvidence(ctx, 'V-1b2'));
      expect(evidence.receivable).to.include({ id: 'V-1b2', parentId: 'V-1b', rootId: 'V-1', holderId: 'SUP2' });
      expect(evidence.trail.map((v) => [v.state, v.holderId])).to.deep.equal([['confirmed', 'SUP1'], ['transferred', 'SUP2']]);
      expect(evidence.trail).to.have.length(evidence.receivable.steps.length);
      expect(evidence.ancestors.map((a) => a.id)).to.deep.equal(['V-1b', 'V-1']);
      const [parent, root] = evidence.ancestors;
      expect(parent?.childIds).to.deep.equal(['V-1b1', 'V-1b2']);
      expect(parent?.trail.map((v) => v.state)).to.deep.equal(['confirmed', 'split']);
      expect(root?.trail.map((v) => v.state)).to.deep.equal(['registered', 'confirmed', 'split']);
      // The part was made by its parent's split: the same transaction.
      expect(evidence.trail[0]?.txId).to.equal(parent?.trail[1]?.txId);
      expect(parent?.trail[0]?.txId).to.equal(root?.trail[2]?.txId);
      expect(new Set([...evidence.trail, ...(parent?.trail ?? []), ...(root?.trail ?? [])].map((v) => v.txId)).size).to.equal(5);
    });

    it('for the parties and the regulator; a stranger and an auditor get the unknown-id refusal or FORBIDDEN', async () => {
      await world.confirmed('V-2', '10');
      for (const who of [Rcv.supplier1, Rcv.obligor, Who.regulator1]) {
        expect((await world.call<ReceivableEvidence>(who, (ctx) => contract().GetReceivableEvidence(ctx, 'V-2'))).trail).to.have.length(2);
      }
      await refusedUnchanged(() => contract().GetReceivableEvidence(ledger().as(Rcv.supplier2), 'V-2'), ErrorCode.NotFound, 'receivable V-2 does not exist');
      await refusedUnchanged(() => contract().GetReceivableEvidence(ledger().as(Rcv.bank1), 'V-2'), ErrorCode.NotFound, 'receivable V-2 does not exist');
      await refusedUnchanged(() => contract().GetReceivableEvidence(ledger().as(Who.auditor1), 'V-2'), ErrorCode.Forbidden);
    });
  });

  describe('split', () => {
    beforeEach(async () => {
      await world.confirmed('R-1', '1000000');
    });

    for (const [what, parts] of [
      ['parts that sum to less', [['P-a', '500000'], ['P-b', '499999']]],
      ['parts that sum to more', [['P-a', '500000'], ['P-b', '500001']]],
    ] as [string, [string, string][]][]) {
      it(`refuses ${what} than the receivable, and writes nothing`, async () => {
        await refusedUnchanged(() => world.split('R-1', parts), ErrorCode.InvalidArgument, 'do not sum exactly');
      });
    }

    it('sums exactly with amounts past 2^53 (BigInt, no floating point)', async () => {
      world = await new ReceivableWorld().setUp('999999999999999999');
      await world.confirmed('R-BIG', '900719925474099317');
      await refusedUnchanged(() => world.split('R-BIG', [['B-a', '900719925474099316'], ['B-b', '2']]), ErrorCode.InvalidArgument, 'do not sum exactly');
      expect((await world.split('R-BIG', [['B-a', '900719925474099316'], ['B-b', '1']])).state).to.equal('split');
    });

    it('refuses an opening that does not open the parent or a part, a zero part, a decimal point and one part alone', async () => {
      const { argument, openings } = world.splitInput('R-1', [['P-a', '600000'], ['P-b', '400000']], ['ENT1', 'SUP1']);
      const split = (o: unknown) => () => contract().SplitReceivable(ledger().as(Rcv.supplier1, { openings: o }), 'R-1', argument);
      const parts = openings.parts as { amount: string; salt: string }[];
      await refusedUnchanged(split({ ...openings, parent: opening(held('1000000')) }), ErrorCode.InvalidArgument, 'openings.parent: does not open');
      await refusedUnchanged(split({ ...openings, parts: [parts[0], { ...parts[1], amount: '400001' }] }), ErrorCode.InvalidArgument, 'openings.parts[1]: does not open');
      await refusedUnchanged(split({ ...openings, parts: [parts[0], { ...parts[1], amount: '4000.00' }] }), ErrorCode.InvalidArgument, 'openings.parts[1].amount');
      await refusedUnchanged(split({ ...openings, parts: [parts[0]] }), ErrorCode.InvalidArgument, 'openings.parts');
      await refusedUnchanged(() => contract().SplitReceivable(ledger().as(Rcv.supplier1), 'R-1', argument), ErrorCode.InvalidArgument, 'openings: is missing');
      await refusedUnchanged(() => world.split('R-1', [['P-a', '1000000'], ['P-b', '0']]), ErrorCode.InvalidArgument, 'must be positive');
      await refusedUnchanged(() => world.split('R-1', [['P-a', '1000000']]), ErrorCode.InvalidArgument, 'parts');
    });

    it('refuses a part id that exists, and a part whose terms the holder could not read', async () => {
      await world.confirmed('R-2');
      await refusedUnchanged(() => world.split('R-1', [['P-a', '500000'], ['R-2', '500000']]), ErrorCode.AlreadyExists, 'R-2');
      await refusedUnchanged(() => world.split('R-1', [['P-a', '500000'], ['P-b', '500000']], ['ENT1']), ErrorCode.RecipientsRefused, 'no key of SUP1');
    });

    it('the parent is closed: it neither splits, transfers nor is financed again', async () => {
      await world.split('R-1', [['P-a', '500000'], ['P-b', '500000']]);
      await refusedUnchanged(() => world.split('R-1', [['P-c', '500000'], ['P-d', '500000']]), ErrorCode.InvalidStateTransition, 'it is split');
      await refusedUnchanged(() => world.transfer('R-1', 'SUP2'), ErrorCode.InvalidStateTransition, 'it is split');
      await refusedUnchanged(() => world.requestFinancing('R-1'), ErrorCode.InvalidStateTransition, 'it is split');
    });
  });

  describe("the obligor's limit", () => {
    it('refuses a confirmation past the limit and writes nothing; exactly the limit is fine; the total counts every confirmation', async () => {
      world = await new ReceivableWorld().setUp('1000');
      await world.register('L-1', '600');
      await world.register('L-2', '401');
      await world.register('L-3', '400');
      await world.confirm('L-1');
      await refusedUnchanged(() => world.confirm('L-2'), ErrorCode.LimitExceeded, 'past its limit');
      expect((await world.confirm('L-3')).state).to.equal('confirmed');
      await world.register('L-4', '1');
      await refusedUnchanged(() => world.confirm('L-4'), ErrorCode.LimitExceeded);
      // The platform raises the limit: the next confirmation fits.
      await world.setLimit('1001');
      expect((await world.confirm('L-4')).state).to.equal('confirmed');
    });

    it('refuses to confirm without a limit, or against a limit in another currency', async () => {
      world = new ReceivableWorld();
      await world.setUp();
      await world.register('L-U', '10', { obligorId: 'CLIENT1', terms: { ciphertext: fakeJwe('SUP1', 'CLIENT1'), contentHash: HASH_A } });
      const client: TestIdentity = Who.client1;
      await refusedUnchanged(() => world.confirm('L-U', client), ErrorCode.LimitExceeded, 'no limit for CLIENT1');
      await world.register('L-USD', '10', { currency: 'USD' });
      await refusedUnchanged(() => world.confirm('L-USD'), ErrorCode.LimitExceeded, 'is in CNY');
    });

    it('a stale opening of the issued total or the limit is a CONFLICT (read them again); a wrong amount opening INVALID_ARGUMENT', async () => {
      await world.register('L-1', '5');
      await world.register('L-2', '5');
      const stale = world.confirmationOpenings('L-2').openings;
      await world.confirm('L-1');
      await refusedUnchanged(() => contract().ConfirmReceivable(ledger().as(Rcv.obligor, { openings: stale }), 'L-2', world.confirmationArgument()), ErrorCode.Conflict, 'openings.issued');
      const fresh = world.confirmationOpenings('L-2').openings;
      await refusedUnchanged(
        () => contract().ConfirmReceivable(ledger().as(Rcv.obligor, { openings: { ...fresh, issued: undefined } }), 'L-2', world.confirmationArgument()),
        ErrorCode.Conflict,
        'has confirmed before',
      );
      await refusedUnchanged(() => contract().ConfirmReceivable(ledger().as(Rcv.obligor, { openings: { ...fresh, limit: opening(held('100000000')) } }), 'L-2', world.confirmationArgument()), ErrorCode.Conflict, 'openings.limit');
      await refusedUnchanged(() => contract().ConfirmReceivable(ledger().as(Rcv.obligor, { openings: { ...fresh, amount: opening(held('5')) } }), 'L-2', world.confirmationArgument()), ErrorCode.InvalidArgument, 'openings.amount');
      await refusedUnchanged(() => contract().ConfirmReceivable(ledger().as(Rcv.obligor, { openings: fresh }), 'L-2', JSON.stringify({ issued: { ciphertext: fakeJwe('ENT1'), contentHash: HASH_A } })), ErrorCode.RecipientsRefused, 'no key of REGULATOR');
      expect((await world.confirm('L-2')).state).to.equal('confirmed');
    });

    it('only the operator admin sets limits; the obligor and the regulator read it, nobody else', async () => {
      for (const who of [Who.bankAdmin, Rcv.obligor, Rcv.bank1, Who.regulator1]) {
        await refusedUnchanged(() => contract().SetReceivableLimit(ledger().as(who), 'ENT1', JSON.stringify({ currency: 'CNY', limitHash: HASH_A, limit: { ciphertext: fakeJwe('ENT1', 'REGULATOR'), contentHash: HASH_A } })), ErrorCode.Forbidden);
      }
      await refusedUnchanged(() => contract().SetReceivableLimit(ledger().as(Who.admin), 'BANK1', JSON.stringify({ currency: 'CNY', limitHash: HASH_A, limit: { ciphertext: fakeJwe('BANK1', 'REGULATOR'), contentHash: HASH_A } })), ErrorCode.InvalidArgument, 'obligorId');
      await refusedUnchanged(() => contract().SetReceivableLimit(ledger().as(Who.admin), 'ENT1', JSON.stringify({ currency: 'CNY', limitHash: HASH_A, limit: { ciphertext: fakeJwe('ENT1'), contentHash: HASH_A } })), ErrorCode.RecipientsRefused, 'no key of REGULATOR');
      await world.confirmed('L-1', '10');
      const seen = await world.call<{ limit: { limitHash: string }; issued: { confirmations: number } }>(Rcv.obligor, (ctx) => contract().GetReceivableLimit(ctx, 'ENT1'));
      expect(seen.limit.limitHash).to.equal(world.limit.hash);
      expect(seen.issued.confirmations).to.equal(1);
      expect((await world.call<{ limit: unknown }>(Who.regulator1, (ctx) => contract().GetReceivableLimit(ctx, 'ENT1'))).limit).to.not.equal(undefined);
      await expectLedgerError(contract().GetReceivableLimit(ledger().as(Rcv.supplier1), 'ENT1'), ErrorCode.Forbidden);
      await expectLedgerError(contract().GetReceivableLimit(ledger().as(Rcv.bank1), 'ENT1'), ErrorCode.Forbidden);
    });
  });

  describe('liens: at most one active lien per receivable and per invoice, across all banks', () => {
    it('a second receivable carrying a financed invoice is refused LIEN_EXISTS, at request and at financing', async () => {
      await world.confirmed('I-1', '100', { invoiceKeys: [SHARED_INVOICE] });
      await world.confirmed('I-2', '100', { invoiceKeys: [SHARED_INVOICE, receivableInvoiceKey('other')] }, Rcv.supplier2);
      await world.requestFinancing('I-1', 'BANK1');
      await world.requestFinancing('I-2', 'BANK2', Rcv.supplier2);
      await world.finance('I-1', Rcv.bank1);
      await refusedUnchanged(() => world.finance('I-2', Rcv.bank2), ErrorCode.LienExists, 'already financed');
      await world.call(Rcv.bank2, (ctx) => contract().DeclineReceivableFinancing(ctx, 'I-2', JSON.stringify({ reason: 'INVOICE_FINANCED' })));
      await refusedUnchanged(() => world.requestFinancing('I-2', 'BANK2', Rcv.supplier2), ErrorCode.LienExists, 'already financed');
    });

    it('the text of the refusal names neither the other bank nor the other receivable', async () => {
      await world.confirmed('I-1', '100', { invoiceKeys: [SHARED_INVOICE] });
      await world.confirmed('I-2', '100', { invoiceKeys: [SHARED_INVOICE] }, Rcv.supplier2);
      await world.requestFinancing('I-1', 'BANK1');
      await world.requestFinancing('I-2', 'BANK2', Rcv.supplier2);
      await world.finance('I-1', Rcv.bank1);
      const text = await expectLedgerError(world.finance('I-2', Rcv.bank2), ErrorCode.LienExists);
      expect(text).not.to.contain('BANK1');
      expect(text).not.to.contain('I-1');
    });

    it('parts of one split share the invoice: one part financed, a sibling is refused until the lien is released by payment', async () => {
      await world.confirmed('R-1', '900');
      await world.split('R-1', [['R-1a', '600'], ['R-1b', '300']]);
      await world.requestFinancing('R-1a');
      await world.finance('R-1a');
      await refusedUnchanged(() => world.requestFinancing('R-1b', 'BANK2'), ErrorCode.LienExists);
      ledger().setNow('2026-09-01T09:00:00Z');
      await world.mature('R-1a');
      await world.pay('R-1a');
      expect((await world.requestFinancing('R-1b', 'BANK2')).state).to.equal('financing-requested');
      expect((await world.finance('R-1b', Rcv.bank2)).state).to.equal('financed');
    });

    it('financing writes the lien keys of the receivable and every invoice it carries; payment deletes them', async () => {
      const invoices = [receivableInvoiceKey('INV-A'), receivableInvoiceKey('INV-B')].sort();
      await world.confirmed('R-1', '10', { invoiceKeys: invoices });
      await world.requestFinancing('R-1');
      await world.finance('R-1');
      const lienKeys = () => [...ledger().state.keys()].filter((k) => k.includes('rcv~lien') || k.includes('rcv~ilien'));
      expect(lienKeys()).to.have.length(3);
      for (const invoice of invoices) expect(lienKeys().some((k) => k.includes(invoice))).to.equal(true);
      ledger().setNow('2026-09-01T09:00:00Z');
      await world.mature('R-1');
      await world.pay('R-1');
      expect(lienKeys()).to.deep.equal([]);
    });

    it('a financed receivable is locked: no split, transfer or second request', async () => {
      await world.confirmed('R-1', '10');
      await world.requestFinancing('R-1');
      await refusedUnchanged(() => world.split('R-1', [['x-a', '5'], ['x-b', '5']]), ErrorCode.InvalidStateTransition, 'it is financing-requested');
      await world.finance('R-1');
      await refusedUnchanged(() => world.transfer('R-1', 'SUP2'), ErrorCode.InvalidStateTransition, 'it is financed');
      await refusedUnchanged(() => world.requestFinancing('R-1', 'BANK2'), ErrorCode.InvalidStateTransition, 'it is financed');
    });

    it('a withdrawn or declined request returns the receivable to its holder, movable again', async () => {
      await world.confirmed('R-1', '10');
      await world.requestFinancing('R-1');
      const withdrawn = await world.call<ReceivableRecord>(Rcv.supplier1, (ctx) => contract().WithdrawReceivableFinancing(ctx, 'R-1'));
      expect(withdrawn.state).to.equal('confirmed');
      expect(withdrawn.bankId).to.equal(undefined);
      await world.transfer('R-1', 'SUP2');
      await world.requestFinancing('R-1', 'BANK2', Rcv.supplier2);
      const declined = await world.call<ReceivableRecord>(Rcv.bank2, (ctx) => contract().DeclineReceivableFinancing(ctx, 'R-1', JSON.stringify({ reason: 'CREDIT_POLICY' })));
      expect(declined).to.include({ state: 'transferred', reason: 'CREDIT_POLICY' });
      // The bank that declined no longer sees it.
      await expectLedgerError(world.get('R-1', Rcv.bank2), ErrorCode.NotFound, 'receivable R-1 does not exist');
    });
  });

  describe('maturity, overdue, default and recourse', () => {
    beforeEach(async () => {
      await world.confirmed('R-1', '100');
      await world.transfer('R-1', 'SUP2');
      await world.requestFinancing('R-1', 'BANK1', Rcv.supplier2);
      await world.finance('R-1');
    });

    it('matures on the maturity date, not before; is overdue only after it', async () => {
      ledger().setNow('2026-08-31T23:59:00Z');
      await refusedUnchanged(() => world.mature('R-1'), ErrorCode.InvalidStateTransition, 'matures on 2026-09-01');
      ledger().setNow('2026-09-01T00:00:00Z');
      await world.mature('R-1', Rcv.bank1);
      await refusedUnchanged(() => world.call(Rcv.bank1, (ctx) => contract().MarkReceivableOverdue(ctx, 'R-1')), ErrorCode.InvalidStateTransition, 'due on 2026-09-01');
      ledger().setNow('2026-09-02T00:00:00Z');
      expect((await world.call<ReceivableRecord>(Rcv.bank1, (ctx) => contract().MarkReceivableOverdue(ctx, 'R-1'))).state).to.equal('overdue');
    });

    it('defaults and turns to an earlier holder; the lien bank may turn to the holder it financed; nobody outside the chain', async () => {
      ledger().setNow('2026-09-05T00:00:00Z');
      await world.mature('R-1');
      await world.call(Rcv.supplier2, (ctx) => contract().MarkReceivableOverdue(ctx, 'R-1'));
      await refusedUnchanged(() => world.call(Rcv.supplier1, (ctx) => contract().DefaultReceivable(ctx, 'R-1', JSON.stringify({ reason: 'UNPAID' }))), ErrorCode.Forbidden);
      expect((await world.call<ReceivableRecord>(Rcv.bank1, (ctx) => contract().DefaultReceivable(ctx, 'R-1', JSON.stringify({ reason: 'UNPAID' })))).state).to.equal('defaulted');
      await refusedUnchanged(() => world.call(Rcv.bank1, (ctx) => contract().RecordReceivableRecourse(ctx, 'R-1', JSON.stringify({ againstId: 'ENT1' }))), ErrorCode.InvalidArgument, 'no earlier holder');
      await refusedUnchanged(() => world.call(Rcv.supplier2, (ctx) => contract().RecordReceivableRecourse(ctx, 'R-1', JSON.stringify({ againstId: 'SUP2' }))), ErrorCode.InvalidArgument, 'no earlier holder');
      const recourse = await world.call<ReceivableRecord>(Rcv.bank1, (ctx) => contract().RecordReceivableRecourse(ctx, 'R-1', JSON.stringify({ againstId: 'SUP2' })));
      expect(recourse).to.include({ state: 'recourse', recourseAgainstId: 'SUP2' });
      await refusedUnchanged(() => world.pay('R-1'), ErrorCode.InvalidStateTransition, 'it is recourse');
    });

    it('an overdue receivable may still be paid; only the obligor records payment', async () => {
      ledger().setNow('2026-09-05T00:00:00Z');
      await world.mature('R-1');
      await world.call(Rcv.bank1, (ctx) => contract().MarkReceivableOverdue(ctx, 'R-1'));
      for (const who of [Rcv.supplier2, Rcv.bank1, Rcv.supplier1]) await refusedUnchanged(() => world.pay('R-1', who), ErrorCode.Forbidden);
      expect((await world.pay('R-1')).payment?.payeeId).to.equal('BANK1');
    });
  });

  describe('who may do what', () => {
    it("the regulator reads the receivable statistics from the records' clear fields; a party or the operator is refused", async () => {
      await world.confirmed('S-1', '10');
      await world.requestFinancing('S-1', 'BANK1');
      await world.finance('S-1');
      await world.register('S-2');
      const stats = await world.call<ReceivableStats>(Who.regulator1, (ctx) => contract().GetReceivableStatistics(ctx));
      expect(stats).to.include({ total: 2, parts: 1, financed: 1, financedShare: 1, activeLiens: 1 });
      expect(stats.banks).to.deep.equal([{ bankId: 'BANK1', financed: 1, activeLiens: 1, requested: 0 }]);
      for (const who of [Rcv.supplier1, Rcv.obligor, Rcv.bank1, Who.auditor1, Who.admin]) {
        await refusedUnchanged(() => contract().GetReceivableStatistics(ledger().as(who)), ErrorCode.Forbidden);
      }
    });

    it('only a client-signer registers, as the creditor; a bank, firm, regulator or admin is refused', async () => {
      for (const who of [Rcv.bank1, Who.auditor1, Who.regulator1, Who.admin, Who.registrar1]) {
        await refusedUnchanged(() => world.register('W-1', '10', {}, who), ErrorCode.Forbidden);
      }
      await refusedUnchanged(() => world.register('W-1', '10', { terms: { ciphertext: fakeJwe('ENT1', 'ENT1'), contentHash: HASH_A } }, Rcv.obligor), ErrorCode.InvalidArgument, 'its own obligor');
    });

    it('only the obligor confirms or rejects: the creditor is FORBIDDEN, a stranger NOT_FOUND', async () => {
      await world.register('W-1');
      await refusedUnchanged(() => world.confirm('W-1', Rcv.supplier1), ErrorCode.Forbidden);
      await refusedUnchanged(() => world.confirm('W-1', Rcv.supplier2), ErrorCode.NotFound, 'receivable W-1 does not exist');
      // A bank's certificate never acts as an enterprise: refused by role, before any record is read.
      await refusedUnchanged(() => world.confirm('W-1', Rcv.bank1), ErrorCode.Forbidden, 'needs the role client-signer');
      await refusedUnchanged(() => contract().RejectReceivable(ledger().as(Rcv.supplier1), 'W-1', JSON.stringify({ reason: 'X_Y' })), ErrorCode.Forbidden);
      await refusedUnchanged(() => contract().CancelReceivable(ledger().as(Rcv.obligor), 'W-1'), ErrorCode.Forbidden);
    });

    it('only the holder splits, transfers or asks for financing — not the obligor, not a former holder, not a stranger', async () => {
      await world.confirmed('W-1', '10');
      for (const [who, code] of [[Rcv.obligor, ErrorCode.Forbidden], [Rcv.supplier2, ErrorCode.NotFound], [Rcv.bank1, ErrorCode.Forbidden]] as [TestIdentity, ErrorCode][]) {
        await refusedUnchanged(() => world.split('W-1', [['W-a', '5'], ['W-b', '5']], ['ENT1', 'SUP1'], who), code);
        await refusedUnchanged(() => world.transfer('W-1', 'SUP2', who), code);
        await refusedUnchanged(() => world.requestFinancing('W-1', 'BANK1', who), code);
      }
      await world.transfer('W-1', 'SUP2');
      await refusedUnchanged(() => world.transfer('W-1', 'SUP1', Rcv.supplier1, ['ENT1', 'SUP1']), ErrorCode.Forbidden, 'SUP1 may not do this');
      await refusedUnchanged(() => world.split('W-1', [['W-a', '5'], ['W-b', '5']]), ErrorCode.Forbidden);
      await refusedUnchanged(() => world.requestFinancing('W-1', 'BANK1', Rcv.supplier1), ErrorCode.Forbidden);
    });

    it('a transfer goes to another registered enterprise whose key the terms are sealed to — not the obligor, not a bank, not itself', async () => {
      await world.confirmed('W-1', '10');
      await refusedUnchanged(() => world.transfer('W-1', 'ENT1'), ErrorCode.InvalidArgument, 'obligor cannot hold');
      await refusedUnchanged(() => world.transfer('W-1', 'SUP1'), ErrorCode.InvalidArgument, 'holder already');
      await refusedUnchanged(() => world.transfer('W-1', 'BANK1'), ErrorCode.InvalidArgument, 'transfer.toId');
      await refusedUnchanged(() => world.transfer('W-1', 'NOBODY'), ErrorCode.InvalidArgument, 'transfer.toId');
      await refusedUnchanged(() => world.transfer('W-1', 'SUP2', Rcv.supplier1, ['ENT1', 'SUP1']), ErrorCode.RecipientsRefused, 'no key of SUP2');
    });

    it('only the requested bank finances or declines; another bank does not even see the request', async () => {
      await world.confirmed('W-1', '10');
      await refusedUnchanged(() => world.requestFinancing('W-1', 'SUP2'), ErrorCode.InvalidArgument, 'request.bankId');
      await refusedUnchanged(() => world.requestFinancing('W-1', 'BANK1', Rcv.supplier1, ['ENT1', 'SUP1']), ErrorCode.RecipientsRefused, 'no key of BANK1');
      await world.requestFinancing('W-1', 'BANK1');
      await refusedUnchanged(() => world.finance('W-1', Rcv.bank2), ErrorCode.NotFound, 'receivable W-1 does not exist');
      await refusedUnchanged(() => world.call(Rcv.bank2, (ctx) => contract().DeclineReceivableFinancing(ctx, 'W-1', JSON.stringify({ reason: 'NO' }))), ErrorCode.NotFound);
      await refusedUnchanged(() => world.finance('W-1', Rcv.supplier1), ErrorCode.Forbidden);
      await refusedUnchanged(() => world.finance('W-1', Who.reviewer1), ErrorCode.Forbidden);
      expect((await world.finance('W-1', Who.officer2)).lien?.by).to.equal(Who.officer2.id);
    });

    it('maturity by the obligor, holder or lien bank only', async () => {
      await world.confirmed('W-1', '10');
      ledger().setNow('2026-09-01T09:00:00Z');
      await refusedUnchanged(() => world.mature('W-1', Rcv.supplier2), ErrorCode.NotFound);
      await refusedUnchanged(() => world.mature('W-1', Rcv.bank1), ErrorCode.NotFound);
      expect((await world.mature('W-1', Rcv.supplier1)).state).to.equal('matured');
    });

    it('reads: the parties, former holders and the regulator; a stranger gets the unknown-id refusal; an auditor is refused by role', async () => {
      await world.confirmed('W-1', '10');
      await world.transfer('W-1', 'SUP2');
      for (const who of [Rcv.obligor, Rcv.supplier1, Rcv.supplier2, Who.regulator1]) expect((await world.get('W-1', who)).id).to.equal('W-1');
      for (const who of [Rcv.bank1, Who.client1]) await expectLedgerError(world.get('W-1', who), ErrorCode.NotFound, 'receivable W-1 does not exist');
      await expectLedgerError(world.get('W-404', Rcv.supplier1), ErrorCode.NotFound, 'receivable W-404 does not exist');
      await expectLedgerError(world.get('W-1', Who.auditor1), ErrorCode.Forbidden);
    });

    it('lists: each party its own, by state; the regulator any party; a bookmark from another range is refused', async () => {
      await world.confirmed('W-1', '10');
      await world.register('W-2', '10', {}, Rcv.supplier2);
      const list = (who: TestIdentity, state = '') => world.call<{ records: ReceivableRecord[] }>(who, (ctx) => contract().ListReceivables(ctx, state, '10', ''));
      expect((await list(Rcv.obligor)).records.map((r) => r.id)).to.deep.equal(['W-1', 'W-2']);
      expect((await list(Rcv.obligor, 'registered')).records.map((r) => r.id)).to.deep.equal(['W-2']);
      expect((await list(Rcv.supplier1)).records.map((r) => r.id)).to.deep.equal(['W-1']);
      expect((await list(Rcv.bank1)).records).to.deep.equal([]);
      const ofParty = await world.call<{ records: ReceivableRecord[] }>(Who.regulator1, (ctx) => contract().ListReceivablesOfParty(ctx, 'SUP2', '', '10', ''));
      expect(ofParty.records.map((r) => r.id)).to.deep.equal(['W-2']);
      await expectLedgerError(contract().ListReceivablesOfParty(ledger().as(Rcv.supplier1), 'SUP2', '', '10', ''), ErrorCode.Forbidden);
      await expectLedgerError(contract().ListReceivables(ledger().as(Rcv.supplier1), '', '10', '\u0000rcv~party~state~id\u0000SUP2\u0000'), ErrorCode.InvalidArgument, 'bookmark');
      await expectLedgerError(contract().ListReceivables(ledger().as(Rcv.supplier1), 'lost', '10', ''), ErrorCode.InvalidArgument, 'state');
    });
  });

  describe("the client's auditors (cross-checks, issue 14)", () => {
    const grant = (who: TestIdentity, firmId = 'FIRM1', validUntil = '2026-12-31') =>
      contract().GrantAuditorReceivableAccess(ledger().as(who), JSON.stringify({ firmId, validUntil }));
    const listOf = (who: TestIdentity, clientId = 'SUP1') => world.call<{ records: ReceivableRecord[] }>(who, (ctx) => contract().ListReceivablesOfClient(ctx, clientId, '10', ''));
    const refusedList = (who: TestIdentity, clientId = 'SUP1') => expectLedgerError(contract().ListReceivablesOfClient(ledger().as(who), clientId, '10', ''), ErrorCode.Forbidden);

    beforeEach(async () => {
      await world.confirmed('A-1', '10');
      await world.requestFinancing('A-1', 'BANK1');
      await world.finance('A-1', Rcv.bank1);
    });

    it('an auditor lists the client’s receivables, lien included, only with the client’s current grant; amounts stay sealed', async () => {
      await expectLedgerError(contract().ListReceivablesOfClient(ledger().as(Who.auditor1), 'SUP1', '10', ''), ErrorCode.Forbidden, 'SUP1 has not granted FIRM1 current access to its receivables');
      const access = await world.call<Record<string, string>>(Rcv.supplier1, (ctx) => contract().GrantAuditorReceivableAccess(ctx, JSON.stringify({ firmId: 'FIRM1', validUntil: '2026-12-31' })));
      expect(access).to.include({ clientId: 'SUP1', firmId: 'FIRM1', validUntil: '2026-12-31', grantedBy: Rcv.supplier1.id });
      const page = await listOf(Who.auditor1);
      expect(page.records.map((r) => [r.id, r.holderId, r.lien?.bankId])).to.deep.equal([['A-1', 'SUP1', 'BANK1']]);
      // Still sealed to the parties alone: no key of FIRM1 among its recipients.
      expect(page.records[0].terms.ciphertext).not.to.contain('FIRM1');
      // The grant is to list, not to read one by id (GetReceivable stays the parties').
      await expectLedgerError(world.get('A-1', Who.auditor1), ErrorCode.Forbidden);
    });

    it('refuses an auditor of a firm the client did not grant', async () => {
      await grant(Rcv.supplier1);
      await refusedList(Who.firm2auditor);
    });

    it('refuses the granted firm for another client than the one that granted', async () => {
      await grant(Rcv.supplier1);
      await refusedList(Who.auditor1, 'ENT1');
    });

    it('refuses once the grant has lapsed (its last day is inclusive)', async () => {
      await grant(Rcv.supplier1, 'FIRM1', '2026-03-10');
      ledger().setNow('2026-03-10T23:00:00Z');
      expect((await listOf(Who.auditor1)).records).to.have.length(1);
      ledger().setNow('2026-03-11T00:00:01Z');
      await refusedList(Who.auditor1);
    });

    it('refuses once the client revoked the grant', async () => {
      await grant(Rcv.supplier1);
      await contract().RevokeAuditorReceivableAccess(ledger().as(Rcv.supplier1), 'FIRM1');
      await refusedList(Who.auditor1);
    });

    it('refuses a grant from anyone but a client signer, to anyone but an active audit firm, or already lapsed; writes nothing', async () => {
      for (const who of [Rcv.bank1, Who.auditor1, Who.regulator1, Who.admin]) await refusedUnchanged(() => grant(who), ErrorCode.Forbidden);
      await refusedUnchanged(() => grant(Rcv.supplier1, 'BANK1'), ErrorCode.InvalidArgument, 'access.firmId');
      await refusedUnchanged(() => grant(Rcv.supplier1, 'NOBODY'), ErrorCode.InvalidArgument, 'access.firmId');
      await refusedUnchanged(() => grant(Rcv.supplier1, 'FIRM1', '2026-03-01'), ErrorCode.InvalidArgument, 'validUntil');
      await refusedUnchanged(() => contract().GrantAuditorReceivableAccess(ledger().as(Rcv.supplier1), JSON.stringify({ firmId: 'FIRM1', validUntil: '2026-12-31', clientId: 'ENT1' })), ErrorCode.InvalidArgument, 'clientId');
    });

    it('the parties themselves and banks may not list another’s receivables this way; the regulator may, without a grant', async () => {
      await grant(Rcv.supplier1);
      for (const who of [Rcv.supplier1, Rcv.obligor, Rcv.bank1, Who.reviewer1]) await refusedList(who);
      expect((await listOf(Who.regulator1)).records.map((r) => r.id)).to.deep.equal(['A-1']);
    });
  });

  describe('validation (nothing written on refusal)', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['a maturity before the issue date', { issueDate: '2026-03-01', maturityDate: '2026-02-28' }, 'maturityDate'],
      ['an issue date after the transaction date', { issueDate: '2026-03-03', maturityDate: '2026-09-01' }, 'issueDate'],
      ['no invoice', { invoiceKeys: [] }, 'invoiceKeys'],
      ['an invoice named twice', { invoiceKeys: [SHARED_INVOICE, SHARED_INVOICE] }, 'invoiceKeys'],
      ['an invoice number in the clear', { invoiceKeys: ['3100261130 00012345'] }, 'invoiceKeys[0]'],
      ['an unregistered obligor', { obligorId: 'NOBODY' }, 'obligorId'],
      ['a bank as obligor', { obligorId: 'BANK1' }, 'obligorId'],
      ['a currency that is not ISO 4217', { currency: 'yuan' }, 'currency'],
      ['an amount hash that is not a hash', { amountHash: '1000000' }, 'amountHash'],
      ['plaintext terms', { terms: { ciphertext: '{"amount":"1000000"}', contentHash: HASH_A } }, 'terms.ciphertext'],
      ['an amount in the clear (unknown field)', { amount: '1000000' }, 'amount'],
    ];
    for (const [what, overrides, field] of cases) {
      it(`refuses ${what}`, async () => {
        const input = { ...world.registration('V-1', '10'), ...overrides };
        await refusedUnchanged(() => contract().RegisterReceivable(ledger().as(Rcv.supplier1), JSON.stringify(input)), ErrorCode.InvalidArgument, field);
      });
    }

    // Terms sealed to exactly the creditor and the obligor at registration (models/sealing.ts).
    for (const [what, sealedTo, message] of [
      ['terms the obligor could not read', ['SUP1'], 'no key of ENT1'],
      ['terms sealed to a bank beside the parties', ['SUP1', 'ENT1', 'BANK1'], 'BANK1-enc-1, which is none of'],
      ['terms sealed to another supplier beside the parties', ['SUP1', 'ENT1', 'SUP2'], 'SUP2-enc-1, which is none of'],
    ] as const) {
      it(`refuses ${what} (RECIPIENTS_REFUSED)`, async () => {
        const input = { ...world.registration('V-1', '10'), terms: { ciphertext: fakeJwe(...sealedTo), contentHash: HASH_A } };
        await refusedUnchanged(() => contract().RegisterReceivable(ledger().as(Rcv.supplier1), JSON.stringify(input)), ErrorCode.RecipientsRefused, message);
      });
    }

    it('refuses a receivable id twice', async () => {
      await world.register('V-1');
      await refusedUnchanged(() => world.register('V-1'), ErrorCode.AlreadyExists, 'V-1');
    });

    it('normalizes invoice keys: one invoice written two ways is one lien key, sorted the same on every endorser', async () => {
      expect(receivableInvoiceKey('3100261130 00012345')).to.equal(receivableInvoiceKey('310026113000012345'));
      const keys = [receivableInvoiceKey('b'), receivableInvoiceKey('a')];
      const record = await world.register('V-2', '10', { invoiceKeys: keys });
      expect(record.invoiceKeys).to.deep.equal([...keys].sort());
    });
  });
});
