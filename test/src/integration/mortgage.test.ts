import { mortgageCertificateKey, mortgageUnitKey, sha256Hex, type Encumbrance, type MortgageApplicationInput, type MortgageView, type TransactionName } from '@econfirm/common';
import { chainInfo, evaluate, LedgerCallError, type LedgerSession } from '@econfirm/sdk';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { ensureDemoInstitution, freshRegistrationId, registerFresh, type HeldInstitution } from '../support/institutions';
import { open, recipientOf, seal } from '../support/letters';
import { refused, SuiteLedger, type Who } from '../support/ledger-calls';
import { networkScript, REPO_ROOT, uniqueName, withLedger } from '../support/network';

/**
 * On the real network: mortgage registrations (chaincode/src/contracts/mortgage-contract.ts) from
 * application to discharge, priority on a unit, the registry-only rule and its maker–checker
 * (registrar prepares, registry reviewer approves), the certificate-number race
 * across two peers, the encumbrance query's consent, and the sealed content. Each run registers its
 * own client and second bank, so the suite runs again on a reused network.
 */

const ADMIN: Who = ['operator', 'admin'];
const OFFICER: Who = ['bank1', 'mortgage-officer1'];
const CONFIRMATION_OFFICER: Who = ['bank1', 'officer1'];
const REGISTRAR: Who = ['operator', 'registrar1'];
const REVIEWER: Who = ['operator', 'registry-reviewer1'];
const STRANGER: Who = ['firm1', 'auditor1'];

const calls = new SuiteLedger();
const submit = <T>(who: Who, tx: TransactionName<'mortgage'>, args: string[], gatewayOrg?: string): Promise<T> => calls.submit<T>('mortgage', who, tx, args, undefined, gatewayOrg);
const read = <T>(who: Who, tx: TransactionName<'mortgage'>, ...args: string[]): Promise<T> => calls.read<T>('mortgage', who, tx, ...args);

describe('mortgage registrations on the real network (issue 12)', function () {
  this.timeout(180_000);
  const run = uniqueName('mtg');
  const tag = run.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  // Distinctive values that must never appear in a block in the clear.
  const mortgagorName = `测试抵押人${randomBytes(4).toString('hex')}`;
  const securedPrincipal = `${3_000_000 + (randomBytes(2).readUInt16BE() % 900_000)}.37`;
  const unitNumber = `110105012003GB${randomBytes(3).toString('hex').toUpperCase()}F0001${tag.slice(-4)}`;
  const unitKey = mortgageUnitKey(unitNumber);
  let bank: HeldInstitution;
  let registry: HeldInstitution;
  let client: HeldInstitution;
  let otherBank: HeldInstitution;
  let clientSigner: Who;
  let otherOfficer: Who;
  let firstBlock = 0n;
  let seq = 0;

  before(async function () {
    const held = await withLedger(ADMIN[0], ADMIN[1], async (ledger: LedgerSession) => {
      firstBlock = (await chainInfo(ledger.network)).height;
      // The stranger's firm must be a registered institution, party to nothing here.
      await ensureDemoInstitution(ledger, 'FIRM1');
      return {
        bank: await ensureDemoInstitution(ledger, 'BANK1'),
        registry: await ensureDemoInstitution(ledger, 'MREG1'),
        client: await registerFresh(ledger, { id: `MC-${tag}`, kind: 'client', mspId: 'OperatorMSP', nameZh: '抵押测试客户有限公司', nameEn: `Mortgage Client ${tag}`, registrationId: freshRegistrationId('91M') }),
        // A second bank, under the peerless Bank2MSP (see confirmation-lifecycle.test.ts).
        otherBank: await registerFresh(ledger, { id: `MB2-${tag}`, kind: 'bank', mspId: 'Bank2MSP', nameZh: '第二抵押测试银行', nameEn: `Second Mortgage Bank ${tag}`, registrationId: freshRegistrationId('B3') }),
      };
    });
    ({ bank, registry, client, otherBank } = held);
    const signer = uniqueName('mcs');
    const officer = uniqueName('mb2off');
    networkScript('identity.sh', 'issue', 'operator', signer, 'client-signer', client.record.id);
    networkScript('identity.sh', 'issue', 'bank2', officer, 'mortgage-officer', otherBank.record.id);
    clientSigner = ['operator', signer];
    otherOfficer = ['bank2', officer];
  });

  async function file(mortgagee: HeldInstitution, who: Who, unit = unitKey): Promise<MortgageView> {
    seq += 1;
    const content = { unitNumber, location: '北京市朝阳区测试路1号', mortgagors: [{ name: mortgagorName }], securedPrincipal, currency: 'CNY' };
    const input: MortgageApplicationInput = {
      id: `MTG-${run}-${seq}`,
      registryId: registry.record.id,
      unitKey: unit,
      propertyType: 'residential',
      mortgageType: 'ordinary',
      debtTermStart: '2026-01-01',
      debtTermEnd: '2046-01-01',
      preRegistration: false,
      mortgagorIds: [client.record.id],
      consentHash: sha256Hex(randomBytes(32)),
      application: await seal(content, [recipientOf(mortgagee.record), recipientOf(registry.record), recipientOf(client.record)]),
    };
    return submit<MortgageView>(who, 'FileMortgageApplication', [JSON.stringify(input)]);
  }

  async function registration(certificateNumber: string, mortgagee: HeldInstitution): Promise<string> {
    const certificate = await seal({ certificateNumber, right: '抵押权', mortgagee: mortgagee.record.nameZh }, [recipientOf(mortgagee.record), recipientOf(registry.record), recipientOf(client.record)]);
    return JSON.stringify({ certificateKey: mortgageCertificateKey(certificateNumber), certificate });
  }

  /** The registrar prepares, the registry reviewer approves: the approved record. */
  async function register(id: string, registrationJson: string): Promise<MortgageView> {
    expect((await submit<MortgageView>(REGISTRAR, 'RegisterMortgage', [id, registrationJson])).state).to.equal('registration-in-review');
    return submit<MortgageView>(REVIEWER, 'ApproveMortgageStep', [id]);
  }

  let first: MortgageView;
  let second: MortgageView;

  it('two mortgages on one unit get priorities 1 and 2 in registration order', async function () {
    first = await file(bank, OFFICER);
    second = await file(otherBank, otherOfficer);
    expect(first.state).to.equal('applied');
    expect((await register(first.id, await registration(`京(2026)朝阳区不动产证明第${tag}1号`, bank))).priority).to.equal(1);
    expect((await register(second.id, await registration(`京(2026)朝阳区不动产证明第${tag}2号`, otherBank))).priority).to.equal(2);
    // The mortgagor opens the sealed application with its own key.
    const opened = await open<{ securedPrincipal: string }>(first.application, client.keys.encryption.kid, client.keys.encryption.jwk);
    expect(opened.content.securedPrincipal).to.equal(securedPrincipal);
  });

  it("only the bank's mortgage officer files; its confirmation officer is refused", async function () {
    await refused('FORBIDDEN', file(bank, CONFIRMATION_OFFICER));
  });

  it('a registration by a bank identity is refused, and a stranger does not see the record', async function () {
    const third = await file(bank, OFFICER);
    await refused('FORBIDDEN', submit(OFFICER, 'RegisterMortgage', [third.id, await registration(`BANKMADE-${tag}`, bank)]));
    await refused('NOT_FOUND', read(STRANGER, 'GetMortgage', third.id));
    // The registrar's prepared registration: neither it nor the bank approves it.
    await submit(REGISTRAR, 'RegisterMortgage', [third.id, await registration(`京(2026)朝阳区不动产证明第${tag}3号`, bank)]);
    await refused('FORBIDDEN', submit(REGISTRAR, 'ApproveMortgageStep', [third.id]));
    await refused('FORBIDDEN', submit(OFFICER, 'ApproveMortgageStep', [third.id]));
    expect((await submit<MortgageView>(REVIEWER, 'ReturnMortgageStep', [third.id, JSON.stringify({ reason: 'TITLE_MISMATCH' })])).state).to.equal('applied');
    await refused('INVALID_STATE_TRANSITION', submit(REGISTRAR, 'DischargeMortgage', [third.id, JSON.stringify({ caseNumber: `DC-${tag}`, reason: 'repaid' })]));
  });

  it('the encumbrance query is refused without the owner’s authorization and answered with it', async function () {
    await refused('FORBIDDEN', read(otherOfficer, 'GetEncumbrances', unitKey));
    await submit(clientSigner, 'AuthorizeEncumbranceQuery', [unitKey, JSON.stringify({ bankId: otherBank.record.id, validUntil: '2099-12-31' })]);
    const answer = await read<{ encumbrances: Encumbrance[] }>(otherOfficer, 'GetEncumbrances', unitKey);
    expect(answer.encumbrances.map((e) => [e.mortgageId, e.priority, e.mortgageeId])).to.deep.equal([
      [first.id, 1, 'BANK1'],
      [second.id, 2, otherBank.record.id],
    ]);
  });

  it('the CLI shows the encumbrances in priority order to the registrar, and refuses a bank without consent', function () {
    const cli = (who: Who, ...words: string[]) =>
      spawnSync(process.execPath, [path.join(REPO_ROOT, 'clients/cli/dist/main.js'), '--as', `${who[0]}/${who[1]}`, 'mortgages', ...words], { encoding: 'utf8' });
    const shown = cli(REGISTRAR, 'encumbrances', unitNumber);
    expect(shown.status, shown.stderr).to.equal(0);
    const lines = shown.stdout.trim().split('\n');
    const ranks = lines.filter((l) => /^\d/.test(l)).map((l) => l.split(/\s+/).slice(0, 2));
    expect(ranks).to.deep.equal([['1', first.id], ['2', second.id]]);
    // The registry also sees the consent given above (without widening: no amount the bank may open yet).
    expect(lines.filter((l) => l.startsWith('consent '))).to.deep.equal([`consent ${otherBank.record.id.padEnd(12)} until 2099-12-31  amounts of: -  not yet: ${first.id}, ${second.id}`]);
    const bank = cli(OFFICER, 'encumbrances', unitNumber);
    expect(bank.status).to.equal(1);
    expect(bank.stderr).to.contain('FORBIDDEN');
    const one = cli(OFFICER, 'show', first.id);
    expect(one.status, one.stderr).to.equal(0);
    expect(JSON.parse(one.stdout)).to.include({ id: first.id, priority: 1, mortgageeId: 'BANK1' });
  });

  it('after the first is discharged the second ranks first; the discharged record is read-only', async function () {
    expect((await submit<MortgageView>(OFFICER, 'RequestMortgageDischarge', [first.id, JSON.stringify({ reason: 'repaid' })])).state).to.equal('discharge-requested');
    expect((await submit<MortgageView>(REGISTRAR, 'DischargeMortgage', [first.id, JSON.stringify({ caseNumber: `DC-${tag}-1`, reason: 'repaid' })])).state).to.equal('discharge-in-review');
    expect((await read<MortgageView>(REGISTRAR, 'GetMortgage', second.id)).priority).to.equal(2);
    const discharged = await submit<MortgageView>(REVIEWER, 'ApproveMortgageStep', [first.id]);
    expect(discharged.state).to.equal('discharged');
    expect((await read<MortgageView>(REGISTRAR, 'GetMortgage', second.id)).priority).to.equal(1);
    await refused('INVALID_STATE_TRANSITION', submit(REGISTRAR, 'DischargeMortgage', [first.id, JSON.stringify({ caseNumber: `DC-${tag}-1`, reason: 'repaid' })]));
  });

  it('a certificate number racing from two peers: exactly one registration commits, every time', async function () {
    const rounds = 10;
    for (let round = 0; round < rounds; round++) {
      const a = await file(bank, OFFICER, mortgageUnitKey(`${unitNumber}-A${round}`));
      const b = await file(bank, OFFICER, mortgageUnitKey(`${unitNumber}-B${round}`));
      const number = `RACE-${tag}-${round}`;
      // Through the operator's peer and the regulator's peer at once.
      const outcomes = await Promise.allSettled([
        submit<MortgageView>(REGISTRAR, 'RegisterMortgage', [a.id, await registration(number, bank)], 'operator'),
        submit<MortgageView>(REGISTRAR, 'RegisterMortgage', [b.id, await registration(number, bank)], 'regulator'),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won, `round ${round}`).to.have.length(1);
      // The loser either lost the MVCC race and was refused on its retry, or was endorsed after the winner committed.
      expect((lost[0].reason as LedgerCallError).code, String(lost[0].reason)).to.equal('ALREADY_EXISTS');
    }
  });

  it('the mortgagor’s name and the amount appear in no block a non-party member reads', async function () {
    const { height, blocks } = await withLedger(STRANGER[0], STRANGER[1], async (ledger) => {
      const h = (await chainInfo(ledger.network)).height;
      const raw: Buffer[] = [];
      for (let n = firstBlock; n < h; n++) raw.push(Buffer.from(await evaluate(ledger.network.getContract('qscc'), 'GetBlockByNumber', [ledger.network.getName(), n.toString()])));
      return { height: h, blocks: raw };
    });
    expect(Number(height - firstBlock)).to.be.greaterThan(10);
    for (const needle of [mortgagorName, securedPrincipal, unitNumber]) {
      expect(blocks.some((block) => block.includes(Buffer.from(needle, 'utf8'))), needle).to.equal(false);
    }
  });
});
