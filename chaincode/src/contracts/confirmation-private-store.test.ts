import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { ChaincodeStub } from 'fabric-shim';
import { canonicalJson, ConfirmationRequest, ErrorCode, Page } from '@econfirm/common';
import { ConfirmationWorld, ENGAGEMENT, fakeJwe, HASH_A, PLATFORM_TEST_KEY, replyInput } from '../testing/confirmation-world';
import { expectLedgerError } from '../testing/expect-ledger-error';
import { TestIdentity } from '../testing/fake-ledger';
import { Who } from '../testing/fixtures';
import { pseudonym } from '../state/private-ledger';
import { statsRow } from '../stats/stats-row';

const key = (type: string, attributes: string[]): string => ChaincodeStub.prototype.createCompositeKey(type, attributes);
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

const IDS = ['CF-1', 'CF-2', 'CF-3', 'CF-4', 'CF-9'];
const ENGAGEMENT_IDS = [ENGAGEMENT.id, 'ENG-OTHER'];
const PARTIES: TestIdentity[] = [Who.auditor1, Who.client1, { ...Who.client1, institution: 'CLIENT2' }, Who.officer1, Who.bank2officer, Who.firm2auditor];
const STATES = ['issued', 'authorized', 'accepted', 'replied', 'auditor-accepted', 'returned', 'client-refused', 'recalled'];

/** Five requests through every kind of step: replied and accepted, returned, refused, recalled, waiting. */
async function drive(world: ConfirmationWorld): Promise<void> {
  for (const id of ['CF-1', 'CF-3', 'CF-4']) await world.issue(id);
  await world.issue('CF-2', { addresseeId: 'BANK2', letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT1'), contentHash: HASH_A } });
  await world.issue('CF-9', { engagement: { ...ENGAGEMENT, id: 'ENG-OTHER', clientId: 'CLIENT2' }, letter: { ciphertext: fakeJwe('FIRM1', 'CLIENT2'), contentHash: HASH_A } });
  for (const id of ['CF-1', 'CF-2', 'CF-4']) await world.authorize(id);
  world.ledger.setNow('2026-03-03T02:00:00Z');
  await world.accept('CF-1');
  await world.prepare('CF-1', Who.officer1, replyInput({ conclusion: 'disagrees' }));
  await world.approve('CF-1');
  await world.auditorAccept('CF-1');
  await world.contract.BankReturn(world.ledger.as(Who.bank2officer), 'CF-2', 'MISSING_DATA', '');
  await world.contract.ClientRefuse(world.ledger.as(Who.client1), 'CF-3', 'account under dispute');
  await world.contract.Recall(world.ledger.as(Who.auditor1), 'CF-4', 'wrong branch');
  world.ledger.setNow('2026-03-20T00:00:00Z'); // CF-9 overdue
}

async function answer(call: Promise<string>): Promise<unknown> {
  try {
    return JSON.parse(await call) as unknown;
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

/** Every page of a list, records only (bookmarks are keys, which differ by store). */
async function walk(list: (bookmark: string) => Promise<string>): Promise<unknown[]> {
  const records: unknown[] = [];
  let bookmark = '';
  do {
    const page = JSON.parse(await list(bookmark)) as Page<unknown>;
    records.push(...page.records);
    bookmark = page.bookmark;
  } while (bookmark !== '');
  return records;
}

function withoutJwks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutJwks);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'jwk').map(([k, v]) => [k, withoutJwks(v)]));
}

/** What every party, the regulator and the firm's evidence read: the whole API view of the run. */
async function everything(world: ConfirmationWorld): Promise<Record<string, unknown>> {
  const c = world.contract;
  const as = (who: TestIdentity) => world.ledger.as(who);
  const seen: Record<string, unknown> = {};
  for (const who of PARTIES) {
    const name = `${who.mspId}/${who.institution ?? ''}/${who.role}`;
    for (const id of IDS) {
      seen[`${name} get ${id}`] = await answer(c.GetConfirmation(as(who), id));
      seen[`${name} history ${id}`] = await answer(c.GetConfirmationHistory(as(who), id));
    }
    for (const state of STATES) seen[`${name} state ${state}`] = await walk((b) => c.ListConfirmationsByState(as(who), state, '1', b));
    seen[`${name} overdue`] = await walk((b) => c.ListOverdueConfirmations(as(who), '1', b));
  }
  // The institutions' keys are drawn anew for each world (fixtures.ts): the evidence is compared without them.
  for (const id of IDS) seen[`evidence ${id}`] = withoutJwks(await answer(c.GetConfirmationEvidence(as(Who.auditor1), id)));
  seen['by firm'] = await walk((b) => c.ListConfirmationsByFirm(as(Who.auditor1), 'FIRM1', '2', b));
  for (const engagementId of ENGAGEMENT_IDS) seen[`by engagement ${engagementId}`] = await walk((b) => c.ListConfirmationsByEngagement(as(Who.auditor1), engagementId, '2', b));
  seen['by client'] = await walk((b) => c.ListConfirmationsByClient(as(Who.client1), 'CLIENT1', '2', b));
  seen['by addressee BANK1'] = await walk((b) => c.ListConfirmationsByAddressee(as(Who.officer1), 'BANK1', '1', b));
  seen['by addressee BANK2'] = await walk((b) => c.ListConfirmationsByAddressee(as(Who.bank2officer), 'BANK2', '1', b));
  seen.stats = await answer(c.GetRegulatorStats(as(Who.regulator1)));
  return seen;
}

/** A world with the platform key; `start`: the private store started too. Same transactions (and ids) either way. */
async function worldWith(start: boolean): Promise<ConfirmationWorld> {
  const world = await (await new ConfirmationWorld().setUp()).privateStore(start);
  if (!start) world.ledger.as(Who.admin); // the transaction StartPrivateStore takes in the other world
  return world;
}

/**
 * Issue 11, step 1 (chaincode/README.md, Need to know on the channel): once StartPrivateStore has
 * run, the confirmation ledger's records, engagements, index entries, statistics rows and versions
 * are private data of the platform collection under keyed pseudonyms; every answer of the API is
 * the one the public store gives; a peer that is not a member holds nothing of any request.
 */
describe('ConfirmationContract: the private store (StartPrivateStore)', () => {
  it('answers every read of every party, the regulator and the evidence exactly as the public store does', async () => {
    const publicWorld = await worldWith(false);
    const privateWorld = await worldWith(true);
    await drive(publicWorld);
    await drive(privateWorld);
    const expected = await everything(publicWorld);
    const actual = await everything(privateWorld);
    expect(Object.keys(actual)).to.deep.equal(Object.keys(expected));
    for (const [what, value] of Object.entries(expected)) expect(actual[what], what).to.deep.equal(value);
    // The comparison compares something: the firm's list holds the five, CF-1's history its six steps.
    expect((expected['by firm'] as { id: string }[]).map((r) => r.id)).to.deep.equal(IDS);
    expect((expected['Firm1MSP//auditor history CF-1'] as unknown[]).length).to.equal(6);
    expect(expected.stats).to.include({ total: 5 });
  });

  it('leaves a member that is not a party nothing: no request, engagement or party id in public state, and no private key whose hash it could recompute', async () => {
    const world = await worldWith(true);
    await drive(world);
    const { publicState, hashes } = world.ledger.nonMemberView();
    const secrets = [...IDS, ...ENGAGEMENT_IDS];
    for (const [k, v] of publicState) {
      for (const secret of secrets) expect(`${k} ${text(v)}`, k).to.not.include(secret);
      expect(k.startsWith('\u0000cf'), k).to.equal(false);
    }
    // The keys a stranger could guess: each record, engagement and index entry with plain ids.
    const guessable = [
      ...IDS.flatMap((id) => [key('cf', [id]), key('cfs', [id]), key('cf~firm~id', ['FIRM1', id]), key('cf~client~id', ['CLIENT1', id]), key('cf~resp~id', ['BANK1', id])]),
      ...IDS.flatMap((id) => STATES.flatMap((state) => ['FIRM1', 'CLIENT1', 'BANK1', 'BANK2'].map((party) => key('cf~party~state~id', [party, state, id])))),
      key('eng', ['FIRM1', ENGAGEMENT.id]),
      key('cf~firm~eng~id', ['FIRM1', ENGAGEMENT.id, 'CF-1']),
    ];
    const keyHashes = new Set(hashes.map((h) => h.keyHash));
    for (const guess of guessable) expect(keyHashes.has(sha256(guess)), JSON.stringify(guess)).to.equal(false);
    // Nor a value: a statistics row or an engagement holds only what a member could guess; each carries its pseudonym.
    const valueHashes = new Set(hashes.map((h) => h.valueHash));
    const records = [...world.ledger.privateState('econfirmPlatform').entries()].filter(([k]) => k.startsWith('\u0000cf\u0000')).map(([, v]) => JSON.parse(text(v)) as ConfirmationRequest);
    expect(records.map((r) => r.id).sort()).to.deep.equal(IDS);
    const guessableValues = [...records.map((r) => canonicalJson(statsRow(r))), ...ENGAGEMENT_IDS.map((id) => canonicalJson({ ...(id === ENGAGEMENT.id ? ENGAGEMENT : { ...ENGAGEMENT, id, clientId: 'CLIENT2' }), firmId: 'FIRM1' }))];
    for (const guess of guessableValues) expect(valueHashes.has(sha256(guess)), guess).to.equal(false);
    // The check could find one: the record's key under its pseudonym is there, and its value is the record.
    const recordKey = key('cf', [pseudonym(PLATFORM_TEST_KEY, 'cf', 'CF-1')]);
    expect(keyHashes.has(sha256(recordKey))).to.equal(true);
    expect(JSON.parse(text(world.ledger.privateState('econfirmPlatform').get(recordKey) ?? new Uint8Array()))).to.include({ id: 'CF-1', state: 'auditor-accepted' });
  });

  it('holds every bookmark inside the caller’s own private range', async () => {
    const world = await worldWith(true);
    await drive(world);
    const c = world.contract;
    const hostile = key('cf~party~state~id', []);
    await expectLedgerError(c.ListConfirmationsByState(world.ledger.as(Who.officer1), 'issued', '1', hostile), ErrorCode.InvalidArgument, 'bookmark');
    const firmPage = JSON.parse(await c.ListConfirmationsByFirm(world.ledger.as(Who.auditor1), 'FIRM1', '1', '')) as Page<unknown>;
    expect(firmPage.bookmark).to.not.equal('');
    await expectLedgerError(c.ListConfirmationsByClient(world.ledger.as(Who.client1), 'CLIENT1', '1', firmPage.bookmark), ErrorCode.InvalidArgument, 'bookmark');
    // Before the client's authorization the bank's inbox and lists hold nothing of the request.
    await world.issue('CF-5');
    const inbox = await walk((b) => c.ListConfirmationsByAddressee(world.ledger.as(Who.officer1), 'BANK1', '10', b));
    expect(inbox.map((r) => (r as { id: string }).id)).to.deep.equal(['CF-1', 'CF-4']); // delivered (CF-4 then recalled); CF-3 refused
    expect(await walk((b) => c.ListConfirmationsByState(world.ledger.as(Who.officer1), 'issued', '10', b))).to.deep.equal([]);
    await expectLedgerError(c.GetConfirmation(world.ledger.as(Who.officer1), 'CF-5'), ErrorCode.NotFound);
  });

  it('keeps a ledger written before it working: old requests stay public and readable, each step on them too; new ones are private; lists and statistics take both', async () => {
    const world = await (await new ConfirmationWorld().setUp()).privateStore(false);
    await world.issue('CF-OLD1');
    await world.issue('CF-OLD2');
    await world.authorize('CF-OLD1');
    expect(JSON.parse(await world.contract.StartPrivateStore(world.ledger.as(Who.admin)))).to.deep.equal({ private: true, started: true, publicRecords: true });
    // The engagement the old letters fixed still holds: a new letter of it must name its client.
    await expectLedgerError(world.issue('CF-NEW', { engagement: { ...ENGAGEMENT, clientId: 'CLIENT2' } }), ErrorCode.InvalidArgument, 'engagement');
    await world.issue('CF-NEW');
    await expectLedgerError(world.issue('CF-OLD2'), ErrorCode.AlreadyExists, 'CF-OLD2');
    await world.accept('CF-OLD1');

    const state = world.ledger.state;
    expect(JSON.parse(text(state.get(key('cf', ['CF-OLD1'])) ?? new Uint8Array()))).to.include({ state: 'accepted' });
    expect([...state.keys()].some((k) => k.includes('CF-NEW'))).to.equal(false);
    const history = JSON.parse(await world.contract.GetConfirmationHistory(world.ledger.as(Who.auditor1), 'CF-OLD1')) as { value: { state: string } }[];
    expect(history.map((h) => h.value.state)).to.deep.equal(['accepted', 'authorized', 'issued']);

    // Private first, then (through the public range's bookmark) the public ones.
    const byFirm = await walk((b) => world.contract.ListConfirmationsByFirm(world.ledger.as(Who.auditor1), 'FIRM1', '1', b));
    expect(byFirm.map((r) => (r as { id: string }).id)).to.deep.equal(['CF-NEW', 'CF-OLD1', 'CF-OLD2']);
    const inbox = await walk((b) => world.contract.ListConfirmationsByAddressee(world.ledger.as(Who.officer1), 'BANK1', '5', b));
    expect(inbox.map((r) => (r as { id: string }).id)).to.deep.equal(['CF-OLD1']);

    const allPublic = await (await new ConfirmationWorld().setUp()).privateStore(false);
    for (const id of ['CF-NEW', 'CF-OLD1', 'CF-OLD2']) await allPublic.issue(id);
    await allPublic.authorize('CF-OLD1');
    await allPublic.accept('CF-OLD1');
    const stats = JSON.parse(await world.contract.GetRegulatorStats(world.ledger.as(Who.regulator1))) as unknown;
    expect(stats).to.deep.equal(JSON.parse(await allPublic.contract.GetRegulatorStats(allPublic.ledger.as(Who.regulator1))));
    expect(stats).to.include({ total: 3 });
  });

  it('is started once, by the operator’s admin, after the pseudonym key; a refusal writes nothing', async () => {
    const world = await new ConfirmationWorld().setUp();
    const before = new Map(world.ledger.state);
    await expectLedgerError(world.contract.StartPrivateStore(world.ledger.as(Who.admin)), ErrorCode.Conflict, 'SetPseudonymKey first');
    await world.privateStore(false);
    for (const who of [Who.auditor1, Who.regulator1, Who.bankAdmin, Who.client1]) {
      await expectLedgerError(world.contract.StartPrivateStore(world.ledger.as(who)), ErrorCode.Forbidden);
    }
    expect(new Map(world.ledger.state)).to.deep.equal(before);
    expect(JSON.parse(await world.contract.StartPrivateStore(world.ledger.as(Who.admin)))).to.deep.equal({ private: true, started: true, publicRecords: false });
    const started = new Map(world.ledger.state);
    expect(JSON.parse(await world.contract.StartPrivateStore(world.ledger.as(Who.admin)))).to.deep.equal({ private: true, started: false, publicRecords: false });
    expect(new Map(world.ledger.state)).to.deep.equal(started);
  });
});
