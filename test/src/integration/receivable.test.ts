import {
  newSalt,
  paymentBatchTotalHash,
  paymentLineHash,
  receivableAmountHash,
  saltedHash,
  sha256Hex,
  type EncryptedContent,
  type Institution,
  type PaymentBatchInput,
  type PaymentBatchRecord,
  type PaymentLineOpening,
  type ReceivableRecord,
  type ReceivableStats,
} from '@econfirm/common';
import { addRecipients, chainInfo, evaluate, LedgerCallError, RegistryClient, type LedgerSession } from '@econfirm/sdk';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import * as path from 'node:path';
import { ensureDemoInstitution, freshRegistrationId, registerFresh, type HeldInstitution } from '../support/institutions';
import { open, recipientOf, seal } from '../support/letters';
import { confirmationOf, limitOf, openTerms, registrationOf, type ReceivableTerms } from '../support/receivables';
import { refused, SuiteLedger, type Who } from '../support/ledger-calls';
import { networkScript, REPO_ROOT, uniqueName, withLedger } from '../support/network';

/**
 * On the real network: receivables (chaincode/src/contracts/receivable-contract.ts) from
 * registration to payment with the sums checked at every step by the parties that may open them,
 * the double-financing race across two peers, the holder-only rule, a 500-payee batch whose total
 * the regulator verifies, and the sealed amounts and invoice numbers. Each run registers its own
 * core enterprise, suppliers and second bank, so the suite runs again on a reused network.
 */

const ADMIN: Who = ['operator', 'admin'];
const BANK1: Who = ['bank1', 'officer1'];
const REGULATOR: Who = ['regulator', 'regulator1'];
const STRANGER: Who = ['firm1', 'auditor1'];

const calls = new SuiteLedger();
const submit = calls.submit.bind(calls);
const read = calls.read.bind(calls);

describe('receivables and batch payments on the real network (issue 13)', function () {
  this.timeout(900_000);
  const run = uniqueName('rcv');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const today = new Date().toISOString().slice(0, 10);
  // Distinctive values that must never appear in a block in the clear.
  const rootAmount = `${7_000_000_000 + randomInt(900_000_000)}`;
  const invoiceNumber = `3100261130${randomInt(10_000_000, 99_999_999)}`;
  const contractNumber = `HT-${tag}-${randomBytes(3).toString('hex')}`;
  let core: HeldInstitution;
  let supplierA: HeldInstitution;
  let supplierB: HeldInstitution;
  let bank1: HeldInstitution;
  let bank2: HeldInstitution;
  let regulator: HeldInstitution;
  /** Every active regulator: what must reach the regulator is sealed to each. */
  let regulators: Institution[];
  let CORE: Who;
  let SUP_A: Who;
  let SUP_B: Who;
  let BANK2: Who;
  let firstBlock = 0n;
  /** The obligor's issued total as its software keeps it: the opening of the hash on the ledger. */
  let issued: { amount: string; salt: string } | undefined;
  let batchTotal = '';

  before(async function () {
    const held = await withLedger(ADMIN[0], ADMIN[1], async (ledger: LedgerSession) => {
      firstBlock = (await chainInfo(ledger.network)).height;
      await ensureDemoInstitution(ledger, 'FIRM1');
      const regulator = await ensureDemoInstitution(ledger, 'REGULATOR');
      const enterprise = (id: string, name: string) => registerFresh(ledger, { id, kind: 'enterprise', mspId: 'OperatorMSP', nameZh: name, nameEn: `${id} Co.`, registrationId: freshRegistrationId('91R') });
      return {
        core: await enterprise(`CORE-${tag}`, '核心企业测试集团有限公司'),
        supplierA: await enterprise(`SUPA-${tag}`, '一级供应商测试有限公司'),
        supplierB: await enterprise(`SUPB-${tag}`, '二级供应商测试有限公司'),
        bank1: await ensureDemoInstitution(ledger, 'BANK1'),
        // A second bank, under the peerless Bank2MSP (see confirmation-lifecycle.test.ts).
        bank2: await registerFresh(ledger, { id: `RB2-${tag}`, kind: 'bank', mspId: 'Bank2MSP', nameZh: '第二保理测试银行', nameEn: `Second Factoring Bank ${tag}`, registrationId: freshRegistrationId('B4') }),
        regulator,
        regulators: (await new RegistryClient(ledger).list('regulator', 100)).records.filter((r) => r.status === 'active'),
      };
    });
    ({ core, supplierA, supplierB, bank1, bank2, regulator, regulators } = held);
    const name = (prefix: string) => uniqueName(prefix);
    CORE = ['operator', name('core')];
    SUP_A = ['operator', name('supa')];
    SUP_B = ['operator', name('supb')];
    BANK2 = ['bank2', name('rb2off')];
    networkScript('identity.sh', 'issue', 'operator', CORE[1], 'client-signer', core.record.id);
    networkScript('identity.sh', 'issue', 'operator', SUP_A[1], 'client-signer', supplierA.record.id);
    networkScript('identity.sh', 'issue', 'operator', SUP_B[1], 'client-signer', supplierB.record.id);
    networkScript('identity.sh', 'issue', 'bank2', BANK2[1], 'bank-officer', bank2.record.id);
    // The platform sets the core enterprise's limit: enough for the path, the race and no more than ten times the root.
    await submit('receivable', ADMIN, 'SetReceivableLimit', [core.record.id, JSON.stringify(await limitOf((BigInt(rootAmount) * 10n).toString(), core, regulators))]);
  });

  /** The supplier registers; the terms (amount, salt, invoice) are sealed to itself and the obligor. */
  async function register(id: string, amount: string, supplier: HeldInstitution, who: Who, invoices: string[] = [invoiceNumber]): Promise<ReceivableRecord> {
    const input = await registrationOf(id, amount, supplier, core, invoices, contractNumber, today);
    return submit<ReceivableRecord>('receivable', who, 'RegisterReceivable', [JSON.stringify(input)]);
  }

  /** The obligor opens what it is asked to confirm, then confirms against its limit and issued total. */
  async function confirm(record: ReceivableRecord): Promise<ReceivableRecord> {
    const { limit } = await read<{ limit: { limit: EncryptedContent } }>('receivable', CORE, 'GetReceivableLimit', core.record.id);
    const { argument, openings, next } = await confirmationOf(record, core, limit.limit, regulators, issued);
    const confirmed = await submit<ReceivableRecord>('receivable', CORE, 'ConfirmReceivable', [record.id, argument], { openings });
    issued = next;
    return confirmed;
  }

  async function sealTerms(terms: ReceivableTerms, parties: HeldInstitution[]): Promise<EncryptedContent> {
    return seal(terms, parties.map((p) => recipientOf(p.record)));
  }

  const parts: ReceivableRecord[] = [];
  let root: ReceivableRecord;

  it('register → confirm → split into three → transfer → finance → repay, the sums checked at every step', async function () {
    root = await register(`RCV-${run}-root`, rootAmount, supplierA, SUP_A);
    expect(root).to.include({ state: 'registered', holderId: supplierA.record.id, obligorId: core.record.id });
    const confirmed = await confirm(root);
    expect(confirmed.state).to.equal('confirmed');
    // The regulator opens the obligor's issued total: exactly the confirmed amount.
    const { issued: issuedRecord } = await read<{ issued: { issued: EncryptedContent; issuedHash: string } }>('receivable', REGULATOR, 'GetReceivableLimit', core.record.id);
    const { content: total } = await open<{ amount: string; salt: string }>(issuedRecord.issued, regulator.keys.encryption.kid, regulator.keys.encryption.jwk);
    expect(total.amount).to.equal(rootAmount);
    expect(receivableAmountHash(total.amount, total.salt)).to.equal(issuedRecord.issuedHash);

    // Split 50 % / 30 % / the rest: the parts sum exactly to the root.
    const amounts = [BigInt(rootAmount) / 2n, (BigInt(rootAmount) * 3n) / 10n];
    amounts.push(BigInt(rootAmount) - amounts[0] - amounts[1]);
    const base = await openTerms(confirmed, supplierA);
    const partTerms = amounts.map((a) => ({ ...base, amount: a.toString(), salt: newSalt() }));
    const splitArg = { parts: await Promise.all(partTerms.map(async (t, i) => ({ id: `${root.id}-${i + 1}`, amountHash: receivableAmountHash(t.amount, t.salt), terms: await sealTerms(t, [supplierA, core]) }))) };
    const openings = { parent: { amount: base.amount, salt: base.salt }, parts: partTerms.map((t) => ({ amount: t.amount, salt: t.salt })) };
    const closed = await submit<ReceivableRecord>('receivable', SUP_A, 'SplitReceivable', [root.id, JSON.stringify(splitArg)], { openings });
    expect(closed.state).to.equal('split');
    for (const id of closed.childIds ?? []) parts.push(await read<ReceivableRecord>('receivable', SUP_A, 'GetReceivable', id));
    const opened = await Promise.all(parts.map((p) => openTerms(p, core)));
    expect(opened.reduce((sum, t) => sum + BigInt(t.amount), 0n).toString()).to.equal(rootAmount);
    expect(parts.map((p) => [p.rootId, p.parentId, p.state])).to.deep.equal(parts.map(() => [root.id, root.id, 'confirmed']));

    // Part 2 passes up the chain to supplier B: the terms gain B as a recipient, unchanged otherwise.
    const part2 = parts[1];
    const terms2 = { ciphertext: await addRecipients(part2.terms.ciphertext, supplierA.keys, [recipientOf(supplierB.record)]), contentHash: part2.terms.contentHash };
    const transferred = await submit<ReceivableRecord>('receivable', SUP_A, 'TransferReceivable', [part2.id, JSON.stringify({ toId: supplierB.record.id, terms: terms2 })]);
    expect(transferred).to.include({ state: 'transferred', holderId: supplierB.record.id });
    expect((await openTerms(transferred, supplierB)).amount).to.equal(amounts[1].toString());

    // B asks the second bank; the bank opens the terms and sees the amount it finances.
    const terms2b = { ciphertext: await addRecipients(transferred.terms.ciphertext, supplierB.keys, [recipientOf(bank2.record)]), contentHash: transferred.terms.contentHash };
    const requested = await submit<ReceivableRecord>('receivable', SUP_B, 'RequestReceivableFinancing', [part2.id, JSON.stringify({ bankId: bank2.record.id, terms: terms2b })]);
    expect((await openTerms(requested, bank2)).amount).to.equal(amounts[1].toString());
    const financed = await submit<ReceivableRecord>('receivable', BANK2, 'FinanceReceivable', [part2.id, JSON.stringify({ financingId: `FIN-${tag}-1` })]);
    expect(financed.state).to.equal('financed');
    expect(financed.lien).to.include({ bankId: bank2.record.id });

    // Maturity (today): the obligor pays every holder — the financed part to the bank.
    const payees: Record<string, bigint> = {};
    for (const [i, part] of parts.entries()) {
      await submit('receivable', CORE, 'MatureReceivable', [part.id]);
      const paid = await submit<ReceivableRecord>('receivable', CORE, 'RecordReceivablePayment', [part.id, JSON.stringify({ paymentHash: sha256Hex(randomBytes(32)) })]);
      expect(paid.state).to.equal('paid');
      const payee = paid.payment?.payeeId ?? '';
      payees[payee] = (payees[payee] ?? 0n) + amounts[i];
    }
    expect(payees).to.deep.equal({ [supplierA.record.id]: amounts[0] + amounts[2], [bank2.record.id]: amounts[1] });
    expect(Object.values(payees).reduce((a, b) => a + b, 0n).toString()).to.equal(rootAmount);
  });

  it('the CLI lists and shows the holder\'s receivables; a stranger is refused', function () {
    const cli = (who: Who, ...words: string[]) =>
      spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', `${who[0]}/${who[1]}`, 'receivables', ...words], { encoding: 'utf8' });
    const part2 = parts[1];
    const listed = cli(SUP_B, 'list', 'paid');
    expect(listed.status, listed.stderr).to.equal(0);
    expect(listed.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).to.deep.equal([part2.id]);
    const shown = cli(SUP_B, 'show', part2.id);
    expect(shown.status, shown.stderr).to.equal(0);
    expect(JSON.parse(shown.stdout)).to.deep.include({ id: part2.id, state: 'paid', holders: [supplierA.record.id, supplierB.record.id] });
    const stranger = cli(BANK1, 'show', part2.id);
    expect(stranger.status).to.equal(1);
    expect(stranger.stderr).to.contain('NOT_FOUND');
    // The regulator's statistics: this run's obligor counted (the paid part among its parts), a bank refused.
    const stats = cli(REGULATOR, 'statistics');
    expect(stats.status, stats.stderr).to.equal(0);
    const obligor = (JSON.parse(stats.stdout) as ReceivableStats).obligors.find((o) => o.obligorId === core.record.id);
    expect(obligor?.paid).to.be.at.least(1);
    const byBank = cli(BANK1, 'statistics');
    expect(byBank.status).to.equal(1);
    expect(byBank.stderr).to.contain('FORBIDDEN');
  });

  it('a transfer by a non-holder is refused: a former holder FORBIDDEN, a stranger to the part NOT_FOUND', async function () {
    const r = await register(`RCV-${run}-hold`, '123400', supplierA, SUP_A, [`INV-${tag}-HOLD`]);
    await confirm(r);
    const terms = await sealTerms(await openTerms(r, supplierA), [supplierA, core, supplierB]);
    await refused('NOT_FOUND', submit('receivable', SUP_B, 'TransferReceivable', [r.id, JSON.stringify({ toId: supplierB.record.id, terms })]));
    await submit('receivable', SUP_A, 'TransferReceivable', [r.id, JSON.stringify({ toId: supplierB.record.id, terms })]);
    const back = await sealTerms(await openTerms(r, supplierA), [supplierA, core]);
    await refused('FORBIDDEN', submit('receivable', SUP_A, 'TransferReceivable', [r.id, JSON.stringify({ toId: supplierA.record.id, terms: back })]));
    await refused('FORBIDDEN', submit('receivable', CORE, 'TransferReceivable', [r.id, JSON.stringify({ toId: supplierA.record.id, terms: back })]));
  });

  it('two banks financing the same invoice at the same moment through different peers: exactly one commits, 50 times', async function () {
    const rounds = 50;
    const pairs: { a: ReceivableRecord; b: ReceivableRecord }[] = [];
    // The fraud: one invoice registered twice, by two suppliers, and both confirmed.
    for (let round = 0; round < rounds; round += 10) {
      const batch = Array.from({ length: Math.min(10, rounds - round) }, (_, i) => round + i);
      const registered = await Promise.all(batch.map(async (r) => {
        const invoice = `RACE-${tag}-${r}`;
        const [a, b] = await Promise.all([
          register(`RCV-${run}-race-${r}-a`, '10000', supplierA, SUP_A, [invoice]),
          register(`RCV-${run}-race-${r}-b`, '10000', supplierB, SUP_B, [invoice]),
        ]);
        return { a, b };
      }));
      pairs.push(...registered);
    }
    for (const pair of pairs) {
      pair.a = await confirm(pair.a);
      pair.b = await confirm(pair.b);
    }
    const ask = async (r: ReceivableRecord, holder: HeldInstitution, who: Who, bank: HeldInstitution) => {
      const terms = await sealTerms(await openTerms(r, holder), [holder, core, bank]);
      return submit<ReceivableRecord>('receivable', who, 'RequestReceivableFinancing', [r.id, JSON.stringify({ bankId: bank.record.id, terms })]);
    };
    for (let i = 0; i < pairs.length; i += 10) {
      await Promise.all(pairs.slice(i, i + 10).flatMap((p) => [ask(p.a, supplierA, SUP_A, bank1), ask(p.b, supplierB, SUP_B, bank2)]));
    }
    const losers: string[] = [];
    for (const [round, pair] of pairs.entries()) {
      // Bank 1 through its own peer, bank 2 through the regulator's, at once.
      const outcomes = await Promise.allSettled([
        submit<ReceivableRecord>('receivable', BANK1, 'FinanceReceivable', [pair.a.id, JSON.stringify({ financingId: `FIN-${tag}-A${round}` })], undefined, 'bank1'),
        submit<ReceivableRecord>('receivable', BANK2, 'FinanceReceivable', [pair.b.id, JSON.stringify({ financingId: `FIN-${tag}-B${round}` })], undefined, 'regulator'),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won, `round ${round}: ${lost.map((l) => String(l.reason)).join('; ')}`).to.have.length(1);
      expect((lost[0].reason as LedgerCallError).code, String(lost[0].reason)).to.equal('LIEN_EXISTS');
      losers.push(outcomes[0].status === 'rejected' ? 'bank1' : 'bank2');
    }
    // Each round's loser really holds no lien: its receivable is still only requested.
    const last = pairs[pairs.length - 1];
    const states = [await read<ReceivableRecord>('receivable', SUP_A, 'GetReceivable', last.a.id), await read<ReceivableRecord>('receivable', SUP_B, 'GetReceivable', last.b.id)].map((r) => r.state).sort();
    expect(states).to.deep.equal(['financed', 'financing-requested']);
    console.log(`      race losers: bank1 ${losers.filter((l) => l === 'bank1').length}, bank2 ${losers.filter((l) => l === 'bank2').length}`);
  });

  it('a batch of 500 payees settles in one call; the regulator verifies its total and count; the same request again changes nothing', async function () {
    const lines: PaymentLineOpening[] = Array.from({ length: 500 }, (_, i) => ({ payeeRef: saltedHash(`6217${tag}${i}`, newSalt()), amount: String(200_000 + randomInt(800_000)), salt: newSalt() }));
    batchTotal = lines.reduce((sum, l) => sum + BigInt(l.amount), 0n).toString();
    const totalSalt = newSalt();
    const input: PaymentBatchInput = {
      id: `PB-${run}`,
      payerId: core.record.id,
      currency: 'CNY',
      count: lines.length,
      totalHash: paymentBatchTotalHash(batchTotal, lines.length, 'CNY', totalSalt),
      instructionHash: saltedHash(`instruction ${run}`, newSalt()),
      summary: await seal({ total: batchTotal, count: lines.length, currency: 'CNY', salt: totalSalt }, [recipientOf(core.record), recipientOf(bank1.record), ...regulators.map(recipientOf)]),
      lines: await seal(lines, [recipientOf(core.record), recipientOf(bank1.record)]),
    };
    const settle = () => submit<PaymentBatchRecord>('payment-batch', BANK1, 'SettlePaymentBatch', [JSON.stringify(input)], { lines: { lines, totalSalt } });
    const record = await settle();
    expect(record).to.include({ count: 500, payerId: core.record.id, bankId: 'BANK1' });
    // The regulator opens the summary with its own key and recomputes the commitment.
    const seen = await read<PaymentBatchRecord>('payment-batch', REGULATOR, 'GetPaymentBatch', input.id);
    const { content: summary } = await open<{ total: string; count: number; currency: string; salt: string }>(seen.summary, regulator.keys.encryption.kid, regulator.keys.encryption.jwk);
    expect(summary).to.include({ total: batchTotal, count: 500 });
    expect(paymentBatchTotalHash(summary.total, summary.count, summary.currency, summary.salt)).to.equal(seen.totalHash);
    expect(seen.lineHashes).to.have.length(500);
    // A payee shown its line finds it.
    expect(seen.lineHashes[123]).to.equal(paymentLineHash(lines[123]));
    // The regulator cannot open the lines.
    let regulatorOpenedLines = true;
    try {
      await open(seen.lines, regulator.keys.encryption.kid, regulator.keys.encryption.jwk);
    } catch {
      regulatorOpenedLines = false;
    }
    expect(regulatorOpenedLines).to.equal(false);
    expect(await settle()).to.deep.equal(record);
    await refused('NOT_FOUND', read('payment-batch', BANK2, 'GetPaymentBatch', input.id));
  });

  it('the amounts, invoice and contract numbers appear in no block a non-party member reads', async function () {
    const { height, blocks } = await withLedger(STRANGER[0], STRANGER[1], async (ledger) => {
      const h = (await chainInfo(ledger.network)).height;
      const raw: Buffer[] = [];
      for (let n = firstBlock; n < h; n++) raw.push(Buffer.from(await evaluate(ledger.network.getContract('qscc'), 'GetBlockByNumber', [ledger.network.getName(), n.toString()])));
      return { height: h, blocks: raw };
    });
    expect(Number(height - firstBlock)).to.be.greaterThan(100);
    expect(batchTotal).to.not.equal('');
    const yuan = `${rootAmount.slice(0, -2)}.${rootAmount.slice(-2)}`;
    for (const needle of [rootAmount, yuan, invoiceNumber, contractNumber, batchTotal]) {
      expect(blocks.some((block) => block.includes(Buffer.from(needle, 'utf8'))), needle).to.equal(false);
    }
  });
});
