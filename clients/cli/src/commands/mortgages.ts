import {
  CASE_NUMBER,
  DISCHARGE_REASONS,
  INSTITUTION_ID,
  IN_REVIEW_STATES,
  ISO_DATE,
  MORTGAGE_STATES,
  MortgageState,
  MORTGAGE_UNIT_NUMBER,
  mortgageUnitKey,
  REASON_CODE,
  REQUEST_ID,
  type Encumbrance,
  type EncumbranceAmount,
  Role,
  type MortgageView,
  type Page,
  type TransactionName,
  type UnitEncumbrancesView,
} from '@econfirm/common';
import {
  activeApplications,
  encumbranceAmountOf,
  encumbranceDisclosures,
  evaluate,
  MortgageContentError,
  mortgageChange,
  mortgageRegistration,
  mortgageTransfer,
  openWithKeys,
  pendingDisclosures,
  RegistryClient,
  submitAndWait,
  type InstitutionPrivateKeys,
  type LedgerSession,
  type MortgageApplicationContent,
  type MortgagorContent,
} from '@econfirm/sdk';
import { readFileSync } from 'node:fs';

/**
 * `econfirm mortgages …`: the mortgage contract (chaincode/src/contracts/mortgage-contract.ts) read
 * as one identity of the network, and its steps that carry no content of a party's: the
 * registrar's (registration seals the certificate to the parties' registered keys here, as the
 * gateway does; a change or transfer opens the application with the registry's key file and
 * re-seals it), the registry reviewer's approval or return, the bank's discharge request, the
 * owner's consents. Sealed parts stay sealed
 * (filing, which seals names and amounts, goes through the gateway's POST /v1/mortgages).
 */
export const MORTGAGES_USAGE = `  mortgages list [state]       the caller's registrations (bank, registry queue, mortgagor), all pages
  mortgages queue              the caller's work, all pages: a registry reviewer's every review state, a registrar's
                               applications, pre-registrations and discharge requests
  mortgages show <id>          one registration with its priority
  mortgages encumbrances <unit number> [--keys <ID.keys.json>]
                               a unit's active encumbrances in priority order (a bank needs the owner's consent);
                               with your institution's key file, each amount sealed to you, checked against the ledger
  mortgages register <id> <certificate number> [remarks]      registrar: prepare the registration for review, the certificate sealed to the parties
  mortgages pre-register <id>                                 registrar: prepare the 预告登记 (when applied for) for review
  mortgages reject <id> <REASON_CODE>                         registrar: prepare the rejection (不予登记) for review
  mortgages change <id> [--debt-term-end <date>] [--amount <amount>] [--loan-contract <ref>] --keys <ID.keys.json>
                               registrar: prepare a change (变更登记) for review; the application is opened with the
                               registry's key file, changed (the amount the mortgage type secures) and re-sealed to the parties
  mortgages transfer <id> <mortgagors.json> --keys <ID.keys.json>
                               registrar: prepare a transfer (转移登记) for review; mortgagors.json lists the new owners
                               [{"name", "idNumber"?, "institutionId"?}], the application names them and is sealed to them
  mortgages discharge <id> <case number> <reason>             registrar: prepare the discharge for review (reasons: ${DISCHARGE_REASONS.join(', ')})
  mortgages approve <id>                                      registry reviewer (not the registrar who prepared it): the prepared step takes effect
  mortgages return <id> <REASON_CODE>                         registry reviewer: send it back to the registrar
  mortgages request-discharge <id> <reason>                   mortgage officer of the mortgagee, after payoff
  mortgages authorize-query <unit number> <bankId> <until> [--keys <ID.keys.json>]
                               the unit's owner (client-signer) or a registrar: a bank may see the encumbrances until
                               a date; with the owner's key file each application it opens is widened to the bank (its amount)
  mortgages disclose <unit number> --keys <ID.keys.json>
                               registrar or registry reviewer: widen each active application a bank with a current
                               consent cannot open yet (registered, changed or transferred after it) to that bank
  mortgages grant-auditor <firmId> <until> | revoke-auditor <firmId>
                               client-signer: the firm may see the client's registrations (cross-checks)`;

export class MortgageUsageError extends Error {}

const decoder = new TextDecoder();

async function read<T>(ledger: LedgerSession, transaction: TransactionName<'mortgage'>, ...args: string[]): Promise<T> {
  return JSON.parse(decoder.decode(await evaluate(ledger.contract('mortgage'), transaction, args))) as T;
}

function line(r: MortgageView): string {
  return `${r.id.padEnd(28)} ${r.state.padEnd(20)} ${String(r.priority ?? '-').padEnd(3)} ${r.mortgageeId.padEnd(12)} ${r.registryId.padEnd(8)} ${r.mortgageType.padEnd(15)} ${r.debtTermStart}..${r.debtTermEnd}`;
}

function checked(value: string | undefined, pattern: RegExp, what: string): string {
  if (value === undefined || !pattern.test(value)) throw new MortgageUsageError(`${what}: '${value ?? ''}' is not valid (${pattern.source})`);
  return value;
}

function reason(value: string | undefined): string {
  if (value === undefined || !(DISCHARGE_REASONS as readonly string[]).includes(value)) throw new MortgageUsageError(`reason: one of ${DISCHARGE_REASONS.join(', ')}`);
  return value;
}

async function submit(ledger: LedgerSession, transaction: TransactionName<'mortgage'>, ...args: string[]): Promise<unknown> {
  return JSON.parse(decoder.decode((await submitAndWait(ledger.contract('mortgage'), transaction, { arguments: args })).result)) as unknown;
}

/** The write steps: arguments checked here before anything reaches the ledger (a bad one writes nothing), the chaincode decides who may. */
async function writeCommand(ledger: LedgerSession, verb: string, args: readonly string[], role?: string): Promise<unknown> {
  const [a, b, c, ...rest] = args;
  const none = (n: number) => {
    if (args.length > n) throw new MortgageUsageError(`mortgages ${verb} takes ${n} argument(s)`);
  };
  switch (verb) {
    case 'register': {
      const id = checked(a, REQUEST_ID, 'id');
      if (!b || b.length > 64) throw new MortgageUsageError('certificate number: 1 to 64 characters');
      const remarks = [c, ...rest].filter((w) => w !== undefined).join(' ');
      if (remarks.length > 500) throw new MortgageUsageError('remarks: at most 500 characters');
      const record = JSON.parse(decoder.decode(await evaluate(ledger.contract('mortgage'), 'GetMortgage', [id]))) as MortgageView;
      const registration = await mortgageRegistration(new RegistryClient(ledger), record, b, remarks || undefined);
      return submit(ledger, 'RegisterMortgage', id, JSON.stringify(registration));
    }
    case 'change': {
      const id = checked(a, REQUEST_ID, 'id');
      const { options, keys } = changeOptions(args.slice(1), ['--debt-term-end', '--amount', '--loan-contract']);
      const { record, content } = await openedRecord(ledger, id, keys);
      const amount = options['--amount'] === undefined ? {} : record.mortgageType === 'ordinary' ? { securedPrincipal: options['--amount'] } : { maximumAmount: options['--amount'] };
      const change = await contentChecked(mortgageChange(new RegistryClient(ledger), record, content, {
        ...(options['--debt-term-end'] !== undefined ? { debtTermEnd: checked(options['--debt-term-end'], ISO_DATE, '--debt-term-end') } : {}),
        ...amount,
        ...(options['--loan-contract'] !== undefined ? { loanContract: options['--loan-contract'] } : {}),
      }));
      return submit(ledger, 'ChangeMortgage', id, JSON.stringify(change));
    }
    case 'transfer': {
      const id = checked(a, REQUEST_ID, 'id');
      if (b === undefined) throw new MortgageUsageError('mortgages transfer <id> <mortgagors.json> --keys <ID.keys.json>');
      const { keys } = changeOptions(args.slice(2), []);
      const mortgagors = mortgagorsFile(b);
      const { record, content } = await openedRecord(ledger, id, keys);
      return submit(ledger, 'TransferMortgage', id, JSON.stringify(await contentChecked(mortgageTransfer(new RegistryClient(ledger), record, content, mortgagors))));
    }
    case 'pre-register':
      none(1);
      return submit(ledger, 'PreRegisterMortgage', checked(a, REQUEST_ID, 'id'));
    case 'reject':
      none(2);
      return submit(ledger, 'RejectMortgageApplication', checked(a, REQUEST_ID, 'id'), JSON.stringify({ reason: checked(b, REASON_CODE, 'reason code') }));
    case 'discharge':
      none(3);
      return submit(ledger, 'DischargeMortgage', checked(a, REQUEST_ID, 'id'), JSON.stringify({ caseNumber: checked(b, CASE_NUMBER, 'case number'), reason: reason(c) }));
    case 'approve':
      none(1);
      return submit(ledger, 'ApproveMortgageStep', checked(a, REQUEST_ID, 'id'));
    case 'return':
      none(2);
      return submit(ledger, 'ReturnMortgageStep', checked(a, REQUEST_ID, 'id'), JSON.stringify({ reason: checked(b, REASON_CODE, 'reason code') }));
    case 'request-discharge':
      none(2);
      return submit(ledger, 'RequestMortgageDischarge', checked(a, REQUEST_ID, 'id'), JSON.stringify({ reason: reason(b) }));
    case 'authorize-query': {
      const keys = keysOption(rest);
      const unitKey = mortgageUnitKey(checked(a, MORTGAGE_UNIT_NUMBER, 'unit number'));
      const bankId = checked(b, INSTITUTION_ID, 'bankId');
      const validUntil = checked(c, ISO_DATE, 'until');
      const read = (transaction: TransactionName<'mortgage'>, ...args: string[]) => evaluate(ledger.contract('mortgage'), transaction, args);
      const applications = keys ? await encumbranceDisclosures(await activeApplications(read, role === Role.Registrar, unitKey), keys, await new RegistryClient(ledger).get(bankId)) : [];
      return submit(ledger, 'AuthorizeEncumbranceQuery', unitKey, JSON.stringify({ bankId, validUntil, ...(applications.length > 0 ? { applications } : {}) }));
    }
    case 'disclose': {
      const keys = keysOption(args.slice(1));
      if (!keys) throw new MortgageUsageError("mortgages disclose needs the registry's --keys <ID.keys.json>");
      const unitKey = mortgageUnitKey(checked(a, MORTGAGE_UNIT_NUMBER, 'unit number'));
      const registry = new RegistryClient(ledger);
      const view = await read<UnitEncumbrancesView>(ledger, 'GetEncumbrances', unitKey);
      const disclosures = await pendingDisclosures(view, keys, (bankId) => registry.get(bankId));
      // Nothing a consented bank lacks: nothing to record. An answer without `consents` is no
      // registry's: the ledger is asked anyway, and its refusal (FORBIDDEN) is the answer.
      if (disclosures.length === 0 && view.consents !== undefined) return { unitKey, disclosed: [] };
      return submit(ledger, 'DiscloseEncumbrances', unitKey, JSON.stringify({ disclosures }));
    }
    case 'grant-auditor':
      none(2);
      return submit(ledger, 'GrantAuditorMortgageAccess', JSON.stringify({ firmId: checked(a, INSTITUTION_ID, 'firmId'), validUntil: checked(b, ISO_DATE, 'until') }));
    case 'revoke-auditor':
      none(1);
      return submit(ledger, 'RevokeAuditorMortgageAccess', checked(a, INSTITUTION_ID, 'firmId'));
    default:
      return undefined;
  }
}

/** `--keys <file>` (the institution's key file, demo custody: .network/institution-keys/<ID>.keys.json), or nothing. */
function keysOption(words: readonly string[]): InstitutionPrivateKeys | undefined {
  if (words.length === 0) return undefined;
  if (words.length !== 2 || words[0] !== '--keys') throw new MortgageUsageError(`expected --keys <ID.keys.json>, not '${words.join(' ')}'`);
  return JSON.parse(readFileSync(words[1] as string, 'utf8')) as InstitutionPrivateKeys;
}

/** `--name value` pairs among `names`, and the required `--keys <file>`. */
function changeOptions(words: readonly string[], names: readonly string[]): { options: Record<string, string>; keys: InstitutionPrivateKeys } {
  const options: Record<string, string> = {};
  let keys: InstitutionPrivateKeys | undefined;
  for (let i = 0; i < words.length; i += 2) {
    const [name, value] = [words[i] as string, words[i + 1]];
    if (value === undefined) throw new MortgageUsageError(`${name} needs a value`);
    if (name === '--keys') keys = keysOption([name, value]);
    else if (names.includes(name)) options[name] = value;
    else throw new MortgageUsageError(`unknown option '${name}' (${[...names, '--keys'].join(', ')})`);
  }
  if (!keys) throw new MortgageUsageError("the registry's --keys <ID.keys.json> opens the application to re-seal it");
  return { options, keys };
}

/** The new owners: a JSON array of {name, idNumber?, institutionId?}, checked before anything reaches the ledger. */
function mortgagorsFile(file: string): MortgagorContent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MortgageUsageError(`${file}: not a JSON file (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 10) throw new MortgageUsageError(`${file}: a JSON array of 1 to 10 new owners`);
  return parsed.map((m: unknown, i) => {
    const o = (m ?? {}) as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !['name', 'idNumber', 'institutionId'].includes(k));
    if (typeof o.name !== 'string' || o.name === '' || o.name.length > 200 || extra.length > 0) throw new MortgageUsageError(`${file}[${i}]: {name (1–200 characters), idNumber?, institutionId?}${extra.length > 0 ? `; unknown ${extra.join(', ')}` : ''}`);
    if (o.idNumber !== undefined && (typeof o.idNumber !== 'string' || o.idNumber.length > 64)) throw new MortgageUsageError(`${file}[${i}].idNumber: at most 64 characters`);
    const institutionId = o.institutionId === undefined ? undefined : checked(typeof o.institutionId === 'string' ? o.institutionId : '', INSTITUTION_ID, `${file}[${i}].institutionId`);
    return { name: o.name, ...(typeof o.idNumber === 'string' ? { idNumber: o.idNumber } : {}), ...(institutionId ? { institutionId } : {}) };
  });
}

/** The record and its application opened with the key file (checked against the ledger's salted hash). */
async function openedRecord(ledger: LedgerSession, id: string, keys: InstitutionPrivateKeys): Promise<{ record: MortgageView; content: MortgageApplicationContent }> {
  const record = await read<MortgageView>(ledger, 'GetMortgage', id);
  try {
    return { record, content: (await openWithKeys<MortgageApplicationContent>(record.application, keys)).content };
  } catch (err) {
    throw new MortgageUsageError(`the key file does not open mortgage ${id}'s application: ${(err as Error).message}`);
  }
}

/** A change the application cannot take is a usage error: nothing reaches the ledger. */
async function contentChecked<T>(made: Promise<T>): Promise<T> {
  try {
    return await made;
  } catch (err) {
    if (err instanceof MortgageContentError) throw new MortgageUsageError(`${err.path}: ${err.message}`);
    throw err;
  }
}

/** An encumbrance's amount for the caller: opened with its key file and checked against the ledger's salted hash, or why not. */
async function amountText(e: Encumbrance, keys: InstitutionPrivateKeys | undefined): Promise<string> {
  if (!e.application) return 'amount not disclosed';
  if (!keys) return 'amount sealed to you (--keys opens it)';
  try {
    const amount = encumbranceAmountOf((await openWithKeys<EncumbranceAmount>(e.application, keys)).content);
    return amount.maximumAmount !== undefined ? `maximum ${amount.currency} ${amount.maximumAmount}` : `${amount.currency} ${amount.securedPrincipal ?? ''}`;
  } catch (err) {
    return `amount does not verify: ${(err as Error).message}`;
  }
}

/** What a registrar acts on (the registry reviewer's queue is IN_REVIEW_STATES). */
const REGISTRAR_QUEUE: readonly string[] = [MortgageState.Applied, MortgageState.PreRegistered, MortgageState.DischargeRequested];

/** Every page of the caller's registrations in `state` ('' = all), one line each. */
async function listAll(ledger: LedgerSession, state: string): Promise<void> {
  let bookmark = '';
  do {
    const page = await read<Page<MortgageView>>(ledger, 'ListMortgages', state, '200', bookmark);
    for (const record of page.records) console.log(line(record));
    bookmark = page.bookmark;
  } while (bookmark !== '');
}

const WRITES = new Set(['register', 'change', 'transfer', 'pre-register', 'reject', 'discharge', 'approve', 'return', 'request-discharge', 'authorize-query', 'disclose', 'grant-auditor', 'revoke-auditor']);

/** `role`: the --as identity's (network descriptor): a registrar's authorize-query widens from the encumbrance answer, a mortgagor's from its own list. */
export async function mortgagesCommand(ledger: LedgerSession, words: readonly string[], print: (value: unknown) => void, role?: string): Promise<void> {
  const [verb, arg] = words;
  if (verb && WRITES.has(verb)) {
    print(await writeCommand(ledger, verb, words.slice(1), role));
  } else if (verb === 'list') {
    if (arg !== undefined && !(MORTGAGE_STATES as readonly string[]).includes(arg)) throw new MortgageUsageError(`unknown state '${arg}' (${MORTGAGE_STATES.join(', ')})`);
    await listAll(ledger, arg ?? '');
  } else if (verb === 'queue' && arg === undefined) {
    const states = role === Role.RegistryReviewer ? IN_REVIEW_STATES : role === Role.Registrar ? REGISTRAR_QUEUE : undefined;
    if (!states) throw new MortgageUsageError(`mortgages queue is a registrar's or a registry reviewer's (--as names a ${role ?? 'identity of no known role'})`);
    for (const state of states) await listAll(ledger, state);
  } else if (verb === 'show' && arg) {
    print(await read<MortgageView>(ledger, 'GetMortgage', arg));
  } else if (verb === 'encumbrances' && arg) {
    const keys = keysOption(words.slice(2));
    const { encumbrances, consents } = await read<UnitEncumbrancesView>(ledger, 'GetEncumbrances', mortgageUnitKey(arg));
    if (encumbrances.length === 0) console.log('no active encumbrances');
    for (const e of encumbrances) {
      console.log(`${String(e.priority).padEnd(3)} ${e.mortgageId.padEnd(28)} ${e.mortgageeId.padEnd(12)} ${e.mortgageType.padEnd(15)} registered ${e.registeredAt}  term ${e.debtTermStart}..${e.debtTermEnd}  ${await amountText(e, keys)}`);
    }
    // The registry's view: who holds a current consent, and what each may open (mortgages disclose widens the rest).
    for (const c of consents ?? []) {
      const lacking = encumbrances.map((e) => e.mortgageId).filter((id) => !c.disclosed.includes(id));
      console.log(`consent ${c.bankId.padEnd(12)} until ${c.validUntil}  amounts of: ${c.disclosed.join(', ') || '-'}${lacking.length > 0 ? `  not yet: ${lacking.join(', ')}` : ''}`);
    }
  } else {
    throw new MortgageUsageError(`unknown command 'mortgages ${words.join(' ')}'`);
  }
}
