import { PLATFORM_COLLECTION, type ConfirmationView, type Institution, type IssueInput, type Page, type RegulatorStats, type TransactionName } from '@econfirm/common';
import {
  addRecipients,
  DEMO_INSTITUTIONS,
  evaluate,
  loadNetworkDescriptor,
  newInstitutionKeys,
  openLedger,
  readTransaction,
  recipientOf,
  RegistryClient,
  registrationInput,
  seal,
  submitAndWait,
  type InstitutionPrivateKeys,
  type LedgerSession,
  type NetworkDescriptor,
} from '@econfirm/sdk';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { isConfirmationStateKey, refusedByContract } from '../support/ledger-calls';
import { bankLetterContent, distinctiveAccountNumber } from '../support/letters';
import { REPO_ROOT } from '../support/network';


interface Held {
  record: Institution;
  keys: InstitutionPrivateKeys;
}

/**
 * Issue 11's migration (chaincode/README.md, Need to know on the channel): a ledger whose requests
 * were written to public state — a network deployed with ECONFIRM_PRIVATE_STORE=off, as every
 * network before the private store — is moved by the next deployment: its requests stay public
 * and readable, each step on them stays public, new requests are private from their first step,
 * and the lists, the duplicate check and the regulator's statistics take both. On a network of
 * its own, wiped afterwards.
 */
describe('the private store started on a ledger with public requests (migration), on the real network', function () {
  this.timeout(600_000);
  const netDir = path.join(REPO_ROOT, '.network-migration');
  // Beside the main network (base … base+400), the consortium (+2100), BFT (+2600) and hosts (+3200) tests.
  const base = Number(process.env.ECONFIRM_PORT_BASE ?? 7050) + 3600;
  const envWith = (privateStore: 'on' | 'off') => ({ ...process.env, ECONFIRM_NETWORK_DIR: netDir, ECONFIRM_PORT_BASE: String(base), ECONFIRM_PRIVATE_STORE: privateStore });
  /** Runs a network script; answers what it said (the scripts talk on stderr), throws when it fails. */
  const script = (privateStore: 'on' | 'off', name: string, ...args: string[]): string => {
    const run = spawnSync(path.join(REPO_ROOT, 'network', name), args, { cwd: REPO_ROOT, env: envWith(privateStore), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const said = `${run.stdout}\n${run.stderr}`;
    if (run.status !== 0) throw new Error(`network/${name} ${args.join(' ')} failed (${run.status}):\n${said.slice(-4000)}`);
    return said;
  };
  let descriptor: NetworkDescriptor;
  const sessions = new Map<string, LedgerSession>();
  const as = (orgKey: string, identityName: string): LedgerSession => {
    const key = `${orgKey}/${identityName}`;
    let ledger = sessions.get(key);
    if (!ledger) {
      ledger = openLedger({ descriptor, orgKey, identityName });
      sessions.set(key, ledger);
    }
    return ledger;
  };
  const parse = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  const submit = async <T>(who: LedgerSession, tx: TransactionName<'confirmation'>, ...args: string[]) => {
    const outcome = await submitAndWait(who.contract('confirmation'), tx, { arguments: args });
    return { transactionId: outcome.transactionId, result: parse<T>(outcome.result) };
  };
  const read = async <T>(who: LedgerSession, tx: TransactionName<'confirmation'>, ...args: string[]) => parse<T>(await evaluate(who.contract('confirmation'), tx, args));
  /** The confirmation keys transaction `txId` wrote to public state, and how many values to the platform collection. */
  const writesOf = async (txId: string) => {
    const sets = (await readTransaction(as('bank1', 'admin').network, txId)).actions.flatMap((a) => a.readWriteSets);
    return {
      publicKeys: sets.flatMap((s) => s.writes.map((w) => w.key)).filter(isConfirmationStateKey),
      privateWrites: sets.flatMap((s) => s.collections).filter((c) => c.collection === PLATFORM_COLLECTION).reduce((n, c) => n + c.writes.length, 0),
    };
  };

  let firm: Held;
  let bank: Held;
  let client: Held;
  let clientSigner: LedgerSession;
  const issueInput = async (id: string): Promise<IssueInput> => ({
    id,
    kind: 'bank-form-1',
    formId: 'bank-letter-2020',
    engagement: { id: 'ENG-MIGRATION', clientId: client.record.id, periodStart: '2025-01-01', periodEnd: '2025-12-31', asOfDate: '2025-12-31' },
    addresseeId: bank.record.id,
    feePayer: 'client',
    letter: await seal(bankLetterContent(distinctiveAccountNumber(), 'Migration Client'), [recipientOf(firm.record), recipientOf(client.record)]),
  });
  const issue = async (id: string) => submit<ConfirmationView>(as('firm1', 'auditor1'), 'Issue', JSON.stringify(await issueInput(id)));
  const authorize = async (id: string) => {
    const view = await read<ConfirmationView>(clientSigner, 'GetConfirmation', id);
    const letterCiphertext = await addRecipients(view.letter.ciphertext, client.keys, [recipientOf(bank.record)]);
    return submit<ConfirmationView>(clientSigner, 'ClientAuthorize', id, JSON.stringify({ feeConsent: true, letterCiphertext }));
  };
  const ids = (page: Page<ConfirmationView>): string[] => page.records.map((r) => r.id);
  const walk = async (list: (bookmark: string) => Promise<Page<ConfirmationView>>): Promise<string[]> => {
    const out: string[] = [];
    let bookmark = '';
    do {
      const page = await list(bookmark);
      out.push(...ids(page));
      bookmark = page.bookmark;
    } while (bookmark !== '');
    return out;
  };

  before(async function () {
    script('off', 'clean.sh');
    const up = script('off', 'up.sh');
    expect(up).to.contain('private store left unstarted (ECONFIRM_PRIVATE_STORE=off)');
    descriptor = loadNetworkDescriptor(path.join(netDir, 'network.json'));
    const registry = new RegistryClient(as('operator', 'admin'));
    const register = async (id: string): Promise<Held> => {
      const profile = DEMO_INSTITUTIONS.find((p) => p.id === id);
      if (!profile) throw new Error(`${id} is no demo institution`);
      const keys = newInstitutionKeys(id);
      return { record: (await registry.register(registrationInput(profile, keys))).institution, keys };
    };
    firm = await register('FIRM1');
    bank = await register('BANK1');
    client = await register('CLIENT1');
    await register('REGULATOR');
    script('off', 'identity.sh', 'issue', 'operator', 'migration-signer', 'client-signer', client.record.id);
    // identity.sh adds the new identity to network.json.
    descriptor = loadNetworkDescriptor(path.join(netDir, 'network.json'));
    clientSigner = as('operator', 'migration-signer');
  });
  after(function () {
    for (const ledger of sessions.values()) ledger.close();
    script('off', 'clean.sh');
  });

  it('before: requests are written to public state, as on every ledger before the private store', async function () {
    const old1 = await issue('CF-OLD-1');
    await issue('CF-OLD-2');
    const authorized = await authorize('CF-OLD-1');
    for (const txId of [old1.transactionId, authorized.transactionId]) {
      const writes = await writesOf(txId);
      expect(writes.publicKeys.length, txId).to.be.greaterThan(0);
      expect(writes.privateWrites, txId).to.equal(0);
    }
  });

  it('deploy.sh starts the private store on that ledger, saying its public requests stay', async function () {
    expect(script('on', 'deploy.sh')).to.contain('private store on (requests from before it stay public)');
    expect(await read(as('operator', 'admin'), 'StartPrivateStore')).to.deep.equal({ private: true, started: false, publicRecords: true });
  });

  it('after: an old request stays public and readable, each step on it too; a new one is private from its first step; the duplicate check sees both', async function () {
    const accepted = await submit<ConfirmationView>(as('bank1', 'officer1'), 'BankAccept', 'CF-OLD-1');
    expect(accepted.result.state).to.equal('accepted');
    expect((await writesOf(accepted.transactionId)).publicKeys.length).to.be.greaterThan(0);
    expect((await read<ConfirmationView>(as('firm1', 'auditor1'), 'GetConfirmation', 'CF-OLD-2')).state).to.equal('issued');
    const history = await read<{ value: { state: string } }[]>(as('firm1', 'auditor1'), 'GetConfirmationHistory', 'CF-OLD-1');
    expect(history.map((h) => h.value.state)).to.deep.equal(['accepted', 'authorized', 'issued']);

    const fresh = await issue('CF-NEW-1');
    const authorizedNew = await authorize('CF-NEW-1');
    for (const txId of [fresh.transactionId, authorizedNew.transactionId]) {
      const writes = await writesOf(txId);
      expect(writes.publicKeys, txId).to.deep.equal([]);
      expect(writes.privateWrites, txId).to.be.greaterThan(0);
    }
    expect(await refusedByContract('ALREADY_EXISTS', issue('CF-OLD-2'))).to.contain('CF-OLD-2');
  });

  it('lists page the private requests, then the public ones; the regulator counts both', async function () {
    const firmList = await walk(async (b) => read<Page<ConfirmationView>>(as('firm1', 'auditor1'), 'ListConfirmationsByFirm', firm.record.id, '1', b));
    expect(firmList).to.deep.equal(['CF-NEW-1', 'CF-OLD-1', 'CF-OLD-2']);
    const inbox = await walk(async (b) => read<Page<ConfirmationView>>(as('bank1', 'officer1'), 'ListConfirmationsByAddressee', bank.record.id, '10', b));
    expect(inbox).to.deep.equal(['CF-NEW-1', 'CF-OLD-1']);
    const stats = await read<RegulatorStats>(as('regulator', 'regulator1'), 'GetRegulatorStats');
    expect(stats.total).to.equal(3);
  });
});
