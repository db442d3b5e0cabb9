import {
  crossCheckNotReady,
  crossCheckReport,
  engagementCrossCheck,
  isBankLetter,
  mortgageFact,
  receivableAmountHash,
  receivableFact,
  type ConfirmationView,
  type CrossCheckLedgerReading,
  type CrossCheckReport,
  type EngagementCrossCheck,
  type HistoryEntry,
  type LetterContent,
  type MortgageView,
  type Page,
  type ReceivableRecord,
  type ReplyContent,
  type WorkCalendar,
  type ContractName,
  type TransactionName,
} from '@econfirm/common';
import { chainInfo } from './blocks';
import type { LedgerSession } from './connection';
import { openWithKeys, recipientKids } from './content-crypto';
import { encryptionKeyByKid, type InstitutionPrivateKeys } from './institution-keys';
import { LedgerCallError } from './ledger-call-error';
import { evaluate } from './submit';

/**
 * Cross-checks (issue 14) as one identity of the network with the firm's own keys — what the CLI
 * runs (`econfirm cross-check`). The gateway does the same reading through its tenant
 * (gateway/src/crosscheck); both conclude with common/src/crosscheck.
 */

const decoder = new TextDecoder();

async function read<T, C extends ContractName = ContractName>(ledger: LedgerSession, contract: C, transaction: TransactionName<C>, ...args: string[]): Promise<T> {
  return JSON.parse(decoder.decode(await evaluate(ledger.contract(contract), transaction, args))) as T;
}

/** Thrown when a request cannot be cross-checked yet (the CLI prints it; the gateway answers CROSS_CHECK_NOT_READY). */
export class CrossCheckNotReadyError extends Error {
  override readonly name = 'CrossCheckNotReadyError';
}

async function allPages<T>(fetch: (bookmark: string) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let bookmark = '';
  do {
    const page = await fetch(bookmark);
    out.push(...page.records);
    bookmark = page.records.length === 0 && page.fetchedRecordsCount === 0 ? '' : page.bookmark;
  } while (bookmark !== '');
  return out;
}

/** Whether `keys` hold a key a sealed content is addressed to (else it is not opened: no guess, no error). */
function addressedTo(ciphertext: string, keys: InstitutionPrivateKeys): boolean {
  return recipientKids(ciphertext).some((kid) => encryptionKeyByKid(keys, kid));
}

/**
 * The client's receivables under its receivable grant (ListReceivablesOfClient), each amount opened
 * where the terms are addressed to `keys` and open the hash on the ledger; undefined when the client
 * granted none (the report then says RECEIVABLE_ACCESS_NOT_GRANTED).
 */
async function readReceivables(ledger: LedgerSession, clientId: string, keys: InstitutionPrivateKeys): Promise<CrossCheckLedgerReading['receivables']> {
  let records: ReceivableRecord[];
  try {
    records = await allPages((bookmark) => read<Page<ReceivableRecord>>(ledger, 'receivable', 'ListReceivablesOfClient', clientId, '200', bookmark));
  } catch (err) {
    if (err instanceof LedgerCallError && err.code === 'FORBIDDEN') return undefined;
    throw err;
  }
  return Promise.all(records.map(async (record) => {
    if (!addressedTo(record.terms.ciphertext, keys)) return receivableFact(record);
    const terms = (await openWithKeys<{ amount: string; salt: string }>(record.terms, keys)).content;
    return receivableFact(record, receivableAmountHash(terms.amount, terms.salt) === record.amountHash ? terms : undefined);
  }));
}

/** The client's registrations as the caller may read them (ListMortgagesOfClient: the client's grant), amounts opened where addressed to `keys`. */
async function readMortgages(ledger: LedgerSession, clientId: string, keys: InstitutionPrivateKeys): Promise<NonNullable<CrossCheckLedgerReading['mortgages']>> {
  const records = await allPages((bookmark) => read<Page<MortgageView>>(ledger, 'mortgage', 'ListMortgagesOfClient', clientId, '200', bookmark));
  return Promise.all(records.map(async (record) => {
    const opened = addressedTo(record.application.ciphertext, keys) ? (await openWithKeys<{ currency: string; securedPrincipal?: string; maximumAmount?: string }>(record.application, keys)).content : undefined;
    return mortgageFact(record, opened);
  }));
}

/** The ledger side; `withMortgages` false for a receivable/payable confirmation, checked against receivables only (no mortgage grant needed). */
async function readLedger(ledger: LedgerSession, clientId: string, keys: InstitutionPrivateKeys, readAs: string, withMortgages = true): Promise<CrossCheckLedgerReading> {
  const ledgerHeight = (await chainInfo(ledger.network)).height.toString();
  const mortgages = withMortgages ? await readMortgages(ledger, clientId, keys) : undefined;
  const receivables = await readReceivables(ledger, clientId, keys);
  const calendar = await read<WorkCalendar>(ledger, 'confirmation', 'GetWorkCalendar');
  return { ...(mortgages ? { mortgages } : {}), ...(receivables ? { receivables } : {}), ledgerHeight, readAs, utcOffsetMinutes: calendar.utcOffsetMinutes ?? 0 };
}

async function checkOne(ledger: LedgerSession, view: ConfirmationView, keys: InstitutionPrivateKeys, reading: CrossCheckLedgerReading): Promise<CrossCheckReport> {
  if (!view.reply) throw new CrossCheckNotReadyError(`${view.id} has no reply`);
  const letter = await openWithKeys<LetterContent>(view.letter, keys);
  const reply = await openWithKeys<ReplyContent>(view.reply, keys);
  const history = await read<Array<HistoryEntry<ConfirmationView>>>(ledger, 'confirmation', 'GetConfirmationHistory', view.id);
  return crossCheckReport(view, { letter: letter.content, reply: reply.content, replyContentHash: view.reply.contentHash, history }, reading, new Date().toISOString());
}

/**
 * One accepted reply: a bank's against the client's registrations and financed receivables, a
 * customer's or supplier's against the receivables between the two. `readAs` names the caller in the report's basis.
 */
export async function crossCheckConfirmation(ledger: LedgerSession, confirmationId: string, keys: InstitutionPrivateKeys, readAs: string): Promise<CrossCheckReport> {
  const view = await read<ConfirmationView>(ledger, 'confirmation', 'GetConfirmation', confirmationId);
  const reason = crossCheckNotReady(view);
  if (reason) throw new CrossCheckNotReadyError(reason);
  return checkOne(ledger, view, keys, await readLedger(ledger, view.clientId, keys, readAs, isBankLetter(view.kind)));
}

/** Every bank letter of one of the firm's engagements. */
export async function crossCheckEngagement(ledger: LedgerSession, engagementId: string, keys: InstitutionPrivateKeys, readAs: string): Promise<EngagementCrossCheck> {
  const views = (await allPages((bookmark) => read<Page<ConfirmationView>>(ledger, 'confirmation', 'ListConfirmationsByEngagement', engagementId, '200', bookmark)))
    .filter((v) => v.firmId === keys.institutionId);
  const first = views[0];
  if (!first) throw new CrossCheckNotReadyError(`engagement ${engagementId} has no request of ${keys.institutionId}`);
  const reading = await readLedger(ledger, first.clientId, keys, readAs);
  const byId = new Map(views.map((v) => [v.id, v]));
  return engagementCrossCheck(views, reading, (request) => checkOne(ledger, byId.get(request.id) as ConfirmationView, keys, reading), new Date().toISOString());
}
