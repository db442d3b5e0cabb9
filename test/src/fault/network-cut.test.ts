import { chainInfo, comparePeers, type LedgerSession } from '@econfirm/sdk';
import { ConfirmationState } from '@econfirm/common';
import { expect } from 'chai';
import { bankLetterRequest } from '../support/gateway';
import { ensureDemoInstitutions } from '../support/institutions';
import { distinctiveAccountNumber } from '../support/letters';
import { session, uniqueName } from '../support/network';
import { FaultGateway, type Answer } from './support/fault-gateway';
import { auditLedger } from './support/ledger-audit';
import type { StepRecord } from './support/lifecycle-load';
import { network } from './support/processes';
import { sleep, underLoad } from './support/scenario';

/** How long the link stays cut: the issue's 30 s. */
const CUT_MS = 30_000;
/** Blocks already on the wire when the cut starts may still land: the cut org's height is read once this has passed. */
const SETTLE_MS = 3_000;
const CUT_ORG = 'bank1';
const PEER_ORGS = ['operator', 'bank1', 'firm1', 'regulator'] as const;

/** The step record of one request the test sends itself, judged with the load's records. */
function probeRecord(letterId: string, step: string, caller: string, state: ConfirmationState, key: string, answers: Answer[], startedAt: number): StepRecord {
  const last = answers[answers.length - 1] as Answer;
  const ok = last.status >= 200 && last.status < 300;
  return {
    letterId,
    step,
    caller,
    state,
    keys: [key],
    attempts: answers.length,
    outcome: ok ? 'acknowledged' : 'gave-up',
    status: last.status,
    ...(ok ? {} : { code: (last.body as { error?: { code?: string } } | null)?.error?.code ?? 'NONE' }),
    replayed: last.headers.get('idempotent-replayed') === 'true',
    startedAt,
    endedAt: Date.now(),
  };
}

/**
 * Fault suite, a network partition: bank1's peer reaches the orderers only through toxiproxy
 * (network/netcut.sh route: peer.deliveryclient.addressOverrides, which its Gateway service's
 * broadcast honours too), and under the steady lifecycle load that link is cut for 30 s — every
 * byte dropped both ways, so connections hang rather than fail — then healed. During the cut
 * bank1's peer receives no block while the others go on, and a bank1 write through the gateway is
 * not acknowledged; after it, that write's retry under the same Idempotency-Key is done once, the
 * peer catches up to the others' height, and every request is judged against the ledger as in
 * every scenario.
 */
describe('fault: one org cut off from the orderers for 30 s', function () {
  this.timeout(360_000);
  const gateway = new FaultGateway();
  const sessions = new Map<string, LedgerSession>();
  const height = async (org: string): Promise<bigint> => (await chainInfo((sessions.get(org) as LedgerSession).network)).height;

  before(async function () {
    await ensureDemoInstitutions('FIRM1', 'CLIENT1', 'BANK1', 'REGULATOR');
    await network.netcut('route', CUT_ORG);
    await gateway.start();
    for (const org of PEER_ORGS) sessions.set(org, session('regulator', 'regulator1', org));
  });

  after(async function () {
    for (const s of sessions.values()) s.close();
    await gateway.stop();
    // Whatever happened above, bank1's peer is left on its direct links and the proxy stopped.
    await network.netcut('heal', CUT_ORG).catch(() => undefined);
    await network.netcut('unroute', CUT_ORG);
  });

  it('netcut.sh refuses a second routed org, a cut of an org not routed, and an org without a peer, touching no peer', async function () {
    const pids = await Promise.all(PEER_ORGS.map((org) => network.pid(org)));
    const refusal = (verb: 'route' | 'cut', org: string): Promise<string> =>
      network.netcut(verb, org).then(
        () => 'accepted',
        (err: unknown) => (err as Error).message,
      );
    expect(await refusal('route', 'firm1')).to.contain(`peer ${CUT_ORG} is routed through the proxy already: netcut.sh unroute ${CUT_ORG} first`);
    expect(await refusal('cut', 'firm1')).to.contain('peer firm1 is not routed through the proxy: netcut.sh route firm1 first');
    expect(await refusal('route', 'client1')).to.contain("'client1' runs no peer");
    expect(await Promise.all(PEER_ORGS.map((org) => network.pid(org))), 'no peer restarted').to.deep.equal(pids);
  });

  it('bank1 ↔ orderers cut under load: no block reaches its peer, its writes wait; after the heal nothing acknowledged is lost or doubled and the peer catches up', async function () {
    // A letter authorized before the cut, whose acceptance by the bank is sent during it: its
    // endorsement works (the peers are reachable), its submit cannot reach the orderers.
    const probe = `CF-${uniqueName('netcut')}`;
    const probeRecords: StepRecord[] = [];
    const send = async (id: string, step: string, caller: string, url: string, body: object | undefined, state: ConfirmationState): Promise<Answer> => {
      const startedAt = Date.now();
      const answer = await gateway.request(caller, 'POST', url, body, { 'Idempotency-Key': `${id}:${step}` });
      probeRecords.push(probeRecord(id, step, caller, state, `${id}:${step}`, [answer], startedAt));
      return answer;
    };
    const issued = await send(probe, 'issue', 'firm1.auditor1', '/v1/confirmations', bankLetterRequest(probe, `ENG-${probe}`, distinctiveAccountNumber()), ConfirmationState.Issued);
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    const authorized = await send(probe, 'authorize', 'client1.client1', `/v1/confirmations/${probe}/authorization`, { feeConsent: true }, ConfirmationState.Authorized);
    expect(authorized.status, JSON.stringify(authorized.body)).to.equal(200);
    // bank1's peer (through the proxy, uncut) has the authorization's block.
    const firmAfterAuth = await height('firm1');
    for (let i = 0; i < 100 && (await height(CUT_ORG)) < firmAfterAuth; i++) await sleep(100);
    expect((await height(CUT_ORG)) >= firmAfterAuth, 'bank1 receives blocks through the proxy before the cut').to.equal(true);

    const during = { cutHeightFrom: 0n, cutHeightTo: 0n, othersFrom: 0n, othersTo: 0n, acceptStatus: 0, acceptCode: '', acceptSeconds: 0, firmIssued: 0 };
    let cutAt = 0;
    let healAt = 0;
    let othersAtHeal = 0n;
    let caughtUp: Promise<number> = Promise.resolve(-1);
    const { records } = await underLoad(gateway, 'network-cut-bank1', async () => {
      await network.netcut('cut', CUT_ORG);
      cutAt = Date.now();
      await sleep(SETTLE_MS);
      during.cutHeightFrom = await height(CUT_ORG);
      during.othersFrom = await height('firm1');
      // The bank's write: one attempt, answered within the cut (the gateway's submit deadline, or
      // ours); meanwhile the firm issues letters through its own peer, which reaches the orderers.
      const bankWrite = (async () => {
        const t0 = Date.now();
        const answer = await gateway.request('bank1.officer1', 'POST', `/v1/confirmations/${probe}/acceptance`, undefined, { 'Idempotency-Key': `${probe}:accept` }, CUT_MS - SETTLE_MS - 5_000);
        during.acceptStatus = answer.status;
        during.acceptCode = (answer.body as { error?: { code?: string } } | null)?.error?.code ?? '';
        during.acceptSeconds = (Date.now() - t0) / 1000;
      })();
      for (let n = 1; Date.now() < cutAt + CUT_MS - 5_000; n++) {
        const id = `${probe}-F${n}`;
        const answer = await send(id, 'issue', 'firm1.auditor1', '/v1/confirmations', bankLetterRequest(id, `ENG-${probe}`, distinctiveAccountNumber()), ConfirmationState.Issued);
        if (answer.status === 201) during.firmIssued++;
        await sleep(1000);
      }
      await bankWrite;
      const left = cutAt + CUT_MS - Date.now();
      if (left > 0) await sleep(left);
      during.cutHeightTo = await height(CUT_ORG);
      during.othersTo = await height('firm1');
      othersAtHeal = await height('operator');
      await network.netcut('heal', CUT_ORG);
      healAt = Date.now();
      // How long until bank1's peer has every block the others had at the heal.
      caughtUp = (async () => {
        while ((await height(CUT_ORG)) < othersAtHeal) {
          if (Date.now() - healAt > 120_000) return -1;
          await sleep(100);
        }
        return (Date.now() - healAt) / 1000;
      })();
    });

    // The client's retry of the bank's write under the same key, after the heal (bounded).
    const retries: Answer[] = [];
    const retryFrom = Date.now();
    for (let i = 0; i < 30; i++) {
      const answer = await gateway.request('bank1.officer1', 'POST', `/v1/confirmations/${probe}/acceptance`, undefined, { 'Idempotency-Key': `${probe}:accept` });
      retries.push(answer);
      const code = (answer.body as { error?: { code?: string } } | null)?.error?.code;
      if (answer.status !== 0 && answer.status < 500 && code !== 'IDEMPOTENCY_IN_PROGRESS') break;
      await sleep(1000);
    }
    const accepted = probeRecord(probe, 'accept', 'bank1.officer1', ConfirmationState.Accepted, `${probe}:accept`, retries, retryFrom);
    // The peer caught up: every peer at one height with the same block hashes (bounded wait).
    const catchUpSeconds = await caughtUp;
    const peers = (): Promise<Awaited<ReturnType<typeof comparePeers>>> => comparePeers(PEER_ORGS.map((org) => ({ name: org, network: (sessions.get(org) as LedgerSession).network })));
    let agreement = await peers();
    for (let i = 0; i < 60 && agreement.behind.length > 0; i++) {
      await sleep(500);
      agreement = await peers();
    }
    // Printed before any verdict, so that a failing run shows what it measured too.
    console.log(
      `      fault report: ${JSON.stringify({
        scenario: 'network-cut-bank1-detail',
        cutSeconds: (healAt - cutAt) / 1000,
        bank1Height: `${during.cutHeightFrom} → ${during.cutHeightTo} during the cut`,
        othersHeight: `${during.othersFrom} → ${during.othersTo} during the cut`,
        bankWriteDuringCut: { status: during.acceptStatus, code: during.acceptCode, seconds: during.acceptSeconds },
        firmLettersIssuedDuringCut: during.firmIssued,
        retryAfterHeal: { attempts: retries.length, status: accepted.status, replayed: accepted.replayed },
        catchUpSeconds,
        commonHeight: agreement.commonHeight,
      })}`,
    );

    // The cut really cut: bank1's peer received no block, the others went on without it, and the
    // bank's write was not acknowledged.
    expect(during.cutHeightTo, 'bank1 received no block during the cut').to.equal(during.cutHeightFrom);
    expect(during.othersTo > during.othersFrom, `the other orgs' peers went on (${during.othersFrom} → ${during.othersTo})`).to.equal(true);
    expect(during.firmIssued, "the firm's letters issued through its own peer during the cut").to.be.greaterThan(0);
    expect(during.acceptStatus >= 200 && during.acceptStatus < 300, `bank1's write during the cut was acknowledged (${during.acceptStatus})`).to.equal(false);
    // Through the load too: no write of the bank's (through bank1's peer) was acknowledged while
    // that peer was cut off, though the bank's steps were sent then (a write ordered just before
    // the cut may be acknowledged in its first moments, before SETTLE_MS).
    const bankRecords = records.filter((r) => r.caller.startsWith(`${CUT_ORG}.`));
    const ackedInCut = bankRecords.filter((r) => r.outcome === 'acknowledged' && r.endedAt > cutAt + SETTLE_MS && r.endedAt < healAt);
    expect(ackedInCut, 'bank1 writes acknowledged during the cut').to.deep.equal([]);
    const sentInCut = bankRecords.filter((r) => r.startedAt < healAt && r.endedAt > cutAt + SETTLE_MS);
    expect(sentInCut.length, 'bank1 writes were sent during the cut').to.be.greaterThan(0);

    // After the heal: the bank's retry done once, the probe letters each on the ledger once.
    expect(accepted.outcome, JSON.stringify(retries[retries.length - 1]?.body)).to.equal('acknowledged');
    const probeAudit = await auditLedger([...probeRecords, accepted]);
    expect(probeAudit.violations, probeAudit.violations.join('\n')).to.deep.equal([]);
    expect(catchUpSeconds, 'bank1 had every block the others had at the heal within 120 s').to.be.at.least(0);
    expect(agreement.behind, JSON.stringify(agreement)).to.deep.equal([]);
    expect(agreement.agree, JSON.stringify(agreement)).to.equal(true);
  });
});
