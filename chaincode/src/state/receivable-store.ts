import { Context } from 'fabric-contract-api';
import { AuditorReceivableAccess, HistoryEntry, ReceivableIssuedTotal, ReceivableLimit, ReceivableRecord } from '@econfirm/common';
import { deleteIndex, keyExists, putIndex, readHistory, readJson, scanAll, writeJson } from './ledger';

const RECEIVABLE = 'rcv';
/** Per receivable: its active lien. Read and written by every financing of it (MVCC decides a race). */
const RECEIVABLE_LIEN = 'rcv~lien';
/** Per invoice key: the active lien on a receivable carrying that invoice, whichever bank holds it. */
const INVOICE_LIEN = 'rcv~ilien';
/** Per obligor: the limit the platform set. */
const LIMIT = 'rcv~limit';
/** Per obligor: the hash of its confirmed total so far. Read and written by each of its confirmations. */
const ISSUED = 'rcv~issued';
/** Per client and firm: the client's grant that the firm's auditors list its receivables. */
const AUDITOR_ACCESS = 'rcv~auditor';

export const ReceivableIndex = {
  /** Per party (obligor, holders past and present, bank) and state: each party's lists. */
  ByPartyState: 'rcv~party~state~id',
} as const;

/** The value of a lien key: which receivable and bank hold it. */
export interface LienHolder {
  receivableId: string;
  bankId: string;
  financingId: string;
}

function key(ctx: Context, type: string, attributes: string[]): string {
  return ctx.stub.createCompositeKey(type, attributes);
}

export function findReceivable(ctx: Context, id: string): Promise<ReceivableRecord | undefined> {
  return readJson<ReceivableRecord>(ctx, key(ctx, RECEIVABLE, [id]));
}

/** Every receivable record, in key order (the regulator's statistics). */
export function allReceivables(ctx: Context): Promise<ReceivableRecord[]> {
  return scanAll<ReceivableRecord>(ctx, RECEIVABLE);
}

/** Every committed version of the record, newest first (the peer's history database). */
export function receivableHistory(ctx: Context, id: string): Promise<HistoryEntry<ReceivableRecord>[]> {
  return readHistory<ReceivableRecord>(ctx, key(ctx, RECEIVABLE, [id]));
}

export function receivableExists(ctx: Context, id: string): Promise<boolean> {
  return keyExists(ctx, key(ctx, RECEIVABLE, [id]));
}

/** Everyone the record names: they read it (a former holder keeps seeing the chain it was part of). */
export function receivableParties(record: ReceivableRecord): string[] {
  return [...new Set([record.obligorId, ...record.holders, ...(record.bankId ? [record.bankId] : [])])].sort();
}

/** Writes the record and moves its party/state index entries with it. */
export async function saveReceivable(ctx: Context, record: ReceivableRecord, previous?: ReceivableRecord): Promise<void> {
  await writeJson(ctx, key(ctx, RECEIVABLE, [record.id]), record);
  if (previous) {
    for (const party of receivableParties(previous)) await deleteIndex(ctx, ReceivableIndex.ByPartyState, [party, previous.state, previous.id]);
  }
  for (const party of receivableParties(record)) await putIndex(ctx, ReceivableIndex.ByPartyState, [party, record.state, record.id]);
}

export function readReceivableLien(ctx: Context, receivableId: string): Promise<LienHolder | undefined> {
  return readJson<LienHolder>(ctx, key(ctx, RECEIVABLE_LIEN, [receivableId]));
}

export function readInvoiceLien(ctx: Context, invoiceKey: string): Promise<LienHolder | undefined> {
  return readJson<LienHolder>(ctx, key(ctx, INVOICE_LIEN, [invoiceKey]));
}

/** Claims the receivable's lien key and each invoice's: what the next financing of any of them reads. */
export async function writeLiens(ctx: Context, record: ReceivableRecord, lien: LienHolder): Promise<void> {
  await writeJson(ctx, key(ctx, RECEIVABLE_LIEN, [record.id]), lien);
  for (const invoiceKey of record.invoiceKeys) await writeJson(ctx, key(ctx, INVOICE_LIEN, [invoiceKey]), lien);
}

export async function releaseLiens(ctx: Context, record: ReceivableRecord): Promise<void> {
  await ctx.stub.deleteState(key(ctx, RECEIVABLE_LIEN, [record.id]));
  for (const invoiceKey of record.invoiceKeys) await ctx.stub.deleteState(key(ctx, INVOICE_LIEN, [invoiceKey]));
}

export function readLimit(ctx: Context, obligorId: string): Promise<ReceivableLimit | undefined> {
  return readJson<ReceivableLimit>(ctx, key(ctx, LIMIT, [obligorId]));
}

export function writeLimit(ctx: Context, limit: ReceivableLimit): Promise<void> {
  return writeJson(ctx, key(ctx, LIMIT, [limit.obligorId]), limit);
}

export function readIssuedTotal(ctx: Context, obligorId: string): Promise<ReceivableIssuedTotal | undefined> {
  return readJson<ReceivableIssuedTotal>(ctx, key(ctx, ISSUED, [obligorId]));
}

export function writeIssuedTotal(ctx: Context, issued: ReceivableIssuedTotal): Promise<void> {
  return writeJson(ctx, key(ctx, ISSUED, [issued.obligorId]), issued);
}

export function readAuditorReceivableAccess(ctx: Context, clientId: string, firmId: string): Promise<AuditorReceivableAccess | undefined> {
  return readJson<AuditorReceivableAccess>(ctx, key(ctx, AUDITOR_ACCESS, [clientId, firmId]));
}

export function writeAuditorReceivableAccess(ctx: Context, access: AuditorReceivableAccess): Promise<void> {
  return writeJson(ctx, key(ctx, AUDITOR_ACCESS, [access.clientId, access.firmId]), access);
}

export function deleteAuditorReceivableAccess(ctx: Context, clientId: string, firmId: string): Promise<void> {
  return ctx.stub.deleteState(key(ctx, AUDITOR_ACCESS, [clientId, firmId]));
}
